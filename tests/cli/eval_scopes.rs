//! `eval` with scopes: a runtime instance names the scopes it holds
//! (`"scopes": [...]`), its answers carry the item and the scopes missing
//! as `explain --format json` does, malformed scopes are a bad line, and
//! rules without scopes answer as before.

use std::path::Path;

use crate::support::{authgate_in, authgate_with, code, json, stderr, stdout, text_folder};

/// The language section's example (shared with `scopes.rs`), with two
/// more instances: one holding every scope, one holding none.
fn rules() -> String {
    format!(
        "{}{}",
        super::scopes::HUBSPOT,
        r#"instance full of hubspot < auth: oauth, scopes: ["contacts.read", "contacts.write", "deals.read"] >
instance bare of hubspot < auth: oauth >
"#
    )
}

const ENDPOINTS: [&str; 4] = ["GET /contacts", "POST /contacts", "GET /deals", "GET /ping"];

fn eval(dir: &Path, input: &str) -> (i32, Vec<String>) {
    let output = authgate_with(dir, &["eval", "--rules", "."], input);
    let lines = stdout(&output).lines().map(str::to_owned).collect();
    (code(&output), lines)
}

/// `"key":value` as compact JSON: how a field of `explain`'s document
/// appears in an `eval` line when the two agree byte for byte.
fn field(document: &serde_json::Value, key: &str) -> String {
    format!(
        "\"{key}\":{}",
        serde_json::to_string(&document[key]).expect("serialises")
    )
}

#[test]
fn answers_with_scopes_are_explain_s_fields_byte_for_byte() {
    let dir = text_folder(&[("hubspot.gate", &rules())]);
    let holders: [(&str, &[&str]); 3] = [
        ("acme", &["contacts.read"]),
        ("full", &["contacts.read", "contacts.write", "deals.read"]),
        ("bare", &[]),
    ];
    for (instance, scopes) in holders {
        for endpoint in ENDPOINTS {
            // A runtime instance holding what the declared one holds
            // gets the same item and the same scopes missing.
            let request = serde_json::json!({
                "connector": "hubspot", "auth": "oauth", "endpoint": endpoint, "scopes": scopes,
            });
            let (status, lines) = eval(dir.path(), &format!("{request}\n"));
            assert_eq!(status, 0, "{lines:?}");
            let [line] = lines.as_slice() else {
                panic!("one answer: {lines:?}")
            };
            let explained = authgate_in(
                dir.path(),
                &[
                    "explain", instance, endpoint, "--rules", ".", "--format", "json",
                ],
            );
            let explained = json(&explained);
            for key in ["available", "connector", "auth", "endpoint"] {
                assert!(line.contains(&field(&explained, key)), "{key}: {line}");
            }
            for key in ["item", "missing_scopes"] {
                match explained.get(key) {
                    Some(_) => assert!(line.contains(&field(&explained, key)), "{key}: {line}"),
                    None => assert!(!line.contains(&format!("\"{key}\"")), "{key}: {line}"),
                }
            }
        }
        // Without `"scopes"`, the runtime form is `explain --connector
        // --auth`: every field they share, and the reason where scopes
        // decided (explain adds the methods activated to the others').
        for endpoint in ENDPOINTS {
            let request = serde_json::json!({
                "connector": "hubspot", "auth": "oauth", "endpoint": endpoint,
            });
            let (_, lines) = eval(dir.path(), &format!("{request}\n"));
            let explained = json(&authgate_in(
                dir.path(),
                &[
                    "explain",
                    "--connector",
                    "hubspot",
                    "--auth",
                    "oauth",
                    endpoint,
                    "--rules",
                    ".",
                    "--format",
                    "json",
                ],
            ));
            let answer: serde_json::Value = serde_json::from_str(&lines[0]).expect("JSON");
            let keys: Vec<&String> = answer.as_object().expect("an object").keys().collect();
            for key in keys {
                if key == "reason" && answer.get("item").is_none() {
                    continue;
                }
                assert!(
                    lines[0].contains(&field(&explained, key)),
                    "{key}: {}",
                    lines[0]
                );
            }
        }
    }
}

#[test]
fn answers_name_the_item_and_the_scopes_missing() {
    let dir = text_folder(&[("hubspot.gate", &rules())]);
    let (status, lines) = eval(
        dir.path(),
        concat!(
            r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": ["contacts.read"]}"#,
            "\n",
            // Escaped names, undeclared ones and more than a few inline.
            r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": ["x", "y", "z", "w", "v", "u", "t", "s", "contacts\u002eread", "deals.read"]}"#,
            "\n",
            r#"{"connector": "hubspot", "auth": "key", "endpoint": "POST /contacts", "scopes": ["contacts.write"]}"#,
            "\n",
        ),
    );
    assert_eq!(status, 0, "{lines:?}");
    assert_eq!(
        lines,
        [
            r#"{"available":false,"reason":"a runtime instance of `hubspot` authenticates with `oauth`, which `GET /deals` activates only with scopes: it lacks `deals.read` of `oauth(\"contacts.read\", \"deals.read\")`","connector":"hubspot","auth":"oauth","endpoint":"GET /deals","item":"oauth(\"contacts.read\", \"deals.read\")","missing_scopes":["deals.read"]}"#,
            r#"{"available":true,"reason":"a runtime instance of `hubspot` authenticates with `oauth`, which `GET /deals` activates as `oauth(\"contacts.read\", \"deals.read\")`, and it holds those scopes","connector":"hubspot","auth":"oauth","endpoint":"GET /deals","item":"oauth(\"contacts.read\", \"deals.read\")"}"#,
            // Scopes of a method the endpoint does not list with scopes
            // change nothing.
            r#"{"available":false,"reason":"a runtime instance of `hubspot` authenticates with `key`, which `POST /contacts` does not activate","connector":"hubspot","auth":"key","endpoint":"POST /contacts"}"#,
        ]
    );
}

#[test]
fn malformed_scopes_are_a_bad_line_naming_the_key() {
    let dir = text_folder(&[("hubspot.gate", &rules())]);
    let output = authgate_with(
        dir.path(),
        &["eval", "--rules", "."],
        concat!(
            r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": "contacts.read"}"#,
            "\n",
            r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": ["contacts.read", 7]}"#,
            "\n",
            r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": null}"#,
            "\n",
            r#"{"instance": "acme", "endpoint": "GET /deals", "scopes": []}"#,
            "\n",
            r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /ping", "scopes": []}"#,
            "\n",
        ),
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..4],
        [
            r#"{"line":1,"error":"not a valid request: invalid type: string \"contacts.read\", expected `scopes` as a list of names at line 1 column 93"}"#,
            r#"{"line":2,"error":"not a valid request: invalid type: integer `7`, expected a scope name (a string) in `scopes` at line 1 column 97"}"#,
            r#"{"line":3,"error":"`scopes` is null: give a list of names, or leave the field out"}"#,
            r#"{"line":4,"error":"`scopes` goes with `connector` and `auth`: a declared instance holds the scopes its declaration gives it"}"#,
        ]
    );
    // The bad lines did not stop the rest.
    assert!(lines[4].starts_with(r#"{"available":true"#), "{}", lines[4]);
}

#[test]
fn rules_without_scopes_answer_as_before() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plain = r#"{"connector": "shop", "auth": "OAuth 2", "endpoint": "customers"}
{"connector": "shop", "auth": "OAuth 2", "endpoint": "orders"}
"#;
    let with_scopes = r#"{"connector": "shop", "auth": "OAuth 2", "endpoint": "customers", "scopes": ["read"]}
{"connector": "shop", "auth": "OAuth 2", "endpoint": "orders", "scopes": []}
"#;
    let before = authgate_with(root, &["eval", "--rules", "rules"], plain);
    let after = authgate_with(root, &["eval", "--rules", "rules"], with_scopes);
    assert_eq!(code(&before), 0, "{}", stderr(&before));
    assert_eq!(stdout(&before), stdout(&after));
    assert!(!stdout(&after).contains("\"item\""), "{}", stdout(&after));
}
