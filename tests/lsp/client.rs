//! A test client: runs `authgate::lsp::run` on a thread over an in-memory
//! connection and speaks JSON-RPC to it, as an editor would. Cursor
//! positions are marked in test sources with `$1`, `$2`...; positions sent
//! are UTF-16 (LSP's default), computed here independently of the server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use authgate::lsp::lsp_server::{
    Connection, Message, Notification, Request, RequestId, ResponseError,
};
use serde_json::{Value, json};

pub struct Client {
    conn: Connection,
    thread: Option<JoinHandle<()>>,
    next: i32,
    pub dir: tempfile::TempDir,
    /// The latest diagnostics published, by URI.
    pub published: HashMap<String, Vec<Value>>,
    /// How many times each URI was published.
    pub publishes: HashMap<String, usize>,
    versions: HashMap<String, i32>,
}

/// `text` without its `$N` markers, and the byte offset of each marker in
/// the clean text, by number.
pub fn marked(text: &str) -> (String, HashMap<u32, usize>) {
    let mut clean = String::with_capacity(text.len());
    let mut marks = HashMap::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let (before, after) = rest.split_at(at);
        clean.push_str(before);
        let digits: String = after[1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.is_empty() {
            clean.push('$');
            rest = &after[1..];
            continue;
        }
        marks.insert(digits.parse().unwrap(), clean.len());
        rest = &after[1 + digits.len()..];
    }
    clean.push_str(rest);
    (clean, marks)
}

/// The UTF-16 position of byte `offset` of `text`.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].encode_utf16().count();
    json!({"line": line, "character": character})
}

/// Applies LSP text edits (UTF-16 ranges) to `text`.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (start, end, new) in edits {
        out.replace_range(start..end, &new);
    }
    out
}

impl Client {
    /// Writes `files` (path in the workspace, text) and starts a server on
    /// the workspace folder.
    pub fn start(files: &[(&str, &str)]) -> Client {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Client::start_in(dir, json!({}))
    }

    pub fn start_in(dir: tempfile::TempDir, capabilities: Value) -> Client {
        let (server, conn) = Connection::memory();
        let thread = std::thread::spawn(move || {
            authgate::lsp::run(&server).unwrap();
        });
        let mut client = Client {
            conn,
            thread: Some(thread),
            next: 0,
            dir,
            published: HashMap::new(),
            publishes: HashMap::new(),
            versions: HashMap::new(),
        };
        let root = client.uri("");
        let root = root.trim_end_matches('/').to_owned();
        let result = client
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": null,
                    "capabilities": capabilities,
                    "workspaceFolders": [{"uri": root, "name": "w"}],
                }),
            )
            .unwrap();
        assert!(
            result["capabilities"]["definitionProvider"]
                .as_bool()
                .unwrap()
        );
        client.notify("initialized", json!({}));
        client
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The URI of a file of the workspace.
    pub fn uri(&self, name: &str) -> String {
        uri_of(&self.path(name))
    }

    pub fn notify(&self, method: &str, params: Value) {
        let notification = Notification::new(method.to_owned(), params);
        self.conn.sender.send(notification.into()).unwrap();
    }

    /// Sends a request and waits for its answer, keeping the diagnostics
    /// published before it.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        self.next += 1;
        let id = RequestId::from(self.next);
        let request = Request::new(id.clone(), method.to_owned(), params);
        self.conn.sender.send(request.into()).unwrap();
        loop {
            match self.recv() {
                Message::Response(response) if response.id == id => {
                    return response.response_result;
                }
                _ => {}
            }
        }
    }

    fn recv(&mut self) -> Message {
        let message = self
            .conn
            .receiver
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the server answers");
        if let Message::Notification(n) = &message
            && n.method == "textDocument/publishDiagnostics"
        {
            let uri = n.params["uri"].as_str().unwrap().to_owned();
            let list = n.params["diagnostics"].as_array().unwrap().clone();
            *self.publishes.entry(uri.clone()).or_default() += 1;
            self.published.insert(uri, list);
        }
        message
    }

    /// Waits until the server has handled every message sent so far (and
    /// published what they changed).
    pub fn sync(&mut self) {
        let _ = self.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": "untitled:sync"}}),
        );
    }

    pub fn open(&mut self, name: &str, text: &str) {
        let uri = self.uri(name);
        self.versions.insert(uri.clone(), 1);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "authgate", "version": 1, "text": text}}),
        );
    }

    /// Replaces the whole text of an open document.
    pub fn change(&mut self, name: &str, text: &str) {
        let uri = self.uri(name);
        let version = self.versions.entry(uri.clone()).or_default();
        *version += 1;
        let version = *version;
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// The diagnostics of `name` once every message sent is handled.
    pub fn diagnostics(&mut self, name: &str) -> Vec<Value> {
        self.sync();
        self.published
            .get(&self.uri(name))
            .cloned()
            .unwrap_or_default()
    }

    /// `{"textDocument", "position"}` for marker `mark` of `text` in `name`.
    pub fn at(&self, name: &str, text: &str, offset: usize) -> Value {
        json!({"textDocument": {"uri": self.uri(name)}, "position": position(text, offset)})
    }

    /// Shuts the server down and waits for its thread.
    pub fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null).unwrap(), Value::Null);
        self.shutdown_after_request();
    }

    /// Sends `exit` (after `shutdown`) and waits for the server's thread.
    pub fn shutdown_after_request(mut self) {
        self.notify("exit", Value::Null);
        self.thread.take().unwrap().join().unwrap();
    }
}

pub fn uri_of(path: &Path) -> String {
    let mut uri = String::from("file://");
    for c in path.to_str().unwrap().chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '/' | '-' | '.' | '_' | '~' => uri.push(c),
            c => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    uri.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    uri
}

/// The codes of a list of published diagnostics.
pub fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}
