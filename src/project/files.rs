//! Loading rule files from paths, with the rules `authgate` itself uses:
//! a service that embeds the library reads the same files as the CI job
//! that checks them, or fails the same way.
//!
//! A path is a rule file (read whatever its extension) or a folder,
//! searched recursively for `*.gate` files in sorted order, following
//! symbolic links (a loop is an error) and skipping entries whose names
//! begin with `.` (`.git`; the `..data` and `..TIMESTAMP` copies a
//! Kubernetes ConfigMap mount keeps beside its links, which would
//! otherwise load every file three times). A file reached twice is read
//! once. Files over the size limit, FIFOs, sockets and devices are
//! refused, never skipped: skipping would silently drop rules.

use std::collections::HashSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::source::Sources;
use thiserror::Error;

/// The default size limit of a rule file: 256 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 << 20;

/// Why the rule files could not be loaded.
#[derive(Debug, Error, miette::Diagnostic)]
#[non_exhaustive]
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

/// Reads every rule file under `paths` (see the module docs), refusing
/// files over `limit` bytes ([`DEFAULT_MAX_FILE_SIZE`] is the CLI's
/// default). Each file is named in the [`Sources`] by its path as found
/// (the given path, joined with the names walked below it).
pub fn load<P: AsRef<Path>>(paths: &[P], limit: u64) -> Result<Sources, LoadError> {
    // Each file with its path in the bundle manifest: relative to the
    // folder it was found under, or its file name when given alone.
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let metadata = std::fs::metadata(path).map_err(|reason| LoadError::Read {
            path: path.display().to_string(),
            reason,
        })?;
        if metadata.is_file() {
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |name| name.to_string_lossy().into_owned(),
            );
            files.push((path.to_path_buf(), name));
        } else if metadata.is_dir() {
            let found = walk(path)?;
            if found.is_empty() {
                return Err(LoadError::NoRuleFiles {
                    path: path.display().to_string(),
                });
            }
            files.extend(found.into_iter().map(|file| {
                let relative = relative_to(&file, path);
                (file, relative)
            }));
        } else {
            return Err(LoadError::NotAFile {
                path: path.display().to_string(),
            });
        }
    }
    let mut seen = HashSet::new();
    let mut sources = Sources::new();
    for (path, relative) in files {
        let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !seen.insert(identity) {
            continue;
        }
        let bytes = read_file(&path, limit)?;
        sources.add_bytes_at(path.display().to_string(), relative, bytes);
    }
    Ok(sources)
}

/// `file`'s path below `root`, with `/` between the names whatever the
/// platform's separator.
fn relative_to(file: &Path, root: &Path) -> String {
    let below = file.strip_prefix(root).unwrap_or(file);
    let names: Vec<_> = below
        .components()
        .map(|name| name.as_os_str().to_string_lossy())
        .collect();
    names.join("/")
}

/// Reads a file, refusing one larger than `limit` bytes (checked on the
/// bytes read, not only on the size the file system reports, which a
/// growing file would outrun).
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
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
    let hidden = |entry: &walkdir::DirEntry| {
        entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.')
    };
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| !hidden(entry))
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
