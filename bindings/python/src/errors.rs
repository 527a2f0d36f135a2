//! Diagnostics and errors as Python sees them.
//!
//! A `Diagnostic` is the library's JSON form of one (`check --format
//! json`'s fields, without the labels); `RulesError` is a `ValueError`
//! whose text is the plain report `check` prints and whose `diagnostics`
//! are every diagnostic of the run. Files that can't be read are
//! `OSError`s (`FileNotFoundError` for a path that does not exist), with
//! the CLI's message.

use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

pyo3::create_exception!(
    authgate,
    RulesError,
    PyValueError,
    "The rules have errors, so nothing evaluates them. `str()` is the plain report \
     `authgate check` prints; `diagnostics` is every diagnostic of the run, errors and \
     warnings, as `check --format json` gives them."
);

/// One problem in the rules, as `authgate check --format json` reports
/// it: its code (`authgate::<name>`), severity (`"error"` or
/// `"warning"`), message, the file, 1-based line and column of its
/// primary label, and help.
#[pyclass(frozen, eq, hash, module = "authgate")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// `authgate::<name>`.
    #[pyo3(get)]
    code: String,
    /// `"error"` or `"warning"`.
    #[pyo3(get)]
    severity: String,
    /// The one-line message.
    #[pyo3(get)]
    message: String,
    /// The file of the primary label.
    #[pyo3(get)]
    file: Option<String>,
    /// Its 1-based line.
    #[pyo3(get)]
    line: Option<usize>,
    /// Its 1-based column, in characters.
    #[pyo3(get)]
    column: Option<usize>,
    /// How to fix it.
    #[pyo3(get)]
    help: Option<String>,
}

#[pymethods]
impl Diagnostic {
    #[new]
    #[pyo3(signature = (code, severity, message, file = None, line = None, column = None, help = None))]
    fn py_new(
        code: String,
        severity: String,
        message: String,
        file: Option<String>,
        line: Option<usize>,
        column: Option<usize>,
        help: Option<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity,
            message,
            file,
            line,
            column,
            help,
        }
    }

    fn __repr__(&self) -> String {
        let opt = |value: &Option<String>| {
            value
                .as_ref()
                .map_or_else(|| "None".to_owned(), |text| py_str(text))
        };
        let num = |value: Option<usize>| value.map_or_else(|| "None".to_owned(), |n| n.to_string());
        format!(
            "Diagnostic(code={}, severity={}, message={}, file={}, line={}, column={}, help={})",
            py_str(&self.code),
            py_str(&self.severity),
            py_str(&self.message),
            opt(&self.file),
            num(self.line),
            num(self.column),
            opt(&self.help),
        )
    }
}

/// A string as a Python literal, for `repr` (JSON's escapes are valid
/// Python).
fn py_str(text: &str) -> String {
    authgate::serde_json::to_string(text).unwrap_or_default()
}

impl Diagnostic {
    /// The library's diagnostic, through its JSON form.
    pub fn of(diagnostic: &authgate::Diagnostic) -> Self {
        let json = authgate::diagnostics::render::to_json(diagnostic);
        Diagnostic {
            code: json.code,
            severity: match json.severity {
                authgate::Severity::Error => "error",
                authgate::Severity::Warning => "warning",
            }
            .to_owned(),
            message: json.message,
            file: json.file,
            line: json.line,
            column: json.column,
            help: json.help,
        }
    }
}

/// The Python exception for a rule set that could not be loaded.
pub fn load_error(py: Python<'_>, error: authgate::Error) -> PyErr {
    match error {
        authgate::Error::Rules(rules) => rules_error(py, &rules),
        authgate::Error::Load(load) => {
            let message = load.to_string();
            match &load {
                authgate::project::files::LoadError::Read { reason, .. }
                    if reason.kind() == std::io::ErrorKind::NotFound =>
                {
                    PyFileNotFoundError::new_err(message)
                }
                _ => PyOSError::new_err(message),
            }
        }
        other => PyValueError::new_err(other.to_string()),
    }
}

/// `RulesError` with its report and diagnostics.
pub fn rules_error(py: Python<'_>, error: &authgate::RulesError) -> PyErr {
    let report = authgate::diagnostics::render::plain(error.diagnostics(), &error.summary());
    let diagnostics: Vec<Diagnostic> = error.diagnostics().iter().map(Diagnostic::of).collect();
    let exception = RulesError::new_err(report);
    let attached = PyList::new(py, diagnostics)
        .and_then(|list| exception.value(py).setattr("diagnostics", list));
    match attached {
        Ok(()) => exception,
        Err(failure) => failure,
    }
}
