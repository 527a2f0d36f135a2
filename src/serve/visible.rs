//! `POST /v1/visible`: what an instance sees, as `visible --format json`
//! prints it, plus the bundle digest. An unknown name is a 404 that names
//! it (and the close name, if any). A runtime instance may hold
//! `"scopes"`, as with `visible --scopes`: the document then lists them,
//! and those its method does not declare (which grant nothing).

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

/// `{"instance": I}` or `{"connector": C, "auth": M}`, the latter
/// optionally with `"scopes": [S, ...]`; `null` is refused as in `eval`
/// (see [`crate::policy::request`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Query<'a> {
    #[serde(borrow, default)]
    instance: Field<'a>,
    #[serde(borrow, default)]
    connector: Field<'a>,
    #[serde(borrow, default)]
    auth: Field<'a>,
    /// Left out: `None`; `null`: `Some(None)`, refused.
    #[serde(default, deserialize_with = "given")]
    scopes: Option<Option<Vec<String>>>,
}

/// A field that is present, `null` or not, as `Some`: so that `null` can
/// be told from a field left out.
fn given<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// `visible --format json`'s document, plus the bundle.
#[derive(Serialize)]
struct Answer<'p> {
    #[serde(flatten)]
    visible: Visible<'p>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<&'p [&'p str]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown_scopes: Option<&'p [&'p str]>,
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
    let scopes: Vec<&str> = match &query.scopes {
        None => Vec::new(),
        Some(None) => {
            return ApiError::request(
                "`scopes` is null: give a list of names, or leave the field out",
            )
            .into_response();
        }
        Some(Some(scopes)) => scopes.iter().map(String::as_str).collect(),
    };
    let principal = match names {
        (Some(_), None, None) if query.scopes.is_some() => {
            return ApiError::request(
                "`scopes` goes with `connector` and `auth`: a declared instance holds the scopes its declaration gives it",
            )
            .into_response();
        }
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
    let (visible, unknown) = if scopes.is_empty() {
        (policy.visible_to(subject), Vec::new())
    } else {
        let set = policy.scope_set(subject.method, &scopes);
        (
            policy.visible_to_with_scopes(subject.method, &set),
            policy.unknown_scopes(subject.method, &scopes),
        )
    };
    let answer = Answer {
        visible,
        scopes: (!scopes.is_empty()).then_some(&scopes),
        unknown_scopes: (!unknown.is_empty()).then_some(&unknown),
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
