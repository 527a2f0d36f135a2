//! Error answers: every error the server sends is JSON,
//! `{"error": {"code": "authgate::...", "message": "..."}}`, whether a
//! route wrote it or a layer did (body limit, timeout, no such route, wrong
//! method): [`json_errors`] rewrites the layers' plain-text bodies.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::state::AppState;

/// An error answer.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// Malformed JSON or a wrong shape: 400.
    pub(crate) fn request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "authgate::request", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": {"code": self.code, "message": self.message}
        });
        (self.status, json_body(body.to_string().into_bytes())).into_response()
    }
}

/// A JSON body with its content type.
pub(crate) fn json_body(bytes: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response()
}

/// Rewrites an error response that is not JSON (from a layer or axum's
/// own rejections) into the JSON error of its status, keeping its headers
/// (`Allow` on a 405).
pub(crate) async fn json_errors(State(state): State<AppState>, response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let limits = state.limits;
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("authgate::not_found", "no such route".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "authgate::method",
            "this route does not take this HTTP method (see `Allow`)".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "authgate::too_large",
            format!("the body is over {} bytes (--max-body)", limits.max_body),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "authgate::timeout",
            format!(
                "the request took longer than {} ms (--timeout)",
                limits.timeout.as_millis()
            ),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("authgate::request", "send the body as JSON".to_owned())
        }
        status if status.is_client_error() => (
            "authgate::request",
            format!(
                "the request was refused: {}",
                status.canonical_reason().unwrap_or("client error")
            ),
        ),
        status => (
            "authgate::internal",
            format!(
                "the server failed: {}",
                status.canonical_reason().unwrap_or("server error")
            ),
        ),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let answer = ApiError::new(status, code, message).into_response();
    let (answer_parts, body) = answer.into_parts();
    parts.headers.extend(answer_parts.headers);
    Response::from_parts(parts, body)
}
