//! Loading rule files from the paths given on the command line.

use std::collections::HashSet;
use std::io::Read as _;
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
    /// A rule file over `--max-file-size`.
    #[error("`{path}` is {size} bytes, over the limit of {limit}")]
    #[diagnostic(
        code(authgate::too_large),
        help("raise the limit with `--max-file-size`, e.g. `--max-file-size 1G`")
    )]
    TooLarge {
        /// The file.
        path: String,
        /// Its size, or the bytes read before giving up.
        size: u64,
        /// The limit.
        limit: u64,
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

impl LoadError {
    /// The path it is about, for the machine formats' location.
    pub fn path(&self) -> &str {
        match self {
            LoadError::Read { path, .. }
            | LoadError::NoRuleFiles { path }
            | LoadError::NotAFile { path }
            | LoadError::TooLarge { path, .. }
            | LoadError::Walk { path, .. } => path,
        }
    }
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

/// Reads every rule file under `paths`, refusing files over `limit` bytes. Folders are searched recursively
/// for `*.gate` files in sorted order; a file named directly is read
/// whatever its extension. A file reached twice is read once.
pub fn load(paths: &[PathBuf], limit: u64) -> Result<Sources, LoadError> {
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
        let bytes = read_limited(&path, limit)?;
        sources.add_bytes(path.display().to_string(), bytes);
    }
    Ok(sources)
}

/// Reads a file, refusing one larger than the limit (checked on the bytes
/// read, not only on the size the file system reports, which a growing
/// file would outrun).
pub(super) fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    let error = |reason| LoadError::Read {
        path: path.display().to_string(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(error)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let too_large = |size: u64| LoadError::TooLarge {
        path: path.display().to_string(),
        size,
        limit,
    };
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(error)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
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
        let kind = entry.file_type();
        if is_gate && kind.is_file() {
            found.push(entry.into_path());
        } else if is_gate && !kind.is_dir() {
            // A `*.gate` FIFO, socket or device: reading it could block or
            // never end, and skipping it would silently drop rules.
            return Err(LoadError::NotAFile {
                path: entry.path().display().to_string(),
            });
        }
    }
    Ok(found)
}
