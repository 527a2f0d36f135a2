//! A project's configuration, `authgate.toml`: which paths
//! are the rule set, and how strict to be about warnings.
//!
//! ```toml
//! rules = ["rules"]          # the default PATHs of every command
//!
//! [lints]                    # warnings only: allow | warn | deny
//! never_activated = "allow"
//! confusable_name = "deny"
//! ```
//!
//! The file is read into the same [`Sources`] as the rules (as a
//! configuration file, not parsed as rules), so that a diagnostic about a
//! lint name points into it like any other. Finding the file ([`discover`],
//! walking up from a folder), reading it ([`read`]) and turning `rules`
//! into paths ([`Config::rule_set`]) follow the CLI's rules, so that an
//! embedder finds the same project as `authgate` does;
//! [`crate::load_project`] does all of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::files::LoadError;
pub use crate::check::levels::{Level, LintLevel, Lints};
use crate::diagnostics::{Diagnostic, Problem};
use crate::source::{FileId, Sources, Span};

/// The name of a project's configuration file.
pub const FILE_NAME: &str = "authgate.toml";

/// A configuration file larger than this is refused: it is a few lines.
pub const MAX_SIZE: u64 = 1 << 20;

/// The project's configuration file, found the one way every front end
/// finds it (the CLI, [`crate::load_project`], the language server):
/// `explicit` when given (`--config PATH`), else [`discover`] from the
/// working directory, else none.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(file) => Some(file.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|here| discover(&here)),
    }
}

/// `authgate.toml` in `folder` or the nearest folder above it, as a path
/// from `folder` (`authgate.toml`, `../authgate.toml`...), so that the
/// rule set's paths read from it stay relative like the ones a user
/// types. `folder` should be absolute (the working directory, say): a
/// relative one is searched only as far up as it reaches.
pub fn discover(folder: &Path) -> Option<PathBuf> {
    let (levels, _) = nearest(folder)?;
    let mut up = PathBuf::new();
    for _ in 0..levels {
        up.push("..");
    }
    Some(up.join(FILE_NAME))
}

/// [`discover`], as the path of the file itself (`folder`'s ancestor
/// joined with the file name): for a language server, whose folders are
/// absolute and which names files by their absolute paths.
pub fn find(folder: &Path) -> Option<PathBuf> {
    nearest(folder).map(|(_, holder)| holder.join(FILE_NAME))
}

/// The nearest folder at or above `folder` that holds `authgate.toml`,
/// and how many levels up it is.
fn nearest(folder: &Path) -> Option<(usize, &Path)> {
    folder
        .ancestors()
        .enumerate()
        .find(|(_, ancestor)| ancestor.join(FILE_NAME).is_file())
}

/// Reads a configuration file: a file (not a FIFO or a device), of at
/// most [`MAX_SIZE`] bytes, in UTF-8.
pub fn read(file: &Path) -> Result<String, LoadError> {
    let path = file.display().to_string();
    let metadata = std::fs::metadata(file).map_err(|reason| LoadError::Read {
        path: path.clone(),
        reason,
    })?;
    if !metadata.is_file() {
        return Err(LoadError::NotAFile { path });
    }
    let bytes = super::files::read_file(file, MAX_SIZE)?;
    String::from_utf8(bytes).map_err(|_| LoadError::Read {
        path,
        reason: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
    })
}

/// A project's `authgate.toml`.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Config {
    /// The rule set's paths as written, relative to the file's folder;
    /// `None` when the file does not say.
    pub rules: Option<Vec<PathBuf>>,
    /// The lint levels.
    pub lints: Lints,
    /// The file, in the [`Sources`] it was read into.
    pub file: Option<FileId>,
}

impl Config {
    /// The rule set's paths as paths from where `file` (this
    /// configuration's own path) is given from: written paths are relative
    /// to the file's folder; absolute ones stay as they are. `None` when
    /// the file names no rule set.
    pub fn rule_set(&self, file: &Path) -> Option<Vec<PathBuf>> {
        let folder = file.parent().unwrap_or(Path::new(""));
        let paths = self.rules.as_ref()?;
        Some(
            paths
                .iter()
                .map(|path| {
                    if path.is_absolute() || folder.as_os_str().is_empty() {
                        path.clone()
                    } else {
                        folder.join(path)
                    }
                })
                .collect(),
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    rules: Option<Vec<String>>,
    #[serde(default)]
    lints: BTreeMap<Spanned<String>, Spanned<String>>,
}

impl Config {
    /// Reads `text` (the file called `name`) into `sources` as a
    /// configuration file and parses it. A file that is not valid TOML,
    /// or holds a key or level authgate does not know, gives
    /// `authgate::config` at the offending place.
    pub fn parse(
        sources: &mut Sources,
        name: impl Into<String>,
        text: impl Into<String>,
    ) -> Result<Config, Box<Diagnostic>> {
        let file = sources.add_config(name, text);
        let text = sources.get(file).map_or("", |f| f.text());
        let error = |message: String, range: std::ops::Range<usize>| {
            let end = range.end.max(range.start).min(text.len());
            let start = range.start.min(end);
            Box::new(
                Diagnostic::build(
                    Problem::Config { message },
                    Span::new(file, start, end),
                    "here",
                )
                .help(
                    "`authgate.toml` holds `rules = [\"PATH\", ...]` and a `[lints]` table of \
                         `NAME = \"allow\" | \"warn\" | \"deny\"`",
                )
                .finish(sources),
            )
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let message = e.message().trim_end().to_owned();
            error(message, e.span().unwrap_or(0..0))
        })?;
        let mut levels = Vec::with_capacity(raw.lints.len());
        for (key, value) in raw.lints {
            let level = match value.get_ref().as_str() {
                "allow" => Level::Allow,
                "warn" => Level::Warn,
                "deny" => Level::Deny,
                other => {
                    return Err(error(
                        format!(
                            "`{other}` is not a lint level: write \"allow\", \"warn\" or \"deny\""
                        ),
                        value.span(),
                    ));
                }
            };
            let span = key.span();
            levels.push(LintLevel {
                name: key.into_inner(),
                level,
                span: Span::new(file, span.start, span.end),
            });
        }
        Ok(Config {
            rules: raw
                .rules
                .map(|paths| paths.into_iter().map(PathBuf::from).collect()),
            lints: Lints { levels },
            file: Some(file),
        })
    }
}
