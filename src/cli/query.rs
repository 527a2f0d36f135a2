//! The arguments several commands share: where the rules come from
//! (`eval`, `matrix`, `visible`, `explain`) and whom a query is about
//! (`visible`, `explain`), with the scopes a runtime instance holds.

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

/// A runtime instance: a connector, one of its auth methods, and the
/// scopes it holds.
#[derive(Debug, Args)]
pub struct RuntimeArgs {
    /// The connector of a runtime instance (with --auth), instead of a
    /// declared INSTANCE.
    #[arg(long, value_name = "CONNECTOR", requires = "auth")]
    pub connector: Option<String>,
    /// The auth method of a runtime instance (with --connector).
    #[arg(long, value_name = "METHOD", requires = "connector")]
    pub auth: Option<String>,
    /// Scopes the runtime instance holds (with --connector and --auth):
    /// comma-separated, repeatable. A scope its method does not declare
    /// grants nothing.
    #[arg(long, value_name = "SCOPE", value_delimiter = ',')]
    pub scopes: Vec<String>,
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

    /// The scopes named with `--scopes`, in the order given.
    pub fn scopes(&self) -> Vec<&str> {
        self.scopes.iter().map(String::as_str).collect()
    }
}
