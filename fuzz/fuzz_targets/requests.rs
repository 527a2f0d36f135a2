//! The decision service's request decoders (`authgate serve`): any body on
//! any POST route gets an answer, never a panic and never a server error,
//! and what is answered is JSON. The router runs in process, as
//! tests/serve/ drives it. The first byte picks the route; the rest is
//! the body.
#![no_main]

use std::sync::{Arc, OnceLock};

use authgate::serve::{Limits, Snapshot, State, router};
use authgate::Sources;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt as _;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt as _;

const RULES: &str = r#"
connector shop {
    auth basic: basic
    auth "OAuth 2": oauth2_authorization_code
    endpoint orders    < auth: [basic] >
    endpoint customers < auth: [basic, "OAuth 2"] >
}
instance "instance 1" of shop < auth: basic >
instance "instance 2" of shop < auth: "OAuth 2" >
"#;

const ROUTES: [&str; 5] = [
    "/v1/decide",
    "/v1/decide/batch",
    "/v1/visible",
    "/access/v1/evaluation",
    "/access/v1/evaluations",
];

fn state() -> &'static (tokio::runtime::Runtime, Arc<State>) {
    static STATE: OnceLock<(tokio::runtime::Runtime, Arc<State>)> = OnceLock::new();
    STATE.get_or_init(|| {
        let mut sources = Sources::new();
        sources.add("shop.gate", RULES);
        let policy = authgate::compile(&sources).policy.expect("the rules compile");
        let mut limits = Limits::default();
        limits.max_batch = 100;
        let state = State::new(Snapshot::new(policy, &sources), None, limits);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        (runtime, Arc::new(state))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&route, body)) = data.split_first() else {
        return;
    };
    let route = ROUTES[usize::from(route) % ROUTES.len()];
    let (runtime, state) = state();
    runtime.block_on(async {
        let request = Request::post(route)
            .body(Body::from(body.to_vec()))
            .expect("a request");
        let response = router(state.clone()).oneshot(request).await.expect("an answer");
        let status = response.status();
        assert!(!status.is_server_error(), "{route}: {status}");
        let bytes = response.into_body().collect().await.expect("a body").to_bytes();
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("a JSON answer");
    });
});
