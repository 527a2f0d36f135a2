//! The real `authgate serve` as a child process, on port 0 of 127.0.0.1:
//! how `binary.rs` and `ui.rs` start it, read the address it prints, keep
//! what it says on standard error, and talk HTTP/1.1 to it. Waits are
//! bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::BIN;

/// `authgate serve ARGS --listen 127.0.0.1:0` started in `dir`, without
/// colour, with standard output and error piped.
pub(crate) fn spawn(dir: &Path, args: &[&str]) -> Child {
    Command::new(BIN)
        .arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

/// A server that printed its address; killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) address: String,
    stderr: Arc<Mutex<String>>,
}

/// A server that stopped before printing its address.
#[derive(Debug)]
pub(crate) struct Stopped {
    /// Its exit code.
    pub(crate) code: Option<i32>,
    /// The first line of its standard output.
    pub(crate) line: String,
    /// All it said on standard error.
    pub(crate) stderr: String,
}

impl Server {
    /// Starts a server (see [`spawn`]) that must print its address.
    pub(crate) fn start(dir: &Path, args: &[&str]) -> Server {
        Server::try_start(dir, args).unwrap_or_else(|stopped| {
            panic!(
                "no listening line: {:?}; exit {:?}; stderr:\n{}",
                stopped.line, stopped.code, stopped.stderr
            )
        })
    }

    /// Starts a server (see [`spawn`]): the server once it printed its
    /// address, or how it stopped instead.
    pub(crate) fn try_start(dir: &Path, args: &[&str]) -> Result<Server, Stopped> {
        let mut child = spawn(dir, args);
        let stderr = Arc::new(Mutex::new(String::new()));
        let reader = collect(
            child.stderr.take().expect("stderr is piped"),
            stderr.clone(),
        );
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("reads stdout");
        let Some(address) = line.trim_end().strip_prefix("listening on http://") else {
            let status = child.wait().expect("waits");
            // The pipe closes when the process is gone.
            let _ = reader.join();
            let stderr = stderr.lock().expect("not poisoned").clone();
            return Err(Stopped {
                code: status.code(),
                line,
                stderr,
            });
        };
        assert!(
            address.starts_with("127.0.0.1:") && !address.ends_with(":0"),
            "{address}"
        );
        Ok(Server {
            address: address.to_owned(),
            child,
            stderr,
        })
    }

    /// Sends the signal `name` (`HUP`, `TERM`).
    pub(crate) fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits (up to 10 s) for the process to exit; its status code.
    pub(crate) fn wait(&mut self) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                return status.code();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "still running after 10 s; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What it said on standard error so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().expect("not poisoned").clone()
    }

    /// A connection to it, whose reads time out after 10 s.
    pub(crate) fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a timeout");
        stream
    }

    /// One request on its own connection: status, header lines and body.
    pub(crate) fn exchange(&self, method: &str, path: &str, body: &str) -> Exchange {
        let mut stream = self.connect();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .expect("sends");
        read_response(&mut stream)
    }

    /// One request on its own connection: status and body.
    pub(crate) fn request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let answer = self.exchange(method, path, body);
        (answer.status, answer.body)
    }

    /// One request whose answer is JSON (and not a server error).
    pub(crate) fn json(&self, method: &str, path: &str, body: &str) -> Value {
        let (status, text) = self.request(method, path, body);
        assert!(status < 500, "{status}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Appends what `pipe` gives to `sink` until it closes.
pub(crate) fn collect(
    mut pipe: impl Read + Send + 'static,
    sink: Arc<Mutex<String>>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut chunk) {
            sink.lock()
                .expect("not poisoned")
                .push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    })
}

/// One HTTP/1.1 answer.
pub(crate) struct Exchange {
    pub(crate) status: u16,
    /// Its header lines, names lowercased.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Exchange {
    /// The value of header `name` (lowercase), if sent.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Reads one `Connection: close` response.
pub(crate) fn read_response(stream: &mut TcpStream) -> Exchange {
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("reads the answer");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Exchange {
        status,
        headers,
        body: body.to_owned(),
    }
}
