//! The real `authgate` binary (`CARGO_BIN_EXE_authgate`), run as a person
//! or a CI job runs it, asserting exit status, stdout and stderr: `check`
//! and its formats, what it reads, the queries, `matrix`, `test`, `digest`,
//! `fmt`, `diff` (with scopes: `diff_scopes`), `import openapi` and `drift`, `authgate.toml`, and the
//! packaging files that run it (pre-commit hooks, the GitHub Action), and
//! every example of the docs (`docs/`), and what a release promises (one
//! version everywhere, `--version`).
//!
//! Needs the `cli` feature, which builds the binary (a default):
//! `cargo test --test cli`.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails by panicking"
)]

#[path = "../support/mod.rs"]
mod support;

mod arguments;
mod check;
mod config;
mod diff;
mod diff_scopes;
mod digest;
mod docs;
mod drift;
mod eval_scopes;
mod fmt;
mod formats;
mod import;
mod import_scopes;
mod inputs;
mod matrix;
mod packaging;
mod queries;
mod release;
mod scopes;
mod test_command;

/// A rule file as `authgate fmt` finds it, comments included, and as it
/// leaves it (`fmt.rs`, and the pre-commit hook in `packaging.rs`).
const UNFORMATTED: &str = "// keep me\nconnector c{auth a:basic endpoint e<auth:[a,],> // and me\n}\ninstance i of c<auth:a>";
const FORMATTED: &str = "// keep me\nconnector c {\n    auth a: basic\n    endpoint e < auth: [a] > // and me\n}\n\ninstance i of c < auth: a >\n";
