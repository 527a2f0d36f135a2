//! The real `authgate serve` on port 0 of 127.0.0.1: startup, signals
//! (SIGHUP reloads, SIGTERM drains a request in flight, boundedly),
//! `--watch` across an atomic symlink swap as a Kubernetes ConfigMap does
//! it, signatures, and bad clients on the wire. Waits are bounded polls;
//! nothing asserts a timing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::process::{Server, collect, read_response, spawn};
use crate::support::{BIN, authgate_in, eventually};

/// `orders` activates `method`; instance `i` authenticates with `basic`.
fn rules(method: &str) -> String {
    format!(
        "connector shop {{\n    auth basic: basic\n    auth oauth: oauth1\n    \
         endpoint orders < auth: [{method}] >\n}}\ninstance i of shop < auth: basic >\n"
    )
}

impl Server {
    /// Whether `i` may call `orders` now.
    fn allowed(&self) -> bool {
        let answer = self.json(
            "POST",
            "/v1/decide",
            r#"{"instance":"i","endpoint":"orders"}"#,
        );
        answer["available"] == true
    }
}

fn folder_with(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir(dir.path().join("rules")).expect("mkdir");
    std::fs::write(dir.path().join("rules/shop.gate"), text).expect("write");
    dir
}

#[test]
fn startup_prints_the_address_then_serves() {
    let dir = folder_with(&rules("basic"));
    let server = Server::start(dir.path(), &["rules"]);
    let (status, body) = server.request("GET", "/health/ready", "");
    assert_eq!(status, 200, "{body}");
    assert!(server.allowed());
    let digest = Command::new(BIN)
        .args(["digest", "rules"])
        .current_dir(dir.path())
        .output()
        .expect("digest runs");
    let digest = String::from_utf8_lossy(&digest.stdout).trim().to_owned();
    assert_eq!(server.json("GET", "/v1/bundle", "")["digest"], digest);
    assert!(server.stderr().contains(&digest), "{}", server.stderr());
}

#[test]
fn rules_with_errors_exit_2_and_nothing_listens() {
    let dir = folder_with("connector shop {");
    let Err(stopped) = Server::try_start(dir.path(), &["rules"]) else {
        panic!("it serves rules with errors");
    };
    assert_eq!(stopped.code, Some(2));
    assert!(stopped.line.is_empty(), "nothing listens");
    assert!(stopped.stderr.contains("authgate::"), "{}", stopped.stderr);
}

#[test]
fn sighup_reloads_and_bad_rules_keep_the_old_ones() {
    let dir = folder_with(&rules("oauth"));
    let server = Server::start(dir.path(), &["rules"]);
    assert!(!server.allowed());
    std::fs::write(dir.path().join("rules/shop.gate"), rules("basic")).expect("write");
    server.signal("HUP");
    eventually("SIGHUP reloads", || server.allowed());
    let bundle = server.json("GET", "/v1/bundle", "");
    assert_eq!(bundle["last_reload"]["ok"], true);

    std::fs::write(dir.path().join("rules/shop.gate"), "connector shop {").expect("write");
    server.signal("HUP");
    eventually("the failed reload is shown", || {
        server.json("GET", "/v1/bundle", "")["last_reload"]["ok"] == false
    });
    assert!(server.allowed(), "the old rules keep serving");
    let metrics = server.request("GET", "/metrics", "").1;
    assert!(metrics.contains("authgate_reloads_total{result=\"error\"} 1"));
    assert!(server.stderr().contains("refused"), "{}", server.stderr());
}

/// A ConfigMap mount: `..2026_v1/` holds the files, `..data` links to it,
/// and each file is a link through `..data`; an update writes a new
/// folder and renames a new `..data` link over the old one.
#[cfg(unix)]
#[test]
fn watch_follows_an_atomic_symlink_swap() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("a temp dir");
    let mount = dir.path().join("rules");
    std::fs::create_dir_all(mount.join("..v1")).expect("mkdir");
    std::fs::write(mount.join("..v1/shop.gate"), rules("oauth")).expect("write");
    symlink("..v1", mount.join("..data")).expect("link");
    symlink("..data/shop.gate", mount.join("shop.gate")).expect("link");

    let server = Server::start(
        dir.path(),
        &["rules", "--watch", "--watch-interval", "100ms"],
    );
    assert!(!server.allowed());
    let before = server.json("GET", "/v1/bundle", "")["digest"].clone();

    std::fs::create_dir_all(mount.join("..v2")).expect("mkdir");
    std::fs::write(mount.join("..v2/shop.gate"), rules("basic")).expect("write");
    symlink("..v2", mount.join("..data_tmp")).expect("link");
    std::fs::rename(mount.join("..data_tmp"), mount.join("..data")).expect("swap");
    eventually("--watch sees the swap", || server.allowed());
    let bundle = server.json("GET", "/v1/bundle", "");
    assert_ne!(bundle["digest"], before);
    // One file, by its path in the mount: the `..` copies are skipped.
    assert_eq!(bundle["files"].as_array().map(Vec::len), Some(1));
    assert_eq!(bundle["files"][0]["path"], "shop.gate");
}

/// Sends a request's head and half its body: a request in flight.
fn half_sent(server: &Server, body: &str) -> (TcpStream, String) {
    let mut stream = server.connect();
    let (first, rest) = body.split_at(body.len() / 2);
    write!(
        stream,
        "POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .expect("sends");
    stream.flush().expect("flushes");
    (stream, rest.to_owned())
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_then_exits_0() {
    let dir = folder_with(&rules("basic"));
    let mut server = Server::start(dir.path(), &["rules", "--shutdown-timeout", "8s"]);
    let body = r#"{"instance":"i","endpoint":"orders"}"#;
    let (mut stream, rest) = half_sent(&server, body);
    std::thread::sleep(Duration::from_millis(200));
    server.signal("TERM");
    eventually("the drain begins", || server.stderr().contains("SIGTERM"));
    assert!(
        server.child.try_wait().expect("waits").is_none(),
        "still draining"
    );
    stream.write_all(rest.as_bytes()).expect("sends the rest");
    let answer = read_response(&mut stream);
    let (status, answer) = (answer.status, answer.body);
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("\"available\":true"), "{answer}");
    assert_eq!(server.wait(), Some(0));
}

#[test]
fn the_drain_is_bounded_by_shutdown_timeout() {
    let dir = folder_with(&rules("basic"));
    let mut server = Server::start(
        dir.path(),
        &["rules", "--shutdown-timeout", "300ms", "--timeout", "60s"],
    );
    // A client that never finishes its request, and idle keep-alive ones.
    let (_stuck, _) = half_sent(&server, r#"{"instance":"i","endpoint":"orders"}"#);
    let idle: Vec<TcpStream> = (0..20).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_millis(200));
    server.signal("INT");
    assert_eq!(server.wait(), Some(0));
    assert!(
        server.stderr().contains("--shutdown-timeout"),
        "{}",
        server.stderr()
    );
    drop(idle);
}

#[test]
fn signatures_are_required_once_a_key_is_configured() {
    let dir = folder_with(&rules("basic"));
    let keygen = Command::new(BIN)
        .args(["keygen", "--out", "fleet"])
        .current_dir(dir.path())
        .output()
        .expect("keygen runs");
    assert_eq!(keygen.status.code(), Some(0));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("fleet.key"))
            .expect("the key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = Command::new(BIN)
        .args(["keygen", "--out", "fleet"])
        .current_dir(dir.path())
        .output()
        .expect("keygen runs");
    assert_eq!(again.status.code(), Some(2), "a key is never overwritten");

    // Unsigned: refused at startup.
    let serve = |dir: &Path| {
        Command::new(BIN)
            .args([
                "serve",
                "rules",
                "--verify-key",
                "fleet.pub",
                "--listen",
                "127.0.0.1:0",
            ])
            .current_dir(dir)
            .output()
            .expect("runs")
    };
    let unsigned = serve(dir.path());
    assert_eq!(unsigned.status.code(), Some(2));
    assert!(unsigned.stdout.is_empty());
    assert!(String::from_utf8_lossy(&unsigned.stderr).contains("not signed"));

    let sign = Command::new(BIN)
        .args(["sign", "--key", "fleet.key", "rules"])
        .current_dir(dir.path())
        .output()
        .expect("sign runs");
    assert_eq!(sign.status.code(), Some(0), "{sign:?}");
    assert!(dir.path().join("rules/authgate.sig").is_file());

    let server = Server::start(dir.path(), &["rules", "--verify-key", "fleet.pub"]);
    assert!(server.allowed());
    let digest = server.json("GET", "/v1/bundle", "")["digest"].clone();

    // Changed after signing: refused at reload, the old rules serve on.
    std::fs::write(dir.path().join("rules/shop.gate"), rules("oauth")).expect("write");
    server.signal("HUP");
    eventually("the reload is refused", || {
        server.json("GET", "/v1/bundle", "")["last_reload"]["ok"] == false
    });
    let bundle = server.json("GET", "/v1/bundle", "");
    assert_eq!(bundle["digest"], digest);
    assert_eq!(
        bundle["last_reload"]["diagnostics"][0]["code"],
        "authgate::signature"
    );
    assert!(server.allowed());

    // Signed again: accepted.
    let sign = Command::new(BIN)
        .args(["sign", "--key", "fleet.key", "rules"])
        .current_dir(dir.path())
        .output()
        .expect("sign runs");
    assert_eq!(sign.status.code(), Some(0));
    server.signal("HUP");
    eventually("the signed rules load", || !server.allowed());

    // A file changed after signing is refused at startup too.
    std::fs::write(dir.path().join("rules/shop.gate"), rules("basic")).expect("write");
    let changed = serve(dir.path());
    assert_eq!(changed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&changed.stderr).contains("does not sign these rules"));
}

/// The usual edit with `--watch` and a key: the rules change, `--watch`
/// refuses them (the signature is of the rules before), then `authgate
/// sign` runs and, with no signal, the signed rules are loaded.
#[test]
fn watch_loads_changed_rules_once_they_are_signed() {
    let dir = folder_with(&rules("basic"));
    let run = |args: &[&str]| {
        let output = authgate_in(dir.path(), args);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    };
    run(&["keygen", "--out", "fleet"]);
    run(&["sign", "--key", "fleet.key", "rules"]);
    let server = Server::start(
        dir.path(),
        &[
            "rules",
            "--verify-key",
            "fleet.pub",
            "--watch",
            "--watch-interval",
            "100ms",
        ],
    );
    assert!(server.allowed());

    std::fs::write(dir.path().join("rules/shop.gate"), rules("oauth")).expect("write");
    eventually("the change is refused", || {
        server.json("GET", "/v1/bundle", "")["last_reload"]["diagnostics"][0]["code"]
            == "authgate::signature"
    });
    assert!(server.allowed(), "the signed rules keep serving");

    run(&["sign", "--key", "fleet.key", "rules"]);
    eventually("the signed change is loaded", || !server.allowed());
    assert_eq!(
        server.json("GET", "/v1/bundle", "")["last_reload"]["ok"],
        true
    );
}

#[test]
fn bad_clients_get_json_errors_and_never_stall_others() {
    let dir = folder_with(&rules("basic"));
    let server = Server::start(
        dir.path(),
        &["rules", "--timeout", "500ms", "--max-body", "1KiB"],
    );
    // Hundreds of idle connections, and one that never finishes its head.
    let idle: Vec<TcpStream> = (0..300).map(|_| server.connect()).collect();
    let mut slow = server.connect();
    slow.write_all(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Le")
        .expect("sends");
    assert!(server.allowed(), "others are answered");

    // A body announced over --max-body: 413 before it is sent.
    let mut stream = server.connect();
    stream
        .write_all(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n")
        .expect("sends");
    let answer = read_response(&mut stream);
    let (status, body) = (answer.status, answer.body);
    assert_eq!(status, 413);
    let error: Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(error["error"]["code"], "authgate::too_large");

    // A body that stops halfway: 408 after --timeout.
    let (mut stream, _) = half_sent(&server, r#"{"instance":"i","endpoint":"orders"}"#);
    let answer = read_response(&mut stream);
    let (status, body) = (answer.status, answer.body);
    assert_eq!(status, 408, "{body}");
    let error: Value = serde_json::from_str(&body).expect("a JSON error");
    assert_eq!(error["error"]["code"], "authgate::timeout");

    // Garbage that is not HTTP: the connection is closed, the server lives.
    let mut junk = server.connect();
    let _ = junk.write_all(b"\x00\x01\x02 not http\r\n\r\n");
    let mut sink = Vec::new();
    let _ = junk.read_to_end(&mut sink);
    assert!(server.allowed());
    assert_eq!(
        server.json("POST", "/v1/decide", "{")["error"]["code"],
        json!("authgate::request")
    );
    drop(idle);
}

#[test]
fn the_rule_set_and_lint_levels_of_authgate_toml_apply() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir(dir.path().join("defs")).expect("mkdir");
    // `oauth` is never activated: a warning, denied here.
    std::fs::write(dir.path().join("defs/shop.gate"), rules("basic")).expect("write");
    std::fs::write(
        dir.path().join("authgate.toml"),
        "rules = [\"defs\"]\n[lints]\nnever_activated = \"deny\"\n",
    )
    .expect("write");
    let denied = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert_eq!(denied.status.code(), Some(2));
    assert!(denied.stdout.is_empty());
    assert!(String::from_utf8_lossy(&denied.stderr).contains("never_activated"));

    std::fs::write(
        dir.path().join("authgate.toml"),
        "rules = [\"defs\"]\n[lints]\nnever_activated = \"allow\"\n",
    )
    .expect("write");
    let server = Server::start(dir.path(), &[]);
    assert!(server.allowed());
    assert_eq!(
        server.json("GET", "/v1/bundle", "")["files"][0]["path"],
        "shop.gate"
    );
}

/// A signal that arrives while a large rule set is still compiling is held
/// for the server (the handlers are installed first): SIGHUP becomes a
/// reload once it serves, rather than ending the process.
#[cfg(unix)]
#[test]
fn a_sighup_during_startup_is_a_reload_not_an_exit() {
    let mut text = String::from("connector big {\n    auth a: basic\n");
    for index in 0..200_000 {
        text.push_str(&format!("    endpoint e{index} < auth: [a] >\n"));
    }
    text.push_str("}\n");
    let dir = folder_with(&text);
    let mut child = spawn(dir.path(), &["rules"]);
    // Reading and compiling 200,000 endpoints takes longer than this.
    std::thread::sleep(Duration::from_millis(300));
    let hup = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(hup.success());
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reads stdout");
    assert!(line.starts_with("listening on http://"), "{line:?}");
    // The held SIGHUP reloads the rules once serving.
    let said = Arc::new(Mutex::new(String::new()));
    collect(child.stderr.take().expect("stderr"), said.clone());
    eventually("the held SIGHUP reloads", || {
        said.lock().expect("not poisoned").contains("SIGHUP")
    });
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let status = child.wait().expect("waits");
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        said.lock().expect("not poisoned")
    );
}
