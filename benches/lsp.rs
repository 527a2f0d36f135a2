//! Latency of `authgate lsp`: from a `didChange` to the
//! `publishDiagnostics` of the changed file, on the seeded workload with
//! 10,000 endpoints and 10,000 instances (`authgate-workload`), served in
//! process over `Connection::memory()` as the tests drive it; and the same
//! with scopes (`scoped::`), on HubSpot-like rules of 10,000 endpoints:
//! one OAuth method of 300 scopes, items of 1-3 scopes, 20 instances of
//! 20 scopes (`authgate_workload::Scoped`).
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
//!   names that the first request after a change needs);
//! - `scoped::edit_small_file`: a flow's connection switched between an
//!   endpoint its instance holds the scopes for and one it does not
//!   (`missing_scope` comes and goes);
//! - `scoped::edit_large_file`: a scope of the last instance misspelt and
//!   back (`unknown_scope` comes and goes);
//! - `scoped::check_alone`: the checker alone on the scoped files;
//! - `scoped::hover_after_edit`: an edit, then a hover on a scope (the
//!   endpoints that need it, the instances that hold it);
//! - `scoped::completion`: the scopes offered in an instance's
//!   `scopes: [` (no edit between: the cost of reading the text typed).
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
use authgate_workload::{M, SEED, Scoped, Workload};
use divan::Bencher;
use serde_json::{Value, json};

fn main() {
    divan::main();
}

const ENDPOINTS: usize = 10_000;

/// The small file of flows that refers into the large one.
const FLOWS: &str = "flow f {\n    connection i0 -> e0\n}\n";

struct Session {
    conn: Connection,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
    large: String,
    small: String,
    version: i32,
}

/// Where `after` ends in the last line of `text` that holds it, as (line,
/// character): the text is ASCII, so bytes are UTF-16 units.
fn last_after(text: &str, after: &str) -> (u32, u32) {
    let (line, column) = text
        .lines()
        .enumerate()
        .filter_map(|(n, line)| Some((n, line.rfind(after)? + after.len())))
        .last()
        .expect("the text holds it");
    (line as u32, column as u32)
}

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

impl Session {
    fn start() -> Session {
        let workload = Workload::generate(ENDPOINTS, M, 0, SEED);
        Session::with(&workload.text, FLOWS)
    }

    fn with(rules: &str, flows: &str) -> Session {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let large = dir.path().join("bench.gate");
        let small = dir.path().join("flows.gate");
        std::fs::write(&large, rules).unwrap();
        std::fs::write(&small, flows).unwrap();
        let (server, conn) = Connection::memory();
        let thread = std::thread::spawn(move || authgate::lsp::run(&server).unwrap());
        let session = Session {
            conn,
            thread: Some(thread),
            large: uri(&large),
            small: uri(&small),
            _dir: dir,
            version: 1,
        };
        let root = uri(session._dir.path());
        session.request(
            "initialize",
            json!({"capabilities": {}, "workspaceFolders": [{"uri": root, "name": "b"}]}),
        );
        session.notify("initialized", json!({}));
        for (uri, text) in [
            (session.large.clone(), rules),
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

    fn request(&self, method: &str, params: Value) -> Value {
        let id = RequestId::from(1);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.to_owned(), params).into())
            .unwrap();
        loop {
            if let Message::Response(r) = self.recv()
                && r.id == id
            {
                return r.response_result.unwrap_or_default();
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
    let workload = Workload::generate(ENDPOINTS, M, 0, SEED);
    let at = last_after(&workload.text, "auth: ");
    let mut session = Session::with(&workload.text, FLOWS);
    let large = session.large.clone();
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
        sources.add("flows.gate", FLOWS);
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

mod scoped {
    use super::*;

    /// The scoped rules, and two endpoints of the same name length: one
    /// that instance `i0` holds the scopes for, one it does not.
    fn rules() -> (String, String, String) {
        let rules = Scoped::generate(ENDPOINTS, SEED).text;
        let candidates: Vec<String> = (1_000..1_200).map(|e| format!("e{e}")).collect();
        let mut flows = String::from("flow f {\n");
        for endpoint in &candidates {
            flows.push_str(&format!("    connection i0 -> {endpoint}\n"));
        }
        flows.push_str("}\n");
        let mut sources = authgate::Sources::new();
        sources.add("bench.gate", rules.as_str());
        let file = sources.add("flows.gate", flows.as_str());
        let missing: Vec<usize> = authgate::check(&sources)
            .0
            .iter()
            .filter(|d| d.code().name() == "missing_scope")
            .filter_map(|d| d.primary_span().filter(|s| s.file == file))
            .map(|s| flows[..s.start as usize].matches('\n').count() - 1)
            .collect();
        let held = (0..candidates.len())
            .find(|i| !missing.contains(i))
            .unwrap();
        let lacking = missing[0];
        (rules, candidates[held].clone(), candidates[lacking].clone())
    }

    fn flows(endpoint: &str) -> String {
        format!("flow f {{\n    connection i0 -> {endpoint}\n}}\n")
    }

    /// `connection i0 -> eA` ⇄ `connection i0 -> eB`: `missing_scope`
    /// comes and goes.
    #[divan::bench(sample_count = 200)]
    fn edit_small_file(bencher: Bencher<'_, '_>) {
        let (rules, held, lacking) = rules();
        let mut session = Session::with(&rules, &flows(&held));
        let small = session.small.clone();
        let column = "    connection i0 -> ".len() as u32;
        let length = held.len() as u32;
        let mut flip = false;
        bencher.bench_local(|| {
            flip = !flip;
            let endpoint = if flip { &lacking } else { &held };
            let found = session.edit(&small, (1, column), length, endpoint);
            assert_eq!(found, usize::from(flip));
        });
    }

    /// The last instance's first scope `"crm.…` ⇄ `"crx.…`:
    /// `unknown_scope` comes and goes, in the file with 10,000 endpoints.
    #[divan::bench(sample_count = 100)]
    fn edit_large_file(bencher: Bencher<'_, '_>) {
        let (rules, held, _) = rules();
        let (line, column) = last_after(&rules, "scopes: [\"cr");
        let mut session = Session::with(&rules, &flows(&held));
        let large = session.large.clone();
        let mut flip = false;
        bencher.bench_local(|| {
            flip = !flip;
            let found = session.edit(&large, (line, column), 1, if flip { "x" } else { "m" });
            assert!(!flip || found >= 1);
        });
    }

    /// The checker alone on the same two files.
    #[divan::bench(sample_count = 100)]
    fn check_alone(bencher: Bencher<'_, '_>) {
        let (rules, held, _) = rules();
        let flows = flows(&held);
        bencher.bench_local(|| {
            let mut sources = authgate::Sources::new();
            sources.add("bench.gate", rules.as_str());
            sources.add("flows.gate", flows.as_str());
            authgate::check(&sources).0.len()
        });
    }

    /// An edit, then a hover on a scope of the last instance: every
    /// endpoint's items and every instance's scopes are read.
    #[divan::bench(sample_count = 50)]
    fn hover_after_edit(bencher: Bencher<'_, '_>) {
        let (rules, held, lacking) = rules();
        let (line, column) = last_after(&rules, "scopes: [\"cr");
        let mut session = Session::with(&rules, &flows(&held));
        let (small, large) = (session.small.clone(), session.large.clone());
        let position = json!({"textDocument": {"uri": large}, "position": {"line": line, "character": column}});
        let hover = session.request("textDocument/hover", position.clone());
        let text = hover["contents"]["value"].as_str().unwrap_or_default();
        assert!(
            text.starts_with("**scope**") && text.contains("needed by"),
            "{text}"
        );
        let at = (1, "    connection i0 -> ".len() as u32);
        let length = held.len() as u32;
        let mut flip = false;
        bencher.bench_local(|| {
            flip = !flip;
            session.edit(&small, at, length, if flip { &lacking } else { &held });
            session.request("textDocument/hover", position.clone())
        });
    }

    /// Completion right after `scopes: [` of the last instance: the file
    /// read up to the cursor, 280 scopes offered (300 less the 20 held).
    #[divan::bench(sample_count = 50)]
    fn completion(bencher: Bencher<'_, '_>) {
        let (rules, held, _) = rules();
        let (line, column) = last_after(&rules, "scopes: [");
        let session = Session::with(&rules, &flows(&held));
        let position = json!({"textDocument": {"uri": session.large}, "position": {"line": line, "character": column}});
        let offered = session.request("textDocument/completion", position.clone());
        assert_eq!(offered.as_array().map(Vec::len), Some(280));
        bencher.bench_local(|| session.request("textDocument/completion", position.clone()));
    }
}
