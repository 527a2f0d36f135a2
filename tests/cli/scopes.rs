//! Scopes on the command line: `visible` and `explain` for a runtime
//! instance holding `--scopes` (and the usage error beside a declared
//! instance), `test` with scoped runtime instances, and `matrix` cells
//! that name the scope sets an endpoint needs.

use crate::support::{authgate_in, code, json, stderr, stdout, text_folder};

/// The language section's example: a method with scopes, endpoints that
/// need some of them, an instance holding one.
pub const HUBSPOT: &str = r#"connector hubspot {
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write", "deals.read"] >
    auth key: token

    endpoint "GET /contacts"  < auth: [oauth("contacts.read"), key] >
    endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
    endpoint "GET /deals"     < auth: [oauth("contacts.read", "deals.read")] >
    endpoint "GET /ping"      < auth: [oauth, key] >
}

instance acme of hubspot < auth: oauth, scopes: ["contacts.read"] >
"#;

fn run(args: &[&str]) -> std::process::Output {
    let dir = text_folder(&[("hubspot.gate", HUBSPOT)]);
    let mut all = args.to_vec();
    all.extend(["--rules", "hubspot.gate"]);
    authgate_in(dir.path(), &all)
}

const RUNTIME: [&str; 4] = ["--connector", "hubspot", "--auth", "oauth"];

fn runtime(args: &[&str]) -> std::process::Output {
    let mut all = args.to_vec();
    all.extend(RUNTIME);
    run(&all)
}

#[test]
fn visible_takes_the_scopes_a_runtime_instance_holds() {
    // Comma-separated and repeated are the same.
    for scopes in [
        &["--scopes", "contacts.read,deals.read"][..],
        &["--scopes", "contacts.read", "--scopes", "deals.read"][..],
    ] {
        let mut args = vec!["visible"];
        args.extend(scopes);
        let output = runtime(&args);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert_eq!(
            stdout(&output),
            "a runtime instance of `hubspot` authenticates with `oauth`, holds `contacts.read` \
             and `deals.read` and sees 3 endpoints:\n  GET /contacts\n  GET /deals\n  GET /ping\n"
        );
        assert_eq!(stderr(&output), "");
    }
    // Without scopes, none is held: the output is what it always was.
    let output = runtime(&["visible"]);
    assert_eq!(
        stdout(&output),
        "a runtime instance of `hubspot` authenticates with `oauth` and sees 1 endpoint:\n  \
         GET /ping\n"
    );
}

#[test]
fn visible_says_an_undeclared_scope_grants_nothing() {
    let output = runtime(&["visible", "--scopes", "contacts.raed"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "a runtime instance of `hubspot` authenticates with `oauth`, holds `contacts.raed` and \
         sees 1 endpoint:\n  GET /ping\n"
    );
    assert_eq!(
        stderr(&output),
        "warning: `contacts.raed` is not a scope of `oauth`: a scope the method does not declare \
         grants nothing; did you mean `contacts.read`?\n"
    );
    let output = runtime(&[
        "visible",
        "--scopes",
        "contacts.read,nope",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        json(&output),
        serde_json::json!({
            "instance": null,
            "connector": "hubspot",
            "auth": "oauth",
            "endpoints": ["GET /contacts", "GET /ping"],
            "scopes": ["contacts.read", "nope"],
            "unknown_scopes": ["nope"],
        })
    );
}

#[test]
fn explain_names_the_item_and_the_scopes_missing() {
    let output = runtime(&["explain", "GET /deals", "--scopes", "deals.read"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        stdout(&output),
        "`GET /deals` is not available to runtime instances of `hubspot` with `oauth` holding \
         `deals.read`\n  reason: a runtime instance of `hubspot` authenticates with `oauth`, \
         which `GET /deals` activates only with scopes: it lacks `contacts.read` of \
         `oauth(\"contacts.read\", \"deals.read\")`\n  endpoint declared at hubspot.gate:7:14\n"
    );
    let output = runtime(&[
        "explain",
        "GET /deals",
        "--scopes",
        "contacts.read,deals.read",
    ]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains(
        "activates as `oauth(\"contacts.read\", \"deals.read\")`, and it holds those scopes\n"
    ));
}

#[test]
fn explain_json_carries_item_missing_and_unknown_scopes() {
    let output = runtime(&[
        "explain",
        "GET /deals",
        "--scopes",
        "contacts.read,deals.red",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 1);
    let document = json(&output);
    assert_eq!(document["item"], "oauth(\"contacts.read\", \"deals.read\")");
    assert_eq!(
        document["missing_scopes"],
        serde_json::json!(["deals.read"])
    );
    assert_eq!(document["unknown_scopes"], serde_json::json!(["deals.red"]));
    assert!(
        document["reason"].as_str().is_some_and(|r| r.ends_with(
            "; `deals.red` is not a scope of `oauth`: a scope the \
                 method does not declare grants nothing; did you mean `deals.read`?"
        )),
        "{document}"
    );
    // A declared instance: the item that granted, nothing missing.
    let output = run(&["explain", "acme", "GET /contacts", "--format", "json"]);
    assert_eq!(code(&output), 0);
    let document = json(&output);
    assert_eq!(document["item"], "oauth(\"contacts.read\")");
    assert_eq!(document.get("missing_scopes"), None);
    assert_eq!(document.get("unknown_scopes"), None);
}

#[test]
fn scopes_beside_a_declared_instance_are_a_usage_error() {
    let output = run(&["visible", "acme", "--scopes", "deals.read"]);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).starts_with(
            "error: the argument '[INSTANCE]' cannot be used with '--scopes <SCOPE>'\n"
        ),
        "{}",
        stderr(&output)
    );
    let output = run(&["explain", "acme", "GET /deals", "--scopes", "deals.read"]);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(
        err.starts_with(
            "error: --scopes goes with --connector and --auth: a declared instance holds the \
             scopes its declaration gives it\n\nUsage: authgate explain"
        ),
        "{err}"
    );
}

const SCOPED_TESTS: &str = r#"
test "scoped runtime instances" {
    expect hubspot/oauth("contacts.read", "deals.read") sees only ["GET /contacts", "GET /deals", "GET /ping"]
    expect hubspot/oauth("deals.read") can see "GET /deals"
}
"#;

#[test]
fn test_runs_expectations_of_scoped_runtime_instances() {
    let rules = format!("{HUBSPOT}{SCOPED_TESTS}");
    let dir = text_folder(&[("t.gate", &rules)]);
    let output = authgate_in(dir.path(), &["test", "t.gate"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        stdout(&output),
        "test `scoped runtime instances` ... FAILED\n\n0 passed, 1 failed\n"
    );
    let err = stderr(&output);
    assert!(err.contains("authgate::test_failed"), "{err}");
    assert!(err.contains("t.gate:15:5"), "{err}");
    // One failure: the first expectation holds.
    assert_eq!(
        err.matches("this expectation does not hold").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("expected: `hubspot/oauth(\"deals.read\")` can see `GET /deals`"),
        "{err}"
    );
    let output = authgate_in(dir.path(), &["test", "t.gate", "--format", "json"]);
    let document = json(&output);
    let failure = &document["tests"][0]["failures"][0];
    assert_eq!(
        (failure["line"].as_u64(), failure["column"].as_u64()),
        (Some(15), Some(5))
    );
    assert!(
        failure["actual"]
            .as_str()
            .is_some_and(|a| a.contains("it lacks `contacts.read` of")),
        "{failure}"
    );
}
