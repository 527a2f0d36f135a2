//! What an operator relies on, in process: health routes, JSON errors for
//! unknown routes, the bundle and its ETag, reloads as `--watch` and
//! SIGHUP run them (`State::reload`) and as `/v1/bundle` shows them,
//! metrics, and the decision log (one line per decision; a stuck log never
//! blocks answers).

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authgate::Options;
use authgate::project::digest::Manifest;
use authgate::serve::signature;
use authgate::serve::{DecisionLog, Limits, Reloaded, Source, State};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use super::{SHOP, digest, get, post, send, snapshot, state};
use crate::support::write;

#[tokio::test]
async fn health_routes() {
    let state = state();
    assert_eq!(get(&state, "/health/live").await.status, StatusCode::OK);
    let ready = get(&state, "/health/ready").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["bundle"], digest(&state));
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_are_json_errors() {
    let state = state();
    let answer = get(&state, "/v2/decide").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.code(), "authgate::not_found");
    let answer = get(&state, "/v1/decide").await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.code(), "authgate::method");
    assert_eq!(answer.headers[header::ALLOW], "POST");
    let answer = post(&state, "/v1/bundle", "{}").await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.code(), "authgate::method");
}

#[tokio::test]
async fn bundle_describes_the_rules_and_answers_304_to_its_etag() {
    let dir = tempfile::tempdir().expect("a temp dir");
    write(&dir.path().join("shop.gate"), SHOP);
    let source = Source::new(vec![dir.path().to_path_buf()], Options::default());
    let loaded = source
        .build(source.read().expect("readable"))
        .expect("compiles");
    let state = Arc::new(State::new(loaded, Some(source), Limits::default()));
    let answer = get(&state, "/v1/bundle").await;
    assert_eq!(answer.status, StatusCode::OK);
    let bundle = answer.json();
    let digest = digest(&state);
    assert_eq!(bundle["digest"], digest);
    assert_eq!(answer.headers[header::ETAG], format!("\"{digest}\""));
    assert_eq!(bundle["files"][0]["path"], "shop.gate");
    assert_eq!(
        bundle["files"][0]["sha256"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(bundle["connectors"], 1);
    assert_eq!(bundle["endpoints"], 2);
    assert_eq!(bundle["methods"], 2);
    assert_eq!(bundle["instances"], 2);
    assert!(
        bundle["loaded_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(bundle["last_reload"], Value::Null);

    let request = |tag: &str| {
        Request::get("/v1/bundle")
            .header(header::IF_NONE_MATCH, tag)
            .body(Body::empty())
            .expect("a request")
    };
    let answer = send(&state, request(&format!("\"{digest}\""))).await;
    assert_eq!(answer.status, StatusCode::NOT_MODIFIED);
    assert!(answer.body.is_empty());
    let answer = send(&state, request("\"sha256:other\"")).await;
    assert_eq!(answer.status, StatusCode::OK);

    // A reload that fails keeps the old rules and says why.
    write(&dir.path().join("shop.gate"), "connector shop {");
    assert!(matches!(state.reload(false), Reloaded::Refused(_)));
    let bundle = get(&state, "/v1/bundle").await.json();
    assert_eq!(bundle["digest"], digest);
    assert_eq!(bundle["last_reload"]["ok"], false);
    assert!(
        bundle["last_reload"]["diagnostics"][0]["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("authgate::"))
    );
    // Watch does not retry the same broken files.
    assert!(matches!(state.reload(true), Reloaded::Unchanged));
    // Nor files that can't be read, once reported; SIGHUP always tries.
    let kept = dir.path().join("kept");
    std::fs::rename(dir.path().join("shop.gate"), &kept).expect("move away");
    assert!(matches!(state.reload(true), Reloaded::Refused(_)));
    assert!(matches!(state.reload(true), Reloaded::Unchanged));
    assert!(matches!(state.reload(false), Reloaded::Refused(_)));
    std::fs::rename(&kept, dir.path().join("shop.gate")).expect("move back");
    // Then one that works.
    write(
        &dir.path().join("shop.gate"),
        &SHOP.replace("[basic] >", "[basic, oauth] >"),
    );
    assert!(matches!(state.reload(true), Reloaded::Swapped(_)));
    let bundle = get(&state, "/v1/bundle").await.json();
    assert_ne!(bundle["digest"], digest);
    assert_eq!(bundle["last_reload"]["ok"], true);
    assert_eq!(bundle["last_reload"]["diagnostics"], json!([]));
    let answer = post(
        &state,
        "/v1/decide",
        "{\"instance\": \"instance 2\", \"endpoint\": \"orders\"}",
    )
    .await;
    assert_eq!(answer.json()["available"], true);
    assert_eq!(answer.json()["bundle"], bundle["digest"]);
}

/// The state serving the rules of `source`, as `authgate serve` starts.
fn served_from(source: &Source) -> Arc<State> {
    let loaded = source
        .build(source.read().expect("readable"))
        .expect("the first rules load");
    Arc::new(State::new(loaded, Some(source.clone()), Limits::default()))
}

/// The value of the counter `authgate_reloads_total{result="RESULT"}`.
async fn reloads(state: &Arc<State>, result: &str) -> String {
    let text = String::from_utf8_lossy(&get(state, "/metrics").await.body).into_owned();
    let series = format!("authgate_reloads_total{{result=\"{result}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(series.as_str()))
        .unwrap_or_else(|| panic!("no `{series}` in\n{text}"))
        .to_owned()
}

/// The first `--watch` poll after start finds the rules serving
/// unchanged: it neither reloads them nor counts or records a reload.
#[tokio::test]
async fn watch_does_not_reload_the_rules_it_started_with() {
    let dir = tempfile::tempdir().expect("a temp dir");
    write(&dir.path().join("shop.gate"), SHOP);
    let state = served_from(&Source::new(
        vec![dir.path().to_path_buf()],
        Options::default(),
    ));
    assert!(matches!(state.reload(true), Reloaded::Unchanged));
    assert_eq!(reloads(&state, "ok").await, "0");
    let bundle = get(&state, "/v1/bundle").await.json();
    assert_eq!(bundle["last_reload"], serde_json::Value::Null, "{bundle}");
}

/// Reverting to the rules serving after a refused change reloads them,
/// and the bundle shows that last reload ok, not the refused change's
/// errors: `--watch` compares the files with the rule set it last tried,
/// not with the one serving.
#[tokio::test]
async fn watch_reloads_a_revert_after_a_refused_change_and_shows_it_ok() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("shop.gate");
    write(&file, SHOP);
    let state = served_from(&Source::new(
        vec![dir.path().to_path_buf()],
        Options::default(),
    ));
    let serving = digest(&state);

    write(&file, "connector shop {");
    assert!(matches!(state.reload(true), Reloaded::Refused(_)));
    let bundle = get(&state, "/v1/bundle").await.json();
    assert_eq!(bundle["last_reload"]["ok"], false);
    assert_eq!(bundle["digest"], serving);

    write(&file, SHOP);
    let Reloaded::Swapped(reverted) = state.reload(true) else {
        panic!("the revert is reloaded");
    };
    assert_eq!(reverted, serving);
    let bundle = get(&state, "/v1/bundle").await.json();
    assert_eq!(bundle["digest"], serving);
    assert_eq!(bundle["last_reload"]["ok"], true, "{bundle}");
    assert_eq!(bundle["last_reload"]["diagnostics"], json!([]));
    assert_eq!(reloads(&state, "ok").await, "1");
    assert_eq!(reloads(&state, "error").await, "1");
    // And, tried now, it is not reloaded again every interval.
    assert!(matches!(state.reload(true), Reloaded::Unchanged));
}

/// With a verifying key, `--watch` refuses rules changed without a valid
/// signature, once, and loads them when they are signed afterwards: the
/// signature file counts as a change though the rule files did not change
/// again. Both ways: no signature file at all, and one left over from the
/// rules before.
#[tokio::test]
async fn watch_loads_refused_rules_once_they_are_signed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("shop.gate");
    write(&file, SHOP);
    let key = signature::generate().expect("a key");
    let mut source = Source::new(vec![dir.path().to_path_buf()], Options::default());
    source.verify_key = Some(key.verifying_key());
    let signature_file = signature::signature_path(&source.paths);
    let sign = || {
        let read = source.read().expect("readable");
        let text = signature::sign(&key, Manifest::of(&read).digest());
        write(&signature_file, &text);
    };
    sign();
    let state = served_from(&source);
    let first = digest(&state);
    let decide = "{\"instance\": \"instance 2\", \"endpoint\": \"orders\"}";
    assert_eq!(
        post(&state, "/v1/decide", decide).await.json()["available"],
        false
    );

    // Changed, and no signature at all.
    std::fs::remove_file(&signature_file).expect("unsigned");
    write(&file, &SHOP.replace("[basic] >", "[basic, oauth] >"));
    let Reloaded::Refused(failure) = state.reload(true) else {
        panic!("unsigned rules are refused");
    };
    assert_eq!(failure.diagnostics.len(), 1, "{failure:?}");
    assert_eq!(failure.diagnostics[0].code, "authgate::signature");
    assert!(
        failure.message.contains("not signed"),
        "{}",
        failure.message
    );
    assert!(matches!(state.reload(true), Reloaded::Unchanged));
    assert_eq!(digest(&state), first);

    sign();
    let Reloaded::Swapped(second) = state.reload(true) else {
        panic!("the rules are loaded once signed");
    };
    assert_ne!(second, first);
    assert_eq!(digest(&state), second);
    assert_eq!(
        post(&state, "/v1/decide", decide).await.json()["available"],
        true
    );
    let bundle = get(&state, "/v1/bundle").await.json();
    assert_eq!(bundle["last_reload"]["ok"], true, "{bundle}");

    // Changed again, under the signature of the rules before.
    write(&file, SHOP);
    let Reloaded::Refused(failure) = state.reload(true) else {
        panic!("a stale signature is refused");
    };
    assert_eq!(failure.diagnostics[0].code, "authgate::signature");
    assert!(
        failure.message.contains("does not sign these rules"),
        "{}",
        failure.message
    );
    assert!(matches!(state.reload(true), Reloaded::Unchanged));
    assert_eq!(digest(&state), second);

    sign();
    assert!(matches!(state.reload(true), Reloaded::Swapped(_)));
    assert_eq!(digest(&state), first);
    assert_eq!(
        post(&state, "/v1/decide", decide).await.json()["available"],
        false
    );
}

/// A state made without a source (embedders may serve rules built in
/// memory): a reload is refused with one problem saying why, and the
/// rules keep serving. The `authgate` binary always has a source.
#[tokio::test]
async fn a_state_without_a_source_refuses_a_reload_with_one_problem() {
    let state = state();
    let serving = digest(&state);
    let Reloaded::Refused(failure) = state.reload(false) else {
        panic!("nothing to reload from");
    };
    assert_eq!(failure.diagnostics.len(), 1, "{failure:?}");
    assert_eq!(failure.diagnostics[0].code, "authgate::reload");
    let bundle = get(&state, "/v1/bundle").await.json();
    assert_eq!(bundle["digest"], serving);
    assert_eq!(bundle["last_reload"]["ok"], false);
    let problems = bundle["last_reload"]["diagnostics"]
        .as_array()
        .expect("a list");
    assert_eq!(problems.len(), 1, "{bundle}");
    assert_eq!(problems[0]["code"], "authgate::reload");
    assert_eq!(problems[0]["message"], failure.message);
    assert_eq!(reloads(&state, "error").await, "1");
}

#[tokio::test]
async fn metrics_count_decisions_batches_durations_and_the_bundle() {
    let state = state();
    let item = json!({"instance": "instance 1", "endpoint": "orders"});
    let denied = json!({"instance": "instance 2", "endpoint": "orders"});
    post(&state, "/v1/decide", item.to_string()).await;
    post(
        &state,
        "/v1/decide/batch",
        json!({"requests": [item, denied, denied]}).to_string(),
    )
    .await;
    let answer = get(&state, "/metrics").await;
    assert_eq!(answer.status, StatusCode::OK);
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    for line in [
        "authgate_decisions_total{result=\"allow\"} 2",
        "authgate_decisions_total{result=\"deny\"} 2",
        "# TYPE authgate_batch_size histogram",
        "authgate_batch_size_bucket{le=\"10\"} 1",
        "# TYPE authgate_request_duration_seconds histogram",
        "authgate_request_duration_seconds_count{route=\"/v1/decide\"} 1",
        "authgate_request_duration_seconds_count{route=\"/v1/decide/batch\"} 1",
        "authgate_reloads_total{result=\"ok\"} 0",
        "authgate_decision_log_dropped_total 0",
        "# TYPE authgate_last_reload_success_timestamp_seconds gauge",
    ] {
        assert!(text.contains(line), "no `{line}` in\n{text}");
    }
    let info = format!("authgate_bundle_info{{digest=\"{}\"}} 1", digest(&state));
    assert!(text.contains(&info), "{text}");
    assert!(
        text.contains(
            "authgate_request_duration_seconds_bucket{route=\"/v1/decide\",le=\"0.001\"}"
        ),
        "{text}"
    );
}

/// A shared buffer the decision log writes into.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_decision_log_has_one_line_per_decision() {
    let buffer = Shared::default();
    let log = DecisionLog::start(Box::new(buffer.clone())).expect("the log starts");
    let state =
        Arc::new(State::new(snapshot(SHOP), None, Limits::default()).with_decision_log(log));
    let item = json!({"instance": "instance 1", "endpoint": "orders"});
    post(&state, "/v1/decide", format!("  {item}\n")).await;
    post(
        &state,
        "/v1/decide/batch",
        json!({"requests": [item, {"bad": 1}]}).to_string(),
    )
    .await;
    let mut lines = Vec::new();
    for _ in 0..200 {
        let text = String::from_utf8_lossy(&buffer.0.lock().expect("not poisoned")).into_owned();
        lines = text.lines().map(str::to_owned).collect();
        if lines.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(lines.len(), 3, "{lines:?}");
    let first: Value = serde_json::from_str(&lines[0]).expect("a JSON line");
    assert_eq!(first["route"], "/v1/decide");
    assert_eq!(first["request"], item);
    assert_eq!(first["answer"]["available"], true);
    assert_eq!(first["bundle"], digest(&state));
    assert!(first["micros"].is_u64());
    assert!(first["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    let third: Value = serde_json::from_str(&lines[2]).expect("a JSON line");
    assert_eq!(third["route"], "/v1/decide/batch");
    assert!(third["answer"]["error"].is_string());
}

#[tokio::test]
async fn the_decision_log_records_the_scopes_asked_with() {
    let buffer = Shared::default();
    let log = DecisionLog::start(Box::new(buffer.clone())).expect("the log starts");
    let rules = "connector hubspot {\n    auth oauth: oauth2_authorization_code < scopes: [\"contacts.read\", \"contacts.write\"] >\n    \
                 endpoint contacts < auth: [oauth(\"contacts.write\")] >\n}\n";
    let state =
        Arc::new(State::new(snapshot(rules), None, Limits::default()).with_decision_log(log));
    let item = json!({"connector": "hubspot", "auth": "oauth", "endpoint": "contacts",
                      "scopes": ["contacts.read"]});
    post(&state, "/v1/decide", item.to_string()).await;
    post(
        &state,
        "/v1/decide/batch",
        json!({"requests": [item]}).to_string(),
    )
    .await;
    post(
        &state,
        "/access/v1/evaluation",
        json!({"subject": {"type": "connection", "id": "row 7", "properties":
                   {"connector": "hubspot", "auth": "oauth", "scopes": ["contacts.read"]}},
               "resource": {"type": "endpoint", "id": "contacts"}, "action": {"name": "call"}})
        .to_string(),
    )
    .await;
    let mut lines = Vec::new();
    for _ in 0..200 {
        let text = String::from_utf8_lossy(&buffer.0.lock().expect("not poisoned")).into_owned();
        lines = text.lines().map(str::to_owned).collect();
        if lines.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(lines.len(), 3, "{lines:?}");
    let lines: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    for line in &lines[..2] {
        assert_eq!(
            line["request"]["scopes"],
            json!(["contacts.read"]),
            "{line}"
        );
        assert_eq!(
            line["answer"]["missing_scopes"],
            json!(["contacts.write"]),
            "{line}"
        );
    }
    assert_eq!(
        lines[2]["request"]["subject"]["properties"]["scopes"],
        json!(["contacts.read"])
    );
    assert_eq!(
        lines[2]["answer"]["context"]["missing_scopes"],
        json!(["contacts.write"])
    );
}

/// A writer that never returns: a disk that hangs.
struct Stuck;

impl Write for Stuck {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        loop {
            std::thread::park();
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_stuck_decision_log_drops_lines_and_never_blocks_answers() {
    let log = DecisionLog::start(Box::new(Stuck)).expect("the log starts");
    let state =
        Arc::new(State::new(snapshot(SHOP), None, Limits::default()).with_decision_log(log));
    let item = json!({"instance": "instance 1", "endpoint": "orders"});
    let batch = json!({"requests": vec![item; 10_000]}).to_string();
    for _ in 0..3 {
        let answer = post(&state, "/v1/decide/batch", batch.clone()).await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let text = String::from_utf8_lossy(&get(&state, "/metrics").await.body).into_owned();
    let dropped: u64 = text
        .lines()
        .find_map(|line| line.strip_prefix("authgate_decision_log_dropped_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the dropped counter");
    // 30,000 lines, a queue of 16,384, and a writer that took what its
    // 64 KiB buffer holds before it hung.
    assert!(dropped > 10_000, "{dropped}");
}
