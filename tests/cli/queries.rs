//! The queries: `visible`, `explain` and `eval` (NDJSON), for declared and
//! runtime instances, unknown names, rules with errors, and names with
//! hidden characters.

use std::process::{Command, Output};

use crate::support::{
    assert_fails, authgate, authgate_in, code, fixture, folder, json, stderr, stdout,
};

#[test]
fn visible_lists_what_an_instance_sees() {
    let output = authgate(&["visible", "instance 2"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "instance `instance 2` of `shop` authenticates with `OAuth 2` and sees 2 endpoints:\n  \
         customers\n  products\n"
    );
    let output = authgate(&[
        "visible",
        "instance 1",
        "--rules",
        "rules",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        json(&output),
        serde_json::json!({
            "instance": "instance 1",
            "connector": "shop",
            "auth": "basic",
            "endpoints": ["orders", "customers", "products"],
        })
    );
}

#[test]
fn visible_answers_for_runtime_instances() {
    let output = authgate(&[
        "visible",
        "--connector",
        "crm",
        "--auth",
        "service",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        json(&output),
        serde_json::json!({
            "instance": null,
            "connector": "crm",
            "auth": "service",
            "endpoints": ["contacts", "deals", "bulk_export"],
        })
    );
}

#[test]
fn visible_cannot_answer_for_unknown_names() {
    let output = authgate(&["visible", "instance 3"]);
    assert_eq!(code(&output), 2);
    assert_eq!(
        stderr(&output),
        "error: cannot answer: unknown instance `instance 3`; did you mean `instance 1`?\n"
    );
    let output = authgate(&["visible", "--connector", "shop", "--auth", "oauth"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("unknown auth method `oauth` in connector `shop`"));
}

#[test]
fn queries_on_rules_with_errors_cannot_answer() {
    let path = fixture("unknown_method");
    let output = authgate(&["visible", "x", "--rules", &path]);
    assert_fails(&output, 2, "the rules have 1 error");
    let output = authgate(&["explain", "x", "orders", "--rules", &path]);
    assert_eq!(code(&output), 2);
}

/// Names in `visible` and `explain` output can't carry a terminal
/// escape sequence to the terminal.
#[test]
fn visible_and_explain_escape_hidden_characters_in_names() {
    let dir = folder(&[(
        "evil.gate",
        b"connector c {\n    auth m: basic\n    endpoint \"\x1b[2Jwipe\" < auth: [m] >\n}\n\
          instance \"i\xe2\x80\xae\" of c < auth: m >\n",
    )]);
    let visible = authgate_in(
        dir.path(),
        &["visible", "i\u{202e}", "--rules", "evil.gate"],
    );
    assert_eq!(code(&visible), 0);
    assert_eq!(
        stdout(&visible),
        "instance `i\\u{202e}` of `c` authenticates with `m` and sees 1 endpoint:\n  \\u{1b}[2Jwipe\n"
    );
    let explain = authgate_in(
        dir.path(),
        &[
            "explain",
            "i\u{202e}",
            "\u{1b}[2Jwipe",
            "--rules",
            "evil.gate",
        ],
    );
    assert_eq!(code(&explain), 0);
    let text = stdout(&explain);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(
        text.starts_with("`\\u{1b}[2Jwipe` is available to `i\\u{202e}`"),
        "{text}"
    );
    // JSON keeps the names exact: it is for programs.
    let json_output = authgate_in(
        dir.path(),
        &[
            "visible",
            "i\u{202e}",
            "--rules",
            "evil.gate",
            "--format",
            "json",
        ],
    );
    assert_eq!(json(&json_output)["endpoints"][0], "\u{1b}[2Jwipe");
}

#[test]
fn explain_says_available_and_why() {
    let output = authgate(&["explain", "instance 1", "orders"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "`orders` is available to `instance 1`\n  reason: instance `instance 1` authenticates with \
         `basic`, which `orders` activates (activated: `basic`)\n  instance declared at \
         rules/shop.gate:13:10\n  endpoint declared at rules/shop.gate:8:14\n"
    );
}

#[test]
fn explain_says_not_available_with_exit_1() {
    let output = authgate(&["explain", "instance 2", "orders", "--format", "json"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        json(&output),
        serde_json::json!({
            "available": false,
            "instance": "instance 2",
            "connector": "shop",
            "auth": "OAuth 2",
            "endpoint": "orders",
            "activated": ["basic"],
            "reason": "instance `instance 2` authenticates with `OAuth 2`, which `orders` does not \
                       activate (activated: `basic`)",
            "instance_location": {"file": "rules/shop.gate", "line": 14, "column": 10},
            "endpoint_location": {"file": "rules/shop.gate", "line": 8, "column": 14},
        })
    );
}

#[test]
fn explain_denies_unknown_names_with_a_reason() {
    let output = authgate(&["explain", "instance 1", "ordrs", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let document = json(&output);
    assert_eq!(document["available"], false);
    assert_eq!(
        document["reason"],
        "unknown endpoint `ordrs` in connector `shop`; did you mean `orders`?"
    );
    let output = authgate(&[
        "explain",
        "--connector",
        "nope",
        "--auth",
        "basic",
        "orders",
    ]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("unknown connector `nope`"));
}

#[test]
fn explain_answers_for_runtime_instances() {
    let output = authgate(&[
        "explain",
        "--connector",
        "crm",
        "--auth",
        "api_token",
        "bulk_export",
    ]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).starts_with(
        "`bulk_export` is not available to runtime instances of `crm` with `api_token`\n"
    ));
    let output = authgate(&[
        "explain",
        "--connector",
        "crm",
        "--auth",
        "service",
        "bulk_export",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0);
    let document = json(&output);
    assert_eq!(document["instance"], serde_json::Value::Null);
    assert_eq!(document["activated"], serde_json::json!(["service"]));
}

/// `explain --format json` names what the rules declare and
/// `null` for what they don't, rather than echoing the question.
#[test]
fn explain_json_gives_null_for_an_unknown_runtime_connector_or_method() {
    let unknown_connector = authgate(&[
        "explain",
        "--connector",
        "nope",
        "--auth",
        "basic",
        "orders",
        "--format",
        "json",
    ]);
    assert_eq!(code(&unknown_connector), 1);
    let document = json(&unknown_connector);
    assert_eq!(document["connector"], serde_json::Value::Null);
    assert_eq!(document["auth"], serde_json::Value::Null);
    let unknown_method = authgate(&[
        "explain",
        "--connector",
        "shop",
        "--auth",
        "nope",
        "orders",
        "--format",
        "json",
    ]);
    assert_eq!(code(&unknown_method), 1);
    let document = json(&unknown_method);
    assert_eq!(document["connector"], "shop");
    assert_eq!(document["auth"], serde_json::Value::Null);
}

fn eval(input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_authgate"))
        .args(["eval", "--rules", "rules"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("piped");
    stdin.write_all(input.as_bytes()).expect("write stdin");
    drop(stdin);
    child.wait_with_output().expect("exits")
}

#[test]
fn eval_answers_ndjson_line_by_line() {
    let output = eval(
        "{\"instance\": \"instance 1\", \"endpoint\": \"orders\"}\n\
         {\"connector\": \"shop\", \"auth\": \"OAuth 2\", \"endpoint\": \"orders\"}\n",
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\"available\":true,\"reason\":\"instance `instance 1` authenticates with `basic`, which \
         `orders` activates\",\"instance\":\"instance 1\",\"endpoint\":\"orders\"}\n\
         {\"available\":false,\"reason\":\"a runtime instance of `shop` authenticates with `OAuth 2`, \
         which `orders` does not activate\",\"connector\":\"shop\",\"auth\":\"OAuth 2\",\"endpoint\":\
         \"orders\"}\n"
    );
}

#[test]
fn eval_reports_bad_lines_and_exits_1() {
    let output = eval(
        "{\"instance\": \"instance 1\"}\n{\"instance\": \"instance 1\", \"endpoint\": \"orders\"}\n",
    );
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("{\"line\":1,\"error\":"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("{\"available\":true"), "{}", lines[1]);
}
