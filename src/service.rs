//! The entry point for services: load a rule set from paths with the
//! CLI's rules and compile it, or get a typed error that carries every
//! diagnostic. `compile` stays for callers that hold their own
//! [`Sources`]; this is the path `authgate check` itself takes.

use std::fmt;
use std::path::Path;

use thiserror::Error;

use crate::config::Lints;
use crate::diagnostics::{Diagnostic, Severity};
use crate::load::{self, LoadError};
use crate::{Compilation, Policy, Sources};

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
