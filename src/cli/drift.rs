//! `authgate drift SPEC... --connector NAME [--rules PATH]...`: compare a
//! connector in the rules with the API's spec under the mapping of
//! `import openapi`, and report the differences as diagnostics, with
//! `check`'s formats and exit statuses.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::failure::{Failure, Outcome};
use super::load::{self, Given};
use super::output::{DiagnosticsFormat, err, plural, print_report};

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The spec's root files (the ones with `openapi:` or `swagger:`).
    #[arg(value_name = "SPEC", required = true)]
    specs: Vec<PathBuf>,
    /// The connector in the rules that the spec describes.
    #[arg(long, value_name = "NAME")]
    connector: String,
    /// A rule file, or a folder searched recursively for `*.gate` files
    /// (repeatable); default: the rule set of `authgate.toml`, else
    /// `rules`.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// The connector uses only part of the API: don't report what the spec
    /// offers and the rules leave out (operations with no endpoint, schemes
    /// with no method, accepted methods not activated, alternatives hidden
    /// by more scopes); what the rules claim and the spec does not have or
    /// accept is still reported.
    #[arg(long)]
    subset: bool,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiagnosticsFormat,
}

pub fn run(args: DriftArgs, limit: u64) -> Outcome {
    let rule_set = load::rule_set(&args.rules, limit, Given::Instead)?;
    let sources = &rule_set.sources;
    rule_set.compile()?;
    let api = authgate::openapi::read(&args.specs, limit).map_err(Failure::Spec)?;
    let diagnostics = authgate::openapi::drift(
        &api,
        &args.connector,
        sources,
        authgate::openapi::DriftOptions::default().subset(args.subset),
    )
    .map_err(|unknown| Failure::message(unknown.to_string()))?;
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity() == authgate::Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    print_report(args.format, &diagnostics);
    if matches!(
        args.format,
        DiagnosticsFormat::Human | DiagnosticsFormat::Github
    ) {
        err(format_args!(
            "drift of connector `{}` against {}: {}, {}{}",
            authgate::text::escape(&args.connector),
            plural(api.files.len(), "spec file"),
            plural(errors, "error"),
            plural(warnings, "warning"),
            if args.deny_warnings && warnings > 0 {
                " (warnings denied)"
            } else {
                ""
            }
        ));
    }
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
