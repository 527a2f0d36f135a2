//! How a request is answered: its parameters decoded, then a result as
//! JSON or an LSP error. Shared by the loop (`server`) and the
//! capabilities that refuse a request themselves (`navigate`'s rename).

use lsp_server::{ErrorCode, ResponseError};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What a request handler answers: a result, or an LSP error.
pub(super) type Answer = Result<Value, ResponseError>;

/// The parameters of a request or notification, or `InvalidParams`.
pub(super) fn parse<T: DeserializeOwned>(params: Value) -> Result<T, ResponseError> {
    serde_json::from_value(params).map_err(|e| {
        error(
            ErrorCode::InvalidParams,
            &format!("invalid parameters: {e}"),
        )
    })
}

/// A result as JSON (an internal error if it cannot be one).
pub(super) fn reply(result: impl serde::Serialize) -> Answer {
    serde_json::to_value(result).map_err(|e| error(ErrorCode::InternalError, &e.to_string()))
}

/// An LSP error.
pub(super) fn error(code: ErrorCode, message: &str) -> ResponseError {
    ResponseError {
        code: code as i32,
        message: message.to_owned(),
        data: None,
    }
}
