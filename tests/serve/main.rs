//! `authgate serve`, the HTTP decision service. In process, its router is
//! driven without a socket (`tower::ServiceExt::oneshot`): `decide.rs`,
//! `authzen.rs`, `operations.rs`, and requests with scopes beside the
//! binary's `eval` and `visible` (`scopes.rs`). With the binary (the
//! `cli` feature too), the real server on port 0: startup, signals,
//! `--watch`, signatures and bad clients on the wire (`binary.rs`, which
//! starts it as `process.rs` does for every test), and the Kubernetes
//! manifests of `deploy/` started against it (`deploy.rs`). The
//! playground page of `--ui`, both ways (`ui.rs`).
//!
//! Needs the `serve` feature; `binary.rs`, `deploy.rs`, `process.rs` and
//! `scopes.rs` also need `cli` (both are defaults): `cargo test --test
//! serve`.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails by panicking"
)]

#[path = "../support/mod.rs"]
mod support;

mod authzen;
#[cfg(feature = "cli")]
mod binary;
mod decide;
#[cfg(feature = "cli")]
mod deploy;
mod operations;
#[cfg(feature = "cli")]
mod process;
#[cfg(feature = "cli")]
mod scopes;
mod ui;

use std::sync::Arc;

use authgate::Sources;
use authgate::serve::{Limits, Snapshot, State, router};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

// ---- what the in-process tests share --------------------------------------

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
