//! The `authgate` binary: parse arguments, run the command; the command
//! reports its answer, or its failure in the format it was asked for.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cli::Cli::parse().run()
}
