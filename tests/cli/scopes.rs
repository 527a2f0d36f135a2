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

#[test]
fn matrix_cells_name_the_scope_sets_an_endpoint_needs() {
    let output = run(&["matrix"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "connector `hubspot`

endpoint \\ method             oauth             key
GET /contacts      (contacts.read)               ✓
POST /contacts     (contacts.write)              ·
GET /deals         (contacts.read, deals.read)   ·
GET /ping                       ✓                ✓

endpoint \\ instance  acme
GET /contacts         ✓
POST /contacts        ·
GET /deals            ·
GET /ping             ✓
"
    );
    let output = run(&["matrix", "--format", "json"]);
    assert_eq!(code(&output), 0);
    let document = json(&output);
    let endpoints = &document["connectors"][0]["endpoints"];
    assert_eq!(
        endpoints[2]["activated"],
        serde_json::json!([[["contacts.read", "deals.read"]], false])
    );
    assert_eq!(endpoints[3]["activated"], serde_json::json!([true, true]));
    let output = run(&["matrix", "--format", "csv"]);
    assert!(
        stdout(&output).contains(
            "hubspot,GET /deals,method,oauth,\"oauth(\"\"contacts.read\"\", \"\"deals.read\"\")\"\n"
        ),
        "{}",
        stdout(&output)
    );
    let output = run(&["matrix", "--format", "markdown"]);
    assert!(
        stdout(&output).contains("| `GET /deals` | `(contacts.read, deals.read)` |   |\n"),
        "{}",
        stdout(&output)
    );
}

/// A connector of 1,500 endpoints whose method declares 300 scopes;
/// endpoint `e` needs, by `e % 7`: the key only, either method plainly,
/// one scope, one of 12 scopes, 40 scopes at once (or the key), all 300
/// at once, two at once.
fn wide() -> String {
    let scope = |i: usize| format!("crm.objects.custom_{:03}.read", i % 300);
    let quoted = |from: usize, count: usize| {
        (from..from + count)
            .map(|i| format!("\"{}\"", scope(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = format!(
        "connector wide {{\n    auth oauth: oauth2_authorization_code < scopes: [{}] >\n    auth key: token\n",
        quoted(0, 300)
    );
    for e in 0..1500 {
        let auth = match e % 7 {
            0 => "[key]".to_owned(),
            1 => "[oauth, key]".to_owned(),
            2 => format!("[oauth({})]", quoted(e, 1)),
            3 => format!(
                "[{}]",
                (e..e + 12)
                    .map(|i| format!("oauth({})", quoted(i, 1)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            4 => format!("[oauth({}), key]", quoted(e, 40)),
            5 => format!("[oauth({})]", quoted(0, 300)),
            _ => format!("[oauth({})]", quoted(e, 2)),
        };
        text.push_str(&format!(
            "    endpoint \"GET /objects/{e}\" < auth: {auth} >\n"
        ));
    }
    text.push_str("}\n");
    text
}

#[test]
fn matrix_of_1500_endpoints_and_300_scopes_stays_readable() {
    let rules = wide();
    let dir = text_folder(&[("wide.gate", &rules)]);
    let output = authgate_in(dir.path(), &["matrix", "--rules", "wide.gate"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = stdout(&output);
    // A title, a blank line, the header and a row per endpoint.
    assert_eq!(out.lines().count(), 3 + 1500);
    let widest = out.lines().map(|l| l.chars().count()).max();
    assert!(widest <= Some(80), "a line of {widest:?} columns");
    let row = |e: usize| {
        out.lines()
            .find(|l| l.starts_with(&format!("GET /objects/{e} ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        row(3),
        "GET /objects/3     (crm.objects.custom_003.read) and 11 more    ·"
    );
    assert_eq!(
        row(5),
        "GET /objects/5     (crm.objects.custom_000.read and 299 more)   ·"
    );
    assert_eq!(
        row(4),
        "GET /objects/4     (crm.objects.custom_004.read and 39 more)    ✓"
    );
    // Markdown cuts too (its cells are twice as wide); JSON and CSV keep
    // every scope.
    let output = authgate_in(
        dir.path(),
        &["matrix", "--rules", "wide.gate", "--format", "markdown"],
    );
    let markdown = stdout(&output);
    let widest = markdown.lines().map(|l| l.chars().count()).max();
    assert!(widest <= Some(120), "a line of {widest:?} columns");
    assert!(markdown.contains("and 298 more)` |   |\n"), "{markdown}");
    let output = authgate_in(
        dir.path(),
        &["matrix", "--rules", "wide.gate", "--format", "json"],
    );
    let document = json(&output);
    let all = &document["connectors"][0]["endpoints"][5]["activated"][0][0];
    assert_eq!(all.as_array().map(Vec::len), Some(300));
    let sets = &document["connectors"][0]["endpoints"][3]["activated"][0];
    assert_eq!(sets.as_array().map(Vec::len), Some(12));
    let output = authgate_in(
        dir.path(),
        &["matrix", "--rules", "wide.gate", "--format", "csv"],
    );
    let csv = stdout(&output);
    let line = csv
        .lines()
        .find(|l| l.starts_with("wide,GET /objects/5,method,oauth,"))
        .unwrap_or_default();
    assert_eq!(line.matches("crm.objects.custom_").count(), 300);
}
