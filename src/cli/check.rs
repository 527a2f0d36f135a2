//! `authgate check [PATH...]`: report every problem in the rules.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{Format, LoadError, err, load, plural, print_diagnostics, print_json};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rule files, or folders searched recursively for `*.gate` files.
    #[arg(value_name = "PATH", default_value = "rules")]
    paths: Vec<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// The document `check --format json` prints.
#[derive(Serialize)]
struct CheckJson {
    diagnostics: Vec<authgate::report::JsonDiagnostic>,
    errors: usize,
    warnings: usize,
}

pub fn run(args: CheckArgs, limit: u64) -> Result<ExitCode, LoadError> {
    let sources = load::load(&args.paths, limit)?;
    let (diagnostics, summary) = authgate::check(&sources);
    match args.format {
        Format::Human => {
            print_diagnostics(&diagnostics);
            err(format_args!(
                "checked {}: {}, {}, {}, {}; {}, {}{}",
                plural(summary.files, "file"),
                plural(summary.connectors, "connector"),
                plural(summary.endpoints, "endpoint"),
                plural(summary.instances, "instance"),
                plural(summary.flows, "flow"),
                plural(summary.errors, "error"),
                plural(summary.warnings, "warning"),
                if args.deny_warnings && summary.warnings > 0 {
                    " (warnings denied)"
                } else {
                    ""
                }
            ));
        }
        Format::Json => {
            let diagnostics: Vec<_> = diagnostics
                .iter()
                .map(|diagnostic| authgate::report::to_json(diagnostic, &sources))
                .collect();
            print_json(&CheckJson {
                diagnostics,
                errors: summary.errors,
                warnings: summary.warnings,
            });
        }
    }
    let failed = summary.errors > 0 || (args.deny_warnings && summary.warnings > 0);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
