//! `authgate diff`, through the real binary: its three formats,
//! its exit statuses, rule sets with errors, and `--git` on a scratch
//! repository.

use std::path::Path;
use std::process::Command;

use crate::support::{authgate_in, code, stderr, stdout, write_in};

const OLD: &str = r#"connector shop {
    auth basic: basic
    auth oauth: oauth2_authorization_code
    endpoint orders    < auth: [basic] >
    endpoint customers < auth: [basic, oauth] >
}
instance "instance 1" of shop < auth: basic >
instance "instance 2" of shop < auth: oauth >
instance "instance 3" of shop < auth: basic >
"#;

const NEW: &str = r#"connector shop {
    auth basic: basic
    auth oauth: oauth2_authorization_code
    endpoint orders    < auth: [basic, oauth] >
    endpoint customers < auth: [basic] >
    endpoint refunds   < auth: [oauth] >
}
connector "crm|`x`" {
    auth key: token
    endpoint contacts < auth: [key] >
}
instance "instance 1" of shop < auth: basic >
instance "instance 2" of shop < auth: oauth >
instance "instance 3" of shop < auth: oauth >
"#;

/// A scratch folder with `old/shop.gate` and `new/shop.gate`.
fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write_in(dir.path(), "old/shop.gate", OLD);
    write_in(dir.path(), "new/shop.gate", NEW);
    dir
}

#[test]
fn human_output_is_grouped_by_connector() {
    let dir = example();
    let output = authgate_in(dir.path(), &["diff", "old", "new"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn markdown_output_has_a_table_and_folded_details() {
    let dir = example();
    let output = authgate_in(dir.path(), &["diff", "old", "new", "--format", "markdown"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn json_has_the_documented_shape() {
    let dir = example();
    let output = authgate_in(dir.path(), &["diff", "old", "new", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["old"], "old");
    assert_eq!(json["new"], "new");
    // oauth: +orders +refunds -customers; crm's key: +contacts; instance 2
    // as oauth; instance 3 from basic (orders, customers) to oauth
    // (orders, refunds).
    assert_eq!(json["summary"]["subjects_changed"], 4);
    assert_eq!(json["summary"]["gained"], 6);
    assert_eq!(json["summary"]["lost"], 3);
    let oauth = json["methods"]
        .as_array()
        .expect("methods")
        .iter()
        .find(|m| m["method"] == "oauth")
        .expect("oauth changed");
    assert_eq!(oauth["status"], "changed");
    assert_eq!(oauth["gained"], serde_json::json!(["orders", "refunds"]));
    assert_eq!(oauth["lost"], serde_json::json!(["customers"]));
    let change = &oauth["changes"][0];
    assert_eq!(change["endpoint"], "orders");
    assert_eq!(change["file"], "new/shop.gate");
    assert_eq!(change["line"], 4);
    assert_eq!(change["change"], "gained");
    let lost = &oauth["changes"][2];
    assert_eq!(lost["file"], "old/shop.gate");
    assert_eq!(lost["line"], 5);
    // An instance of an unchanged method: its changes are its method's.
    let instance = &json["instances"][0];
    assert_eq!(instance["instance"], "instance 2");
    assert_eq!(instance["method_old"], "oauth");
    assert_eq!(instance["method_new"], "oauth");
    assert_eq!(instance["changes"], oauth["changes"]);
    // An instance whose method changed: its declaration caused each change
    // (NEW's for a gain, OLD's for a loss).
    let instance = &json["instances"][1];
    assert_eq!(instance["instance"], "instance 3");
    assert_eq!(
        instance["changes"],
        serde_json::json!([
            {"endpoint": "refunds", "file": "new/shop.gate", "line": 14, "column": 10, "change": "gained"},
            {"endpoint": "customers", "file": "old/shop.gate", "line": 9, "column": 10, "change": "lost"},
        ])
    );
    assert!(
        json["structure"]
            .as_array()
            .expect("structure")
            .contains(&serde_json::json!({"kind": "endpoint", "connector": "shop", "name": "refunds", "status": "added",
                "file": "new/shop.gate", "line": 6, "column": 14}))
    );
    // An instance whose method changed says from which to which.
    assert!(json["structure"].as_array().expect("structure").contains(
        &serde_json::json!({"kind": "instance", "connector": "shop", "name": "instance 3",
                "status": "changed", "method_old": "basic", "method_new": "oauth",
                "file": "new/shop.gate", "line": 14, "column": 10})
    ));
}

#[test]
fn a_method_change_that_changes_no_visibility_still_names_both_methods() {
    // `token` activates exactly what `basic` does: moving `instance 1`
    // changes its method and nothing it sees.
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = |method: &str| {
        format!(
            "connector shop {{\n    auth basic: basic\n    auth token: token\n    \
             endpoint orders < auth: [basic, token] >\n}}\n\
             instance \"instance 1\" of shop < auth: {method} >\n"
        )
    };
    write_in(dir.path(), "old/shop.gate", &rules("basic"));
    write_in(dir.path(), "new/shop.gate", &rules("token"));
    let output = authgate_in(dir.path(), &["diff", "old", "new", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["instances"], serde_json::json!([]));
    assert_eq!(
        json["structure"],
        serde_json::json!([{"kind": "instance", "connector": "shop", "name": "instance 1",
            "status": "changed", "method_old": "basic", "method_new": "token",
            "file": "new/shop.gate", "line": 6, "column": 10}])
    );
    let output = authgate_in(dir.path(), &["diff", "old", "new"]);
    let text = stdout(&output);
    assert!(
        text.contains("instance `instance 1` changed from `basic` to `token` (new/shop.gate:6:10)"),
        "{text}"
    );
    let output = authgate_in(dir.path(), &["diff", "old", "new", "--format", "markdown"]);
    let text = stdout(&output);
    assert!(
        text.contains(
            "- instance `instance 1` changed from `basic` to `token` at `new/shop.gate:6:10`"
        ),
        "{text}"
    );
}

#[test]
fn names_with_numbers_are_listed_as_a_person_counts() {
    // Connectors and instances named with numbers, declared out of order:
    // every format lists `tenant 4` before `tenant 12`, `c2` before `c10`.
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = |auth: &str| {
        let mut text = String::new();
        for c in ["c10", "c2"] {
            text.push_str(&format!(
                "connector {c} {{\n    auth basic: basic\n    endpoint e < auth: {auth} >\n}}\n"
            ));
        }
        for tenant in ["tenant 12", "tenant 100", "tenant 4"] {
            text.push_str(&format!("instance \"{tenant}\" of c2 < auth: basic >\n"));
        }
        text
    };
    write_in(dir.path(), "old/a.gate", &rules("[]"));
    write_in(dir.path(), "new/a.gate", &rules("[basic]"));
    let output = authgate_in(dir.path(), &["diff", "old", "new", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let instances: Vec<&str> = json["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .filter_map(|i| i["instance"].as_str())
        .collect();
    assert_eq!(instances, ["tenant 4", "tenant 12", "tenant 100"]);
    let connectors: Vec<&str> = json["methods"]
        .as_array()
        .expect("methods")
        .iter()
        .filter_map(|m| m["connector"].as_str())
        .collect();
    assert_eq!(connectors, ["c2", "c10"]);
    let text = stdout(&authgate_in(dir.path(), &["diff", "old", "new"]));
    let at = |needle: &str| text.find(needle).expect("shown");
    assert!(at("connector `c2`") < at("connector `c10`"), "{text}");
    assert!(
        at("instance `tenant 4`") < at("instance `tenant 12`"),
        "{text}"
    );
    assert!(
        at("instance `tenant 12`") < at("instance `tenant 100`"),
        "{text}"
    );
}

#[test]
fn exit_statuses_follow_fail_on() {
    let dir = example();
    let run = |args: &[&str]| code(&authgate_in(dir.path(), args));
    assert_eq!(run(&["diff", "old", "new"]), 0);
    assert_eq!(run(&["diff", "old", "new", "--fail-on", "never"]), 0);
    assert_eq!(run(&["diff", "old", "new", "--fail-on", "widen"]), 1);
    assert_eq!(run(&["diff", "old", "new", "--fail-on", "any"]), 1);
    // Narrowing only: not a widening, but a change.
    assert_eq!(run(&["diff", "new", "old", "--fail-on", "any"]), 1);
    write_in(
        dir.path(),
        "narrow/shop.gate",
        &OLD.replace("[basic, oauth]", "[basic]"),
    );
    assert_eq!(run(&["diff", "old", "narrow", "--fail-on", "widen"]), 0);
    assert_eq!(run(&["diff", "old", "narrow", "--fail-on", "any"]), 1);
    // Layout only: nothing changed.
    write_in(
        dir.path(),
        "same/a.gate",
        &OLD.replace("    ", "  // moved\n\t"),
    );
    let output = authgate_in(dir.path(), &["diff", "old", "same", "--fail-on", "any"]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("no change"), "{}", stdout(&output));
}

#[test]
fn a_side_with_errors_cannot_compare() {
    let dir = example();
    write_in(
        dir.path(),
        "bad/shop.gate",
        &OLD.replace("auth: oauth >", "auth: nope >"),
    );
    let output = authgate_in(dir.path(), &["diff", "old", "bad"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(err.contains("the new rules (`bad`) have 1 error"), "{err}");
    assert!(err.contains("nope"), "the diagnostic is shown: {err}");
    let output = authgate_in(dir.path(), &["diff", "bad", "new", "--format", "json"]);
    assert_eq!(code(&output), 2);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(
        json["error"]
            .as_str()
            .expect("error")
            .contains("the old rules")
    );
    assert_eq!(
        json["diagnostics"].as_array().expect("diagnostics").len(),
        1
    );
    // Both sides bad: people see both, a JSON reader gets one document.
    let output = authgate_in(dir.path(), &["diff", "bad", "bad"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(
        err.contains("the old rules") && err.contains("the new rules"),
        "{err}"
    );
    let output = authgate_in(dir.path(), &["diff", "bad", "bad", "--format", "json"]);
    assert_eq!(code(&output), 2);
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert!(
        json["error"]
            .as_str()
            .expect("error")
            .contains("the old rules")
    );
    // A missing path.
    let output = authgate_in(dir.path(), &["diff", "old", "missing", "--fail-on", "any"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("missing"), "{}", stderr(&output));
}

/// `git` with a fixed identity in `dir`.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn git_compares_a_revision_with_the_working_tree() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_in(root, "rules/shop.gate", OLD);
    write_in(root, "rules/.hidden/skip.gate", "this is not loaded");
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "old"]);
    // Nothing changed yet.
    let output = authgate_in(root, &["diff", "--git", "HEAD", "--fail-on", "any"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    write_in(root, "rules/shop.gate", NEW);
    let output = authgate_in(root, &["diff", "--git", "HEAD", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["old"], "HEAD:rules");
    assert_eq!(json["summary"]["gained"], 6);
    let output = authgate_in(
        root,
        &["diff", "--git", "HEAD", "rules", "--fail-on", "widen"],
    );
    assert_eq!(code(&output), 1);
    // A revision that does not exist.
    let output = authgate_in(root, &["diff", "--git", "no-such-branch"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("`no-such-branch` is not a git revision"),
        "{}",
        stderr(&output)
    );
    // Errors in the working tree.
    write_in(root, "rules/shop.gate", "connector {");
    let output = authgate_in(root, &["diff", "--git", "HEAD"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("the new rules"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_method_gaining_5000_endpoints_is_a_few_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let endpoints = |auth: &str| -> String {
        (0..5_000)
            .map(|i| format!("    endpoint e{i} < auth: [{auth}] >\n"))
            .collect()
    };
    let rules = |auth: &str| {
        format!(
            "connector big {{\n    auth basic: basic\n    auth key: token\n{}}}\n",
            endpoints(auth)
        )
    };
    write_in(dir.path(), "old.gate", &rules("basic"));
    write_in(dir.path(), "new.gate", &rules("basic, key"));
    let output = authgate_in(dir.path(), &["diff", "old.gate", "new.gate"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.lines().count() <= 8, "{text}");
    assert!(text.len() <= 2_000, "{} bytes: {text}", text.len());
    assert!(text.contains("+5000 -0"), "{text}");
    assert!(text.contains("and 4992 more"), "{text}");
    let output = authgate_in(
        dir.path(),
        &["diff", "old.gate", "new.gate", "--format", "markdown"],
    );
    let text = stdout(&output);
    assert!(text.lines().count() <= 20, "{text}");
}

/// A change that touches a thousand instances is a few dozen lines, not a
/// block per instance; JSON still lists every one.
#[test]
fn a_change_for_a_thousand_instances_is_cut_per_connector() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = |auth: &str| {
        let instances: String = (0..1_000)
            .map(|i| format!("instance i{i} of big < auth: key >\n"))
            .collect();
        format!(
            "connector big {{\n    auth basic: basic\n    auth key: token\n    \
             endpoint e < auth: [{auth}] >\n}}\n{instances}"
        )
    };
    write_in(dir.path(), "old.gate", &rules("basic"));
    write_in(dir.path(), "new.gate", &rules("basic, key"));
    for format in ["human", "markdown"] {
        let output = authgate_in(
            dir.path(),
            &["diff", "old.gate", "new.gate", "--format", format],
        );
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let text = stdout(&output);
        assert!(text.lines().count() <= 80, "{format}: {text}");
        assert!(
            text.contains("and 981 more changed subjects"),
            "{format}: {text}"
        );
    }
    let output = authgate_in(
        dir.path(),
        &["diff", "old.gate", "new.gate", "--format", "json"],
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(document["instances"].as_array().map(Vec::len), Some(1_000));
}

#[cfg(unix)]
#[test]
fn git_reads_many_files_and_links_at_a_revision_from_a_subfolder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    // Enough files that requests and answers overflow a pipe each way.
    for index in 0..400 {
        let text = format!(
            "connector c{index} {{\n    auth basic: basic\n    endpoint e < auth: [basic] >\n}}\n"
        );
        write_in(root, &format!("project/rules/c{index:03}.gate"), &text);
    }
    write_in(
        root,
        "project/shared/extra.gate",
        "connector linked {\n    auth basic: basic\n    endpoint e < auth: [basic] >\n}\n",
    );
    std::os::unix::fs::symlink(
        "../shared/extra.gate",
        root.join("project/rules/zz-linked.gate"),
    )
    .expect("link");
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "old"]);
    let project = root.join("project");
    let output = authgate_in(
        &project,
        &["diff", "--git", "HEAD", "rules", "--fail-on", "any"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // The linked file, changed in the working tree, is compared with its
    // content at HEAD (through the link).
    write_in(
        root,
        "project/shared/extra.gate",
        "connector linked {\n    auth basic: basic\n    endpoint e < auth: [] >\n}\n",
    );
    let output = authgate_in(
        &project,
        &["diff", "--git", "HEAD", "rules", "--format", "json"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["summary"]["lost"], 1, "{json}");
    assert_eq!(json["methods"][0]["connector"], "linked");
    assert_eq!(
        json["methods"][0]["changes"][0]["file"],
        "rules/zz-linked.gate"
    );
}

#[test]
fn the_projects_lint_levels_apply_to_both_sides() {
    let dir = example();
    let spare = "connector shop {\n    auth basic: basic\n    auth spare: token\n    endpoint orders < auth: [basic] >\n}\n";
    write_in(
        dir.path(),
        "old/spare.gate",
        &spare.replace("shop", "legacy"),
    );
    // A warning by default: the sides compare.
    let output = authgate_in(dir.path(), &["diff", "old", "new"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // Denied by the project: the OLD side has an error, as `check` says.
    write_in(
        dir.path(),
        "authgate.toml",
        "[lints]\nnever_activated = \"deny\"\n",
    );
    let output = authgate_in(dir.path(), &["diff", "old", "new"]);
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    let said = stderr(&output);
    assert!(said.contains("never_activated"), "{said}");
    assert!(
        said.contains("the old rules (`old`) have 1 error"),
        "{said}"
    );
}
