//! The `authgate` command-line tool. Each command reads as load → decide
//! → render: it loads through [`load`], writes its answer through
//! [`output`], and returns a [`failure::Failure`] when it can't run,
//! which [`Cli::run`] reports in the command's format. Commands don't
//! call each other.

mod args;
mod failure;
mod load;
mod output;
mod query;

mod check;
mod diff;
mod digest;
mod drift;
mod eval;
mod explain;
mod fmt;
mod import;
#[cfg(feature = "lsp")]
mod lsp;
mod matrix;
#[cfg(feature = "serve")]
mod serve;
mod test;
mod visible;

use std::process::ExitCode;

pub use args::Cli;
use args::Command;
use failure::Outcome;

impl Cli {
    /// Runs the parsed command; a failure is reported here, in the format
    /// the command was asked for.
    pub fn run(self) -> ExitCode {
        output::set_color(self.color);
        let format = self.command.failure_format();
        match self.dispatch() {
            Ok(code) => code,
            Err(failure) => failure::render(&failure, format),
        }
    }

    fn dispatch(self) -> Outcome {
        let limit = self.max_file_size;
        if !matches!(self.command, Command::Completions { .. }) {
            load::init(self.config.as_deref());
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
                output::out(format_args!(
                    "{}",
                    String::from_utf8_lossy(&script).trim_end()
                ));
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}
