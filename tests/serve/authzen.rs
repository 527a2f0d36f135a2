//! The AuthZEN routes in process: evaluation, evaluations with defaults
//! and semantics, and discovery.

use std::sync::Arc;

use authgate::serve::State;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use super::{Answer, digest, post, send, state};

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
