//! `POST /v1/decide` and `POST /v1/decide/batch`: `eval`'s requests and
//! answers (see [`crate::policy::request`]) over HTTP, plus the bundle digest.
//! A runtime instance may hold `"scopes"`, decided as `eval` decides them
//! (the one [`Request::answer`]): its names are resolved only for an
//! endpoint that lists the method with scopes alone.
//!
//! A batch is decoded in two steps: the envelope into raw JSON items
//! (borrowed, not parsed), then each item as a request, so that a
//! malformed item gets `{"error": ...}` in its place and the rest are
//! answered. Every answer of a request comes from the one snapshot loaded
//! at its start.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::error::{ApiError, json_body};
use super::state::AppState;
use crate::policy::request::{Request, write_str};

/// `POST /v1/decide`.
pub(crate) async fn decide(State(state): State<AppState>, body: Bytes) -> Response {
    let start = Instant::now();
    let snapshot = state.snapshot();
    let request = match Request::parse(&body) {
        Ok(request) => request,
        Err(error) => return ApiError::request(error.message()).into_response(),
    };
    let mut out = Vec::with_capacity(256);
    let available = match request.answer(&snapshot.policy, &mut out) {
        Ok(available) => available,
        Err(error) => return ApiError::request(error.message()).into_response(),
    };
    let allowed = u64::from(available);
    state.metrics.decisions(allowed, 1 - allowed);
    if let Some(log) = &state.log {
        log.record(
            "/v1/decide",
            &body,
            &out,
            &snapshot.digest,
            start.elapsed().as_micros(),
        );
    }
    // `eval`'s answer plus `"bundle"`: the answer ends with its `}`.
    out.pop();
    out.extend_from_slice(b",\"bundle\":");
    write_str(&mut out, &snapshot.digest);
    out.push(b'}');
    json_body(out)
}

/// The body of `POST /v1/decide/batch`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch<'a> {
    #[serde(borrow)]
    requests: Vec<&'a RawValue>,
}

/// `POST /v1/decide/batch`.
pub(crate) async fn batch(State(state): State<AppState>, body: Bytes) -> Response {
    let start = Instant::now();
    let snapshot = state.snapshot();
    let batch: Batch<'_> = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(error) => {
            return ApiError::request(format!(
                "not a valid batch (`{{\"requests\": [...]}}`): {error}"
            ))
            .into_response();
        }
    };
    let max = state.limits.max_batch;
    if batch.requests.len() > max {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "authgate::too_large",
            format!(
                "the batch has {} requests, over the {max} allowed (--max-batch)",
                batch.requests.len()
            ),
        )
        .into_response();
    }
    state.metrics.batch(batch.requests.len());
    let mut out = Vec::with_capacity(64 + batch.requests.len() * 160);
    out.extend_from_slice(b"{\"bundle\":");
    write_str(&mut out, &snapshot.digest);
    out.extend_from_slice(b",\"answers\":[");
    let (mut allowed, mut denied) = (0, 0);
    for (index, item) in batch.requests.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        let begin = out.len();
        let answered = Request::parse(item.get().as_bytes())
            .and_then(|request| request.answer(&snapshot.policy, &mut out));
        match answered {
            Ok(true) => allowed += 1,
            Ok(false) => denied += 1,
            Err(error) => {
                out.truncate(begin);
                out.extend_from_slice(b"{\"error\":");
                write_str(&mut out, error.message());
                out.push(b'}');
            }
        }
        if let Some(log) = &state.log {
            let answer = out.get(begin..).unwrap_or_default();
            log.record(
                "/v1/decide/batch",
                item.get().as_bytes(),
                answer,
                &snapshot.digest,
                start.elapsed().as_micros(),
            );
        }
    }
    out.extend_from_slice(b"]}");
    state.metrics.decisions(allowed, denied);
    json_body(out)
}
