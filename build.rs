//! Two things the binary takes from outside the Rust sources.
//!
//! **The commit.** Tells the binary which commit it was built from, for `authgate
//! --version`: `AUTHGATE_COMMIT` is the short hash and commit date of
//! `HEAD` ("5b2d025 2026-12-06") when this crate is built from its own git
//! checkout, and "built outside git" otherwise (the published crate,
//! a source archive, or a checkout whose git is missing).
//!
//! Only a repository whose top level is this crate's folder counts: the
//! published crate unpacked inside some other repository (a home folder
//! kept in git, `cargo package`'s own check under `target/package/`) must
//! not claim that repository's commit.
//!
//! Cargo runs this again when `HEAD` moves (a commit, a checkout): it
//! watches `HEAD`, the branch it names and `packed-refs`, wherever git
//! keeps them (a worktree keeps `HEAD` apart from the refs).
//!
//! **The playground.** Builds the playground page into the binary for `authgate serve --ui`,
//! when it has been built: the files of `web/dist` (made by `npm --prefix
//! web run build`, see docs/playground.md) become a table in `OUT_DIR`.
//! Without them (a fresh clone, the published crate) the table is empty,
//! everything else builds and works, and `serve --ui` says which commands
//! build the page. Nothing here runs npm: a Rust build needs no Node.js.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const OUTSIDE_GIT: &str = "built outside git";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = commit(&root).unwrap_or_else(|| OUTSIDE_GIT.to_owned());
    println!("cargo:rustc-env=AUTHGATE_COMMIT={commit}");
    playground(&root);
}

/// "HASH DATE" of `HEAD`, when `dir` is the top level of a git checkout;
/// registers the files that say where `HEAD` is.
fn commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if !same_folder(Path::new(&top), dir) {
        return None;
    }
    for name in ["HEAD", "packed-refs"] {
        watch(dir, name);
    }
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch(dir, &branch);
    }
    git(dir, &["log", "-1", "--format=%h %cs"])
}

/// Asks cargo to rerun this script when git's file `name` changes, if it
/// exists (a missing file would make cargo rerun it on every build).
fn watch(dir: &Path, name: &str) {
    if let Some(path) = git(dir, &["rev-parse", "--git-path", name]) {
        let path = dir.join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The trimmed output of a git command run in `dir`; `None` when git is
/// missing, fails or prints nothing.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The empty file that keeps `web/dist` in git, not part of the page.
const KEEP: &str = ".keep";

/// Writes the table of the page's files (empty without a built page).
fn playground(root: &Path) {
    let dist = root.join("web").join("dist");
    let mut table = String::from(
        "/// The playground's files, by path under `/ui/`: empty when `web/dist`\n\
         /// was not built before this binary.\n\
         pub(super) static FILES: &[(&str, &[u8])] = &[\n",
    );
    // Only the server serves them; other builds (the lean library, the
    // WebAssembly module) carry an empty table.
    if std::env::var_os("CARGO_FEATURE_SERVE").is_some() && dist.is_dir() {
        // Only web/dist: the page as built. A folder is watched whole (any
        // file added, changed or removed), so a page built later is picked
        // up by the next build, and editing web/src or installing
        // web/node_modules rebuilds nothing. The folder is always there:
        // git keeps its `.keep`, and web/scripts/build.mjs empties it
        // without removing it (a missing path would make cargo run this
        // script, and build the crate again, on every build).
        println!("cargo:rerun-if-changed={}", dist.display());
        if dist.join("index.html").is_file() {
            for path in files(&dist) {
                let Ok(relative) = path.strip_prefix(&dist) else {
                    continue;
                };
                let name = relative.to_string_lossy().replace('\\', "/");
                if name == KEEP {
                    continue;
                }
                let _ = writeln!(
                    table,
                    "    ({name:?}, include_bytes!({:?})),",
                    path.display().to_string()
                );
            }
        }
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(error) = std::fs::write(out.join("ui_files.rs"), table) {
        println!("cargo:warning=cannot write the playground's table: {error}");
    }
}

/// The files under `folder`, sorted, recursively.
fn files(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
