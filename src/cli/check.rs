//! `authgate check [PATH...]`: report every problem in the rules.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{Outcome, err, out, print_diagnostics, print_json};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rule files, or folders searched recursively for `*.gate` files;
    /// default: the rule set of `authgate.toml`, else `rules`. With a rule
    /// set in `authgate.toml`, named files are checked within it and only
    /// their diagnostics are reported.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: CheckFormat,
}

/// `check`'s formats: the common two, and two for CI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Readable reports; plain when not on a terminal or under NO_COLOR.
    #[default]
    Human,
    /// One JSON document on standard output.
    Json,
    /// A SARIF 2.1.0 log on standard output (code scanning tools).
    Sarif,
    /// GitHub Actions workflow commands on standard output (annotations).
    Github,
}

/// The document `check --format json` prints.
#[derive(Serialize)]
struct CheckJson {
    diagnostics: Vec<authgate::report::JsonDiagnostic>,
    errors: usize,
    warnings: usize,
}

pub fn run(args: CheckArgs, limit: u64) -> Outcome {
    let rule_set = super::project::load(
        &args.paths,
        limit,
        args.format.into(),
        super::project::Given::Named,
    )?;
    let sources = &rule_set.sources;
    let (diagnostics, mut summary) = authgate::check_with(sources, &rule_set.lints);
    // Named files within a larger rule set: report theirs only.
    let diagnostics: Vec<_> = diagnostics
        .into_iter()
        .filter(|diagnostic| rule_set.concerns(diagnostic))
        .collect();
    summary.errors = diagnostics
        .iter()
        .filter(|d| d.severity() == authgate::Severity::Error)
        .count();
    summary.warnings = diagnostics.len() - summary.errors;
    match args.format {
        CheckFormat::Human | CheckFormat::Github => {
            if args.format == CheckFormat::Human {
                print_diagnostics(&diagnostics);
            } else {
                for diagnostic in &diagnostics {
                    out(format_args!("{}", authgate::report::to_github(diagnostic)));
                }
            }
            err(format_args!(
                "{summary}{}",
                if args.deny_warnings && summary.warnings > 0 {
                    " (warnings denied)"
                } else {
                    ""
                }
            ));
        }
        CheckFormat::Sarif => print_json(&authgate::report::to_sarif(&diagnostics)),
        CheckFormat::Json => {
            let diagnostics: Vec<_> = diagnostics.iter().map(authgate::report::to_json).collect();
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
