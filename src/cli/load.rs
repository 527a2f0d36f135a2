//! Loading for the commands: the project a command runs in, its rule set,
//! the compiled policy, and `--max-file-size`.
//!
//! `authgate.toml`, found by walking up from the working directory (or
//! named with `--config`), gives the rule set (the default PATHs of every
//! command) and the lint levels. When the configuration names the rule
//! set and a command is given individual files (a pre-commit hook passes
//! the changed ones), the whole rule set is loaded and only what concerns
//! the named files is reported: a file is never judged without the files
//! it refers to.
//!
//! What stops a command here is returned as a [`Failure`]; the command's
//! format says how it is reported.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use authgate::project::config::{Config, Lints};
use authgate::{Diagnostic, Policy, Sources};

pub use authgate::project::files::LoadError;

use super::failure::Failure;
use super::output::plural;

/// The project's configuration, read once per run.
static PROJECT: OnceLock<Project> = OnceLock::new();

/// What a run knows of its project.
#[derive(Debug, Default)]
struct Project {
    /// The configuration file, as a path from the working directory.
    file: Option<PathBuf>,
    /// Its text.
    text: String,
    /// The rule set's paths, from the working directory.
    rules: Option<Vec<PathBuf>>,
    /// Whether the file can't be read as a configuration: each command
    /// reports why, in its format, when it loads its rules.
    invalid: bool,
    /// Why the file could not be read at all, reported the same way.
    unreadable: Option<LoadError>,
}

/// Finds and reads the project's configuration: `--config PATH`, else
/// `authgate.toml` in the working directory or the nearest folder above
/// it (the library's [`authgate::project::config::locate`] and
/// [`authgate::project::config::read`]). A file that can't be read, or is
/// not a valid configuration, stops each command (exit 2) when it loads
/// its rules, in its format.
pub fn init(config: Option<&Path>) {
    let file = authgate::project::config::locate(config);
    let mut project = Project::default();
    if let Some(file) = file {
        let text = match authgate::project::config::read(&file) {
            Ok(text) => text,
            Err(error) => {
                project.unreadable = Some(error);
                let _ = PROJECT.set(project);
                return;
            }
        };
        // Parsed now for the rule set; again into each command's sources,
        // where its diagnostics can point.
        let mut sources = Sources::new();
        match Config::parse(&mut sources, file.display().to_string(), text.as_str()) {
            Ok(config) => project.rules = config.rule_set(&file),
            Err(_) => project.invalid = true,
        }
        project.text = text;
        project.file = Some(file);
    }
    let _ = PROJECT.set(project);
}

fn project() -> &'static Project {
    PROJECT.get_or_init(Project::default)
}

/// The rule set to load for the PATHs a command was given: the given
/// ones, else the configuration's rule set, else `rules`. A configuration
/// that can't be read or is invalid stops the command.
pub fn paths(given: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    readable()?;
    config(&mut Sources::new())?;
    Ok(default_paths(given))
}

fn default_paths(given: &[PathBuf]) -> Vec<PathBuf> {
    if !given.is_empty() {
        return given.to_vec();
    }
    project()
        .rules
        .clone()
        .unwrap_or_else(|| vec![PathBuf::from("rules")])
}

/// Stops the command if the configuration file could not be read.
fn readable() -> Result<(), Failure> {
    match &project().unreadable {
        Some(error) => Err(Failure::Config(error)),
        None => Ok(()),
    }
}

/// Reads the configuration into `sources`: its lint levels, or, for an
/// invalid file, its diagnostic as the failure.
pub fn config(sources: &mut Sources) -> Result<Lints, Failure> {
    let project = project();
    let Some(file) = &project.file else {
        return Ok(Lints::default());
    };
    let name = file.display().to_string();
    match Config::parse(sources, name.clone(), project.text.as_str()) {
        Ok(config) => Ok(config.lints),
        Err(_) => {
            let errors = Config::parse(&mut Sources::new(), name, project.text.as_str())
                .err()
                .map(|diagnostic| vec![*diagnostic])
                .unwrap_or_default();
            Err(Failure::Rules {
                message: format!("`{}` is not a valid configuration", file.display()),
                errors,
            })
        }
    }
}

/// Loads the rule files under `paths` (the library's loader,
/// [`authgate::project::files`]), no more than `limit` bytes each.
pub fn sources(paths: &[PathBuf], limit: u64) -> Result<Sources, Failure> {
    Ok(authgate::project::files::load(paths, limit)?)
}

/// A loaded rule set: the sources (with the configuration, when there is
/// one, so that diagnostics about it can point into it), its lint levels,
/// and which files the command was asked about.
pub struct RuleSet {
    pub sources: Sources,
    /// The paths loaded (given, or the configuration's, or `rules`): what
    /// `serve` loads again and `sign` signs.
    #[cfg_attr(
        not(feature = "serve"),
        expect(dead_code, reason = "read by serve and sign")
    )]
    pub paths: Vec<PathBuf>,
    pub lints: Lints,
    /// The files named on the command line when the whole rule set was
    /// loaded around them; `None` when every file is in question.
    named: Option<Vec<PathBuf>>,
}

impl RuleSet {
    /// Whether a file (by its display name) is one the command was asked
    /// about.
    pub fn is_named(&self, name: &str) -> bool {
        let Some(named) = &self.named else {
            return true;
        };
        let path = std::fs::canonicalize(name).unwrap_or_else(|_| PathBuf::from(name));
        named.iter().any(|named| path.starts_with(named))
    }

    /// Whether a diagnostic concerns a named file: one of its labels is in
    /// one (a `duplicate` declared first in a named file and again in
    /// another concerns it), or it is about `authgate.toml`.
    pub fn concerns(&self, diagnostic: &Diagnostic) -> bool {
        self.named.is_none()
            || diagnostic.labels().iter().any(|label| {
                self.sources
                    .get(label.span.file)
                    .is_some_and(|file| !file.is_rules() || self.is_named(file.name()))
            })
    }

    /// Compiles the rule set: the policy and the tests, or, when the rules
    /// have errors, the failure that they have them.
    pub fn compile(&self) -> Result<(Policy, Vec<authgate::check::TestDef>), Failure> {
        usable(authgate::compile_with(&self.sources, &self.lints))
    }
}

/// How a command's given PATHs relate to the configured rule set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Given {
    /// Files to judge (`check`, `test`): when they lie inside the
    /// configured rule set, the whole set is loaded around them.
    Named,
    /// Rules to use instead of the configured set (`--rules` of the
    /// queries).
    Instead,
}

/// Loads the rule set for a command given `given` PATHs: see the module
/// docs for what happens when the configuration names the rule set and
/// the command names files inside it (other paths are loaded alone).
pub fn rule_set(given: &[PathBuf], limit: u64, mode: Given) -> Result<RuleSet, Failure> {
    readable()?;
    let project = project();
    let canonical = |path: &PathBuf| std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
    let (paths, named) = match (&project.rules, given.is_empty(), mode) {
        (Some(rules), false, Given::Named) => {
            let named: Vec<PathBuf> = given.iter().map(canonical).collect();
            let roots: Vec<PathBuf> = rules.iter().map(canonical).collect();
            let inside = named
                .iter()
                .all(|path| roots.iter().any(|root| path.starts_with(root)));
            if inside {
                (rules.clone(), Some(named))
            } else {
                (given.to_vec(), None)
            }
        }
        _ => (default_paths(given), None),
    };
    if project.invalid {
        config(&mut Sources::new())?;
    }
    let mut sources = sources(&paths, limit)?;
    let lints = config(&mut sources)?;
    Ok(RuleSet {
        sources,
        paths,
        lints,
        named,
    })
}

/// Loads and compiles the rules a query command answers from (`--rules`,
/// else the configured rule set); rules with errors can't answer.
pub fn policy(rules: &[PathBuf], limit: u64) -> Result<Policy, Failure> {
    rule_set(rules, limit, Given::Instead)?
        .compile()
        .map(|(policy, _)| policy)
}

/// The policy and tests of a compilation, or, when the rules have errors,
/// the failure that they have them (a command can't answer from rules
/// that don't compile).
pub fn usable(
    compiled: authgate::Compilation,
) -> Result<(Policy, Vec<authgate::check::TestDef>), Failure> {
    usable_or(compiled, |errors| {
        format!("the rules have {errors}; run `authgate check` and fix them first")
    })
}

/// [`usable`], saying why with `message` (given "N errors").
pub fn usable_or(
    compiled: authgate::Compilation,
    message: impl FnOnce(&str) -> String,
) -> Result<(Policy, Vec<authgate::check::TestDef>), Failure> {
    if let Some(policy) = compiled.policy {
        return Ok((policy, compiled.tests));
    }
    let errors: Vec<_> = compiled
        .diagnostics
        .into_iter()
        .filter(|d| d.severity() == authgate::Severity::Error)
        .collect();
    Err(Failure::Rules {
        message: message(&plural(errors.len(), "error")),
        errors,
    })
}

/// Parses `--max-file-size`: bytes, or a number with `K`, `M` or `G`
/// (optionally `KiB`, `MiB`, `GiB`), powers of 1024; at most 4 GiB - 1.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write bytes, or e.g. 64M or 1G"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(format!("unknown unit in `{text}`: use K, M or G")),
    };
    let bytes = number
        .checked_mul(1 << shift)
        .filter(|&bytes| bytes <= authgate::source::MAX_FILE_SIZE as u64)
        .ok_or_else(|| format!("`{text}` is over the 4G that authgate can read"))?;
    Ok(bytes)
}
