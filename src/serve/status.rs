//! The routes that say how the service is doing rather than decide:
//! `GET /v1/bundle` (what is serving: digest, files, counts, the last
//! reload; `ETag` is the digest, so `If-None-Match` answers 304), the
//! health routes and `GET /metrics`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::json_body;
use super::state::AppState;
use super::time::rfc3339;
use crate::policy::Policy;

/// `GET /v1/bundle`.
pub(crate) async fn bundle(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let snapshot = state.snapshot();
    let etag = format!("\"{}\"", snapshot.digest);
    let etag_value = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag.as_str()));
    if matches {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    let last_reload = state.last_reload().map(|reload| {
        serde_json::json!({
            "at": rfc3339(reload.at),
            "ok": reload.ok,
            "diagnostics": reload.diagnostics,
        })
    });
    let counts = Counts::of(&snapshot.policy);
    let body = serde_json::json!({
        "digest": snapshot.digest,
        "files": snapshot.files,
        "loaded_at": rfc3339(snapshot.loaded_at),
        "connectors": counts.connectors,
        "endpoints": counts.endpoints,
        "methods": counts.methods,
        "instances": counts.instances,
        "last_reload": last_reload,
    });
    let mut response = json_body(body.to_string().into_bytes());
    response.headers_mut().insert(header::ETAG, etag_value);
    response
}

/// `GET /health/live`: the process runs.
pub(crate) async fn live() -> Response {
    json_body(b"{\"status\":\"live\"}".to_vec())
}

/// `GET /health/ready`: a policy is active, which is always true once
/// started (startup refuses rules that don't load).
pub(crate) async fn ready(State(state): State<AppState>) -> Response {
    let body = serde_json::json!({"status": "ready", "bundle": state.snapshot().digest});
    json_body(body.to_string().into_bytes())
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let snapshot = state.snapshot();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&snapshot.digest, snapshot.loaded_at),
    )
        .into_response()
}

/// What a rule set declares, for `/v1/bundle`.
struct Counts {
    connectors: usize,
    endpoints: usize,
    methods: usize,
    instances: usize,
}

impl Counts {
    fn of(policy: &Policy) -> Counts {
        let connectors: Vec<_> = policy.connector_ids().collect();
        Counts {
            connectors: connectors.len(),
            endpoints: connectors
                .iter()
                .map(|&c| policy.endpoints(c).count())
                .sum(),
            methods: connectors.iter().map(|&c| policy.methods(c).count()).sum(),
            instances: policy.instance_ids().count(),
        }
    }
}
