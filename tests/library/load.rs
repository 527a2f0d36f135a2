//! The library loads paths with the CLI's rules: a service and
//! its CI job read the same files, or fail the same way.

use std::path::Path;

use authgate::project::files::{DEFAULT_MAX_FILE_SIZE, LoadError, load};

use crate::support::write_in;

#[test]
fn a_folder_loads_its_gate_files_in_sorted_order_skipping_hidden_entries() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_in(
        root,
        "rules/b.gate",
        "connector b { auth m: basic endpoint e < auth: [m] > }",
    );
    write_in(
        root,
        "rules/a/z.gate",
        "connector z { auth m: basic endpoint e < auth: [m] > }",
    );
    write_in(root, "rules/notes.txt", "not rules");
    // A VCS folder and a Kubernetes ConfigMap's hidden copies.
    write_in(root, "rules/.git/x.gate", "broken {");
    write_in(root, "rules/..2026_11_30/b.gate", "broken {");
    let sources = load(&[root.join("rules")], DEFAULT_MAX_FILE_SIZE).expect("loads");
    let names: Vec<String> = sources
        .iter()
        .map(|file| {
            Path::new(file.name())
                .strip_prefix(root)
                .expect("under the root")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["rules/a/z.gate", "rules/b.gate"]);
    let compiled = authgate::compile(&sources);
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error_not_a_thousand_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_in(
        dir.path(),
        "rules/a.gate",
        "connector a { auth m: basic endpoint e < auth: [m] > }",
    );
    std::os::unix::fs::symlink(dir.path().join("rules"), dir.path().join("rules/loop"))
        .expect("symlink");
    let error = load(&[dir.path().join("rules")], DEFAULT_MAX_FILE_SIZE).expect_err("a loop");
    assert!(matches!(error, LoadError::Walk { .. }), "{error:?}");
    assert!(error.to_string().contains("symbolic link loop"), "{error}");
}

#[test]
fn missing_paths_empty_folders_and_large_files_are_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = load(&[dir.path().join("nope")], DEFAULT_MAX_FILE_SIZE).expect_err("missing");
    assert!(matches!(missing, LoadError::Read { .. }), "{missing:?}");
    std::fs::create_dir_all(dir.path().join("empty")).expect("mkdir");
    let empty = load(&[dir.path().join("empty")], DEFAULT_MAX_FILE_SIZE).expect_err("empty");
    assert!(matches!(empty, LoadError::NoRuleFiles { .. }), "{empty:?}");
    write_in(dir.path(), "big.gate", &"x".repeat(100));
    let large = load(&[dir.path().join("big.gate")], 10).expect_err("too large");
    assert!(
        matches!(large, LoadError::TooLarge { size: 100, .. }),
        "{large:?}"
    );
}

/// The service entry point: the policy, or a typed error carrying every
/// diagnostic.
#[test]
fn load_policy_gives_the_policy_or_a_typed_error_with_every_diagnostic() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_in(
        dir.path(),
        "rules/shop.gate",
        "connector shop {\n    auth basic: basic\n    auth spare: token\n    \
         endpoint orders < auth: [basic] >\n}\ninstance i of shop < auth: basic >\n",
    );
    let loaded = authgate::load_policy(&[dir.path().join("rules")], &authgate::Options::default())
        .expect("compiles");
    assert!(
        loaded
            .policy
            .decide(authgate::Principal::Instance("i"), "orders")
            .available()
    );
    assert_eq!(loaded.warnings.len(), 1, "never_activated for `spare`");

    write_in(
        dir.path(),
        "rules/bad.gate",
        "instance j of nope < auth: x >\n",
    );
    let error = authgate::load_policy(&[dir.path().join("rules")], &authgate::Options::default())
        .expect_err("an unknown connector");
    let authgate::Error::Rules(rules) = &error else {
        panic!("not a rules error: {error:?}");
    };
    assert_eq!(error.to_string(), "the rules have 1 error");
    assert_eq!(rules.errors().count(), 1);
    assert_eq!(rules.diagnostics().len(), 2, "the warning comes along");
    let related = miette::Diagnostic::related(&error).map_or(0, Iterator::count);
    assert_eq!(related, 2);

    let missing = authgate::load_policy(&[dir.path().join("nope")], &authgate::Options::default())
        .expect_err("no such path");
    assert!(
        matches!(missing, authgate::Error::Load(LoadError::Read { .. })),
        "{missing:?}"
    );
}

/// A diagnostic serialises as the CLI's JSON, with the same places the
/// files give (hidden characters included: snippets keep columns).
#[test]
fn diagnostics_serialise_as_the_cli_json() {
    let mut sources = authgate::Sources::new();
    sources.add(
        "a.gate",
        "connector \"c\u{85}\u{1b}\" {\n    auth m: basic\n    endpoint e < auth: [\u{202e}x] >\n}\n",
    );
    sources.add("b.gate", "instance i of \"c\u{85}\u{1b}\" < auth: nope >\n");
    let compiled = authgate::compile(&sources);
    assert!(
        compiled.diagnostics.len() >= 2,
        "{:?}",
        compiled.diagnostics
    );
    for diagnostic in &compiled.diagnostics {
        let json = serde_json::to_value(diagnostic).expect("serialises");
        let document = serde_json::to_value(authgate::diagnostics::render::to_json(diagnostic))
            .expect("serialises");
        assert_eq!(json, document);
        for label in json["labels"].as_array().expect("labels") {
            let file = sources
                .iter()
                .find(|f| label["file"] == f.name())
                .expect("a known file");
            let offset = label["offset"].as_u64().expect("offset") as usize;
            let place = file.line_column(offset);
            assert_eq!(label["line"], place.line);
            assert_eq!(label["column"], place.column);
        }
    }
}

/// Explanations and visible lists serialise as `explain` and `visible`
/// print them; reasons and unknown names display.
#[test]
fn explanations_and_visible_lists_serialise_as_the_cli_json() {
    let mut sources = authgate::Sources::new();
    sources.add(
        "shop.gate",
        "connector shop {\n    auth basic: basic\n    auth oauth: oauth1\n    \
         endpoint orders < auth: [basic] >\n}\ninstance i of shop < auth: oauth >\n",
    );
    let policy = authgate::compile(&sources).policy.expect("compiles");
    let explanation = policy.explain(authgate::Principal::Instance("i"), "orders");
    assert_eq!(
        serde_json::to_value(&explanation).expect("serialises"),
        serde_json::json!({
            "available": false, "instance": "i", "connector": "shop", "auth": "oauth",
            "endpoint": "orders", "activated": ["basic"],
            "reason": "instance `i` authenticates with `oauth`, which `orders` does not \
                       activate (activated: `basic`)",
            "instance_location": {"file": "shop.gate", "line": 6, "column": 10},
            "endpoint_location": {"file": "shop.gate", "line": 4, "column": 14},
        })
    );
    let runtime = authgate::Principal::Runtime {
        connector: "shop",
        method: "nope",
    };
    let unknown = policy.explain(runtime, "orders");
    assert_eq!(unknown.connector, Some("shop"));
    assert_eq!(unknown.auth, None);
    let decision = policy.decide(runtime, "orders");
    assert_eq!(decision.reason().to_string(), "unknown auth method `nope`");
    let subject = policy
        .subject(authgate::Principal::Instance("i"))
        .expect("declared");
    assert_eq!(
        serde_json::to_value(policy.visible_to(subject)).expect("serialises"),
        serde_json::json!({"instance": "i", "connector": "shop", "auth": "oauth", "endpoints": []})
    );
}

#[test]
fn discover_finds_authgate_toml_above_and_load_project_follows_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().canonicalize().expect("canonical");
    write_in(
        &root,
        "authgate.toml",
        "rules = [\"policies\"]\n[lints]\nnever_activated = \"deny\"\n",
    );
    write_in(
        &root,
        "policies/shop.gate",
        "connector shop { auth a: basic\n auth spare: token\n endpoint e < auth: [a] > }\n",
    );
    std::fs::create_dir_all(root.join("sub/dir")).expect("mkdir");
    assert_eq!(
        authgate::project::config::discover(&root.join("sub/dir")),
        Some(Path::new("../../authgate.toml").to_path_buf())
    );
    assert_eq!(
        authgate::project::config::discover(&root),
        Some(Path::new("authgate.toml").to_path_buf())
    );

    // The configuration named: its rule set (relative to its folder) and
    // its lint levels, which make the warning an error.
    let config = root.join("authgate.toml");
    let none: [&Path; 0] = [];
    let Err(authgate::Error::Rules(error)) =
        authgate::load_project(&none, Some(&config), &authgate::Options::default())
    else {
        panic!("the denied warning is an error");
    };
    let codes: Vec<_> = error.errors().map(|d| d.code().to_string()).collect();
    assert_eq!(codes, ["authgate::never_activated"]);
    assert_eq!(error.summary().errors, 1);
    assert!(
        error
            .summary()
            .to_string()
            .starts_with("checked 1 file: 1 connector")
    );

    // Paths given replace the rule set; the lint levels stay.
    write_in(
        &root,
        "other.gate",
        "connector c { auth a: basic\n endpoint e < auth: [a] > }\n",
    );
    let loaded = authgate::load_project(
        &[root.join("other.gate")],
        Some(&config),
        &authgate::Options::default(),
    )
    .expect("compiles");
    assert!(loaded.warnings.is_empty());

    // An invalid configuration is the rules' error, pointing into it.
    write_in(&root, "bad.toml", "[lints]\nnever_activated = \"often\"\n");
    let Err(authgate::Error::Rules(error)) = authgate::load_project(
        &[root.join("other.gate")],
        Some(&root.join("bad.toml")),
        &authgate::Options::default(),
    ) else {
        panic!("an invalid configuration stops the load");
    };
    let codes: Vec<_> = error.errors().map(|d| d.code().to_string()).collect();
    assert_eq!(codes, ["authgate::config"]);
}
