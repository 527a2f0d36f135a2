//! What a release promises before it is built: one version everywhere
//! (the crate, the Python and JavaScript packages and their crates, the
//! VS Code extension, their lock files and the changelog's newest
//! release), `authgate --version` naming the commit, and the license
//! texts the extension ships being the repository's. `scripts/release.sh`
//! and the checks after it (`tests/release/`) cover the artifacts.

use std::path::Path;
use std::process::Command;

use crate::support::{authgate, code, read, root, stdout};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn toml_version(path: &str) -> String {
    let table: toml::Table =
        toml::from_str(&read(&root().join(path))).unwrap_or_else(|error| panic!("{path}: {error}"));
    table["package"]["version"]
        .as_str()
        .unwrap_or_else(|| panic!("{path}: no package.version"))
        .to_owned()
}

fn json(path: &str) -> serde_json::Value {
    serde_json::from_str(&read(&root().join(path)))
        .unwrap_or_else(|error| panic!("{path}: {error}"))
}

#[test]
fn every_package_carries_the_crates_version() {
    let mut versions = vec![
        (
            "bindings/python/Cargo.toml",
            toml_version("bindings/python/Cargo.toml"),
        ),
        (
            "bindings/js/Cargo.toml",
            toml_version("bindings/js/Cargo.toml"),
        ),
    ];
    for path in ["bindings/js/package.json", "editors/vscode/package.json"] {
        versions.push((
            path,
            json(path)["version"].as_str().unwrap_or("").to_owned(),
        ));
    }
    // npm ci refuses a lock file whose root package disagrees with
    // package.json only for dependencies, not for the version: check it.
    for path in [
        "bindings/js/package-lock.json",
        "editors/vscode/package-lock.json",
    ] {
        let lock = json(path);
        versions.push((path, lock["version"].as_str().unwrap_or("").to_owned()));
        let root_package = lock["packages"][""]["version"].as_str().unwrap_or("");
        versions.push((path, root_package.to_owned()));
    }
    // The Python package takes its version from its crate (maturin): it
    // must not write one of its own.
    let pyproject: toml::Table =
        toml::from_str(&read(&root().join("bindings/python/pyproject.toml")))
            .expect("pyproject.toml is TOML");
    let project = &pyproject["project"];
    assert!(
        project.get("version").is_none(),
        "pyproject.toml sets its own version"
    );
    assert_eq!(project["dynamic"].as_array().map(Vec::len), Some(1));
    assert_eq!(project["dynamic"][0].as_str(), Some("version"));

    for (path, version) in &versions {
        assert_eq!(
            version, VERSION,
            "{path} says {version}, Cargo.toml says {VERSION}: bump every package together"
        );
    }
}

#[test]
fn the_changelog_records_this_version_first() {
    let changelog = read(&root().join("CHANGELOG.md"));
    let mut headings = changelog
        .lines()
        .filter_map(|line| line.strip_prefix("## ["))
        .map(|rest| rest.split(']').next().unwrap_or(rest));
    assert_eq!(
        headings.next(),
        Some("Unreleased"),
        "Keep a Changelog starts with Unreleased"
    );
    assert_eq!(
        headings.next(),
        Some(VERSION),
        "CHANGELOG.md's newest release is not Cargo.toml's version"
    );
    let heading = format!("## [{VERSION}] - ");
    let dated = changelog
        .lines()
        .find_map(|line| line.strip_prefix(heading.as_str()))
        .unwrap_or_else(|| panic!("`## [{VERSION}] - YYYY-MM-DD` is missing"));
    let date: Vec<&str> = dated.split('-').collect();
    assert!(
        date.len() == 3
            && date
                .iter()
                .all(|part| part.bytes().all(|b| b.is_ascii_digit())),
        "{VERSION}'s date is not YYYY-MM-DD: {dated}"
    );
    assert!(
        changelog.contains(&format!("[{VERSION}]: ")),
        "no link for [{VERSION}] at the end of CHANGELOG.md"
    );
}

/// `authgate 0.1.0 (5b2d025 2026-12-06)` from a git checkout, `authgate
/// 0.1.0 (built outside git)` otherwise; `-V` says the same.
#[test]
fn version_names_the_commit_it_was_built_from() {
    let output = authgate(&["--version"]);
    assert_eq!(code(&output), 0);
    let printed = stdout(&output);
    assert_eq!(stdout(&authgate(&["-V"])), printed);
    let rest = printed
        .strip_prefix(&format!("authgate {VERSION} ("))
        .and_then(|rest| rest.strip_suffix(")\n"))
        .unwrap_or_else(|| panic!("{printed:?}"));

    let head = Command::new("git")
        .args(["rev-parse", "--show-toplevel", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned());
    let in_git = head.as_deref().and_then(|text| {
        let mut lines = text.lines();
        let top = lines.next()?;
        let same = Path::new(top).canonicalize().ok()? == root().canonicalize().ok()?;
        same.then(|| lines.next().map(str::to_owned)).flatten()
    });
    match in_git {
        Some(commit) => {
            let (hash, date) = rest
                .split_once(' ')
                .unwrap_or_else(|| panic!("{printed:?}"));
            assert!(
                hash.len() >= 7 && commit.starts_with(hash),
                "{hash} is not HEAD {commit}"
            );
            let parts: Vec<&str> = date.split('-').collect();
            assert!(
                parts.len() == 3 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())),
                "{printed:?}"
            );
        }
        None => assert_eq!(rest, "built outside git"),
    }
}

#[test]
fn the_extension_ships_the_repositorys_license_texts() {
    let license = read(&root().join("editors/vscode/LICENSE"));
    for name in ["LICENSE-MIT", "LICENSE-APACHE"] {
        assert!(
            license.contains(&read(&root().join(name))),
            "editors/vscode/LICENSE lacks {name} as it stands at the root"
        );
    }
}
