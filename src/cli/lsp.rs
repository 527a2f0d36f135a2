//! `authgate lsp`: the language server on standard input and output.

use std::process::ExitCode;

use clap::Args;

use super::failure::Outcome;
use super::output::tell;

/// `authgate lsp` takes no options of its own: the editor starts it in
/// the workspace, and the workspace's `authgate.toml` says the rest.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it (VS Code's client does); standard
    /// input and output is the only transport.
    #[arg(long, hide = true)]
    stdio: bool,
}

/// Serves until the editor says `exit`. Exit status: 0 after a clean
/// shutdown, 1 when the editor broke the protocol.
pub fn run(args: LspArgs) -> Outcome {
    let _ = args.stdio;
    match authgate::lsp::stdio() {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            tell(format_args!("error: authgate lsp: {error}"));
            Ok(ExitCode::from(1))
        }
    }
}
