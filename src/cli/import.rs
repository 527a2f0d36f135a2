//! `authgate import openapi SPEC... [--connector NAME] [-o FILE]`: write
//! a connector from an API's OpenAPI or Swagger spec, in the
//! canonical layout; a summary of what the rules can't say goes to
//! standard error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::failure::{Failure, Outcome};
use super::output::{err, plural, tell};

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    source: Source,
}

/// What to import from.
#[derive(Debug, Subcommand)]
enum Source {
    /// An OpenAPI 3.x or Swagger 2.0 spec, JSON or YAML, possibly spread
    /// over several files (`$ref`s between them are followed).
    ///
    /// Exit status: 0 written, 2 could not read the spec or write the
    /// output.
    Openapi(OpenapiArgs),
}

#[derive(Debug, Args)]
struct OpenapiArgs {
    /// The spec's root files (the ones with `openapi:` or `swagger:`); the
    /// files they refer to are read through their `$ref`s.
    #[arg(value_name = "SPEC", required = true)]
    specs: Vec<PathBuf>,
    /// The connector's name; default: the first spec's `info.title` in
    /// lowercase words joined by `_` (`Shop API` → `shop_api`).
    #[arg(long, value_name = "NAME")]
    connector: Option<String>,
    /// Write the rules to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: ImportArgs, limit: u64) -> Outcome {
    let Source::Openapi(args) = args.source;
    let api = authgate::openapi::read(&args.specs, limit).map_err(Failure::Spec)?;
    let connector = args
        .connector
        .unwrap_or_else(|| authgate::openapi::connector_name(api.title.as_deref()));
    if connector.is_empty() || connector.contains(['\n', '\r']) {
        return Err(Failure::message(
            "`--connector` must be a name of at least one character, without line breaks",
        ));
    }
    let rules = authgate::openapi::render(&api, &connector);
    match &args.output {
        Some(path) => {
            std::fs::write(path, &rules).map_err(|error| {
                Failure::message(format!("cannot write `{}`: {error}", path.display()))
            })?;
        }
        None => {
            use std::io::Write as _;
            let _ = std::io::stdout().lock().write_all(rules.as_bytes());
        }
    }
    tell(format_args!(
        "imported connector `{connector}`: {}, {} from {}",
        plural(api.methods.len(), "auth method"),
        plural(api.endpoints.len(), "endpoint"),
        plural(api.files.len(), "spec file"),
    ));
    let lossy: Vec<_> = api
        .lossy
        .kinds()
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .collect();
    if !lossy.is_empty() {
        err(format_args!("kept as comments (the rules can't say them):"));
        for (count, kind) in lossy {
            err(format_args!("  {count:>6}  {kind}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
