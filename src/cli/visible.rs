//! `authgate visible INSTANCE`: list the endpoints an instance sees.

use std::process::ExitCode;

use authgate::Decision;
use clap::Args;

use super::failure::{Failure, Outcome};
use super::load;
use super::output::{Format, plural, print_json, say};
use super::query::QueryArgs;

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
    pub query: QueryArgs,
}

pub fn run(args: VisibleArgs, limit: u64) -> Outcome {
    let policy = load::policy(&args.query.rules.rules, limit)?;
    let principal = args.query.runtime.principal(args.instance.as_deref());
    let subject = policy.subject(principal).map_err(|unknown| {
        Failure::message(format!(
            "cannot answer: {}",
            policy.describe(&Decision::from(unknown))
        ))
    })?;
    // The library's answer: what the JSON prints, and the human lines'.
    let visible = policy.visible_to(subject);
    let (connector, method, endpoints) = (visible.connector, visible.auth, &visible.endpoints);
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
            for endpoint in endpoints {
                say(format_args!("  {endpoint}"));
            }
        }
        Format::Json => print_json(&visible),
    }
    Ok(ExitCode::SUCCESS)
}
