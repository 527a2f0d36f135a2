//! The entry point for services: load a rule set from paths with the
//! CLI's rules and compile it, or get a typed error that carries every
//! diagnostic. `compile` stays for callers that hold their own
//! [`Sources`]; this is the path `authgate check` itself takes.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::config::{self, Config, Lints};
use crate::diagnostics::{Diagnostic, Severity};
use crate::load::{self, LoadError};
use crate::{Compilation, Policy, Sources, Summary};

/// How to load a rule set.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// Refuse rule files larger than this many bytes.
    pub max_file_size: u64,
    /// Lint levels (from `authgate.toml`, see [`crate::config::Config`]).
    pub lints: Lints,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_size: load::DEFAULT_MAX_FILE_SIZE,
            lints: Lints::default(),
        }
    }
}

/// A rule set that compiled.
#[derive(Debug)]
#[non_exhaustive]
pub struct Loaded {
    /// The policy.
    pub policy: Policy,
    /// The warnings (the rules compiled, but these deserve a look).
    pub warnings: Vec<Diagnostic>,
    /// The files read, for rendering the warnings.
    pub sources: Sources,
}

impl Loaded {
    /// The bundle manifest and digest of the rule files loaded (see
    /// [`crate::bundle`]).
    pub fn manifest(&self) -> crate::bundle::Manifest {
        crate::bundle::Manifest::of(&self.sources)
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
}

/// The rules have errors: nothing evaluates them. Renders (with miette)
/// as a summary with every diagnostic, errors and warnings, related.
#[derive(Debug)]
pub struct RulesError {
    diagnostics: Vec<Diagnostic>,
    sources: Sources,
    summary: Summary,
}

impl RulesError {
    /// Every diagnostic of the run, errors and warnings, sorted.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
    }

    /// The files read, for rendering the diagnostics (e.g.
    /// [`crate::report::to_json`]).
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// What the rule set declares and the counts of errors and warnings:
    /// the summary line of `authgate check` (see [`Summary`]'s `Display`).
    pub fn summary(&self) -> Summary {
        self.summary
    }
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors().count();
        let plural = if count == 1 { "" } else { "s" };
        write!(f, "the rules have {count} error{plural}")
    }
}

impl std::error::Error for RulesError {}

impl miette::Diagnostic for RulesError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("authgate::rules"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("run `authgate check` on the same paths"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.diagnostics
                .iter()
                .map(|diagnostic| diagnostic as &dyn miette::Diagnostic),
        ))
    }
}

impl Compilation {
    /// The policy, or the typed error when the rules have errors.
    /// `sources` are the files compiled (the error keeps them for
    /// rendering).
    pub fn into_result(self, sources: Sources) -> Result<Loaded, RulesError> {
        let Compilation {
            diagnostics,
            policy,
            summary,
            ..
        } = self;
        match policy {
            Some(policy) => Ok(Loaded {
                policy,
                warnings: diagnostics,
                sources,
            }),
            None => Err(RulesError {
                diagnostics,
                sources,
                summary,
            }),
        }
    }
}

/// Loads the rule files under `paths` as `authgate check` does (see
/// [`crate::load`]) and compiles them.
pub fn load_policy<P: AsRef<Path>>(paths: &[P], options: &Options) -> Result<Loaded, Error> {
    let sources = load::load(paths, options.max_file_size)?;
    let compiled = crate::compile_with(&sources, &options.lints);
    Ok(compiled.into_result(sources)?)
}

/// Loads a project's rule set as the CLI's query commands (`eval`,
/// `explain`, `visible --rules`) do, `authgate.toml` included:
///
/// - the configuration is `config` when given, else `authgate.toml` found
///   by walking up from the working directory (see [`config::discover`]),
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
    let file = match config {
        Some(file) => Some(file.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|here| config::discover(&here)),
    };
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
    let mut sources = load::load(&rules, options.max_file_size)?;
    if let (Some(file), Some(text)) = (&file, text) {
        lints = parse_config(&mut sources, file, &text)?.lints;
    }
    let compiled = crate::compile_with(&sources, &lints);
    Ok(compiled.into_result(sources)?)
}

/// Parses a configuration into `sources`; an invalid one is the rules'
/// error, with its one diagnostic.
fn parse_config(sources: &mut Sources, file: &Path, text: &str) -> Result<Config, RulesError> {
    Config::parse(sources, file.display().to_string(), text).map_err(|diagnostic| RulesError {
        diagnostics: vec![*diagnostic],
        sources: std::mem::take(sources),
        summary: Summary {
            errors: 1,
            ..Summary::default()
        },
    })
}
