//! What the tests of the `authgate` binary share: running it, and reading
//! what it said. Each test file uses some of these, so the rest is dead
//! code there.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs the binary in the crate's folder (where `rules/` is).
pub fn authgate(args: &[&str]) -> Output {
    authgate_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs the binary in `dir`, without colour and with no `COLUMNS`.
pub fn authgate_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authgate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Standard output as one JSON document (saying what was printed when it
/// isn't).
#[expect(
    clippy::panic,
    reason = "a test helper: the panic is the test's report"
)]
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
