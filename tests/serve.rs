#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails by panicking"
)]

//! `authgate serve`'s request logic (DESIGN §14), in process: the router
//! driven without a socket (`tower::ServiceExt::oneshot`). Startup,
//! signals, `--watch` and the real socket are in `serve_binary.rs`.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authgate::serve::{DecisionLog, Limits, Reloaded, Snapshot, Source, State, router};
use authgate::{Options, Principal, Sources};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

const SHOP: &str = r#"
connector shop {
    auth basic: basic
    auth oauth: oauth2_authorization_code
    endpoint orders    < auth: [basic] >
    endpoint customers < auth: [basic, oauth] >
}
instance "instance 1" of shop < auth: basic >
instance "instance 2" of shop < auth: oauth >
"#;

fn snapshot(text: &str) -> Snapshot {
    let mut sources = Sources::new();
    sources.add("shop.gate", text);
    let policy = authgate::compile(&sources)
        .policy
        .expect("the rules compile");
    Snapshot::new(policy, &sources)
}

fn state_with(limits: Limits) -> Arc<State> {
    Arc::new(State::new(snapshot(SHOP), None, limits))
}

fn state() -> Arc<State> {
    state_with(Limits::default())
}

/// Status, headers and body of one request.
struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "not JSON ({error}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The error code of a JSON error body.
    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

async fn send(state: &Arc<State>, request: Request<Body>) -> Answer {
    let response = router(state.clone())
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

async fn post(state: &Arc<State>, uri: &str, body: impl Into<Body>) -> Answer {
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .expect("a request");
    send(state, request).await
}

async fn get(state: &Arc<State>, uri: &str) -> Answer {
    send(
        state,
        Request::get(uri).body(Body::empty()).expect("a request"),
    )
    .await
}

fn digest(state: &Arc<State>) -> String {
    state.snapshot().digest.clone()
}

#[tokio::test]
async fn decide_is_evals_answer_plus_the_bundle() {
    let state = state();
    let snapshot = state.snapshot();
    let cases = [
        (
            json!({"instance": "instance 1", "endpoint": "orders"}),
            true,
        ),
        (
            json!({"instance": "instance 2", "endpoint": "orders"}),
            false,
        ),
        (
            json!({"connector": "shop", "auth": "oauth", "endpoint": "customers"}),
            true,
        ),
        // Unknown names: 200, not available, with the reason.
        (json!({"instance": "nope", "endpoint": "orders"}), false),
        (
            json!({"connector": "shop", "auth": "basic", "endpoint": "ordres"}),
            false,
        ),
    ];
    for (request, available) in cases {
        let answer = post(&state, "/v1/decide", request.to_string()).await;
        assert_eq!(answer.status, StatusCode::OK, "{request}");
        assert_eq!(
            answer.headers[header::CONTENT_TYPE],
            "application/json",
            "{request}"
        );
        let got = answer.json();
        assert_eq!(got["available"], available, "{request}");
        // eval's answer is the library's serialisation of the decision.
        let endpoint = request["endpoint"].as_str().expect("named");
        let principal = match request["instance"].as_str() {
            Some(instance) => Principal::Instance(instance),
            None => Principal::Runtime {
                connector: request["connector"].as_str().expect("named"),
                method: request["auth"].as_str().expect("named"),
            },
        };
        let decision = snapshot.policy.decide(principal, endpoint);
        let mut expected =
            serde_json::to_value(snapshot.policy.answer(&decision, principal, endpoint))
                .expect("serialises");
        expected["bundle"] = json!(snapshot.digest);
        assert_eq!(got, expected);
    }
}

#[tokio::test]
async fn decide_refuses_malformed_requests_with_400_and_a_json_error() {
    let state = state();
    let bad = [
        "not json",
        "",
        "[]",
        "{\"instance\": \"instance 1\"}",
        "{\"instance\": \"instance 1\", \"connector\": \"shop\", \"auth\": \"basic\", \"endpoint\": \"orders\"}",
        "{\"instance\": null, \"connector\": \"shop\", \"auth\": \"basic\", \"endpoint\": \"orders\"}",
        "{\"instance\": 7, \"endpoint\": \"orders\"}",
        "{\"instance\": \"instance 1\", \"endpoint\": \"orders\", \"extra\": 1}",
        "{\"instance\": \"instance 1\", \"endpoint\": \"orders\"",
        "\u{0}\u{ff}",
    ];
    for body in bad {
        let answer = post(&state, "/v1/decide", body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body:?}");
        assert_eq!(answer.code(), "authgate::request", "{body:?}");
        assert!(answer.json()["error"]["message"].is_string(), "{body:?}");
    }
}

#[tokio::test]
async fn a_batch_is_answered_in_order_with_errors_in_place() {
    let state = state();
    let body = json!({"requests": [
        {"instance": "instance 1", "endpoint": "orders"},
        {"instance": "instance 1"},
        7,
        {"connector": "shop", "auth": "oauth", "endpoint": "orders"},
        {"instance": "who", "endpoint": "orders"},
    ]});
    let answer = post(&state, "/v1/decide/batch", body.to_string()).await;
    assert_eq!(answer.status, StatusCode::OK);
    let got = answer.json();
    assert_eq!(got["bundle"], digest(&state));
    let answers = got["answers"].as_array().expect("answers");
    assert_eq!(answers.len(), 5);
    assert_eq!(answers[0]["available"], true);
    assert!(answers[0].get("bundle").is_none(), "bundle is given once");
    assert_eq!(answers[1]["error"], "a request needs `endpoint`");
    assert!(
        answers[2]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("not a valid request"))
    );
    assert_eq!(answers[3]["available"], false);
    assert_eq!(answers[3]["auth"], "oauth");
    assert_eq!(answers[4]["reason"], "unknown instance `who`");

    let empty = post(&state, "/v1/decide/batch", "{\"requests\": []}").await;
    assert_eq!(empty.json()["answers"], json!([]));

    for bad in [
        "{}",
        "{\"requests\": 1}",
        "{\"requests\": [], \"more\": 1}",
        "[",
    ] {
        let answer = post(&state, "/v1/decide/batch", bad).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer.code(), "authgate::request", "{bad}");
    }
}

#[tokio::test]
async fn too_many_items_or_too_many_bytes_are_413() {
    let mut limits = Limits::default();
    limits.max_batch = 3;
    limits.max_body = 1000;
    let state = state_with(limits);
    let item = json!({"instance": "instance 1", "endpoint": "orders"});
    let four = json!({"requests": [item, item, item, item]});
    let answer = post(&state, "/v1/decide/batch", four.to_string()).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.code(), "authgate::too_large");
    let three = json!({"requests": [item, item, item]});
    let answer = post(&state, "/v1/decide/batch", three.to_string()).await;
    assert_eq!(answer.status, StatusCode::OK);

    // Over --max-body, with a length given up front and without one.
    let big = format!("{{\"requests\": [], \"pad\": \"{}\"}}", "x".repeat(2000));
    for route in ["/v1/decide", "/v1/decide/batch", "/access/v1/evaluation"] {
        let answer = post(&state, route, big.clone()).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{route}");
        assert_eq!(answer.code(), "authgate::too_large", "{route}");
    }
    let streamed = Body::new(Chunks {
        left: 20,
        stall: false,
    });
    let answer = post(&state, "/v1/decide", streamed).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.code(), "authgate::too_large");
}

/// A body of `left` chunks of 100 spaces, its length not known up front;
/// with `stall`, it never ends (a client that stopped sending).
struct Chunks {
    left: usize,
    stall: bool,
}

impl axum::body::HttpBody for Chunks {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::task::Poll;
        if self.left == 0 {
            return if self.stall {
                Poll::Pending
            } else {
                Poll::Ready(None)
            };
        }
        self.left -= 1;
        Poll::Ready(Some(Ok(http_body::Frame::data(axum::body::Bytes::from(
            vec![b' '; 100],
        )))))
    }
}

#[tokio::test(start_paused = true)]
async fn a_request_slower_than_the_timeout_is_408() {
    let mut limits = Limits::default();
    limits.timeout = Duration::from_secs(2);
    let state = state_with(limits);
    let stalled = Body::new(Chunks {
        left: 1,
        stall: true,
    });
    let answer = post(&state, "/v1/decide", stalled).await;
    assert_eq!(answer.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(answer.code(), "authgate::timeout");
}

#[tokio::test]
async fn visible_lists_and_404s_an_unknown_name() {
    let state = state();
    let answer = post(&state, "/v1/visible", "{\"instance\": \"instance 2\"}").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json(),
        json!({"instance": "instance 2", "connector": "shop", "auth": "oauth",
               "endpoints": ["customers"], "bundle": digest(&state)})
    );
    let answer = post(
        &state,
        "/v1/visible",
        "{\"connector\": \"shop\", \"auth\": \"basic\"}",
    )
    .await;
    assert_eq!(answer.json()["instance"], Value::Null);
    assert_eq!(answer.json()["endpoints"], json!(["orders", "customers"]));

    let answer = post(&state, "/v1/visible", "{\"instance\": \"instance 3\"}").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.code(), "authgate::unknown");
    assert_eq!(
        answer.json()["error"]["message"],
        "unknown instance `instance 3`; did you mean `instance 1`?"
    );
    let answer = post(
        &state,
        "/v1/visible",
        "{\"connector\": \"shop\", \"auth\": \"oauht\"}",
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`oauht`") && m.contains("`oauth`"))
    );
    for bad in [
        "{}",
        "{\"instance\": \"a\", \"auth\": \"b\"}",
        "{\"instance\": null, \"connector\": \"shop\", \"auth\": \"basic\"}",
        "nope",
    ] {
        let answer = post(&state, "/v1/visible", bad).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

async fn authzen(state: &Arc<State>, route: &str, body: Value) -> Answer {
    post(state, route, body.to_string()).await
}

#[tokio::test]
async fn authzen_evaluation_maps_instances_connections_endpoints_and_call() {
    let state = state();
    let bundle = digest(&state);
    let evaluation = "/access/v1/evaluation";
    let answer = authzen(
        &state,
        evaluation,
        json!({"subject": {"type": "instance", "id": "instance 1"},
               "resource": {"type": "endpoint", "id": "orders"},
               "action": {"name": "call"},
               "context": {"time": "now"}}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json(),
        json!({"decision": true, "context": {
            "reason": "instance `instance 1` authenticates with `basic`, which `orders` activates",
            "bundle": bundle}})
    );
    let answer = authzen(
        &state,
        evaluation,
        json!({"subject": {"type": "connection", "id": "db row 7",
                           "properties": {"connector": "shop", "auth": "oauth"}},
               "resource": {"type": "endpoint", "id": "orders"},
               "action": {"name": "call"}}),
    )
    .await;
    assert_eq!(answer.json()["decision"], false);
    assert_eq!(
        answer.json()["context"]["reason"],
        "a runtime instance of `shop` authenticates with `oauth`, which `orders` does not activate"
    );
    // Other actions and types: denied, with a reason.
    for (body, reason) in [
        (
            json!({"subject": {"type": "instance", "id": "instance 1"},
                   "resource": {"type": "endpoint", "id": "orders"},
                   "action": {"name": "delete"}}),
            "authgate decides the action `call`, not `delete`",
        ),
        (
            json!({"subject": {"type": "user", "id": "alice"},
                   "resource": {"type": "endpoint", "id": "orders"},
                   "action": {"name": "call"}}),
            "authgate decides for subjects of type `instance` or `connection`, not `user`",
        ),
        (
            json!({"subject": {"type": "instance", "id": "instance 1"},
                   "resource": {"type": "document", "id": "orders"},
                   "action": {"name": "call"}}),
            "authgate decides for resources of type `endpoint`, not `document`",
        ),
    ] {
        let answer = authzen(&state, evaluation, body).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.json()["decision"], false);
        assert_eq!(answer.json()["context"]["reason"], reason);
    }
    // Malformed: 400.
    for body in [
        json!({"subject": {"type": "instance", "id": "instance 1"},
               "resource": {"type": "endpoint", "id": "orders"}}),
        json!({"subject": {"type": "connection", "id": "x", "properties": {"connector": "shop"}},
               "resource": {"type": "endpoint", "id": "orders"}, "action": {"name": "call"}}),
        json!({"subject": {"type": "instance", "id": 7},
               "resource": {"type": "endpoint", "id": "orders"}, "action": {"name": "call"}}),
        json!([]),
    ] {
        let answer = authzen(&state, evaluation, body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.code(), "authgate::request");
    }
}

#[tokio::test]
async fn authzen_evaluations_apply_defaults_and_semantics() {
    let state = state();
    let route = "/access/v1/evaluations";
    let items = json!([
        {"resource": {"type": "endpoint", "id": "customers"}},
        {"resource": {"type": "endpoint", "id": "orders"}},
        {"subject": {"type": "instance", "id": "instance 1"},
         "resource": {"type": "endpoint", "id": "orders"}},
        {"resource": {"type": "endpoint", "id": 3}},
    ]);
    let request = |semantic: Option<&str>| {
        let mut body = json!({
            "subject": {"type": "instance", "id": "instance 2"},
            "action": {"name": "call"},
            "evaluations": items,
        });
        if let Some(semantic) = semantic {
            body["options"] = json!({"evaluations_semantic": semantic});
        }
        body
    };
    let decisions = |answer: &Answer| -> Vec<Value> {
        answer.json()["evaluations"]
            .as_array()
            .expect("evaluations")
            .iter()
            .map(|e| e["decision"].clone())
            .collect()
    };
    let all = authzen(&state, route, request(None)).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(decisions(&all), [true, false, true, false]);
    let last = &all.json()["evaluations"][3];
    assert_eq!(last["context"]["error"]["status"], 400);
    assert_eq!(
        decisions(&authzen(&state, route, request(Some("execute_all"))).await),
        [true, false, true, false]
    );
    assert_eq!(
        decisions(&authzen(&state, route, request(Some("deny_on_first_deny"))).await),
        [true, false]
    );
    assert_eq!(
        decisions(&authzen(&state, route, request(Some("permit_on_first_permit"))).await),
        [true]
    );
    let answer = authzen(&state, route, request(Some("sometimes"))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);

    // No items: one evaluation, answered as one.
    let single = authzen(
        &state,
        route,
        json!({"subject": {"type": "instance", "id": "instance 2"},
               "action": {"name": "call"},
               "resource": {"type": "endpoint", "id": "customers"}}),
    )
    .await;
    assert_eq!(single.json()["decision"], true);
    assert_eq!(single.json()["context"]["bundle"], digest(&state));
}

#[tokio::test]
async fn authzen_discovery_names_the_endpoints() {
    let state = state();
    let request = Request::get("/.well-known/authzen-configuration")
        .header(header::HOST, "pdp.example:8181")
        .body(Body::empty())
        .expect("a request");
    let answer = send(&state, request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json(),
        json!({
            "policy_decision_point": "http://pdp.example:8181",
            "access_evaluation_endpoint": "http://pdp.example:8181/access/v1/evaluation",
            "access_evaluations_endpoint": "http://pdp.example:8181/access/v1/evaluations",
        })
    );
}

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

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
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

/// Two rule sets that disagree on every decision: in `A`, every endpoint
/// activates `basic`, in `B` only `oauth`; the instance uses `basic`.
fn disagreeing(method: &str, endpoints: usize) -> Snapshot {
    let mut text = String::from("connector c {\n auth basic: basic\n auth oauth: oauth1\n");
    for e in 0..endpoints {
        text.push_str(&format!(" endpoint e{e} < auth: [{method}] >\n"));
    }
    text.push_str("}\ninstance i of c < auth: basic >\n");
    snapshot(&text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_never_mixes_two_rule_sets() {
    const ENDPOINTS: usize = 200;
    let state = Arc::new(State::new(
        disagreeing("basic", ENDPOINTS),
        None,
        Limits::default(),
    ));
    let digest_a = digest(&state);
    let body = json!({"requests": (0..ENDPOINTS)
        .map(|e| json!({"instance": "i", "endpoint": format!("e{e}")}))
        .collect::<Vec<_>>()})
    .to_string();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (state, stop) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut swaps = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let method = if swaps % 2 == 0 { "oauth" } else { "basic" };
                state.install(disagreeing(method, ENDPOINTS));
                swaps += 1;
            }
            swaps
        })
    };
    let (mut seen_a, mut seen_b) = (0, 0);
    for _ in 0..200 {
        let answer = post(&state, "/v1/decide/batch", body.clone()).await.json();
        let answers = answer["answers"].as_array().expect("answers");
        assert_eq!(answers.len(), ENDPOINTS);
        let allowed = answers.iter().filter(|a| a["available"] == true).count();
        let is_a = answer["bundle"] == digest_a;
        if is_a {
            seen_a += 1;
            assert_eq!(allowed, ENDPOINTS, "rule set A allows every endpoint");
        } else {
            seen_b += 1;
            assert_eq!(allowed, 0, "rule set B allows none");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().expect("the swapper ends");
    assert!(swaps > 2, "the rules were swapped while batches ran");
    // Both rule sets answered (not a test that only ever saw one).
    assert!(seen_a > 0 && seen_b > 0, "A {seen_a}, B {seen_b}");
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
