//! `authgate fmt`: files rewritten in the canonical layout, `--check`,
//! files that do not parse left alone, `fmt -` (the filter an editor
//! formats on save through), and `fmt` through symbolic links.

use std::path::{Path, PathBuf};

use super::{FORMATTED, UNFORMATTED};
use crate::support::{
    assert_fails, authgate, authgate_in, authgate_with, code, folder, read, root, stderr, stdout,
};

const BROKEN: &str = "connector c { auth a basic }";

/// The names in a folder.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

#[test]
fn fmt_rewrites_files_in_the_canonical_layout() {
    let dir = folder(&[
        ("r.gate", UNFORMATTED.as_bytes()),
        ("ok.gate", FORMATTED.as_bytes()),
    ]);
    let output = authgate_in(dir.path(), &["fmt", "."]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.gate")).expect("read"),
        FORMATTED
    );
    assert_eq!(stderr(&output), "reformatted 1 file, 1 already formatted\n");
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // Formatting formatted files changes nothing.
    let output = authgate_in(dir.path(), &["fmt", "--check", "."]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).is_empty());
}

#[test]
fn fmt_check_shows_a_diff_and_changes_nothing() {
    let dir = folder(&[("r.gate", UNFORMATTED.as_bytes())]);
    let output = authgate_in(dir.path(), &["fmt", "--check", "r.gate"]);
    assert_eq!(code(&output), 1);
    let diff = stdout(&output);
    assert!(
        diff.starts_with("--- r.gate\n+++ r.gate (formatted)\n@@"),
        "{diff}"
    );
    assert!(
        diff.contains("+    endpoint e < auth: [a] > // and me\n"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("r.gate")).expect("read"),
        UNFORMATTED.as_bytes()
    );
}

#[test]
fn fmt_leaves_files_that_do_not_parse_alone() {
    let broken = b"connector c { auth a basic }";
    let dir = folder(&[("bad.gate", broken), ("r.gate", UNFORMATTED.as_bytes())]);
    let output = authgate_in(dir.path(), &["fmt", "."]);
    assert_fails(&output, 1, "expected `:`, found `basic`");
    assert_eq!(
        std::fs::read(dir.path().join("bad.gate")).expect("read"),
        broken
    );
    // The other file is still formatted.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.gate")).expect("read"),
        FORMATTED
    );
}

#[test]
fn the_shipped_rules_are_formatted() {
    let output = authgate(&["fmt", "--check"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

#[test]
fn fmt_dash_formats_stdin_to_stdout() {
    // An empty folder: `-` reads nothing but standard input.
    let dir = tempfile::tempdir().expect("temp dir");
    let output = authgate_with(dir.path(), &["fmt", "-"], UNFORMATTED);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), FORMATTED);
    assert_eq!(stderr(&output), "", "an editor shows whatever is on stderr");
    // Formatted text comes back byte for byte, hidden characters too (the
    // diff and the messages escape them, the text itself must not).
    let hidden = "connector \"a\u{202e}b\" {\n    auth a: basic\n}\n";
    let output = authgate_with(dir.path(), &["fmt", "-"], hidden);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), hidden);
    assert!(names(dir.path()).is_empty(), "nothing is written to disk");
}

#[test]
fn fmt_dash_on_a_syntax_error_prints_nothing_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = authgate_with(dir.path(), &["fmt", "-"], BROKEN);
    assert_eq!(code(&output), 1, "as for a file that does not parse");
    assert_eq!(stdout(&output), "", "the editor must keep its buffer");
    let err = stderr(&output);
    assert!(err.contains("expected `:`, found `basic`"), "{err}");
    assert!(err.contains("[<stdin>:1:22]"), "{err}");
    // An editor names the buffer.
    let output = authgate_with(
        dir.path(),
        &["fmt", "--stdin-filepath", "rules/shop.gate", "-"],
        BROKEN,
    );
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("[rules/shop.gate:1:22]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn fmt_check_dash_shows_the_diff_and_exits_1_if_it_would_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = authgate_with(dir.path(), &["fmt", "--check", "-"], UNFORMATTED);
    assert_eq!(code(&output), 1);
    let diff = stdout(&output);
    assert!(
        diff.starts_with("--- <stdin>\n+++ <stdin> (formatted)\n@@"),
        "{diff}"
    );
    assert!(diff.contains("+    auth a: basic\n"), "{diff}");
    let output = authgate_with(dir.path(), &["fmt", "--check", "-"], FORMATTED);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
    let output = authgate_with(dir.path(), &["fmt", "--check", "-"], BROKEN);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "");
}

#[test]
fn fmt_dash_stands_alone() {
    let output = authgate_with(root(), &["fmt", "-", "rules"], FORMATTED);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("can't be combined"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
    let output = authgate_with(root(), &["fmt", "--stdin-filepath", "x.gate", "rules"], "");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("pass `-`"), "{}", stderr(&output));
    // Standard input has the size limit of a file.
    let output = authgate_with(root(), &["fmt", "--max-file-size", "8", "-"], FORMATTED);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("`<stdin>` is 9 bytes"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

#[cfg(unix)]
#[test]
fn fmt_formats_a_symlink_target_and_keeps_the_link() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = tempfile::tempdir().expect("temp dir");
    let shared = dir.path().join("shared");
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&shared).expect("mkdir");
    std::fs::create_dir_all(&rules).expect("mkdir");
    let target = shared.join("r.gate");
    std::fs::write(&target, UNFORMATTED).expect("write");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = rules.join("r.gate");
    std::os::unix::fs::symlink("../shared/r.gate", &link).expect("symlink");

    // Through a folder walk, then naming the link itself.
    for path in ["rules", "rules/r.gate"] {
        std::fs::write(&target, UNFORMATTED).expect("write");
        let output = authgate_with(dir.path(), &["fmt", path], "");
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert_eq!(stderr(&output), "reformatted 1 file, 0 already formatted\n");
        let kind = std::fs::symlink_metadata(&link).expect("lstat").file_type();
        assert!(kind.is_symlink(), "`{path}`: the link stays a link");
        assert_eq!(
            std::fs::read_link(&link).expect("readlink"),
            PathBuf::from("../shared/r.gate")
        );
        assert_eq!(
            read(&target),
            FORMATTED,
            "`{path}`: the target is formatted"
        );
        let mode = std::fs::metadata(&target)
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640, "the target keeps its permissions");
        assert_eq!(names(&shared), ["r.gate"], "no temporary file left");
        assert_eq!(names(&rules), ["r.gate"], "no temporary file left");
    }
    let output = authgate_with(dir.path(), &["fmt", "--check", "rules"], "");
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}
