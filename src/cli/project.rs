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

use authgate::config::{Config, FILE_NAME, Lints};
use authgate::{Diagnostic, Sources};

use super::load::{self, LoadError};
use super::{Stop, print_diagnostics};

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
}

/// Finds and reads the project's configuration: `--config PATH`, else
/// `authgate.toml` in the working directory or the nearest folder above
/// it. A configuration that can't be read stops the run (exit 2).
pub fn init(config: Option<&Path>) -> Result<(), Stop> {
    let file = match config {
        Some(path) => Some(path.to_path_buf()),
        None => discover(),
    };
    let mut project = Project::default();
    if let Some(file) = file {
        let text = std::fs::read_to_string(&file).map_err(|reason| {
            Stop::Load(LoadError::Read {
                path: file.display().to_string(),
                reason,
            })
        })?;
        // Parse once now, to know the rule set and to refuse a bad file
        // before anything else runs.
        let mut sources = Sources::new();
        let config = Config::parse(&mut sources, file.display().to_string(), text.as_str())
            .map_err(|diagnostic| stop_with(&diagnostic))?;
        let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
        project.rules = config.rules.map(|paths| {
            paths
                .into_iter()
                .map(|path| relative_to(&folder, &path))
                .collect()
        });
        project.text = text;
        project.file = Some(file);
    }
    let _ = PROJECT.set(project);
    Ok(())
}

fn stop_with(diagnostic: &Diagnostic) -> Stop {
    print_diagnostics(std::slice::from_ref(diagnostic));
    Stop::Exit(std::process::ExitCode::from(2))
}

/// `authgate.toml` in the working directory or the nearest folder above,
/// as a path from the working directory (`authgate.toml`,
/// `../authgate.toml`...).
fn discover() -> Option<PathBuf> {
    let here = std::env::current_dir().ok()?;
    let mut up = PathBuf::new();
    for folder in here.ancestors() {
        if folder.join(FILE_NAME).is_file() {
            return Some(up.join(FILE_NAME));
        }
        up.push("..");
    }
    None
}

/// `path` of the configuration's folder, from the working directory.
fn relative_to(folder: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() || folder.as_os_str().is_empty() {
        path.to_path_buf()
    } else {
        folder.join(path)
    }
}

fn project() -> &'static Project {
    PROJECT.get_or_init(Project::default)
}

/// The rule set to load for the PATHs a command was given: the given
/// ones, else the configuration's rule set, else `rules`.
pub fn paths(given: &[PathBuf]) -> Vec<PathBuf> {
    if !given.is_empty() {
        return given.to_vec();
    }
    project()
        .rules
        .clone()
        .unwrap_or_else(|| vec![PathBuf::from("rules")])
}

/// A loaded rule set: the sources (with the configuration, when there is
/// one, so that diagnostics about it can point into it), its lint levels,
/// and which files the command was asked about.
pub struct RuleSet {
    pub sources: Sources,
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

    /// Whether a diagnostic concerns a named file (its primary label is in
    /// one; a diagnostic about `authgate.toml` always does).
    pub fn concerns(&self, diagnostic: &Diagnostic) -> bool {
        diagnostic
            .primary_span()
            .and_then(|span| self.sources.get(span.file))
            .is_none_or(|file| !file.is_rules() || self.is_named(file.name()))
    }
}

/// Loads the rule set for a command given `given` PATHs: see the module
/// docs for what happens when the configuration names the rule set and
/// the command names files.
pub fn load(given: &[PathBuf], limit: u64) -> Result<RuleSet, Stop> {
    let project = project();
    let (paths, named) = match (&project.rules, given.is_empty()) {
        (Some(rules), false) => {
            let mut paths = rules.clone();
            paths.extend(given.iter().cloned());
            let named = given
                .iter()
                .map(|path| std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()))
                .collect();
            (paths, Some(named))
        }
        _ => (self::paths(given), None),
    };
    let mut sources = load::load(&paths, limit)?;
    let lints = match &project.file {
        Some(file) => {
            Config::parse(
                &mut sources,
                file.display().to_string(),
                project.text.as_str(),
            )
            .map_err(|diagnostic| stop_with(&diagnostic))?
            .lints
        }
        None => Lints::default(),
    };
    Ok(RuleSet {
        sources,
        lints,
        named,
    })
}
