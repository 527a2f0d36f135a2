//! Runtime instances holding scopes, in process, against the real
//! binary's `eval` and `visible` on the same rules: `/v1/decide` and its
//! batches answer `eval`'s bytes plus the bundle (held, missing, unknown,
//! repeated and escaped scopes, a method of more than 128 scopes, and
//! HubSpot-sized rules); `/v1/visible` is `visible --scopes`'s document;
//! AuthZEN reads `subject.properties.scopes`; malformed scopes are refused
//! with `eval`'s message.

use std::sync::Arc;

use authgate::serve::{Limits, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{post, snapshot};
use crate::support::{authgate_in, code, stderr, write_in};

/// HubSpot-like rules, and a connector whose method declares 200 scopes
/// (the bit-vector path).
fn rules() -> String {
    let wide: Vec<String> = (0..200).map(|s| format!("\"s{s}\"")).collect();
    format!(
        r#"connector hubspot {{
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write", "deals.read", "a\"b"] >
    auth key: token

    endpoint "GET /contacts"  < auth: [oauth("contacts.read"), key] >
    endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
    endpoint "GET /deals"     < auth: [oauth("contacts.read", "deals.read")] >
    endpoint "GET /ping"      < auth: [oauth, key] >
    endpoint "GET /quoted"    < auth: [oauth("a\"b")] >
}}

connector wide {{
    auth oauth: oauth2_client_credentials < scopes: [{}] >
    endpoint low  < auth: [oauth("s1", "s2")] >
    endpoint high < auth: [oauth("s150", "s199"), oauth("s3")] >
}}

instance acme of hubspot < auth: oauth, scopes: ["contacts.read"] >
"#,
        wide.join(", ")
    )
}

/// Requests with scopes, and without, that `eval` answers.
fn requests() -> Vec<Value> {
    let runtime = |endpoint: &str, scopes: Value| json!({"connector": "hubspot", "auth": "oauth", "endpoint": endpoint, "scopes": scopes});
    vec![
        runtime("GET /contacts", json!(["contacts.read"])),
        runtime("POST /contacts", json!(["contacts.read"])),
        runtime("GET /deals", json!(["deals.read", "contacts.read"])),
        runtime("GET /deals", json!(["deals.read"])),
        // Unknown scopes grant nothing; repeats change nothing.
        runtime("POST /contacts", json!(["contacts.raed", "contacts.write"])),
        runtime("POST /contacts", json!(["contacts.raed"])),
        runtime("GET /deals", json!(["deals.read", "deals.read"])),
        runtime("GET /deals", json!([])),
        runtime("GET /ping", json!(["contacts.read"])),
        runtime("GET /quoted", json!(["a\"b"])),
        runtime("GET /nope", json!(["contacts.read"])),
        json!({"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals"}),
        json!({"connector": "hubspot", "auth": "key", "endpoint": "POST /contacts", "scopes": ["contacts.write"]}),
        json!({"connector": "hubspot", "auth": "nope", "endpoint": "GET /deals", "scopes": ["deals.read"]}),
        json!({"connector": "nope", "auth": "oauth", "endpoint": "GET /deals", "scopes": ["deals.read"]}),
        json!({"instance": "acme", "endpoint": "GET /deals"}),
        json!({"connector": "wide", "auth": "oauth", "endpoint": "high", "scopes": ["s150", "s199"]}),
        json!({"connector": "wide", "auth": "oauth", "endpoint": "high", "scopes": ["s150", "s2"]}),
        json!({"connector": "wide", "auth": "oauth", "endpoint": "low", "scopes": ["s2"]}),
    ]
}

/// Lines `eval` refuses, and must be refused alike.
const MALFORMED: [&str; 5] = [
    r#"{"instance": "acme", "endpoint": "GET /deals", "scopes": ["deals.read"]}"#,
    r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": null}"#,
    r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": "deals.read"}"#,
    r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": ["deals.read", 7]}"#,
    r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /deals", "scopes": {"a": 1}}"#,
];

/// The rules in a scratch folder, and a server state on the same text.
fn served(text: &str) -> (tempfile::TempDir, Arc<State>) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_in(dir.path(), "rules.gate", text);
    let state = Arc::new(State::new(snapshot(text), None, Limits::default()));
    (dir, state)
}

/// `eval`'s output lines for `lines` (read from a file: a pipe written
/// whole before the output is read would fill both ways).
fn eval(dir: &std::path::Path, lines: &[String]) -> Vec<String> {
    write_in(dir, "requests.ndjson", &(lines.join("\n") + "\n"));
    let input = std::fs::File::open(dir.join("requests.ndjson")).expect("written");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_authgate"))
        .args(["eval", "--rules", "rules.gate"])
        .current_dir(dir)
        .stdin(input)
        .output()
        .expect("the binary runs");
    assert!(code(&output) <= 1, "{}", stderr(&output));
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `eval`'s answer line plus `"bundle"`, as `/v1/decide` writes it.
fn with_bundle(line: &str, bundle: &str) -> String {
    let open = line.strip_suffix('}').expect("an object");
    format!("{open},\"bundle\":{}}}", json!(bundle))
}

#[tokio::test]
async fn decide_answers_evals_bytes_for_requests_with_scopes() {
    let (dir, state) = served(&rules());
    let bundle = state.snapshot().digest.clone();
    let mut lines: Vec<String> = requests().iter().map(Value::to_string).collect();
    // A scope written with a JSON escape is the same name.
    lines.push(
        r#"{"connector": "hubspot", "auth": "oauth", "endpoint": "GET /quoted", "scopes": ["a\u0022b"]}"#
            .to_owned(),
    );
    let expected = eval(dir.path(), &lines);
    assert_eq!(expected.len(), lines.len());
    for (line, expected) in lines.iter().zip(&expected) {
        let answer = post(&state, "/v1/decide", line.clone()).await;
        assert_eq!(answer.status, StatusCode::OK, "{line}");
        let body = String::from_utf8(answer.body).expect("UTF-8");
        assert_eq!(body, with_bundle(expected, &bundle), "{line}");
    }
    // The cases say what they are meant to: held, missing, unknown.
    let answers: Vec<Value> = expected
        .iter()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(answers[0]["available"], true);
    assert_eq!(answers[0]["item"], "oauth(\"contacts.read\")");
    assert_eq!(answers[1]["missing_scopes"], json!(["contacts.write"]));
    assert_eq!(answers[4]["available"], true);
    assert_eq!(answers[5]["available"], false);
    assert_eq!(answers[9]["available"], true);
    assert_eq!(answers[16]["available"], true);
    assert_eq!(answers[17]["available"], false);
    assert_eq!(answers[18]["available"], false);
    assert_eq!(answers[19]["available"], true);
}

#[tokio::test]
async fn a_batch_with_scopes_is_evals_lines_in_order() {
    let (dir, state) = served(&rules());
    let bundle = state.snapshot().digest.clone();
    let mut lines: Vec<String> = requests().iter().map(Value::to_string).collect();
    lines.extend(MALFORMED.iter().map(|line| (*line).to_owned()));
    let expected = eval(dir.path(), &lines);
    // A line `eval` refuses is `{"line", "error"}` there, `{"error"}` in a
    // batch.
    let items: Vec<String> = expected
        .iter()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("JSON");
            match value.get("error") {
                Some(error) => json!({"error": error}).to_string(),
                None => line.clone(),
            }
        })
        .collect();
    let body = format!("{{\"requests\": [{}]}}", lines.join(","));
    let answer = post(&state, "/v1/decide/batch", body).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        String::from_utf8(answer.body).expect("UTF-8"),
        format!(
            "{{\"bundle\":{},\"answers\":[{}]}}",
            json!(bundle),
            items.join(",")
        )
    );
}

#[tokio::test]
async fn malformed_scopes_are_refused_with_evals_message() {
    let (dir, state) = served(&rules());
    let lines: Vec<String> = MALFORMED.iter().map(|line| (*line).to_owned()).collect();
    let expected = eval(dir.path(), &lines);
    for (line, expected) in lines.iter().zip(&expected) {
        let answer = post(&state, "/v1/decide", line.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{line}");
        assert_eq!(answer.code(), "authgate::request", "{line}");
        let expected: Value = serde_json::from_str(expected).expect("JSON");
        assert_eq!(
            answer.json()["error"]["message"],
            expected["error"],
            "{line}"
        );
    }
}

#[tokio::test]
async fn hubspot_sized_batches_answer_evals_bytes() {
    let n = 1_500;
    let scoped = authgate_workload::Scoped::generate(n, authgate_workload::SEED);
    let (dir, state) = served(&scoped.text);
    let bundle = state.snapshot().digest.clone();
    let connector = authgate_workload::connector();
    // Runtime instances naming five scopes, and naming each declared
    // instance's twenty (so that some requests are granted).
    let mut lines = Vec::new();
    for (instance, endpoint, asked) in scoped.queries(n, 1_000, authgate_workload::SEED) {
        let endpoint = authgate_workload::endpoint_name(endpoint as usize);
        let asked: Vec<String> = asked
            .iter()
            .map(|&s| authgate_workload::scope_name(usize::from(s)))
            .collect();
        let held: Vec<String> = scoped.held[instance as usize]
            .iter()
            .map(|&s| authgate_workload::scope_name(s))
            .collect();
        for scopes in [asked, held] {
            lines.push(
                json!({"connector": connector, "auth": "oauth", "endpoint": endpoint, "scopes": scopes})
                    .to_string(),
            );
        }
    }
    let expected = eval(dir.path(), &lines);
    let granted = expected
        .iter()
        .filter(|line| line.starts_with("{\"available\":true"))
        .count();
    assert!(granted > 15 && granted < 1_900, "{granted} granted");
    let body = format!("{{\"requests\": [{}]}}", lines.join(","));
    let answer = post(&state, "/v1/decide/batch", body).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        String::from_utf8(answer.body).expect("UTF-8"),
        format!(
            "{{\"bundle\":{},\"answers\":[{}]}}",
            json!(bundle),
            expected.join(",")
        )
    );
}

#[tokio::test]
async fn visible_with_scopes_is_visibles_document() {
    let (dir, state) = served(&rules());
    let bundle = state.snapshot().digest.clone();
    for scopes in [
        vec!["contacts.read"],
        vec!["contacts.read", "deals.read", "contacts.raed"],
        vec!["a\"b"],
    ] {
        let answer = post(
            &state,
            "/v1/visible",
            json!({"connector": "hubspot", "auth": "oauth", "scopes": scopes}).to_string(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{scopes:?}");
        let output = authgate_in(
            dir.path(),
            &[
                "visible",
                "--connector",
                "hubspot",
                "--auth",
                "oauth",
                "--rules",
                "rules.gate",
                "--format",
                "json",
            ]
            .into_iter()
            .chain(scopes.iter().flat_map(|s| ["--scopes", s]))
            .collect::<Vec<_>>(),
        );
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let mut expected: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        expected["bundle"] = json!(bundle);
        assert_eq!(answer.json(), expected, "{scopes:?}");
    }
    let answer = post(
        &state,
        "/v1/visible",
        json!({"connector": "hubspot", "auth": "oauth", "scopes": ["contacts.raed"]}).to_string(),
    )
    .await;
    assert_eq!(answer.json()["endpoints"], json!(["GET /ping"]));
    assert_eq!(answer.json()["unknown_scopes"], json!(["contacts.raed"]));
    // A declared instance holds its own; `null` and non-names are refused.
    for body in [
        json!({"instance": "acme", "scopes": ["deals.read"]}),
        json!({"connector": "hubspot", "auth": "oauth", "scopes": null}),
        json!({"connector": "hubspot", "auth": "oauth", "scopes": [1]}),
        json!({"connector": "hubspot", "auth": "oauth", "scopes": "deals.read"}),
    ] {
        let answer = post(&state, "/v1/visible", body.to_string()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.code(), "authgate::request", "{body}");
    }
}

#[tokio::test]
async fn authzen_reads_the_subjects_scopes_as_eval_does() {
    let (dir, state) = served(&rules());
    let bundle = state.snapshot().digest.clone();
    let runtime: Vec<Value> = requests()
        .into_iter()
        .filter(|r| r.get("connector").is_some())
        .collect();
    let lines: Vec<String> = runtime.iter().map(Value::to_string).collect();
    let expected = eval(dir.path(), &lines);
    let subject = |request: &Value| {
        let mut properties = json!({"connector": request["connector"], "auth": request["auth"]});
        if let Some(scopes) = request.get("scopes") {
            properties["scopes"] = scopes.clone();
        }
        json!({"type": "connection", "id": "row 7", "properties": properties})
    };
    let mut items = Vec::new();
    for (request, expected) in runtime.iter().zip(&expected) {
        let evaluation = json!({"subject": subject(request),
            "resource": {"type": "endpoint", "id": request["endpoint"]},
            "action": {"name": "call"}});
        items.push(evaluation.clone());
        let answer = post(&state, "/access/v1/evaluation", evaluation.to_string()).await;
        assert_eq!(answer.status, StatusCode::OK, "{request}");
        let eval: Value = serde_json::from_str(expected).expect("JSON");
        let mut context = json!({"reason": eval["reason"], "bundle": bundle});
        for key in ["item", "missing_scopes"] {
            if let Some(value) = eval.get(key) {
                context[key] = value.clone();
            }
        }
        assert_eq!(
            answer.json(),
            json!({"decision": eval["available"], "context": context}),
            "{request}"
        );
    }
    // `evaluations` with a default subject holding scopes.
    let answer = post(
        &state,
        "/access/v1/evaluations",
        json!({"subject": subject(&runtime[0]), "action": {"name": "call"},
               "evaluations": [{"resource": {"type": "endpoint", "id": "GET /contacts"}},
                               {"resource": {"type": "endpoint", "id": "POST /contacts"}}]})
        .to_string(),
    )
    .await;
    let decisions: Vec<Value> = answer.json()["evaluations"]
        .as_array()
        .expect("evaluations")
        .iter()
        .map(|e| e["decision"].clone())
        .collect();
    assert_eq!(decisions, [json!(true), json!(false)]);
    // Scopes that are not a list of names, or on a declared instance.
    for subject in [
        json!({"type": "connection", "id": "x", "properties": {"connector": "hubspot", "auth": "oauth", "scopes": "deals.read"}}),
        json!({"type": "connection", "id": "x", "properties": {"connector": "hubspot", "auth": "oauth", "scopes": [7]}}),
        json!({"type": "instance", "id": "acme", "properties": {"scopes": ["deals.read"]}}),
    ] {
        let answer = post(
            &state,
            "/access/v1/evaluation",
            json!({"subject": subject, "resource": {"type": "endpoint", "id": "GET /deals"},
                   "action": {"name": "call"}})
            .to_string(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{subject}");
        assert!(
            answer.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("properties.scopes")),
            "{}",
            answer.json()
        );
    }
}
