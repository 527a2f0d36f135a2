//! `authgate drift`: an unchanged import has none; each kind of drift with
//! labels in the rules, through every format; what it cannot run on;
//! rules over several files; a connector that uses part of the API.

use std::process::Output;

use super::import::FIXTURES;
use crate::support::{authgate, authgate_in, code, root, stderr, stdout, text_folder};

fn drift(args: &[&str]) -> Output {
    let spec = format!("{FIXTURES}/shop/openapi.yaml");
    let mut all = vec!["drift", spec.as_str(), "--connector", "shop_api"];
    all.extend(args);
    authgate(&all)
}

#[test]
fn an_unchanged_import_has_no_drift() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("shop.gate");
    let rules = rules.to_str().expect("utf-8");
    let spec = format!("{FIXTURES}/shop/openapi.yaml");
    let import = authgate(&["import", "openapi", &spec, "-o", rules]);
    assert_eq!(code(&import), 0);
    let output = drift(&["--rules", rules, "--deny-warnings"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "drift of connector `shop_api` against 1 spec file: 0 errors, 0 warnings\n"
    );
    let json = drift(&["--rules", rules, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["diagnostics"], serde_json::json!([]));
}

#[test]
fn drift_reports_each_kind_with_labels_in_the_rules() {
    let rules = format!("{FIXTURES}/shop/drifted.gate");
    let human = drift(&["--rules", &rules]);
    assert_eq!(code(&human), 1, "errors: exit 1");
    insta::assert_snapshot!("drift_human", stderr(&human));
    let json = drift(&["--rules", &rules, "--format", "json"]);
    assert_eq!(code(&json), 1);
    insta::assert_snapshot!("drift_json", stdout(&json));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        (value["errors"].as_u64(), value["warnings"].as_u64()),
        (Some(3), Some(4))
    );
    let found: Vec<(String, String)> = value["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_owned(),
                d["severity"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for (code, severity) in [
        ("authgate::drift_activation", "error"),
        ("authgate::drift_activation", "warning"),
        ("authgate::drift_endpoint", "warning"),
        ("authgate::drift_method", "error"),
        ("authgate::drift_method", "warning"),
    ] {
        assert!(
            found.contains(&(code.to_owned(), severity.to_owned())),
            "no {severity} {code} in {found:?}"
        );
    }
    for diagnostic in value["diagnostics"].as_array().expect("list") {
        assert_eq!(
            diagnostic["file"],
            rules.as_str(),
            "labels point into the rules"
        );
    }
    // Messages name the spec file and the operation's JSON pointer.
    let messages: Vec<&str> = value["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(messages.iter().any(|m| m.contains(&format!(
        "`{FIXTURES}/shop/openapi.yaml#/paths/~1orders/get`"
    ))));
}

#[test]
fn drift_speaks_sarif_and_github_and_denies_warnings_on_request() {
    let rules = format!("{FIXTURES}/shop/drifted.gate");
    let sarif = drift(&["--rules", &rules, "--format", "sarif"]);
    assert_eq!(code(&sarif), 1);
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("SARIF");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 7);
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "authgate::drift_endpoint")
    );
    let github = drift(&["--rules", &rules, "--format", "github"]);
    assert_eq!(code(&github), 1);
    let annotations = stdout(&github);
    assert!(
        annotations
            .lines()
            .any(|l| l.starts_with("::error ") && l.contains("drift_activation"))
    );
    assert!(
        annotations
            .lines()
            .any(|l| l.starts_with("::warning ") && l.contains("drift_endpoint"))
    );

    // Warnings only: exit 0, or 1 with --deny-warnings.
    let spec = "openapi: 3.0.0\ninfo: {title: T, version: '1'}\ncomponents:\n  securitySchemes:\n    \
                k: {type: apiKey, name: k, in: header}\nsecurity: [{k: []}]\npaths:\n  /a:\n    get: {}\n  /b:\n    get: {}\n";
    let only_a = "connector t {\n    auth k: token\n\n    endpoint \"GET /a\" < auth: [k] >\n}\n";
    let dir = text_folder(&[("t.yaml", spec), ("t.gate", only_a)]);
    let args = ["drift", "t.yaml", "--connector", "t", "--rules", "t.gate"];
    let warned = authgate_in(dir.path(), &args);
    assert_eq!(code(&warned), 0, "{}", stderr(&warned));
    assert!(
        stderr(&warned).contains("operation `GET /b` (`t.yaml#/paths/~1b/get`) has no endpoint")
    );
    let mut denied = args.to_vec();
    denied.push("--deny-warnings");
    assert_eq!(code(&authgate_in(dir.path(), &denied)), 1);
}

#[test]
fn drift_cannot_run_on_bad_rules_a_bad_spec_or_an_unknown_connector() {
    let spec = format!("{FIXTURES}/shop/openapi.yaml");
    let dir = text_folder(&[
        ("bad.gate", "connector shop_api { auth a: oauth3 }\n"),
        ("bad.yaml", "openapi: [\n"),
    ]);
    let bad_rules = dir.path().join("bad.gate");
    let output = authgate(&[
        "drift",
        &spec,
        "--connector",
        "shop_api",
        "--rules",
        bad_rules.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("unknown auth type"));

    let rules = format!("{FIXTURES}/shop/drifted.gate");
    let typo = authgate(&["drift", &spec, "--connector", "shop_ap", "--rules", &rules]);
    assert_eq!(code(&typo), 2);
    assert!(
        stderr(&typo).contains("no connector `shop_ap` in the rules; did you mean `shop_api`?")
    );

    let bad_spec = dir.path().join("bad.yaml");
    let bad_spec = bad_spec.to_str().expect("utf-8");
    let human = authgate(&[
        "drift",
        bad_spec,
        "--connector",
        "shop_api",
        "--rules",
        &rules,
    ]);
    assert_eq!(code(&human), 2);
    assert!(stderr(&human).contains("invalid YAML in"));
    let json = authgate(&[
        "drift",
        bad_spec,
        "--connector",
        "shop_api",
        "--rules",
        &rules,
        "--format",
        "json",
    ]);
    assert_eq!(code(&json), 2);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["diagnostics"][0]["code"], "authgate::openapi");
    assert_eq!(value["diagnostics"][0]["file"], bad_spec);
    assert_eq!(value["diagnostics"][0]["line"], 2);
}

#[test]
fn drift_against_several_files_names_them_and_the_operations_file() {
    let messaging = format!("{FIXTURES}/hosts/messaging.yaml");
    let voice = format!("{FIXTURES}/hosts/voice.yaml");
    let imported = authgate(&["import", "openapi", &messaging, &voice]);
    // One endpoint too many, one operation missing, no `anonymous`.
    let rules = stdout(&imported)
        .replace("endpoint \"POST /Calls\"", "endpoint \"POST /Faxes\"")
        .replace(
            "connector messages {",
            "connector messages {\n    auth anonymous: none",
        );
    let dir = text_folder(&[("messages.gate", &rules)]);
    let rules = dir.path().join("messages.gate");
    let output = authgate(&[
        "drift",
        &messaging,
        &voice,
        "--connector",
        "messages",
        "--rules",
        rules.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let messages: Vec<&str> = value["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        // In the order of the rules: the connector's name, then the members.
        [
            "operation `POST /Calls` (`tests/fixtures/openapi/hosts/voice.yaml#/paths/~1Calls/post`) \
             has no endpoint in connector `messages`",
            "method `anonymous` of connector `messages` has no security scheme in the 2 spec files",
            "endpoint `POST /Faxes` of connector `messages` has no operation in the 2 spec files",
        ]
    );
}

#[test]
fn drift_of_a_connector_using_part_of_the_api_reports_only_what_it_claims() {
    let rules = format!("{FIXTURES}/shop/drifted.gate");
    let output = drift(&["--rules", &rules, "--format", "json", "--subset"]);
    assert_eq!(code(&output), 1);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let found: Vec<(&str, &str)> = value["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or(""),
                d["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // Left: the type that differs, the method with no scheme, the method
    // the spec does not accept, the endpoint with no operation.
    assert_eq!(
        found,
        [
            ("authgate::drift_method", "error"),
            ("authgate::drift_method", "error"),
            ("authgate::drift_activation", "error"),
            ("authgate::drift_endpoint", "warning"),
        ]
    );
}

/// `drift_scope`, against the Jira-shaped spec: an item with fewer scopes
/// than every alternative of the spec is an error labelled on the item; an
/// alternative of the spec that no item admits (the rules ask for more) is
/// a warning, left out with `--subset`; the same scopes in another order
/// are no drift.
#[test]
fn drift_compares_scopes_as_sets_of_alternatives() {
    let spec = format!("{FIXTURES}/scopes/jira.json");
    let rules = format!("{FIXTURES}/scopes/jira-drifted.gate");
    let args = [
        "drift",
        spec.as_str(),
        "--connector",
        "jira",
        "--rules",
        &rules,
    ];
    let human = authgate(&args);
    assert_eq!(code(&human), 1, "errors: exit 1");
    insta::assert_snapshot!("drift_scope_human", stderr(&human));
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let json = authgate(&json_args);
    insta::assert_snapshot!("drift_scope_json", stdout(&json));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let found: Vec<(String, String, u64)> = value["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_owned(),
                d["severity"].as_str().unwrap_or("").to_owned(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let scope = |severity: &str, line: u64| {
        (
            "authgate::drift_scope".to_owned(),
            severity.to_owned(),
            line,
        )
    };
    assert_eq!(
        found,
        [
            scope("error", 8),
            scope("warning", 9),
            scope("warning", 12),
            scope("error", 12),
        ]
    );
    let messages: Vec<&str> = value["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(messages[0].contains(&format!(
        "(`{spec}#/paths/~1rest~1api~13~1issue~1{{issueIdOrKey}}/get`)"
    )));
    let mut subset = json_args.clone();
    subset.push("--subset");
    let value: serde_json::Value = serde_json::from_slice(&authgate(&subset).stdout).expect("JSON");
    let severities: Vec<&str> = value["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["severity"].as_str())
        .collect();
    assert_eq!(severities, ["error", "error"]);
}

/// A connector imported before scopes and combinations were mapped (the
/// union of the schemes, scopes as comments) drifts: instances holding one
/// header, or no scope, were offered endpoints the API refuses them.
#[test]
fn an_import_that_unions_combined_schemes_drifts() {
    let spec = format!("{FIXTURES}/scopes/plaid.json");
    let old = "connector plaid {\n    auth clientId: token\n    auth secret: token\n    \
               auth plaidVersion: token\n    auth bearer: token\n    \
               auth oauth: oauth2_client_credentials\n    auth anonymous: none\n\n    \
               endpoint \"POST /accounts/get\" < auth: [clientId, plaidVersion, secret] >\n}\n";
    let dir = text_folder(&[("plaid.gate", old)]);
    let output = authgate_in(
        dir.path(),
        &[
            "drift",
            &root().join(&spec).display().to_string(),
            "--connector",
            "plaid",
            "--rules",
            "plaid.gate",
            "--subset",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&output), 1);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    // One for each part; nothing more (the endpoint's items are those
    // methods, reported once each).
    assert_eq!(value["diagnostics"].as_array().map(Vec::len), Some(3));
    let err: String = value["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| format!("{} {}\n", d["message"], d["help"]))
        .collect();
    for needle in [
        "method `clientId` of connector `plaid` is a scheme that",
        "requires only together with others",
        "an instance holding only `clientId` is refused; use `clientId + secret`, \
         `clientId + secret + plaidVersion`, `oauth + clientId` and `oauth + clientId + secret`",
    ] {
        assert!(err.contains(needle), "no {needle:?} in\n{err}");
    }
}
