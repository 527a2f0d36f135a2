//! `POST /v1/visible`: what an instance sees, as `visible --format json`
//! prints it, plus the bundle digest. An unknown name is a 404 that names
//! it (and the close name, if any).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, json_body};
use super::state::AppState;
use crate::policy::Visible;
use crate::policy::request::Field;
use crate::policy::{Decision, Principal};

/// `{"instance": I}` or `{"connector": C, "auth": M}`; `null` is refused
/// as in `eval` (see [`crate::policy::request`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Query<'a> {
    #[serde(borrow, default)]
    instance: Field<'a>,
    #[serde(borrow, default)]
    connector: Field<'a>,
    #[serde(borrow, default)]
    auth: Field<'a>,
}

#[derive(Serialize)]
struct Answer<'p> {
    #[serde(flatten)]
    visible: Visible<'p>,
    bundle: &'p str,
}

/// `POST /v1/visible`.
pub(crate) async fn visible(State(state): State<AppState>, body: Bytes) -> Response {
    let snapshot = state.snapshot();
    let query: Query<'_> = match serde_json::from_slice(&body) {
        Ok(query) => query,
        Err(error) => {
            return ApiError::request(format!("not a valid visible request: {error}"))
                .into_response();
        }
    };
    let names = (|| {
        Ok::<_, crate::policy::request::RequestError>((
            query.instance.name("instance")?,
            query.connector.name("connector")?,
            query.auth.name("auth")?,
        ))
    })();
    let names = match names {
        Ok(names) => names,
        Err(error) => return ApiError::request(error.message()).into_response(),
    };
    let principal = match names {
        (Some(instance), None, None) => Principal::Instance(instance),
        (None, Some(connector), Some(auth)) => Principal::Runtime {
            connector,
            method: auth,
        },
        _ => {
            return ApiError::request(
                "a visible request names either `instance`, or `connector` and `auth`",
            )
            .into_response();
        }
    };
    let policy = &snapshot.policy;
    let subject = match policy.subject(principal) {
        Ok(subject) => subject,
        Err(unknown) => {
            let message = policy.describe(&Decision::from(unknown));
            return ApiError::new(StatusCode::NOT_FOUND, "authgate::unknown", message)
                .into_response();
        }
    };
    let answer = Answer {
        visible: policy.visible_to(subject),
        bundle: &snapshot.digest,
    };
    match serde_json::to_vec(&answer) {
        Ok(bytes) => json_body(bytes),
        Err(error) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "authgate::internal",
            error.to_string(),
        )
        .into_response(),
    }
}
