//! The command line as clap reads it: the global options and one variant
//! per subcommand (each command's own arguments live beside it; those
//! several commands share are in [`super::query`]).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[cfg(feature = "lsp")]
use super::lsp;
use super::output::{ColorChoice, DiagnosticsFormat};
#[cfg(feature = "serve")]
use super::serve;
use super::{check, diff, digest, drift, eval, explain, fmt, import, load, matrix, test, visible};

/// What `authgate --version` prints after the name: the crate's version and
/// the commit it was built from, as "HASH DATE", or "built outside git"
/// (see `build.rs`).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("AUTHGATE_COMMIT"),
    ")"
);

/// Check rule files of connector auth methods and answer which endpoints an
/// instance may use.
#[derive(Debug, Parser)]
#[command(name = "authgate", version = VERSION, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Refuse rule files larger than this (bytes, or with a K, M or G
    /// suffix, powers of 1024); at most 4G.
    #[arg(
        long,
        global = true,
        value_name = "SIZE",
        default_value = "256M",
        value_parser = load::parse_size
    )]
    pub max_file_size: u64,
    /// When to colour diagnostics and the matrix: auto (on a terminal,
    /// unless NO_COLOR is set; CLICOLOR_FORCE forces it), always, never.
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t)]
    pub color: ColorChoice,
    /// The project's configuration; default: `authgate.toml` in the
    /// working directory or the nearest folder above it.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

// No doc comment here: clap would read it as help text.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check rule files and report every problem.
    ///
    /// Exit status: 0 no errors, 1 errors (or warnings with
    /// --deny-warnings), 2 could not run.
    Check(check::CheckArgs),
    /// List the endpoints an instance sees.
    ///
    /// Exit status: 0 answered, 2 could not answer (rules with errors,
    /// unknown instance, connector or method).
    #[command(override_usage = "authgate visible [OPTIONS] <INSTANCE>\n       \
                                authgate visible [OPTIONS] --connector <CONNECTOR> --auth <METHOD>")]
    Visible(visible::VisibleArgs),
    /// Say whether an endpoint is available to an instance, and why.
    ///
    /// Exit status: 0 available, 1 not available (including unknown names),
    /// 2 could not decide (rules with errors, unreadable files).
    #[command(
        override_usage = "authgate explain [OPTIONS] <INSTANCE> <ENDPOINT>\n       \
                                authgate explain [OPTIONS] --connector <CONNECTOR> --auth <METHOD> \
                                <ENDPOINT>"
    )]
    Explain(explain::ExplainArgs),
    /// Decide many requests: NDJSON requests on stdin, one NDJSON decision
    /// per line on stdout, in order.
    ///
    /// A request is {"instance": I, "endpoint": E} or {"connector": C,
    /// "auth": M, "endpoint": E}; the answer is {"available": bool,
    /// "reason": "...", ...the names echoed}. A line that is not a valid
    /// request gets {"line": N, "error": "..."} and the rest goes on.
    ///
    /// Exit status: 0 every line answered, 1 some line was not a valid
    /// request, 2 could not run (rules with errors, unreadable files).
    Eval(eval::EvalArgs),
    /// Run the tests written in the rules (`test NAME { expect ... }`).
    ///
    /// Ends with the line `N passed, N failed`. Exit status: 0 all passed,
    /// 1 any failed, 2 could not run (rules with errors, no test without
    /// --allow-empty, unreadable path).
    Test(test::TestArgs),
    /// Rewrite rule files in the canonical layout (comments kept).
    ///
    /// Exit status: 0 done (or nothing to change with --check), 1 a file
    /// would change (--check) or does not parse (it is left alone), 2
    /// could not run.
    Fmt(fmt::FmtArgs),
    /// Show the rules as grids: per connector, endpoints × auth methods
    /// (activated) and endpoints × declared instances (visible).
    Matrix(matrix::MatrixArgs),
    /// Who gains or loses which endpoint between two rule sets: OLD NEW
    /// paths, or --git REV (OLD) against the working tree.
    ///
    /// Exit status: 0 compared, 1 --fail-on matched (widen: something
    /// gained; any: any change), 2 could not compare (rules with errors,
    /// bad revision, unreadable path).
    #[command(override_usage = "authgate diff [OPTIONS] <OLD> <NEW>\n       \
                                authgate diff [OPTIONS] --git <REV> [NEW]")]
    Diff(diff::DiffArgs),
    /// Print the bundle digest of the rule files: `sha256:` of a manifest
    /// of each file's SHA-256 and path (relative to the PATH it was found
    /// under), the same on any machine for the same files.
    ///
    /// Exit status: 0 printed, 2 could not read the rules. The rules need
    /// not compile.
    Digest(digest::DigestArgs),
    /// Write a connector from an API's spec: `authgate import openapi
    /// SPEC... [--connector NAME] [-o FILE]`.
    ///
    /// Exit status: 0 written, 2 could not read the spec or write.
    Import(import::ImportArgs),
    /// Compare a connector in the rules with the API's OpenAPI or Swagger
    /// spec and report the differences as diagnostics.
    ///
    /// Exit status: 0 no errors, 1 errors (or warnings with
    /// --deny-warnings), 2 could not run (rules with errors, a spec that
    /// can't be read, no such connector).
    Drift(drift::DriftArgs),
    /// Serve decisions over HTTP (and AuthZEN), reloading on SIGHUP or
    /// with --watch; prints `listening on http://HOST:PORT` once ready.
    ///
    /// Exit status: 0 stopped by SIGTERM or SIGINT, 2 could not start
    /// (rules with errors, a bad signature, an address in use).
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// Sign the rule files' bundle digest with an Ed25519 key: writes
    /// `authgate.sig` into the first PATH (beside it, for a file).
    #[cfg(feature = "serve")]
    Sign(serve::SignArgs),
    /// Make an Ed25519 key pair for `sign` and `serve --verify-key`.
    #[cfg(feature = "serve")]
    Keygen(serve::KeygenArgs),
    /// Serve editors: a language server (LSP) on standard input and output.
    #[cfg(feature = "lsp")]
    Lsp(lsp::LspArgs),
    /// Print a shell completion script: `authgate completions bash >
    /// /etc/bash_completion.d/authgate`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

impl Command {
    /// The format this command reports a failure in: the one it was asked
    /// for, as near as a diagnostics format comes (a table, CSV or
    /// markdown answer reports failures as human text).
    pub fn failure_format(&self) -> DiagnosticsFormat {
        match self {
            Command::Check(args) => args.format,
            Command::Test(args) => args.format,
            Command::Drift(args) => args.format,
            Command::Visible(args) => args.query.format.into(),
            Command::Explain(args) => args.query.format.into(),
            Command::Digest(args) => args.format.into(),
            Command::Matrix(args) => args.failure_format(),
            Command::Diff(args) => args.failure_format(),
            _ => DiagnosticsFormat::Human,
        }
    }
}
