//! `authgate check [PATH...]`: report every problem in the rules.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::failure::Outcome;
use super::load::{self, Given};
use super::output::{DiagnosticsFormat, err, print_report};

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
    pub format: DiagnosticsFormat,
}

pub fn run(args: CheckArgs, limit: u64) -> Outcome {
    let rule_set = load::rule_set(&args.paths, limit, Given::Named)?;
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
    print_report(args.format, &diagnostics);
    if matches!(
        args.format,
        DiagnosticsFormat::Human | DiagnosticsFormat::Github
    ) {
        err(format_args!(
            "{summary}{}",
            if args.deny_warnings && summary.warnings > 0 {
                " (warnings denied)"
            } else {
                ""
            }
        ));
    }
    let failed = summary.errors > 0 || (args.deny_warnings && summary.warnings > 0);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
