//! The command line itself: bad arguments exit 2, and shell completions.

use std::process::Command;

use crate::support::{authgate, code, folder, stdout};

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(code(&authgate(&["check", "--format", "yaml"])), 2);
    assert_eq!(code(&authgate(&["explain", "instance 1"])), 2);
    assert_eq!(
        code(&authgate(&[
            "explain",
            "--connector",
            "shop",
            "--auth",
            "basic",
            "a",
            "b"
        ])),
        2
    );
    assert_eq!(code(&authgate(&["visible"])), 2);
    assert_eq!(code(&authgate(&["visible", "--connector", "shop"])), 2);
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let output = authgate(&["completions", shell]);
        assert_eq!(code(&output), 0, "{shell}");
        let script = stdout(&output);
        for command in ["check", "visible", "explain", "eval"] {
            assert!(
                script.contains(command),
                "{shell} completions lack {command}"
            );
        }
    }
    // The bash script is valid bash.
    let dir = folder(&[]);
    let path = dir.path().join("authgate.bash");
    std::fs::write(&path, authgate(&["completions", "bash"]).stdout).expect("write");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .expect("bash runs");
    assert!(syntax.success());
    assert_eq!(code(&authgate(&["completions", "tcsh"])), 2);
}
