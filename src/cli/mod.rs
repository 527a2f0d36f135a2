//! The `authgate` command-line tool: one module per subcommand, plus
//! loading rule files from paths.

mod check;
mod diff;
mod digest;
mod drift;
mod eval;
mod explain;
mod fmt;
mod import;
mod load;
#[cfg(feature = "lsp")]
mod lsp;
mod matrix;
mod project;
#[cfg(feature = "serve")]
mod serve;
mod test;
mod visible;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use load::LoadError;

/// Check rule files of connector auth methods and answer which endpoints an
/// instance may use.
#[derive(Debug, Parser)]
#[command(name = "authgate", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Refuse rule files larger than this (bytes, or with a K, M or G
    /// suffix, powers of 1024); at most 4G.
    #[arg(
        long,
        global = true,
        value_name = "SIZE",
        default_value = "256M",
        value_parser = load::parse_size
    )]
    max_file_size: u64,
    /// When to colour diagnostics and the matrix: auto (on a terminal,
    /// unless NO_COLOR is set; CLICOLOR_FORCE forces it), always, never.
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t)]
    color: ColorChoice,
    /// The project's configuration; default: `authgate.toml` in the
    /// working directory or the nearest folder above it.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
}

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set; `CLICOLOR_FORCE`
    /// forces it off a terminal.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The `--color` of this run, set once before the command runs: colour is
/// asked for deep inside the commands (every diagnostic printed), and
/// threading a flag through each of them would buy nothing.
static COLOR: OnceLock<ColorChoice> = OnceLock::new();

#[derive(Debug, Subcommand)]
enum Command {
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

/// Output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable reports; plain when not on a terminal or under NO_COLOR.
    #[default]
    Human,
    /// One JSON document on standard output.
    Json,
}

/// What the query commands (`visible`, `explain`) share.
#[derive(Debug, Args)]
struct QueryArgs {
    #[command(flatten)]
    runtime: RuntimeArgs,
    #[command(flatten)]
    rules: RulesArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Where the rules come from, for the query commands.
#[derive(Debug, Args)]
struct RulesArgs {
    /// A rule file, or a folder searched recursively for `*.gate` files
    /// (repeatable); default: the rule set of `authgate.toml`, else
    /// `rules`.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
}

/// A runtime instance: a connector and one of its auth methods.
#[derive(Debug, Args)]
struct RuntimeArgs {
    /// The connector of a runtime instance (with --auth), instead of a
    /// declared INSTANCE.
    #[arg(long, value_name = "CONNECTOR", requires = "auth")]
    connector: Option<String>,
    /// The auth method of a runtime instance (with --connector).
    #[arg(long, value_name = "METHOD", requires = "connector")]
    auth: Option<String>,
}

impl Cli {
    /// Runs the parsed command.
    pub fn run(self) -> Outcome {
        let limit = self.max_file_size;
        let _ = COLOR.set(self.color);
        if !matches!(self.command, Command::Completions { .. }) {
            project::init(self.config.as_deref());
        }
        match self.command {
            Command::Check(args) => check::run(args, limit),
            Command::Visible(args) => visible::run(args, limit),
            Command::Explain(args) => explain::run(args, limit),
            Command::Eval(args) => eval::run(args, limit),
            Command::Test(args) => test::run(args, limit),
            Command::Fmt(args) => fmt::run(args, limit),
            Command::Matrix(args) => matrix::run(args, limit),
            Command::Diff(args) => diff::run(args, limit),
            Command::Digest(args) => digest::run(args, limit),
            Command::Import(args) => import::run(args, limit),
            Command::Drift(args) => drift::run(args, limit),
            #[cfg(feature = "serve")]
            Command::Serve(args) => serve::run(args, limit),
            #[cfg(feature = "serve")]
            Command::Sign(args) => serve::sign(args, limit),
            #[cfg(feature = "serve")]
            Command::Keygen(args) => serve::keygen(args),
            #[cfg(feature = "lsp")]
            Command::Lsp(args) => lsp::run(args),
            Command::Completions { shell } => {
                use clap::CommandFactory as _;
                let mut script = Vec::new();
                clap_complete::generate(shell, &mut Cli::command(), "authgate", &mut script);
                out(format_args!(
                    "{}",
                    String::from_utf8_lossy(&script).trim_end()
                ));
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

/// A standard stream that output is fitted to.
#[derive(Clone, Copy, Debug)]
enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        }
    }

    /// Whether to colour what goes to this stream: `--color always` or
    /// `never` decide; under `auto`, `NO_COLOR` (set and not empty) turns
    /// colour off, then `CLICOLOR_FORCE` (set, not empty, not `0`) turns it
    /// on, and otherwise only a terminal gets colour.
    fn color(self) -> bool {
        let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        match COLOR.get().copied().unwrap_or_default() {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR").is_some() => false,
            ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|value| value != "0") => true,
            ColorChoice::Auto => self.is_terminal(),
        }
    }

    /// The width to fit: the terminal's when this stream is one, else
    /// `COLUMNS`, else 100.
    fn width(self) -> usize {
        let terminal = match self {
            Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
            Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
        };
        terminal
            .map(|(terminal_size::Width(width), _)| usize::from(width))
            .filter(|&width| width > 0)
            .or_else(|| {
                std::env::var("COLUMNS")
                    .ok()
                    .and_then(|columns| columns.trim().parse::<usize>().ok())
                    .filter(|&width| width > 0)
            })
            .unwrap_or(100)
    }
}

/// How human reports look on standard error: colour as `--color` and the
/// environment say (see [`Stream::color`]); the width of the terminal (at
/// least 40, below which miette's snippets become unreadable).
pub fn stderr_style() -> authgate::report::Style {
    authgate::report::Style {
        color: Stream::Stderr.color(),
        width: Stream::Stderr.width().max(40),
    }
}

/// Prints the human rendering of diagnostics to standard error.
fn print_diagnostics(diagnostics: &[authgate::Diagnostic]) {
    let style = stderr_style();
    for diagnostic in diagnostics {
        err(format_args!(
            "{}",
            authgate::report::render_human(diagnostic, style)
        ));
    }
}

/// `1 error`, `2 errors`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Why a command stops before its answer: its rules could not be loaded
/// (`main` reports the error, as human text: for `fmt`, whose output is
/// the files), or it has already said why and exits with this status.
#[derive(Debug)]
pub enum Stop {
    /// Loading the rules failed.
    Load(LoadError),
    /// The command reported the problem itself.
    Exit(ExitCode),
}

impl From<LoadError> for Stop {
    fn from(error: LoadError) -> Self {
        Stop::Load(error)
    }
}

/// What a command returns: its exit status, or why it stopped.
pub type Outcome = Result<ExitCode, Stop>;

/// The format a command reports in when it cannot run (exit status 2):
/// the one it was asked for, so that a CI step reading JSON or SARIF gets
/// a document saying why rather than an empty file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StopFormat {
    /// Human text on standard error.
    Human,
    /// [`authgate::report::JsonError`] on standard output.
    Json,
    /// A SARIF log with the causes as results and a failed invocation.
    Sarif,
    /// A GitHub annotation per cause.
    Github,
}

impl From<Format> for StopFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Human => StopFormat::Human,
            Format::Json => StopFormat::Json,
        }
    }
}

impl From<check::CheckFormat> for StopFormat {
    fn from(format: check::CheckFormat) -> Self {
        match format {
            check::CheckFormat::Human => StopFormat::Human,
            check::CheckFormat::Json => StopFormat::Json,
            check::CheckFormat::Sarif => StopFormat::Sarif,
            check::CheckFormat::Github => StopFormat::Github,
        }
    }
}

/// What stopped a command, for [`cannot_run`].
#[derive(Clone, Copy)]
enum Cause<'a> {
    /// The rules have these errors.
    Rules(&'a [authgate::Diagnostic]),
    /// The rule files could not be loaded.
    Load(&'a LoadError),
    /// Only the message (an unknown name, no test to run).
    Message,
}

/// Reports that the command cannot run, in its format, and stops it with
/// exit status 2. Machine formats write their document on standard output
/// and `error: MESSAGE` on standard error; human text goes to standard
/// error only.
fn cannot_run(format: StopFormat, message: &str, cause: Cause<'_>) -> Stop {
    let diagnostics = || -> Vec<authgate::report::JsonDiagnostic> {
        match cause {
            Cause::Rules(errors) => errors.iter().map(authgate::report::to_json).collect(),
            Cause::Load(error) => {
                vec![authgate::report::problem_to_json(error, Some(error.path()))]
            }
            Cause::Message => Vec::new(),
        }
    };
    match format {
        StopFormat::Human => match cause {
            Cause::Rules(errors) => print_diagnostics(errors),
            Cause::Load(error) => {
                use std::io::Write as _;
                let report = authgate::report::render_human(error, stderr_style());
                let _ = std::io::stderr().write_all(report.as_bytes());
            }
            Cause::Message => {}
        },
        StopFormat::Json => print_json(&authgate::report::JsonError {
            error: message.to_owned(),
            diagnostics: diagnostics(),
        }),
        StopFormat::Sarif => print_json(&authgate::report::sarif(&diagnostics(), Some(message))),
        StopFormat::Github => {
            let mut diagnostics = diagnostics();
            if diagnostics.is_empty() {
                diagnostics.push(authgate::report::JsonDiagnostic {
                    code: "authgate::error".to_owned(),
                    severity: authgate::Severity::Error,
                    message: message.to_owned(),
                    file: None,
                    line: None,
                    column: None,
                    labels: Vec::new(),
                    help: None,
                });
            }
            for diagnostic in &diagnostics {
                out(format_args!("{}", authgate::report::github(diagnostic)));
            }
        }
    }
    // The human rendering of a load error already says it.
    if !(format == StopFormat::Human && matches!(cause, Cause::Load(_))) {
        tell(format_args!("error: {message}"));
    }
    Stop::Exit(ExitCode::from(2))
}

/// Loads the rule files under `paths`; when that fails, says why in
/// `format` and stops.
fn load_rules(
    paths: &[PathBuf],
    limit: u64,
    format: StopFormat,
) -> Result<authgate::Sources, Stop> {
    load::load(paths, limit)
        .map_err(|error| cannot_run(format, &error.to_string(), Cause::Load(&error)))
}

/// Loads and compiles rules for a query command. Load and rule errors are
/// reported in `format` and make the command unable to answer.
fn compile_for_query(
    rules: &[PathBuf],
    limit: u64,
    format: StopFormat,
) -> Result<authgate::Policy, Stop> {
    let rule_set = project::load(rules, limit, format, project::Given::Instead)?;
    let compiled = authgate::compile_with(&rule_set.sources, &rule_set.lints);
    usable(compiled, format).map(|(policy, _)| policy)
}

/// The policy and tests of a compilation, or, when the rules have errors,
/// those errors reported in `format` and exit status 2 (a command can't
/// answer from rules that don't compile).
fn usable(
    compiled: authgate::Compilation,
    format: StopFormat,
) -> Result<(authgate::Policy, Vec<authgate::check::TestDef>), Stop> {
    usable_or(compiled, format, |errors| {
        format!("the rules have {errors}; run `authgate check` and fix them first")
    })
}

/// [`usable`], saying why with `message` (given "N errors").
fn usable_or(
    compiled: authgate::Compilation,
    format: StopFormat,
    message: impl FnOnce(&str) -> String,
) -> Result<(authgate::Policy, Vec<authgate::check::TestDef>), Stop> {
    if let Some(policy) = compiled.policy {
        return Ok((policy, compiled.tests));
    }
    let errors: Vec<_> = compiled
        .diagnostics
        .into_iter()
        .filter(|d| d.severity() == authgate::Severity::Error)
        .collect();
    let message = message(&plural(errors.len(), "error"));
    Err(cannot_run(format, &message, Cause::Rules(&errors)))
}

/// Prints one pretty JSON document and a newline to standard output.
/// Streamed: a diff's document can be larger than is worth holding in
/// memory twice. A closed pipe ends it quietly, as [`out`] does.
fn print_json(value: &impl serde::Serialize) {
    use std::io::Write as _;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut stdout, value)
        .map_err(std::io::Error::from)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    if let Err(error) = written
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        err(format_args!("error: cannot write JSON: {error}"));
    }
}

/// Writes a line to standard output. A closed pipe (`authgate ... | head`)
/// is not an error worth a panic: the reader has what it wanted.
fn out(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_fmt(line)
        .and_then(|()| stdout.write_all(b"\n"));
}

/// Writes a line for people to standard output. It holds names, which are
/// user input: hidden characters (a terminal escape sequence, a
/// bidirectional control) are escaped, see `authgate::text::escape`.
fn say(line: std::fmt::Arguments<'_>) {
    out(format_args!(
        "{}",
        authgate::text::escape(&line.to_string())
    ));
}

/// [`say`] on standard error.
fn tell(line: std::fmt::Arguments<'_>) {
    err(format_args!(
        "{}",
        authgate::text::escape(&line.to_string())
    ));
}

/// Writes a line to standard error, ignoring a closed stream.
fn err(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_fmt(line)
        .and_then(|()| stderr.write_all(b"\n"));
}

/// The principal named on the command line: a declared instance, or a
/// runtime one from `--connector` and `--auth`.
fn principal<'a>(instance: Option<&'a str>, runtime: &'a RuntimeArgs) -> authgate::Principal<'a> {
    match (instance, &runtime.connector, &runtime.auth) {
        (Some(instance), _, _) => authgate::Principal::Instance(instance),
        (None, connector, auth) => authgate::Principal::Runtime {
            connector: connector.as_deref().unwrap_or(""),
            method: auth.as_deref().unwrap_or(""),
        },
    }
}
