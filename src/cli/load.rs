//! Loading rule files from the paths given on the command line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use authgate::Sources;
use thiserror::Error;

/// Why the rule files could not be loaded; the command can't run.
#[derive(Debug, Error, miette::Diagnostic)]
pub enum LoadError {
    /// `authgate check nope` where `nope` does not exist.
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(
        code(authgate::io),
        help("check the path; by default authgate reads `rules`")
    )]
    Read {
        /// The path as given or found.
        path: String,
        /// What the system said.
        reason: std::io::Error,
    },
    /// A folder with no `*.gate` file in it.
    #[error("no `.gate` files in `{path}`")]
    #[diagnostic(
        code(authgate::no_rule_files),
        help("rule files end in `.gate`; folders are searched recursively")
    )]
    NoRuleFiles {
        /// The folder.
        path: String,
    },
    /// A path that is neither a file nor a folder (a FIFO, a device).
    #[error("`{path}` is not a file or a folder")]
    #[diagnostic(
        code(authgate::io),
        help("pass `.gate` files or folders that hold them")
    )]
    NotAFile {
        /// The path.
        path: String,
    },
    /// A folder whose walk failed: a symlink loop, an unreadable folder.
    #[error("cannot search `{path}`: {message}")]
    #[diagnostic(code(authgate::io))]
    Walk {
        /// Where the walk failed.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Reads every rule file under `paths`. Folders are searched recursively
/// for `*.gate` files in sorted order; a file named directly is read
/// whatever its extension. A file reached twice is read once.
pub fn load(paths: &[PathBuf]) -> Result<Sources, LoadError> {
    let mut files: Vec<PathBuf> = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|reason| LoadError::Read {
            path: path.display().to_string(),
            reason,
        })?;
        if metadata.is_file() {
            files.push(path.clone());
        } else if metadata.is_dir() {
            let found = walk(path)?;
            if found.is_empty() {
                return Err(LoadError::NoRuleFiles {
                    path: path.display().to_string(),
                });
            }
            files.extend(found);
        } else {
            return Err(LoadError::NotAFile {
                path: path.display().to_string(),
            });
        }
    }
    let mut seen = HashSet::new();
    let mut sources = Sources::new();
    for path in files {
        let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !seen.insert(identity) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|reason| LoadError::Read {
            path: path.display().to_string(),
            reason,
        })?;
        sources.add_bytes(path.display().to_string(), bytes);
    }
    Ok(sources)
}

fn walk(root: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|error| LoadError::Walk {
            path: error.path().unwrap_or(root).display().to_string(),
            message: match error.loop_ancestor() {
                Some(ancestor) => format!("symbolic link loop back to `{}`", ancestor.display()),
                None => error
                    .io_error()
                    .map_or_else(|| error.to_string(), ToString::to_string),
            },
        })?;
        let is_gate = entry.path().extension().is_some_and(|ext| ext == "gate");
        if is_gate && entry.file_type().is_file() {
            found.push(entry.into_path());
        }
    }
    Ok(found)
}
