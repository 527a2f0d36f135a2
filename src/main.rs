//! The `authgate` binary: parse arguments, run the command, report.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(code) | Err(cli::Stop::Exit(code)) => code,
        Err(cli::Stop::Load(error)) => {
            let style = cli::stderr_style();
            let report = authgate::diagnostics::render::render_human(&error, style);
            let _ = std::io::Write::write_all(&mut std::io::stderr(), report.as_bytes());
            ExitCode::from(2)
        }
    }
}
