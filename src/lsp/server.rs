//! The server loop: one message at a time, in order, on one thread.
//! Notifications change the workspace; requests read the latest analysis;
//! diagnostics are published when no message is waiting, so a burst of
//! keystrokes costs one check, not one per keystroke.
//!
//! Nothing a client sends stops the loop: parameters that don't fit a
//! method get `InvalidParams`, an unknown method `MethodNotFound`, a
//! document the server does not know an empty answer.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use serde_json::Value;

use super::positions::{Encoding, Lines, uri_to_name};
use super::reply::{Answer, error, parse, reply};
use super::workspace::Workspace;
use super::{actions, complete, diagnostics, hover, navigate, tokens};

/// The server's state.
pub struct Server<'c> {
    connection: &'c Connection,
    workspace: Workspace,
    encoding: Encoding,
    /// What was last published, per document name.
    published: HashMap<String, Vec<lsp::Diagnostic>>,
    shutting_down: bool,
}

impl<'c> Server<'c> {
    /// A server for a client that sent `params` with `initialize`.
    pub fn new(
        connection: &'c Connection,
        params: &lsp::InitializeParams,
        encoding: Encoding,
    ) -> Self {
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .map(|folder| PathBuf::from(uri_to_name(&folder.uri)))
            .collect();
        #[expect(deprecated, reason = "older clients send only rootUri")]
        if roots.is_empty()
            && let Some(root) = &params.root_uri
        {
            roots.push(PathBuf::from(uri_to_name(root)));
        }
        let workspace = Workspace::new(roots);
        let mut server = Server {
            connection,
            workspace,
            encoding,
            published: HashMap::new(),
            shutting_down: false,
        };
        server.log_problems();
        server.watch(params);
        server
    }

    /// Asks a client that can be asked (`didChangeWatchedFiles` with
    /// dynamic registration: Neovim, Helix) to report changes to rule
    /// files and `authgate.toml` on disk: a `git checkout` or a generated
    /// file then reaches the diagnostics without reopening anything. VS
    /// Code's client watches them by itself (see `editors/vscode`).
    fn watch(&self, params: &lsp::InitializeParams) {
        let dynamic = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files)
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        if !dynamic {
            return;
        }
        let watchers = ["**/*.gate", "**/authgate.toml"]
            .map(|glob| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(glob.to_owned()),
                kind: None,
            })
            .to_vec();
        let registration = lsp::Registration {
            id: "authgate-watch".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(lsp::DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        let params = lsp::RegistrationParams {
            registrations: vec![registration],
        };
        let request = Request::new(
            lsp_server::RequestId::from("authgate-watch".to_owned()),
            "client/registerCapability".to_owned(),
            params,
        );
        self.send(request.into());
    }

    /// Runs until the client sends `exit` or goes away.
    pub fn run(mut self) {
        self.publish();
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    // Answers never run ahead of the diagnostics the
                    // client has: publish the edits before them first.
                    if self.workspace.is_stale() {
                        self.publish();
                    }
                    let response = self.request(request);
                    self.send(response.into());
                }
                Message::Notification(notification) => {
                    if notification.method == "exit" {
                        return;
                    }
                    self.notification(notification);
                }
                Message::Response(_) => {}
            }
            if self.workspace.is_stale() && self.connection.receiver.is_empty() {
                self.publish();
            }
        }
    }

    fn send(&self, message: Message) {
        // The client is gone: the loop ends on the next receive.
        let _ = self.connection.sender.send(message);
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let answer = if self.shutting_down {
            Err(error(
                ErrorCode::InvalidRequest,
                "the server is shutting down",
            ))
        } else {
            self.answer(request)
        };
        Response {
            id,
            response_result: answer,
        }
    }

    fn answer(&mut self, request: Request) -> Answer {
        let encoding = self.encoding;
        let params = request.params;
        match request.method.as_str() {
            "shutdown" => {
                self.shutting_down = true;
                Ok(Value::Null)
            }
            "textDocument/definition" => {
                let p: lsp::GotoDefinitionParams = parse(params)?;
                let at = p.text_document_position_params;
                let analysis = self.workspace.analysis_for(&at.text_document.uri);
                reply(navigate::definition(analysis, encoding, &at))
            }
            "textDocument/references" => {
                let p: lsp::ReferenceParams = parse(params)?;
                let at = p.text_document_position;
                let include = p.context.include_declaration;
                let analysis = self.workspace.analysis_for(&at.text_document.uri);
                reply(navigate::references(analysis, encoding, &at, include))
            }
            "textDocument/prepareRename" => {
                let p: lsp::TextDocumentPositionParams = parse(params)?;
                let analysis = self.workspace.analysis_for(&p.text_document.uri);
                reply(navigate::prepare_rename(analysis, encoding, &p))
            }
            "textDocument/rename" => {
                let p: lsp::RenameParams = parse(params)?;
                let uri = &p.text_document_position.text_document.uri;
                let analysis = self.workspace.analysis_for(uri);
                navigate::rename(analysis, encoding, &p).and_then(reply)
            }
            "textDocument/hover" => {
                let p: lsp::HoverParams = parse(params)?;
                let at = p.text_document_position_params;
                let analysis = self.workspace.analysis_for(&at.text_document.uri);
                reply(hover::hover(analysis, encoding, &at))
            }
            "textDocument/documentSymbol" => {
                let p: lsp::DocumentSymbolParams = parse(params)?;
                let uri = p.text_document.uri;
                reply(navigate::symbols(
                    self.workspace.analysis_for(&uri),
                    encoding,
                    &uri,
                ))
            }
            "textDocument/formatting" => {
                let p: lsp::DocumentFormattingParams = parse(params)?;
                let uri = p.text_document.uri;
                reply(navigate::format(
                    self.workspace.analysis_for(&uri),
                    encoding,
                    &uri,
                ))
            }
            "textDocument/completion" => {
                let p: lsp::CompletionParams = parse(params)?;
                let at = p.text_document_position;
                let analysis = self.workspace.analysis_for(&at.text_document.uri);
                reply(complete::completion(analysis, encoding, &at))
            }
            "textDocument/codeAction" => {
                let p: lsp::CodeActionParams = parse(params)?;
                let analysis = self.workspace.analysis_for(&p.text_document.uri);
                reply(actions::code_actions(analysis, encoding, &p))
            }
            "textDocument/semanticTokens/full" => {
                let p: lsp::SemanticTokensParams = parse(params)?;
                let uri = p.text_document.uri;
                reply(tokens::full(
                    self.workspace.analysis_for(&uri),
                    encoding,
                    &uri,
                ))
            }
            method => Err(error(
                ErrorCode::MethodNotFound,
                &format!("authgate lsp does not know the method `{method}`"),
            )),
        }
    }

    fn notification(&mut self, notification: Notification) {
        let params = notification.params;
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = parse::<lsp::DidOpenTextDocumentParams>(params) {
                    let name = uri_to_name(&p.text_document.uri);
                    self.workspace.set_open(name, p.text_document.text);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = parse::<lsp::DidChangeTextDocumentParams>(params) {
                    let name = uri_to_name(&p.text_document.uri);
                    if let Some(document) = self.workspace.open_mut(&name) {
                        for change in p.content_changes {
                            apply(&mut document.text, change, self.encoding);
                        }
                    }
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = parse::<lsp::DidCloseTextDocumentParams>(params) {
                    self.workspace.close(&uri_to_name(&p.text_document.uri));
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Ok(p) = parse::<lsp::DidChangeWatchedFilesParams>(params) {
                    for change in p.changes {
                        self.workspace.disk_changed(&uri_to_name(&change.uri));
                    }
                    self.log_problems();
                }
            }
            // `initialized`, `didSave`, `$/cancelRequest` (requests are
            // answered in order, before the next is read), and anything
            // else: nothing to do.
            _ => {}
        }
    }

    /// Checks the workspace and publishes the diagnostics of every file
    /// whose diagnostics changed.
    fn publish(&mut self) {
        let encoding = self.encoding;
        let mut now = HashMap::new();
        for analysis in self.workspace.analyses() {
            now.extend(diagnostics::by_file(analysis, encoding));
        }
        let touched = self.workspace.take_touched();
        let mut notifications = Vec::new();
        for (name, list) in &now {
            // A file edited is published even when its diagnostics stay
            // the same: the client learns that it was checked.
            if self.published.get(name) != Some(list) || touched.contains(name) {
                notifications.push((name.clone(), list.clone()));
            }
        }
        for name in self.published.keys() {
            if !now.contains_key(name) {
                notifications.push((name.clone(), Vec::new()));
            }
        }
        for (name, list) in notifications {
            let Some(uri) = super::positions::name_to_uri(&name) else {
                continue;
            };
            let params = lsp::PublishDiagnosticsParams {
                uri,
                diagnostics: list,
                version: None,
            };
            self.send(
                Notification::new("textDocument/publishDiagnostics".to_owned(), params).into(),
            );
        }
        self.published = now;
    }

    fn log_problems(&mut self) {
        for problem in std::mem::take(&mut self.workspace.problems) {
            let params = lsp::LogMessageParams {
                typ: lsp::MessageType::WARNING,
                message: problem,
            };
            self.send(Notification::new("window/logMessage".to_owned(), params).into());
        }
    }
}

/// Applies one content change to a buffer: a whole new text, or a range
/// replaced (positions clamped as everywhere else).
fn apply(text: &mut String, change: lsp::TextDocumentContentChangeEvent, encoding: Encoding) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let lines = Lines::new(text);
            let start = lines.offset(text, range.start, encoding);
            let end = lines.offset(text, range.end, encoding).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}
