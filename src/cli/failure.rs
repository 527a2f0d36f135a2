//! Why a command could not do its job, as data: each command returns a
//! [`Failure`] instead of printing where the problem happens, and
//! [`render`] reports it, in the format the command was asked for, in one
//! place. Exit status 2, always: "could not run" (a command's own verdicts,
//! such as `check`'s 1, are answers, not failures).
//!
//! Machine formats write a document saying why on standard output (a CI
//! step reading JSON or SARIF gets it rather than an empty file) and
//! `error: MESSAGE` on standard error; human text goes to standard error
//! only.

use std::process::ExitCode;

use authgate::Diagnostic;
use authgate::diagnostics::render::{self, JsonDiagnostic, JsonError};
use clap::CommandFactory as _;

use super::Cli;
use super::output::{
    DiagnosticsFormat, err, out, print_diagnostics, print_json, print_problem, tell,
};
use authgate::project::files::LoadError;

/// What a command returns: its exit status, or why it could not run.
pub type Outcome = Result<ExitCode, Failure>;

/// Why a command could not run: what to report.
#[derive(Debug)]
pub enum Failure {
    /// The rule files could not be loaded (`authgate check nope`).
    Load(LoadError),
    /// The project's `authgate.toml` (or `--config`) could not be read;
    /// read once for the whole run, so borrowed.
    Config(&'static LoadError),
    /// The rules have errors, or `authgate.toml` is not a valid
    /// configuration: `message` says so, `errors` are the diagnostics to
    /// show.
    Rules {
        message: String,
        errors: Vec<Diagnostic>,
    },
    /// An API spec could not be read (`import openapi`, `drift`).
    Spec(authgate::openapi::Error),
    /// Only a message: an unknown name, no test to run, a bad revision, a
    /// file that can't be written.
    Message(String),
    /// Arguments that clap accepts but that don't fit together
    /// (`explain a b c`): clap's usage error, with `command`'s usage line.
    Usage {
        command: &'static str,
        kind: clap::error::ErrorKind,
        message: &'static str,
    },
    /// Writing the answer failed part-way (not a closed pipe): `error:
    /// MESSAGE` on standard error in every format, since the document is
    /// already half written.
    Output(String),
    /// Several problems, each complete (both sides of a diff have errors):
    /// human text shows each in turn, a document says the first.
    Several(Vec<Failure>),
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Self {
        Failure::Load(error)
    }
}

impl Failure {
    /// A failure that is only a message.
    pub fn message(message: impl Into<String>) -> Self {
        Failure::Message(message.into())
    }

    /// What `error: ...` says.
    fn text(&self) -> String {
        match self {
            Failure::Load(error) => error.to_string(),
            Failure::Config(error) => error.to_string(),
            Failure::Spec(error) => error.to_string(),
            Failure::Rules { message, .. }
            | Failure::Message(message)
            | Failure::Output(message) => message.clone(),
            Failure::Usage { message, .. } => (*message).to_owned(),
            Failure::Several(failures) => failures.first().map(Failure::text).unwrap_or_default(),
        }
    }

    /// The causes as diagnostics, for a document.
    fn diagnostics(&self) -> Vec<JsonDiagnostic> {
        match self {
            Failure::Rules { errors, .. } => errors.iter().map(render::to_json).collect(),
            Failure::Load(error) | &Failure::Config(error) => {
                vec![render::problem_to_json(error, Some(error.path()))]
            }
            Failure::Spec(error) => {
                let mut json = render::problem_to_json(error, Some(error.path()));
                json.line = error.line();
                json.column = error.column();
                vec![json]
            }
            Failure::Message(_)
            | Failure::Usage { .. }
            | Failure::Output(_)
            | Failure::Several(_) => Vec::new(),
        }
    }
}

/// Reports `failure` in `format` (see the module docs); the exit status
/// is 2.
pub fn render(failure: &Failure, format: DiagnosticsFormat) -> ExitCode {
    match failure {
        Failure::Several(failures) => {
            let shown = if format == DiagnosticsFormat::Human {
                failures.len()
            } else {
                1
            };
            for failure in failures.iter().take(shown) {
                render(failure, format);
            }
        }
        Failure::Usage {
            command,
            kind,
            message,
        } => usage(command, *kind, message),
        Failure::Output(message) => err(format_args!("error: {message}")),
        _ => report(failure, format),
    }
    ExitCode::from(2)
}

/// Reports one failure in `format`.
fn report(failure: &Failure, format: DiagnosticsFormat) {
    let message = failure.text();
    match format {
        DiagnosticsFormat::Human => match failure {
            // The human report already says it: no `error:` line.
            Failure::Load(error) | &Failure::Config(error) => return print_problem(error),
            Failure::Spec(error) => return print_problem(error),
            Failure::Rules { errors, .. } => print_diagnostics(errors),
            _ => {}
        },
        DiagnosticsFormat::Json => print_json(&JsonError {
            error: message.clone(),
            diagnostics: failure.diagnostics(),
        }),
        DiagnosticsFormat::Sarif => {
            print_json(&render::sarif(&failure.diagnostics(), Some(&message)));
        }
        DiagnosticsFormat::Github => {
            let mut diagnostics = failure.diagnostics();
            if diagnostics.is_empty() {
                diagnostics.push(JsonDiagnostic {
                    code: "authgate::error".to_owned(),
                    severity: authgate::Severity::Error,
                    message: message.clone(),
                    file: None,
                    line: None,
                    column: None,
                    labels: Vec::new(),
                    help: None,
                });
            }
            for diagnostic in &diagnostics {
                out(format_args!("{}", render::github(diagnostic)));
            }
        }
    }
    tell(format_args!("error: {message}"));
}

/// Prints clap's usage error for `command`, as clap's own checks do.
fn usage(command: &str, kind: clap::error::ErrorKind, message: &str) {
    let mut cli = Cli::command();
    cli.build();
    let error = match cli.find_subcommand_mut(command) {
        Some(subcommand) => subcommand.error(kind, message),
        None => cli.error(kind, message),
    };
    let _ = error.print();
}
