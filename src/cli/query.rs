//! The arguments several commands share: where the rules come from
//! (`eval`, `matrix`, `visible`, `explain`) and whom a query is about
//! (`visible`, `explain`).

use std::path::PathBuf;

use clap::Args;

use super::output::Format;

/// What the query commands (`visible`, `explain`) share.
#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub runtime: RuntimeArgs,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Where the rules come from, for the query commands.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// A rule file, or a folder searched recursively for `*.gate` files
    /// (repeatable); default: the rule set of `authgate.toml`, else
    /// `rules`.
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
}

/// A runtime instance: a connector and one of its auth methods.
#[derive(Debug, Args)]
pub struct RuntimeArgs {
    /// The connector of a runtime instance (with --auth), instead of a
    /// declared INSTANCE.
    #[arg(long, value_name = "CONNECTOR", requires = "auth")]
    pub connector: Option<String>,
    /// The auth method of a runtime instance (with --connector).
    #[arg(long, value_name = "METHOD", requires = "connector")]
    pub auth: Option<String>,
}

impl RuntimeArgs {
    /// The principal named on the command line: a declared `instance`, or
    /// a runtime one from `--connector` and `--auth`.
    pub fn principal<'a>(&'a self, instance: Option<&'a str>) -> authgate::Principal<'a> {
        match (instance, &self.connector, &self.auth) {
            (Some(instance), _, _) => authgate::Principal::Instance(instance),
            (None, connector, auth) => authgate::Principal::Runtime {
                connector: connector.as_deref().unwrap_or(""),
                method: auth.as_deref().unwrap_or(""),
            },
        }
    }
}
