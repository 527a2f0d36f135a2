//! `authgate.toml` and lint levels through the real binary:
//! the rule set as the default PATHs, found from a subfolder too;
//! `[lints]` levels and `allow` directives; unknown lint names; a bad
//! configuration; named files checked within their whole rule set.

use crate::support::{authgate_in, code, stderr, stdout};

/// A project: `defs/shop.gate` declares a connector with a spare method
/// (a `never_activated` warning), `defs/tests.gate` refers to it.
fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("in a folder")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "defs/shop.gate",
        "connector shop {\n    auth basic: basic\n    auth spare: token\n    \
         endpoint orders < auth: [basic] >\n}\ninstance i of shop < auth: basic >\n",
    );
    write(
        "defs/tests.gate",
        "test \"i sees orders\" {\n    expect i can see orders\n}\n",
    );
    write("sub/readme.txt", "a folder below the project\n");
    if !config.is_empty() {
        write("authgate.toml", config);
    }
    dir
}

#[test]
fn the_rule_set_of_authgate_toml_is_the_default_path_from_any_folder_below() {
    let dir = project("rules = [\"defs\"]\n");
    let here = authgate_in(dir.path(), &["check"]);
    assert_eq!(code(&here), 0, "{}", stderr(&here));
    assert!(
        stderr(&here).contains("checked 2 files"),
        "{}",
        stderr(&here)
    );
    let below = authgate_in(&dir.path().join("sub"), &["check"]);
    assert_eq!(code(&below), 0, "{}", stderr(&below));
    assert!(
        stderr(&below).contains("../defs/shop.gate"),
        "{}",
        stderr(&below)
    );
    let test = authgate_in(&dir.path().join("sub"), &["test"]);
    assert_eq!(code(&test), 0, "{}", stderr(&test));
    assert!(
        stdout(&test).ends_with("1 passed, 0 failed\n"),
        "{}",
        stdout(&test)
    );
    // Without a configuration the default is `rules`, which is not here.
    let none = authgate_in(&project("").path().join("sub"), &["check"]);
    assert_eq!(code(&none), 2);
}

#[test]
fn lint_levels_allow_and_deny_warnings() {
    let allowed = project("rules = [\"defs\"]\n[lints]\nnever_activated = \"allow\"\n");
    let output = authgate_in(allowed.path(), &["check", "--deny-warnings"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("0 errors, 0 warnings"),
        "{}",
        stderr(&output)
    );

    let denied = project("rules = [\"defs\"]\n[lints]\nnever_activated = \"deny\"\n");
    let output = authgate_in(denied.path(), &["check"]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("× auth method `spare`"),
        "{}",
        stderr(&output)
    );
    // A denied warning is an error: the rules don't compile.
    let visible = authgate_in(denied.path(), &["visible", "i"]);
    assert_eq!(code(&visible), 2);
}

#[test]
fn an_allow_directive_covers_its_item_and_an_unused_one_warns() {
    let dir = project("rules = [\"defs\"]\n");
    std::fs::write(
        dir.path().join("defs/shop.gate"),
        "// authgate: allow(never_activated)\nconnector shop {\n    auth basic: basic\n    \
         auth spare: token\n    endpoint orders < auth: [basic] >\n}\n\
         // authgate: allow(blind_instance)\ninstance i of shop < auth: basic >\n",
    )
    .expect("write");
    let output = authgate_in(dir.path(), &["check", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let codes: Vec<&str> = document["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["authgate::unused_allow"]);
    assert_eq!(document["diagnostics"][0]["line"], 7);
}

#[test]
fn unknown_lint_names_warn_with_a_suggestion_in_authgate_toml() {
    let dir = project("rules = [\"defs\"]\n\n[lints]\nnever_activted = \"allow\"\n");
    let output = authgate_in(dir.path(), &["check"]);
    let text = stderr(&output);
    assert!(text.contains("⚠ unknown lint `never_activted`"), "{text}");
    assert!(text.contains("authgate.toml:4:1"), "{text}");
    assert!(text.contains("did you mean `never_activated`?"), "{text}");
}

#[test]
fn a_bad_configuration_stops_every_command_with_its_place() {
    let dir = project("rules = \"defs\"\n");
    for args in [
        &["check"][..],
        &["test"],
        &["visible", "i"],
        &["fmt", "--check"],
    ] {
        let output = authgate_in(dir.path(), args);
        assert_eq!(code(&output), 2, "{args:?}");
        let text = stderr(&output);
        assert!(text.contains("authgate::config"), "{args:?}: {text}");
        assert!(text.contains("authgate.toml:1:9"), "{args:?}: {text}");
    }
    // --config names another file, and a missing one is an error.
    let output = authgate_in(dir.path(), &["check", "--config", "nope.toml"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("cannot read `nope.toml`"),
        "{}",
        stderr(&output)
    );
    std::fs::write(dir.path().join("other.toml"), "rules = [\"defs\"]\n").expect("write");
    let output = authgate_in(dir.path(), &["check", "--config", "other.toml"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

/// `check defs/tests.gate` alone gave false errors (its
/// instance is declared in another file). With a rule set in
/// authgate.toml, the whole set is checked and only the named file's
/// diagnostics are reported.
#[test]
fn a_named_file_is_checked_within_its_rule_set() {
    let dir = project("rules = [\"defs\"]\n");
    let output = authgate_in(dir.path(), &["check", "defs/tests.gate"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // shop.gate's warning is not the named file's.
    assert!(
        !stderr(&output).contains("never_activated"),
        "{}",
        stderr(&output)
    );
    let output = authgate_in(dir.path(), &["check", "defs/shop.gate"]);
    assert!(
        stderr(&output).contains("never_activated"),
        "{}",
        stderr(&output)
    );
    // Without a configuration, a file is all there is.
    let alone = project("");
    let output = authgate_in(alone.path(), &["check", "defs/tests.gate"]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("unknown_instance"),
        "{}",
        stderr(&output)
    );
}

/// Paths outside the configured rule set are rules of their own, not
/// files to judge within it: nothing is loaded twice.
#[test]
fn paths_outside_the_rule_set_are_loaded_alone() {
    let dir = project("rules = [\"defs\"]\n");
    std::fs::create_dir_all(dir.path().join("old")).expect("mkdir");
    std::fs::copy(
        dir.path().join("defs/shop.gate"),
        dir.path().join("old/shop.gate"),
    )
    .expect("copy");
    let check = authgate_in(dir.path(), &["check", "old/shop.gate"]);
    assert!(!stderr(&check).contains("duplicate"), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("checked 1 file"),
        "{}",
        stderr(&check)
    );
    let visible = authgate_in(dir.path(), &["visible", "i", "--rules", "old/shop.gate"]);
    assert_eq!(code(&visible), 0, "{}", stderr(&visible));
}

/// A diagnostic concerns a named file when any of its labels is there: a
/// connector declared in the named file and again in another is reported.
#[test]
fn a_duplicate_of_a_named_file_is_reported_whichever_file_comes_first() {
    let dir = project("rules = [\"defs\"]\n");
    std::fs::write(
        dir.path().join("defs/0new.gate"),
        "connector shop {\n    auth basic: basic\n    endpoint orders < auth: [basic] >\n}\n",
    )
    .expect("write");
    let output = authgate_in(dir.path(), &["check", "defs/0new.gate"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("authgate::duplicate"),
        "{}",
        stderr(&output)
    );
}

/// A configuration that can't be read is reported in the format asked.
#[test]
fn an_unreadable_configuration_is_reported_in_the_format_asked() {
    let dir = project("rules = [\"defs\"]\n");
    let output = authgate_in(
        dir.path(),
        &["check", "--config", "missing.toml", "--format", "json"],
    );
    assert_eq!(code(&output), 2);
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(
        document["error"]
            .as_str()
            .is_some_and(|e| e.contains("missing.toml")),
        "{document}"
    );
    let folder = authgate_in(dir.path(), &["check", "--config", "defs"]);
    assert_eq!(code(&folder), 2);
    assert!(
        stderr(&folder).contains("is not a file"),
        "{}",
        stderr(&folder)
    );
}
