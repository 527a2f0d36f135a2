//! `/decide` and `/visible` in process: `eval`'s answers plus the bundle,
//! batches in order and never across two rule sets, malformed requests,
//! size limits and the request timeout.

use std::sync::Arc;
use std::time::Duration;

use authgate::Principal;
use authgate::serve::{Limits, Snapshot, State};
use axum::body::Body;
use axum::http::{StatusCode, header};
use serde_json::{Value, json};

use super::{digest, post, snapshot, state, state_with};

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
