//! What a service or the CLI loads: rule files from paths ([`files`]),
//! the project's `authgate.toml` ([`config`]), the bundle digest that
//! names what was loaded ([`digest`]) and hot reload: the one reload core
//! (`reload`, features `reload` and `serve`) and the `watch::Reloader`
//! that follows files with it (feature `reload`). [`load_policy`] and
//! [`load_project`] are the entry points: the policy, or a typed error
//! that carries every diagnostic.
//! [`crate::compile`] stays for callers that hold their own [`Sources`];
//! this is the path `authgate check` itself takes.

pub mod config;
pub mod digest;
pub mod files;
#[cfg(any(feature = "reload", feature = "serve"))]
pub mod reload;
#[cfg(feature = "reload")]
pub mod watch;

use std::path::{Path, PathBuf};

use thiserror::Error;

use config::{Config, Lints};
use files::LoadError;

pub use crate::compile::{Loaded, RulesError};
use crate::source::Sources;

/// How to load a rule set.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// Refuse rule files larger than this many bytes.
    pub max_file_size: u64,
    /// Lint levels (from `authgate.toml`, see [`config::Config`]).
    pub lints: Lints,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: files::DEFAULT_MAX_FILE_SIZE,
            lints: Lints::default(),
        }
    }
}

/// Why a rule set could not be loaded.
#[derive(Debug, Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum Error {
    /// The files could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] LoadError),
    /// The rules have errors.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] RulesError),
    /// The rules were refused before compiling: a [`reload::Verify`]
    /// check failed (a signature that does not verify), or a policy not
    /// loaded from files was asked to reload.
    #[cfg(any(feature = "reload", feature = "serve"))]
    #[error(transparent)]
    #[diagnostic(transparent)]
    Refused(reload::Refusal),
}

/// Loads the rule files under `paths` as `authgate check` does (see
/// [`files`]) and compiles them.
///
/// ```
/// use authgate::{Error, Options, Principal};
///
/// let loaded = authgate::load_policy(&["rules"], &Options::default())?;
/// assert!(loaded.policy.decide(Principal::Instance("instance 1"), "orders").available());
///
/// // A path that can't be read is an error, never an empty rule set.
/// assert!(matches!(
///     authgate::load_policy(&["no/such/rules"], &Options::default()),
///     Err(Error::Load(_))
/// ));
/// # Ok::<(), authgate::Error>(())
/// ```
pub fn load_policy<P: AsRef<Path>>(paths: &[P], options: &Options) -> Result<Loaded, Error> {
    let sources = files::load(paths, options.max_file_size)?;
    let compiled = crate::compile::compile_with(&sources, &options.lints);
    Ok(compiled.into_result(sources)?)
}

/// Loads a project's rule set as the CLI's query commands (`eval`,
/// `explain`, `visible --rules`) do, `authgate.toml` included:
///
/// - the configuration is `config` when given, else `authgate.toml` found
///   by walking up from the working directory (see [`config::locate`]),
///   else there is none;
/// - `paths`, when not empty, are the rule set; else the configuration's
///   `rules`; else `rules` (relative paths are from the process's working
///   directory, as for [`load_policy`]);
/// - the configuration's `[lints]` replace `options.lints`, and the file
///   is part of the loaded sources, so that a diagnostic about a lint name
///   points into it (it is not part of the bundle digest).
///
/// A configuration that can't be read is a [`Error::Load`]; one that is
/// not valid is a [`Error::Rules`] whose one diagnostic points into it.
pub fn load_project<P: AsRef<Path>>(
    paths: &[P],
    config: Option<&Path>,
    options: &Options,
) -> Result<Loaded, Error> {
    let file = config::locate(config);
    let text = file.as_deref().map(config::read).transpose()?;
    let mut lints = options.lints.clone();
    let mut rules: Option<Vec<PathBuf>> =
        (!paths.is_empty()).then(|| paths.iter().map(|p| p.as_ref().to_path_buf()).collect());
    if let (Some(file), Some(text)) = (&file, &text) {
        // Read first into sources of its own: an invalid configuration
        // stops before any rule file is read, as in the CLI.
        let mut alone = Sources::new();
        let config = parse_config(&mut alone, file, text)?;
        if rules.is_none() {
            rules = config.rule_set(file);
        }
    }
    let rules = rules.unwrap_or_else(|| vec![PathBuf::from("rules")]);
    let mut sources = files::load(&rules, options.max_file_size)?;
    if let (Some(file), Some(text)) = (&file, text) {
        lints = parse_config(&mut sources, file, &text)?.lints;
    }
    let compiled = crate::compile::compile_with(&sources, &lints);
    Ok(compiled.into_result(sources)?)
}

/// Parses a configuration into `sources`; an invalid one is the rules'
/// error, with its one diagnostic.
fn parse_config(sources: &mut Sources, file: &Path, text: &str) -> Result<Config, RulesError> {
    Config::parse(sources, file.display().to_string(), text)
        .map_err(|diagnostic| RulesError::alone(*diagnostic, std::mem::take(sources)))
}
