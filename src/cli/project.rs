//! The project a command runs in: `authgate.toml`, found by walking up
//! from the working directory (or named with `--config`), gives the rule
//! set (the default PATHs of every command) and the lint levels.
//!
//! When the configuration names the rule set and a command is given
//! individual files (a pre-commit hook passes the changed ones), the whole
//! rule set is loaded and only what concerns the named files is reported:
//! a file is never judged without the files it refers to.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use authgate::config::{Config, Lints};
use authgate::{Diagnostic, Sources};

use super::load::LoadError;
use super::{Cause, Stop, StopFormat, cannot_run, load_rules};

/// The project's configuration, read once per run.
static PROJECT: OnceLock<Project> = OnceLock::new();

/// What a run knows of its project.
#[derive(Debug, Default)]
pub struct Project {
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
/// it (the library's [`authgate::config::discover`] and
/// [`authgate::config::read`]). A file that can't be read, or is not a
/// valid configuration, stops each command (exit 2) when it loads its
/// rules, in its format.
pub fn init(config: Option<&Path>) {
    let file = match config {
        Some(path) => Some(path.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|here| authgate::config::discover(&here)),
    };
    let mut project = Project::default();
    if let Some(file) = file {
        let text = match authgate::config::read(&file) {
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
/// ones, else the configuration's rule set, else `rules`. An invalid
/// configuration is reported (as human text: for `fmt`, which has no
/// format) and stops the command.
pub fn paths(given: &[PathBuf]) -> Result<Vec<PathBuf>, Stop> {
    readable(StopFormat::Human)?;
    config(&mut Sources::new(), StopFormat::Human)?;
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

/// Stops the command, in `format`, if the configuration file could not be
/// read.
fn readable(format: StopFormat) -> Result<(), Stop> {
    match &project().unreadable {
        Some(error) => Err(cannot_run(format, &error.to_string(), Cause::Load(error))),
        None => Ok(()),
    }
}

/// Reads the configuration into `sources`: its lint levels, or, for an
/// invalid file, its diagnostic reported in `format` and the command
/// stopped.
pub fn config(sources: &mut Sources, format: StopFormat) -> Result<Lints, Stop> {
    let project = project();
    let Some(file) = &project.file else {
        return Ok(Lints::default());
    };
    match Config::parse(sources, file.display().to_string(), project.text.as_str()) {
        Ok(config) => Ok(config.lints),
        Err(diagnostic) => {
            let errors: [Diagnostic; 1] = [*diagnostic];
            Err(cannot_run(
                format,
                &format!("`{}` is not a valid configuration", file.display()),
                Cause::Rules(&errors),
            ))
        }
    }
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
/// What stops it is reported in `format`.
pub fn load(
    given: &[PathBuf],
    limit: u64,
    format: StopFormat,
    mode: Given,
) -> Result<RuleSet, Stop> {
    readable(format)?;
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
        config(&mut Sources::new(), format)?;
    }
    let mut sources = load_rules(&paths, limit, format)?;
    let lints = config(&mut sources, format)?;
    Ok(RuleSet {
        sources,
        paths,
        lints,
        named,
    })
}
