//! Latency of `authgate lsp`: from a `didChange` to the
//! `publishDiagnostics` of the changed file, on the seeded workload with
//! 10,000 endpoints and 10,000 instances (`authgate-workload`), served in
//! process over `Connection::memory()` as the tests drive it.
//!
//! ```sh
//! cargo bench --bench lsp
//! ```
//!
//! - `edit_small_file`: an edit in a small file of flows that refers into
//!   the large one (the usual case: the large file is generated);
//! - `edit_large_file`: an edit in the large file itself (one instance's
//!   method changed back and forth);
//! - `check_alone`: the checker by itself on the same files, the floor;
//! - `hover_after_edit`: an edit, then a hover (which builds the index of
//!   names that the first request after a change needs).
//!
//! Each edit flips a diagnostic on and off, and every iteration waits for
//! the diagnostics of that edit, so a figure is a whole round trip.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark may stop on a broken setup"
)]

use std::time::Duration;

use authgate::lsp::lsp_server::{Connection, Message, Notification, Request, RequestId};
use authgate_workload::{M, SEED, Workload};
use divan::Bencher;
use serde_json::{Value, json};

fn main() {
    divan::main();
}

const ENDPOINTS: usize = 10_000;

struct Session {
    conn: Connection,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
    large: String,
    small: String,
    /// Where the last instance's method is written in the large file.
    method_at: (u32, u32),
    version: i32,
}

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

impl Session {
    fn start() -> Session {
        let workload = Workload::generate(ENDPOINTS, M, 0, SEED);
        let dir = tempfile::tempdir().expect("a temporary folder");
        let large = dir.path().join("bench.gate");
        let small = dir.path().join("flows.gate");
        std::fs::write(&large, &workload.text).unwrap();
        let flows = "flow f {\n    connection i0 -> e0\n}\n";
        std::fs::write(&small, flows).unwrap();
        let last = workload.text.lines().count() - 1;
        let line = workload.text.lines().nth(last).unwrap();
        let column = line.rfind("auth: ").unwrap() + "auth: ".len();
        let (server, conn) = Connection::memory();
        let thread = std::thread::spawn(move || authgate::lsp::run(&server).unwrap());
        let session = Session {
            conn,
            thread: Some(thread),
            large: uri(&large),
            small: uri(&small),
            _dir: dir,
            method_at: (last as u32, column as u32),
            version: 1,
        };
        let root = uri(session._dir.path());
        session.request(
            "initialize",
            json!({"capabilities": {}, "workspaceFolders": [{"uri": root, "name": "b"}]}),
        );
        session.notify("initialized", json!({}));
        for (uri, text) in [
            (session.large.clone(), workload.text.as_str()),
            (session.small.clone(), flows),
        ] {
            session.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": "authgate", "version": 1, "text": text}}),
            );
        }
        session.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": "untitled:x"}}),
        );
        session
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.to_owned(), params).into())
            .unwrap();
    }

    fn request(&self, method: &str, params: Value) {
        let id = RequestId::from(1);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.to_owned(), params).into())
            .unwrap();
        loop {
            if let Message::Response(r) = self.recv()
                && r.id == id
            {
                return;
            }
        }
    }

    fn recv(&self) -> Message {
        self.conn
            .receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("the server answers")
    }

    /// Replaces `old_len` UTF-16 units at (line, character) with `text` and
    /// waits for the diagnostics of `uri`; returns how many there are.
    fn edit(&mut self, uri: &str, at: (u32, u32), old_len: u32, text: &str) -> usize {
        self.version += 1;
        let range = json!({"start": {"line": at.0, "character": at.1}, "end": {"line": at.0, "character": at.1 + old_len}});
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": self.version}, "contentChanges": [{"range": range, "text": text}]}),
        );
        loop {
            if let Message::Notification(n) = self.recv()
                && n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == uri
            {
                return n.params["diagnostics"].as_array().map_or(0, Vec::len);
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `connection i0 -> e0` ⇄ `connection i0 -> x0`: an unknown endpoint
/// comes and goes.
#[divan::bench(sample_count = 200)]
fn edit_small_file(bencher: Bencher<'_, '_>) {
    let mut session = Session::start();
    let small = session.small.clone();
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let found = session.edit(&small, (1, 21), 1, if flip { "x" } else { "e" });
        assert_eq!(found, usize::from(flip));
    });
}

/// The last instance's method `mK` ⇄ `zK`: an unknown method comes and
/// goes, in the file with 10,000 endpoints.
#[divan::bench(sample_count = 100)]
fn edit_large_file(bencher: Bencher<'_, '_>) {
    let mut session = Session::start();
    let large = session.large.clone();
    let at = session.method_at;
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let found = session.edit(&large, at, 1, if flip { "z" } else { "m" });
        assert!(!flip || found >= 1);
    });
}

/// The baseline: `check_with` alone over the same two files, which every
/// change runs once; the rest of a round trip is the server's.
#[divan::bench(sample_count = 100)]
fn check_alone(bencher: Bencher<'_, '_>) {
    let workload = Workload::generate(ENDPOINTS, M, 0, SEED);
    bencher.bench_local(|| {
        let mut sources = authgate::Sources::new();
        sources.add("bench.gate", workload.text.as_str());
        sources.add("flows.gate", "flow f {\n    connection i0 -> e0\n}\n");
        authgate::check(&sources).0.len()
    });
}

/// An edit, then a hover on an endpoint: the first request after a
/// change also builds the index of names (every file parsed into a tree).
#[divan::bench(sample_count = 50)]
fn hover_after_edit(bencher: Bencher<'_, '_>) {
    let mut session = Session::start();
    let small = session.small.clone();
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        session.edit(&small, (1, 21), 1, if flip { "x" } else { "e" });
        let at = json!({"textDocument": {"uri": small}, "position": {"line": 1, "character": 15}});
        session.request("textDocument/hover", at);
    });
}
