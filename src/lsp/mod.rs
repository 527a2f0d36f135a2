//! `authgate lsp`: a language server (LSP 3.17) for `.gate` files, built
//! on the same checker as `authgate check`, so the two can't disagree.
//!
//! Synchronous and in order, on `lsp-server` (rust-analyzer's scaffold) and
//! `lsp-types`: each message is handled to the end before the next is
//! read, so no answer is computed from a half-applied edit, and no async
//! runtime is needed. One module per concern:
//!
//! - `server`: the loop, dispatch, publishing diagnostics; `reply`:
//!   decoding parameters, answers and LSP errors;
//! - `workspace`: files on disk with open buffers laid over them, and the
//!   analysis (the checker's run) of them;
//! - `positions`: positions in the negotiated encoding, URIs;
//! - `index`: every name, where declared and where used;
//! - `diagnostics`, `navigate` (definition, references, rename, symbols,
//!   formatting), `hover`, `complete`, `actions`, `tokens`: the
//!   capabilities; `lex`: a tokenizer for text that does not parse yet.
//!
//! [`run`] serves any [`lsp_server::Connection`]: standard input and
//! output for editors ([`stdio`]), or `Connection::memory()` in tests.

mod actions;
mod complete;
mod diagnostics;
mod hover;
mod index;
mod lex;
mod navigate;
mod positions;
mod reply;
mod server;
mod tokens;
mod workspace;

use lsp_server::Connection;
use lsp_types as lsp;

pub use lsp_server;
pub use lsp_types;

use positions::Encoding;

/// Why the server could not serve: the client broke the protocol before
/// initialization ended (a message other than a request or a notification
/// before `initialize`, no `initialized` after it, or it went away), or
/// standard input and output failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Error(String);

impl From<lsp_server::ProtocolError> for Error {
    fn from(error: lsp_server::ProtocolError) -> Self {
        Error(error.to_string())
    }
}

/// Serves the client on the other end of `connection` until it sends
/// `exit` (or closes the connection). Fails only when the client breaks
/// the protocol before initialization ends (see [`Error`]).
pub fn run(connection: &Connection) -> Result<(), Error> {
    // An `initialize` whose parameters don't fit gets `InvalidParams`, and
    // the server waits for a good one.
    let (id, params) = loop {
        let (id, params) = connection.initialize_start()?;
        match serde_json::from_value::<lsp::InitializeParams>(params) {
            Ok(params) => break (id, params),
            Err(error) => {
                let response = lsp_server::Response::new_err(
                    id,
                    lsp_server::ErrorCode::InvalidParams as i32,
                    format!("invalid initialize parameters: {error}"),
                );
                let _ = connection.sender.send(response.into());
            }
        }
    };
    let encoding = negotiate(&params);
    let result = lsp::InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(lsp::ServerInfo {
            name: "authgate".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|error| Error(error.to_string()))?;
    connection.initialize_finish(id, result)?;
    server::Server::new(connection, &params, encoding).run();
    Ok(())
}

/// Serves a client on standard input and output: `authgate lsp`.
pub fn stdio() -> Result<(), Error> {
    let (connection, threads) = Connection::stdio();
    run(&connection)?;
    drop(connection);
    threads.join().map_err(|error| Error(error.to_string()))
}

/// The first encoding the client offers that the server knows: UTF-8 and
/// UTF-32 spare a conversion; UTF-16 is the default every client speaks.
fn negotiate(params: &lsp::InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    offered
        .into_iter()
        .flatten()
        .find_map(|kind| match kind.as_str() {
            "utf-8" => Some(Encoding::Utf8),
            "utf-16" => Some(Encoding::Utf16),
            "utf-32" => Some(Encoding::Utf32),
            _ => None,
        })
        .unwrap_or_default()
}

fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    let kind = match encoding {
        Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
    };
    lsp::ServerCapabilities {
        position_encoding: Some(kind),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
            lsp::TextDocumentSyncKind::INCREMENTAL,
        )),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
        })),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(
                ["[", "(", ",", ":", "\"", ">", "/"]
                    .map(str::to_owned)
                    .to_vec(),
            ),
            ..lsp::CompletionOptions::default()
        }),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..lsp::CodeActionOptions::default()
            },
        )),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: tokens::legend(),
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
                },
            ),
        ),
        ..lsp::ServerCapabilities::default()
    }
}
