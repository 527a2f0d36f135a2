//! `authgate visible INSTANCE`: list the endpoints an instance sees; a
//! runtime instance (`--connector C --auth M`) may hold `--scopes`.

use std::process::ExitCode;

use authgate::Decision;
use authgate::policy::MethodId;
use clap::Args;

use super::failure::{Failure, Outcome};
use super::load;
use super::output::{Format, plural, print_json, say, tell};
use super::query::QueryArgs;

#[derive(Debug, Args)]
pub struct VisibleArgs {
    /// A declared instance (or give --connector and --auth); it holds the
    /// scopes its declaration gives it, so it takes no --scopes.
    #[arg(
        value_name = "INSTANCE",
        required_unless_present = "connector",
        conflicts_with_all = ["connector", "scopes"]
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
    let scopes = args.query.runtime.scopes();
    // The library's answer: what the JSON prints, and the human lines'.
    let seen = policy.visible_holding(subject, &scopes);
    let unknown = &seen.unknown_scopes;
    let visible = &seen.visible;
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
            let holds = if scopes.is_empty() {
                String::new()
            } else {
                format!(
                    ", holds {}",
                    authgate::text::list(scopes.iter().copied(), scopes.len())
                )
            };
            say(format_args!(
                "{who} of `{connector}` authenticates with `{method}`{holds} and sees {}{}",
                plural(endpoints.len(), "endpoint"),
                if endpoints.is_empty() { "" } else { ":" }
            ));
            for endpoint in endpoints {
                say(format_args!("  {endpoint}"));
            }
            if !unknown.is_empty() {
                tell(format_args!(
                    "warning: {}",
                    unknown_scopes(&policy, subject.method, unknown)
                ));
            }
        }
        Format::Json => print_json(&seen),
    }
    Ok(ExitCode::SUCCESS)
}

/// Why the scopes in `unknown` are left out, with a close declared one
/// for a single misspelt scope, as `explain` says it.
fn unknown_scopes(policy: &authgate::Policy, method: MethodId, unknown: &[&str]) -> String {
    let name = policy.method_name(method).unwrap_or_default();
    let mut text = format!(
        "{} {} not a scope of `{name}`: a scope the method does not declare grants nothing",
        authgate::text::list(unknown.iter().copied(), unknown.len()),
        if unknown.len() == 1 { "is" } else { "are" },
    );
    if let [one] = unknown
        && let Some(close) = authgate::text::suggest::closest(one, policy.declared_scopes(method))
    {
        text.push_str(&format!("; did you mean `{close}`?"));
    }
    text
}
