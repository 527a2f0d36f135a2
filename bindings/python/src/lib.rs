//! `authgate._authgate`: the Python package's extension module, on the
//! library's public API only.
//!
//! What crosses the boundary is kept thin, because the engine itself
//! decides in tens of nanoseconds and the binding is most of a call's
//! cost: a decision copies no name into Rust (each is borrowed as the
//! UTF-8 of a Python `bytes` object, the one copy the stable ABI of
//! Python 3.9 allows), and its reason is written only when `.reason` is
//! read (the decision keeps the names asked about and decides again; a
//! policy is immutable, so the answer is the same). `decide_many` reads
//! every request while attached to the interpreter, decides them all
//! detached from it, then builds the answers.
//!
//! - `policy.rs`: `Policy` and `Decision`;
//! - `request.rs`: reading a request's names, with errors that name the
//!   key;
//! - `errors.rs`: `Diagnostic`, `RulesError` and how the library's errors
//!   become Python exceptions.

mod errors;
mod policy;
mod request;

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyString;

/// The package's extension module; `authgate/__init__.py` re-exports it.
#[pymodule(gil_used = false)]
mod _authgate {
    #[pymodule_export]
    use super::errors::{Diagnostic, RulesError};
    #[pymodule_export]
    use super::load;
    #[pymodule_export]
    use super::policy::{Decision, Policy};

    #[pymodule_export]
    #[expect(
        non_upper_case_globals,
        reason = "Python's name for a package's version"
    )]
    const __version__: &str = env!("CARGO_PKG_VERSION");
}

/// Loads a rule set from paths as the `authgate` CLI does (folders
/// searched for `*.gate` files, sorted; `authgate.toml` found by walking
/// up from the working directory, or given as `config`, for the default
/// rule set and the lint levels) and compiles it.
#[pyfunction]
#[pyo3(signature = (paths = None, *, config = None, max_file_size = None))]
fn load(
    py: Python<'_>,
    paths: Option<&Bound<'_, PyAny>>,
    config: Option<PathBuf>,
    max_file_size: Option<u64>,
) -> PyResult<policy::Policy> {
    let paths = match paths {
        None => Vec::new(),
        Some(paths) => path_list(paths)?,
    };
    let mut options = authgate::Options::default();
    if let Some(limit) = max_file_size {
        options.max_file_size = limit;
    }
    let loaded = py
        .detach(|| authgate::load_project(&paths, config.as_deref(), &options))
        .map_err(|error| errors::load_error(py, error))?;
    Ok(policy::Policy::new(loaded))
}

/// One path (`str` or `os.PathLike`) or an iterable of them.
fn path_list(paths: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    let single = paths.is_instance_of::<PyString>() || paths.hasattr("__fspath__")?;
    if single {
        return Ok(vec![paths.extract()?]);
    }
    let mut list = Vec::new();
    for path in paths.try_iter().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "`paths` must be a path or an iterable of paths, not {}",
            type_name(paths)
        ))
    })? {
        let path = path?;
        list.push(path.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "`paths` must hold paths (str or os.PathLike), not {}",
                type_name(&path)
            ))
        })?);
    }
    Ok(list)
}

/// The name of an object's type, for error messages.
fn type_name(object: &Bound<'_, PyAny>) -> String {
    object
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |name| name.to_string())
}
