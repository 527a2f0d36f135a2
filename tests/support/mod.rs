//! What every test binary shares: scratch folders and files, bounded
//! waits, the project's rule files, the seeded generator, the rule-set
//! generator of the reference-model tests (`rules`), and running the
//! `authgate` binary and reading what it said (with the `cli` feature,
//! which builds the binary). Each binary uses a part, so the rest is dead
//! code there.

#![allow(dead_code, unused_imports, reason = "each test binary uses a part")]
#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The seeded generator of the benchmark workload (SplitMix64), reused so
/// that the tests' random choices are fixed too.
pub use authgate_workload::Rng;

pub mod rules;

/// How many cases a long property test runs: `AUTHGATE_PROPTEST_CASES`
/// when set (the long campaigns of `docs/reliability.md`), else `default`.
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("AUTHGATE_PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

/// The crate's folder (where `rules/`, `tests/fixtures/` and the packaging
/// files are).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The path of the diagnostic fixture `NAME`, relative to [`root`].
pub fn fixture(name: &str) -> String {
    format!("tests/fixtures/fail/{name}.gate")
}

/// Every rule file the project ships or tests with (`rules/` and the
/// diagnostic fixtures), in sorted order.
pub fn rule_files() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for folder in ["rules", "tests/fixtures/fail"] {
        let mut paths: Vec<_> = std::fs::read_dir(root().join(folder))
            .expect("folder exists")
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        files.extend(paths.iter().filter_map(|path| std::fs::read(path).ok()));
    }
    files
}

/// Writes `text` to `path`, making its folders first.
pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("in a folder")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// [`write`] to `name` below `dir`.
pub fn write_in(dir: &Path, name: &str, text: &str) {
    write(&dir.join(name), text);
}

/// A text file's contents.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

/// A scratch folder holding the given files.
pub fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, content) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, content).expect("write");
    }
    dir
}

/// [`folder`] of text files.
pub fn text_folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let bytes: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, text)| (*name, text.as_bytes()))
        .collect();
    folder(&bytes)
}

/// Polls `done` every 50 ms for up to 10 s: waits are bounded, and no
/// test asserts a timing.
pub fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "not within 10 s: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---- running the binary ---------------------------------------------------

/// The `authgate` binary cargo built for these tests.
#[cfg(feature = "cli")]
pub const BIN: &str = env!("CARGO_BIN_EXE_authgate");

/// Runs the binary in the crate's folder (where `rules/` is).
#[cfg(feature = "cli")]
pub fn authgate(args: &[&str]) -> Output {
    authgate_in(root(), args)
}

/// Runs the binary in `dir`, without colour and with no `COLUMNS`.
#[cfg(feature = "cli")]
pub fn authgate_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("the binary runs")
}

/// Runs the binary in `dir` with `input` on standard input.
#[cfg(feature = "cli")]
pub fn authgate_with(dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("piped");
    // A command that refuses its arguments exits without reading: the
    // pipe may be closed before the input is written.
    if let Err(error) = stdin.write_all(input.as_bytes()) {
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::BrokenPipe,
            "write stdin: {error}"
        );
    }
    drop(stdin);
    child.wait_with_output().expect("exits")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Standard output as one JSON document (saying what was printed when it
/// isn't).
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not one JSON document ({error}):\n{}\nstderr:\n{}",
            stdout(output),
            stderr(output)
        )
    })
}

/// The exit status.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

/// Asserts the exit status and that standard error says `needle`.
pub fn assert_fails(output: &Output, status: i32, needle: &str) {
    let err = stderr(output);
    assert_eq!(code(output), status, "{err}");
    assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
}
