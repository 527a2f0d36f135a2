//! The files that package authgate for CI: the pre-commit hooks, the
//! GitHub Action and the license texts. They are parsed as YAML and what
//! they run is run.

use std::path::Path;
use std::process::{Command, Output};

use yaml_rust2::{Yaml, YamlLoader};

use super::{FORMATTED, UNFORMATTED};
use crate::support::{authgate_with, code, read, root, stderr};

/// The one YAML document of a file at the repository root.
fn yaml(name: &str) -> Yaml {
    let text = read(&root().join(name));
    let mut documents = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|error| panic!("{name} is not YAML: {error}"));
    assert_eq!(documents.len(), 1, "{name}: one document");
    documents.pop().expect("one document")
}

fn text<'y>(node: &'y Yaml, key: &str) -> &'y str {
    node[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {node:?}"))
}

/// `authgate SUBCOMMAND --help` succeeds: the subcommand exists.
fn assert_subcommand(subcommand: &str) {
    let output = authgate_with(root(), &[subcommand, "--help"], "");
    assert_eq!(
        code(&output),
        0,
        "`authgate {subcommand}`: {}",
        stderr(&output)
    );
}

/// Runs a hook's `entry` as pre-commit does: split on spaces, then its
/// arguments, in `dir`.
fn run_entry(entry: &str, files: &[&str], dir: &Path) -> Output {
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("authgate"), "{entry}");
    let mut args: Vec<&str> = words.collect();
    args.extend_from_slice(files);
    authgate_with(dir, &args, "")
}

#[test]
fn pre_commit_hooks_run_authgate_check_fmt_and_test() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_vec().expect("a list of hooks");
    let ids: Vec<&str> = hooks.iter().map(|hook| text(hook, "id")).collect();
    assert_eq!(ids, ["authgate-check", "authgate-fmt", "authgate-test"]);
    for hook in hooks {
        let id = text(hook, "id");
        assert!(!text(hook, "name").is_empty());
        // pre-commit builds the hook with `cargo install --path .`: the
        // root must be the package with the `authgate` binary.
        assert_eq!(text(hook, "language"), "rust", "{id}");
        let entry = text(hook, "entry");
        let subcommand = id.trim_start_matches("authgate-");
        assert_eq!(entry, format!("authgate {subcommand}"), "{id}");
        assert_subcommand(subcommand);
        assert!(text(hook, "files").contains(r"\.gate"), "{id}");
        // check and test read the whole rule set, never single files.
        let takes_files = hook["pass_filenames"].as_bool().unwrap_or(true);
        assert_eq!(takes_files, id == "authgate-fmt", "{id}: pass_filenames");
    }
    assert!(root().join("Cargo.toml").is_file());

    // What pre-commit runs, on this repository: check and test pass on
    // the shipped rules (the default `rules`, no file names) ...
    for hook in hooks
        .iter()
        .filter(|hook| text(hook, "id") != "authgate-fmt")
    {
        let output = run_entry(text(hook, "entry"), &[], root());
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    }
    // ... and fmt rewrites the staged files it is given.
    let fmt = hooks
        .iter()
        .find(|hook| text(hook, "id") == "authgate-fmt")
        .expect("the fmt hook");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.gate"), UNFORMATTED).expect("write");
    std::fs::write(dir.path().join("b.gate"), FORMATTED).expect("write");
    let output = run_entry(text(fmt, "entry"), &["a.gate", "b.gate"], dir.path());
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(read(&dir.path().join("a.gate")), FORMATTED);
}

/// Every `${{ KIND.NAME` in `text`, with the name's characters.
fn references<'t>(text: &'t str, kind: &str) -> Vec<&'t str> {
    let needle = format!("{kind}.");
    let mut found = Vec::new();
    for (at, _) in text.match_indices(&needle) {
        let rest = text.get(at + needle.len()..).unwrap_or("");
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if let Some(name) = rest.get(..end) {
            found.push(name);
        }
    }
    found
}

fn steps(action: &Yaml) -> &[Yaml] {
    action["runs"]["steps"].as_vec().expect("steps")
}

fn step<'a>(action: &'a Yaml, id: &str) -> &'a Yaml {
    steps(action)
        .iter()
        .find(|step| step["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no step `{id}`"))
}

#[test]
fn the_action_installs_checks_tests_uploads_and_then_fails() {
    let action = yaml("action.yml");
    let source = read(&root().join("action.yml"));
    assert_eq!(text(&action["runs"], "using"), "composite");
    let inputs = action["inputs"].as_hash().expect("inputs");
    let mut declared: Vec<&str> = inputs.keys().filter_map(Yaml::as_str).collect();
    declared.sort_unstable();
    assert_eq!(
        declared,
        [
            "allow-empty",
            "deny-warnings",
            "paths",
            "upload-sarif",
            "working-directory"
        ]
    );
    for (name, input) in inputs {
        assert!(!text(input, "description").is_empty(), "{name:?}");
        assert!(input["default"].as_str().is_some(), "{name:?}: a default");
    }
    for name in references(&source, "inputs") {
        assert!(
            inputs.contains_key(&Yaml::String(name.to_owned())),
            "`inputs.{name}`"
        );
    }
    for name in references(&source, "steps") {
        step(&action, name);
    }

    let steps = steps(&action);
    let install = steps.first().expect("a first step");
    let script = text(install, "run");
    assert!(
        script.contains("cargo install --locked --path \"$ACTION_PATH\""),
        "{script}"
    );
    assert_eq!(
        text(&install["env"], "ACTION_PATH"),
        "${{ github.action_path }}"
    );
    // Where `cargo install --path` of the action's checkout finds authgate.
    assert!(root().join("Cargo.lock").is_file());

    let uploads: Vec<&Yaml> = steps
        .iter()
        .filter(|step| step["uses"].as_str().is_some())
        .collect();
    assert_eq!(uploads.len(), 2);
    for upload in &uploads {
        assert!(
            text(upload, "uses").starts_with("github/codeql-action/upload-sarif@"),
            "{upload:?}"
        );
        assert!(text(upload, "if").starts_with("always() &&"), "{upload:?}");
    }
    let categories: Vec<&str> = uploads
        .iter()
        .map(|upload| text(&upload["with"], "category"))
        .collect();
    assert_eq!(categories, ["authgate-check", "authgate-test"]);
    // The job fails last, after the uploads.
    let last = steps.last().expect("a last step");
    assert!(text(last, "if").starts_with("always()"));
    assert!(text(last, "run").contains("exit 1"));
    let shells_out = text(step(&action, "run"), "run");
    for subcommand in ["check", "test"] {
        assert!(
            shells_out.contains(&format!("run {subcommand}")),
            "{subcommand}"
        );
        assert_subcommand(subcommand);
    }
}

/// Runs the action's `run` step as GitHub does (`bash -e -o pipefail`),
/// in `folder` under `workspace`, with the built authgate on the PATH;
/// returns its exit status and what it wrote to `$GITHUB_OUTPUT`.
#[cfg(unix)]
fn run_action_step(workspace: &Path, folder: &str, env: &[(&str, &str)]) -> (i32, String) {
    let action = yaml("action.yml");
    let script = workspace.join("step.sh");
    std::fs::write(&script, text(step(&action, "run"), "run")).expect("write");
    let temp = workspace.join("runner-temp");
    std::fs::create_dir_all(&temp).expect("mkdir");
    let outputs = workspace.join("github-output");
    std::fs::write(&outputs, "").expect("write");
    let bin = Path::new(env!("CARGO_BIN_EXE_authgate"))
        .parent()
        .expect("a folder");
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let status = Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-o", "pipefail"])
        .arg(&script)
        .current_dir(workspace.join(folder))
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("RUNNER_TEMP", &temp)
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", &outputs)
        .envs(env.iter().copied())
        .output()
        .expect("bash runs");
    (code(&status), read(&outputs))
}

/// The value of `name=` in `$GITHUB_OUTPUT` text.
#[cfg(unix)]
fn output<'o>(outputs: &'o str, name: &str) -> &'o str {
    outputs
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no output `{name}` in {outputs}"))
}

/// The artifact URIs of a SARIF log's results.
#[cfg(unix)]
fn result_uris(sarif: &str) -> Vec<String> {
    let log: serde_json::Value =
        serde_json::from_str(&read(Path::new(sarif))).expect("the SARIF file is JSON");
    let results = log
        .pointer("/runs/0/results")
        .and_then(|results| results.as_array())
        .expect("results");
    results
        .iter()
        .filter_map(|result| {
            result
                .pointer("/locations/0/physicalLocation/artifactLocation/uri")
                .and_then(|uri| uri.as_str())
                .map(str::to_owned)
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn the_action_step_writes_sarif_and_the_statuses_it_fails_on() {
    let workspace = tempfile::tempdir().expect("temp dir");
    let rules = workspace.path().join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    for entry in std::fs::read_dir(root().join("rules")).expect("list") {
        let path = entry.expect("entry").path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, rules.join(name)).expect("copy");
        }
    }
    let env = [
        ("PATHS", ""),
        ("DENY_WARNINGS", "false"),
        ("UPLOAD", "true"),
    ];
    // The shipped rules: both pass; every output the action reads is set.
    let (status, outputs) = run_action_step(workspace.path(), ".", &env);
    assert_eq!(status, 0, "{outputs}");
    let source = read(&root().join("action.yml"));
    for name in references(&source, "steps.run.outputs") {
        output(&outputs, name);
    }
    assert_eq!(output(&outputs, "check-status"), "0");
    assert_eq!(output(&outputs, "test-status"), "0");
    assert!(result_uris(output(&outputs, "check-sarif")).is_empty());

    // An error: check says 1 with a SARIF log to upload; test can't run
    // on rules with errors (2) and has none; the step itself succeeds, so
    // the uploads run.
    std::fs::write(
        rules.join("zz.gate"),
        "connector z {\n    auth a: basic\n    endpoint e < auth: [b] >\n}\n",
    )
    .expect("write");
    let (status, outputs) = run_action_step(workspace.path(), ".", &env);
    assert_eq!(status, 0, "{outputs}");
    assert_eq!(output(&outputs, "check-status"), "1");
    assert_eq!(
        result_uris(output(&outputs, "check-sarif")),
        ["rules/zz.gate"]
    );
    assert_eq!(output(&outputs, "test-status"), "2");
    assert_eq!(output(&outputs, "test-sarif"), "");
}

/// Below the repository root, SARIF paths get the folder, percent-encoded;
/// absolute paths (`file:///` URIs) stay. Needs jq, as GitHub's runners
/// have; run with `cargo test -- --ignored` where it is installed.
#[cfg(unix)]
#[test]
#[ignore = "needs jq (GitHub's runners have it): cargo test -- --ignored"]
fn the_action_step_prefixes_relative_sarif_paths_below_the_root() {
    let has_jq = Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    assert!(has_jq, "this test needs jq");
    let workspace = tempfile::tempdir().expect("temp dir");
    let rules = workspace.path().join("my sub/rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(
        rules.join("zz.gate"),
        "connector z {\n    auth a: basic\n    endpoint e < auth: [b] >\n}\n",
    )
    .expect("write");
    let env = [
        ("PATHS", " ./rules \n\n"),
        ("DENY_WARNINGS", "false"),
        ("UPLOAD", "true"),
    ];
    let (status, outputs) = run_action_step(workspace.path(), "my sub", &env);
    assert_eq!(status, 0, "{outputs}");
    assert_eq!(
        result_uris(output(&outputs, "check-sarif")),
        ["my%20sub/rules/zz.gate"]
    );
    let absolute = rules.canonicalize().expect("exists");
    let absolute = absolute.to_str().expect("UTF-8 path");
    let env = [
        ("PATHS", absolute),
        ("DENY_WARNINGS", "false"),
        ("UPLOAD", "true"),
    ];
    let (status, outputs) = run_action_step(workspace.path(), "my sub", &env);
    assert_eq!(status, 0, "{outputs}");
    let uris = result_uris(output(&outputs, "check-sarif"));
    assert!(
        uris.iter().all(|uri| uri.starts_with("file:///")),
        "{uris:?}"
    );
}

#[test]
fn both_licenses_cargo_names_are_shipped() {
    let manifest = read(&root().join("Cargo.toml"));
    assert!(
        manifest
            .lines()
            .any(|line| line.trim() == r#"license = "MIT OR Apache-2.0""#),
        "Cargo.toml's license"
    );
    let mit = read(&root().join("LICENSE-MIT"));
    assert!(
        mit.starts_with("Copyright (c) the authgate developers\n"),
        "{mit}"
    );
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    let apache = read(&root().join("LICENSE-APACHE"));
    assert!(
        apache.contains("Apache License\n                           Version 2.0, January 2004")
    );
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
    assert!(apache.contains("Copyright the authgate developers"));
}
