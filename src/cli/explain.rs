//! `authgate explain INSTANCE ENDPOINT`: is the endpoint available, and why.

use std::process::ExitCode;

use authgate::policy::Location;
use clap::{Args, CommandFactory};
use serde::Serialize;

use super::{Cli, Format, Outcome, QueryArgs, compile_for_query, print_json, say};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// INSTANCE ENDPOINT, or only ENDPOINT with --connector and --auth.
    #[arg(value_name = "INSTANCE ENDPOINT", num_args = 1..=2, required = true)]
    names: Vec<String>,
    #[command(flatten)]
    query: QueryArgs,
}

/// The document `explain --format json` prints.
#[derive(Serialize)]
struct ExplainJson<'a> {
    available: bool,
    /// `None` for a runtime instance.
    instance: Option<&'a str>,
    connector: Option<&'a str>,
    auth: Option<&'a str>,
    endpoint: &'a str,
    activated: Vec<&'a str>,
    reason: &'a str,
    instance_location: Option<Place<'a>>,
    endpoint_location: Option<Place<'a>>,
}

/// A source location in JSON.
#[derive(Serialize)]
struct Place<'a> {
    file: &'a str,
    line: usize,
    column: usize,
}

impl<'a> From<Location<'a>> for Place<'a> {
    fn from(location: Location<'a>) -> Self {
        Place {
            file: location.file,
            line: location.line,
            column: location.column,
        }
    }
}

pub fn run(args: ExplainArgs, limit: u64) -> Outcome {
    let (instance, endpoint) = match (
        args.query.runtime.connector.is_some(),
        args.names.as_slice(),
    ) {
        (false, [instance, endpoint]) => (Some(instance.as_str()), endpoint.as_str()),
        (true, [endpoint]) => (None, endpoint.as_str()),
        (false, _) => usage_error(
            clap::error::ErrorKind::WrongNumberOfValues,
            "explain needs INSTANCE and ENDPOINT (or --connector C --auth M ENDPOINT)",
        ),
        (true, _) => usage_error(
            clap::error::ErrorKind::ArgumentConflict,
            "with --connector and --auth, give only ENDPOINT",
        ),
    };
    let policy = compile_for_query(&args.query.rules.rules, limit, args.query.format.into())?;
    let principal = super::principal(instance, &args.query.runtime);
    let decision = policy.decide(principal, endpoint);
    let reason = policy.describe(&decision);
    let subject = decision.subject();
    // Names as the rules spell them, `null` when they don't resolve: a
    // runtime instance of a known connector with an unknown method still
    // names its connector.
    let connector = subject
        .and_then(|s| policy.method_connector(s.method))
        .or_else(|| {
            let name = args.query.runtime.connector.as_deref()?;
            policy.connector(name)
        })
        .and_then(|c| policy.connector_name(c));
    let method = subject.and_then(|s| policy.method_name(s.method));
    let activated: Vec<&str> = decision
        .endpoint()
        .map(|e| {
            policy
                .activated(e)
                .filter_map(|m| policy.method_name(m))
                .collect()
        })
        .unwrap_or_default();
    let instance_location = subject
        .and_then(|s| s.instance)
        .and_then(|i| policy.instance_location(i));
    let endpoint_location = decision
        .endpoint()
        .and_then(|e| policy.endpoint_location(e));
    let who = match instance {
        Some(instance) => format!("`{instance}`"),
        None => format!(
            "runtime instances of `{}` with `{}`",
            args.query.runtime.connector.as_deref().unwrap_or(""),
            args.query.runtime.auth.as_deref().unwrap_or("")
        ),
    };
    match args.query.format {
        Format::Human => {
            let verdict = if decision.available() {
                "is available"
            } else {
                "is not available"
            };
            say(format_args!("`{endpoint}` {verdict} to {who}"));
            say(format_args!("  reason: {reason}"));
            if let Some(location) = instance_location {
                say(format_args!("  instance declared at {location}"));
            }
            if let Some(location) = endpoint_location {
                say(format_args!("  endpoint declared at {location}"));
            }
        }
        Format::Json => print_json(&ExplainJson {
            available: decision.available(),
            instance,
            connector,
            auth: method,
            endpoint,
            activated,
            reason: &reason,
            instance_location: instance_location.map(Place::from),
            endpoint_location: endpoint_location.map(Place::from),
        }),
    }
    Ok(if decision.available() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Exits with clap's usage error (status 2) and `explain`'s usage line.
fn usage_error(kind: clap::error::ErrorKind, message: &str) -> ! {
    let mut command = Cli::command();
    command.build();
    match command.find_subcommand_mut("explain") {
        Some(explain) => explain.error(kind, message).exit(),
        None => command.error(kind, message).exit(),
    }
}
