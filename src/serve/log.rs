//! The service's logs: [`line`], what the server says on standard error
//! (started, reloaded, stopping), and the decision log (`--decision-log
//! PATH`, `-` for standard error): one JSON line per decision, as OPA's
//! decision logs, for audits: `{"time", "route", "request", "answer",
//! "bundle", "micros"}`.
//!
//! Requests only build the line and hand it to a bounded queue; a thread
//! of its own writes. When the queue is full (a slow or full disk), the
//! line is dropped and counted (`authgate_decision_log_dropped_total`):
//! answers never wait for the log.

use std::io::Write;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};

use metrics::Counter;

use crate::policy::request::write_str;

/// Writes one log line to standard error: the time, then the message
/// (control characters escaped, so that it stays one line).
pub(crate) fn line(message: std::fmt::Arguments<'_>) {
    let now = super::time::rfc3339(std::time::SystemTime::now());
    let message = message.to_string();
    let line = crate::text::escape(&message);
    let _ = writeln!(std::io::stderr().lock(), "{now} {line}");
}

/// Lines queued before new ones are dropped.
const QUEUE: usize = 16_384;

/// Where decision lines go.
#[derive(Debug)]
pub struct DecisionLog {
    queue: SyncSender<Vec<u8>>,
    dropped: Option<Counter>,
}

impl DecisionLog {
    /// Starts the writer thread over `output`.
    pub fn start(output: Box<dyn Write + Send>) -> std::io::Result<DecisionLog> {
        let (queue, lines) = std::sync::mpsc::sync_channel(QUEUE);
        std::thread::Builder::new()
            .name("authgate-decision-log".to_owned())
            .spawn(move || write_lines(lines, output))?;
        Ok(DecisionLog {
            queue,
            dropped: None,
        })
    }

    /// Counts dropped lines in `counter`.
    pub(crate) fn count_drops(&mut self, counter: Counter) {
        self.dropped = Some(counter);
    }

    /// Queues one line: `request` and `answer` are JSON texts.
    pub(crate) fn record(
        &self,
        route: &str,
        request: &[u8],
        answer: &[u8],
        bundle: &str,
        micros: u128,
    ) {
        let mut line = Vec::with_capacity(96 + request.len() + answer.len());
        line.extend_from_slice(b"{\"time\":\"");
        line.extend_from_slice(super::time::rfc3339(std::time::SystemTime::now()).as_bytes());
        line.extend_from_slice(b"\",\"route\":");
        write_str(&mut line, route);
        line.extend_from_slice(b",\"request\":");
        line.extend_from_slice(trim(request));
        line.extend_from_slice(b",\"answer\":");
        line.extend_from_slice(answer);
        line.extend_from_slice(b",\"bundle\":");
        write_str(&mut line, bundle);
        line.extend_from_slice(format!(",\"micros\":{micros}}}\n").as_bytes());
        match self.queue.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                if let Some(dropped) = &self.dropped {
                    dropped.increment(1);
                }
            }
        }
    }
}

/// JSON text without the whitespace around it (and its newlines, so the
/// log stays one line per decision: JSON whitespace inside is only
/// between tokens, where a newline is as good as a space).
fn trim(json: &[u8]) -> &[u8] {
    json.trim_ascii()
}

fn write_lines(lines: Receiver<Vec<u8>>, output: Box<dyn Write + Send>) {
    let mut output = std::io::BufWriter::with_capacity(1 << 16, output);
    while let Ok(line) = lines.recv() {
        let mut write = |line: &[u8]| {
            // A line of pretty-printed JSON would break the one-line
            // format: newlines between tokens become spaces.
            if line.iter().rev().skip(1).any(|&b| b == b'\n' || b == b'\r') {
                let mut flat = line.to_vec();
                let end = flat.len().saturating_sub(1);
                for byte in flat.iter_mut().take(end) {
                    if *byte == b'\n' || *byte == b'\r' {
                        *byte = b' ';
                    }
                }
                output.write_all(&flat)
            } else {
                output.write_all(line)
            }
        };
        let _ = write(&line);
        while let Ok(line) = lines.try_recv() {
            let _ = write(&line);
        }
        let _ = output.flush();
    }
}
