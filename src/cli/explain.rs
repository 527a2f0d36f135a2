//! `authgate explain INSTANCE ENDPOINT`: is the endpoint available, and why;
//! a runtime instance (`--connector C --auth M ENDPOINT`) may hold
//! `--scopes`.

use std::process::ExitCode;

use clap::Args;
use clap::error::ErrorKind;

use super::failure::{Failure, Outcome};
use super::load;
use super::output::{Format, print_json, say};
use super::query::QueryArgs;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// INSTANCE ENDPOINT, or only ENDPOINT with --connector and --auth.
    #[arg(value_name = "INSTANCE ENDPOINT", num_args = 1..=2, required = true)]
    names: Vec<String>,
    #[command(flatten)]
    pub query: QueryArgs,
}

pub fn run(args: ExplainArgs, limit: u64) -> Outcome {
    let (instance, endpoint) = match (
        args.query.runtime.connector.is_some(),
        args.names.as_slice(),
    ) {
        (false, [_, _]) if !args.query.runtime.scopes.is_empty() => {
            return Err(usage(
                ErrorKind::ArgumentConflict,
                "--scopes goes with --connector and --auth: a declared instance holds the scopes its declaration gives it",
            ));
        }
        (false, [instance, endpoint]) => (Some(instance.as_str()), endpoint.as_str()),
        (true, [endpoint]) => (None, endpoint.as_str()),
        (false, _) => {
            return Err(usage(
                ErrorKind::WrongNumberOfValues,
                "explain needs INSTANCE and ENDPOINT (or --connector C --auth M ENDPOINT)",
            ));
        }
        (true, _) => {
            return Err(usage(
                ErrorKind::ArgumentConflict,
                "with --connector and --auth, give only ENDPOINT",
            ));
        }
    };
    let policy = load::policy(&args.query.rules.rules, limit)?;
    let principal = args.query.runtime.principal(instance);
    let scopes = args.query.runtime.scopes();
    // The library's explanation: what the JSON prints, and the human
    // lines' parts.
    let explanation = policy.explain_with_scopes(principal, &scopes, endpoint);
    let holding = if scopes.is_empty() {
        String::new()
    } else {
        format!(
            " holding {}",
            authgate::text::list(scopes.iter().copied(), scopes.len())
        )
    };
    let who = match instance {
        Some(instance) => format!("`{instance}`"),
        None => format!(
            "runtime instances of `{}` with `{}`{holding}",
            args.query.runtime.connector.as_deref().unwrap_or(""),
            args.query.runtime.auth.as_deref().unwrap_or("")
        ),
    };
    match args.query.format {
        Format::Human => {
            let verdict = if explanation.available {
                "is available"
            } else {
                "is not available"
            };
            say(format_args!("`{endpoint}` {verdict} to {who}"));
            say(format_args!("  reason: {}", explanation.reason));
            if let Some(place) = explanation.instance_location {
                say(format_args!(
                    "  instance declared at {}:{}:{}",
                    place.file, place.line, place.column
                ));
            }
            if let Some(place) = explanation.endpoint_location {
                say(format_args!(
                    "  endpoint declared at {}:{}:{}",
                    place.file, place.line, place.column
                ));
            }
        }
        Format::Json => print_json(&explanation),
    }
    Ok(if explanation.available {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Clap's usage error, with `explain`'s usage line.
fn usage(kind: ErrorKind, message: &'static str) -> Failure {
    Failure::Usage {
        command: "explain",
        kind,
        message,
    }
}
