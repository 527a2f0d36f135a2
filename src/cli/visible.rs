//! `authgate visible INSTANCE`: list the endpoints an instance sees.

use std::process::ExitCode;

use authgate::Decision;
use clap::Args;
use serde::Serialize;

use super::{
    Cause, Format, Outcome, QueryArgs, cannot_run, compile_for_query, plural, print_json, say,
};

#[derive(Debug, Args)]
pub struct VisibleArgs {
    /// A declared instance (or give --connector and --auth).
    #[arg(
        value_name = "INSTANCE",
        required_unless_present = "connector",
        conflicts_with = "connector"
    )]
    instance: Option<String>,
    #[command(flatten)]
    query: QueryArgs,
}

/// The document `visible --format json` prints.
#[derive(Serialize)]
struct VisibleJson<'a> {
    /// `None` for a runtime instance.
    instance: Option<&'a str>,
    connector: &'a str,
    auth: &'a str,
    endpoints: Vec<&'a str>,
}

pub fn run(args: VisibleArgs, limit: u64) -> Outcome {
    let format = args.query.format.into();
    let policy = compile_for_query(&args.query.rules.rules, limit, format)?;
    let principal = super::principal(args.instance.as_deref(), &args.query.runtime);
    let subject = match policy.subject(principal) {
        Ok(subject) => subject,
        Err(unknown) => {
            let message = format!(
                "cannot answer: {}",
                policy.describe(&Decision::from(unknown))
            );
            return Err(cannot_run(format, &message, Cause::Message));
        }
    };
    let connector = policy
        .method_connector(subject.method)
        .and_then(|c| policy.connector_name(c))
        .unwrap_or_default();
    let method = policy.method_name(subject.method).unwrap_or_default();
    let endpoints: Vec<&str> = policy
        .visible(subject.method)
        .iter()
        .filter_map(|&endpoint| policy.endpoint_name(endpoint))
        .collect();
    match args.query.format {
        Format::Human => {
            let who = match subject.instance {
                Some(instance) => format!(
                    "instance `{}`",
                    policy.instance_name(instance).unwrap_or_default()
                ),
                None => "a runtime instance".to_owned(),
            };
            say(format_args!(
                "{who} of `{connector}` authenticates with `{method}` and sees {}{}",
                plural(endpoints.len(), "endpoint"),
                if endpoints.is_empty() { "" } else { ":" }
            ));
            for endpoint in &endpoints {
                say(format_args!("  {endpoint}"));
            }
        }
        Format::Json => print_json(&VisibleJson {
            instance: subject.instance.and_then(|i| policy.instance_name(i)),
            connector,
            auth: method,
            endpoints,
        }),
    }
    Ok(ExitCode::SUCCESS)
}
