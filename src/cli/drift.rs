//! `authgate drift SPEC... --connector NAME [--rules PATH]...`: compare a
//! connector in the rules with the API's spec under the mapping of
//! `import openapi` (DESIGN §12), and report the differences as
//! diagnostics, with `check`'s formats and exit statuses.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::check::CheckFormat;
use super::{Cause, Outcome, Stop, StopFormat, cannot_run, err, out, plural, print_json};

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
    /// with no method, accepted methods not activated); what the rules
    /// claim and the spec does not have or accept is still reported.
    #[arg(long)]
    subset: bool,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: CheckFormat,
}

/// The document `drift --format json` prints (as `check`'s).
#[derive(Serialize)]
struct DriftJson {
    diagnostics: Vec<authgate::report::JsonDiagnostic>,
    errors: usize,
    warnings: usize,
}

pub fn run(args: DriftArgs, limit: u64) -> Outcome {
    let format: StopFormat = args.format.into();
    let rule_set =
        super::project::load(&args.rules, limit, format, super::project::Given::Instead)?;
    let sources = &rule_set.sources;
    let compiled = authgate::compile_with(sources, &rule_set.lints);
    super::usable_or(compiled, format, |errors| {
        format!("the rules have {errors}; run `authgate check` and fix them first")
    })?;
    let api = match authgate::openapi::read(&args.specs, limit) {
        Ok(api) => api,
        Err(error) => return Err(spec_error(format, &error)),
    };
    let diagnostics = match authgate::openapi::drift(
        &api,
        &args.connector,
        sources,
        authgate::openapi::DriftOptions::default().subset(args.subset),
    ) {
        Ok(diagnostics) => diagnostics,
        Err(unknown) => return Err(cannot_run(format, &unknown.to_string(), Cause::Message)),
    };
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity() == authgate::Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    match args.format {
        CheckFormat::Human => {
            super::print_diagnostics(&diagnostics);
        }
        CheckFormat::Github => {
            for diagnostic in &diagnostics {
                out(format_args!("{}", authgate::report::to_github(diagnostic)));
            }
        }
        CheckFormat::Sarif => print_json(&authgate::report::to_sarif(&diagnostics)),
        CheckFormat::Json => print_json(&DriftJson {
            diagnostics: diagnostics.iter().map(authgate::report::to_json).collect(),
            errors,
            warnings,
        }),
    }
    if matches!(args.format, CheckFormat::Human | CheckFormat::Github) {
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

/// A spec that can't be read, reported in `format`: exit status 2.
fn spec_error(format: StopFormat, error: &authgate::openapi::Error) -> Stop {
    if format == StopFormat::Human {
        return Stop::Exit(super::import::spec_error(error));
    }
    let mut json = authgate::report::problem_to_json(error, Some(error.path()));
    json.line = error.line();
    json.column = error.column();
    let message = error.to_string();
    match format {
        StopFormat::Json => print_json(&authgate::report::JsonError {
            error: message.clone(),
            diagnostics: vec![json],
        }),
        StopFormat::Sarif => print_json(&authgate::report::sarif(&[json], Some(&message))),
        StopFormat::Github | StopFormat::Human => {
            out(format_args!("{}", authgate::report::github(&json)));
        }
    }
    super::tell(format_args!("error: {message}"));
    Stop::Exit(ExitCode::from(2))
}
