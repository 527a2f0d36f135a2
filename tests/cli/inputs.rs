//! What the binary reads: missing, empty, unreadable and non-UTF-8 paths,
//! binary garbage, several paths at once, and hostile ones (FIFOs, devices,
//! symbolic link loops, files over the size limit, files gone before they
//! are read). Each cannot run with a clear message, never hangs or crashes.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{assert_fails, authgate, authgate_in, code, folder, json, stderr};

#[test]
fn a_missing_path_cannot_run() {
    let output = authgate(&["check", "no/such/place"]);
    assert_fails(&output, 2, "cannot read `no/such/place`");
}

#[test]
fn a_folder_without_rule_files_cannot_run() {
    let dir = folder(&[("notes.txt", b"hello")]);
    let output = authgate_in(dir.path(), &["check", "."]);
    assert_fails(&output, 2, "no `.gate` files in `.`");
}

#[test]
fn an_unreadable_file_cannot_run() {
    let dir = folder(&[("good.gate", b"")]);
    // A dangling symlink is listed by the walk but can't be read.
    std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("bad.gate"))
        .expect("symlink");
    let output = authgate_in(dir.path(), &["check", "bad.gate"]);
    assert_fails(&output, 2, "cannot read `bad.gate`");
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_with_its_place() {
    let dir = folder(&[("latin1.gate", b"connector caf\xe9 { }")]);
    let output = authgate_in(dir.path(), &["check", "latin1.gate", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let diagnostic = &json(&output)["diagnostics"][0];
    assert_eq!(diagnostic["code"], "authgate::encoding");
    assert_eq!(diagnostic["file"], "latin1.gate");
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(1), Some(14))
    );
}

#[test]
fn binary_garbage_is_reported_not_a_crash() {
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let dir = folder(&[("garbage.gate", &garbage), ("nul.gate", b"\0\0connector")]);
    let output = authgate_in(dir.path(), &["check", "."]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("garbage.gate"), "{err}");
    assert!(err.contains("nul.gate"), "{err}");
    assert!(err.contains("found control character U+0000"), "{err}");
}

#[test]
fn an_empty_file_is_an_empty_rule_set() {
    let dir = folder(&[("empty.gate", b"")]);
    let output = authgate_in(dir.path(), &["check", "empty.gate"]);
    assert_eq!(code(&output), 0);
    assert_eq!(
        stderr(&output),
        "checked 1 file: 0 connectors, 0 endpoints, 0 instances, 0 flows, 0 tests; 0 errors, 0 warnings\n"
    );
}

#[test]
fn several_rule_paths_combine_and_files_are_read_once() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = authgate_in(
        &root,
        &["check", "rules/shop.gate", "rules", "rules/crm.gate"],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("checked 5 files:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = folder(&[]);
    let fifo = dir.path().join("pipe.gate");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let output = authgate_in(dir.path(), &["check", "pipe.gate"]);
    assert_fails(&output, 2, "`pipe.gate` is not a file or a folder");
}

#[test]
fn a_fifo_inside_a_folder_is_refused_not_skipped() {
    let dir = folder(&[("rules/a.gate", b"")]);
    let fifo = dir.path().join("rules/pipe.gate");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let output = authgate_in(dir.path(), &["check", "rules"]);
    assert_fails(&output, 2, "`rules/pipe.gate` is not a file or a folder");
}

#[test]
fn files_over_the_size_limit_are_refused_and_the_limit_can_be_raised() {
    let big = format!("// {}\n", "x".repeat(2_000));
    let dir = folder(&[("big.gate", big.as_bytes())]);
    let output = authgate_in(dir.path(), &["check", "big.gate", "--max-file-size", "1K"]);
    assert_fails(
        &output,
        2,
        "`big.gate` is 2004 bytes, over the limit of 1024",
    );
    assert!(stderr(&output).contains("--max-file-size"));
    let output = authgate_in(dir.path(), &["check", "big.gate", "--max-file-size", "1M"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(code(&authgate(&["check", "--max-file-size", "5G"])), 2);
    assert_eq!(code(&authgate(&["check", "--max-file-size", "lots"])), 2);
}

#[test]
fn a_symlink_loop_is_a_clear_error() {
    let dir = folder(&[("rules/a.gate", b"")]);
    std::os::unix::fs::symlink(dir.path().join("rules"), dir.path().join("rules/again"))
        .expect("symlink");
    let output = authgate_in(dir.path(), &["check", "rules"]);
    assert_fails(&output, 2, "symbolic link loop");
}

#[test]
fn a_device_is_refused() {
    let output = authgate(&["check", "/dev/null"]);
    assert_fails(&output, 2, "`/dev/null` is not a file or a folder");
}

#[test]
fn a_file_gone_before_it_is_read_is_a_clear_error() {
    // Listed by the walk, gone when read: a dangling link in a folder.
    let dir = folder(&[("rules/a.gate", b"")]);
    std::os::unix::fs::symlink(
        dir.path().join("nowhere"),
        dir.path().join("rules/gone.gate"),
    )
    .expect("symlink");
    let output = authgate_in(dir.path(), &["check", "rules"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("gone.gate"), "{}", stderr(&output));
}
