//! A request's names, read from keyword arguments (`decide`, `visible`)
//! or from a dict (`decide_many`, the shape of an `eval` line).
//!
//! A malformed request raises `TypeError` naming the key: a key missing,
//! one that is not a request's, a name that is not a `str`, or a set of
//! keys that is neither `instance` nor `connector` and `auth`. In a dict,
//! `None` is refused as `eval` refuses `null` (a request with `"instance":
//! None` beside `connector` and `auth` is more likely a bug than a runtime
//! instance); as a keyword argument, `None` is the argument left out, as
//! usual in Python.

use authgate::Principal;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::type_name;

/// A name as given: the Python string (echoed in the answer) and its
/// UTF-8, which the decision borrows.
pub struct Name<'py> {
    string: Bound<'py, PyString>,
    utf8: Bound<'py, PyBytes>,
}

impl<'py> Name<'py> {
    fn new(string: Bound<'py, PyString>) -> PyResult<Self> {
        // The stable ABI of Python 3.9 lends no UTF-8 buffer of a `str`:
        // encoding it into a `bytes` object is the one copy.
        let utf8 = string.encode_utf8()?;
        Ok(Name { string, utf8 })
    }

    /// The name's text.
    pub fn text(&self) -> PyResult<&str> {
        std::str::from_utf8(self.utf8.as_bytes())
            .map_err(|error| PyValueError::new_err(error.to_string()))
    }

    /// The Python string.
    pub fn string(&self) -> &Bound<'py, PyString> {
        &self.string
    }
}

/// Who asks.
pub enum Who<'py> {
    /// A declared instance.
    Instance(Name<'py>),
    /// A runtime instance.
    Runtime {
        /// Its connector.
        connector: Name<'py>,
        /// Its auth method.
        auth: Name<'py>,
    },
}

impl<'py> Who<'py> {
    /// From the names given, or why they are not a principal.
    pub fn of(
        instance: Option<Name<'py>>,
        connector: Option<Name<'py>>,
        auth: Option<Name<'py>>,
    ) -> PyResult<Self> {
        match (instance, connector, auth) {
            (Some(instance), None, None) => Ok(Who::Instance(instance)),
            (None, Some(connector), Some(auth)) => Ok(Who::Runtime { connector, auth }),
            _ => Err(PyTypeError::new_err(
                "a request names either `instance`, or `connector` and `auth`",
            )),
        }
    }

    /// The principal, borrowing the names.
    pub fn principal(&self) -> PyResult<Principal<'_>> {
        Ok(match self {
            Who::Instance(instance) => Principal::Instance(instance.text()?),
            Who::Runtime { connector, auth } => Principal::Runtime {
                connector: connector.text()?,
                method: auth.text()?,
            },
        })
    }
}

/// One decision request.
pub struct Request<'py> {
    /// Who asks.
    pub who: Who<'py>,
    /// About which endpoint.
    pub endpoint: Name<'py>,
}

impl<'py> Request<'py> {
    /// The principal and endpoint, borrowing the names.
    pub fn query(&self) -> PyResult<(Principal<'_>, &str)> {
        Ok((self.who.principal()?, self.endpoint.text()?))
    }

    /// A request from a dict with the keys of an `eval` line.
    pub fn from_dict(item: &Bound<'py, PyAny>) -> PyResult<Self> {
        let Ok(dict) = item.cast::<PyDict>() else {
            return Err(PyTypeError::new_err(format!(
                "a request is a dict, not {}",
                type_name(item)
            )));
        };
        // In the order of `KEYS`.
        let mut names: [Option<Name<'py>>; 4] = [None, None, None, None];
        for (key, value) in dict.iter() {
            let index = key_index(&key)?;
            let key = KEYS.get(index).copied().unwrap_or_default();
            if value.is_none() {
                return Err(PyTypeError::new_err(format!(
                    "`{key}` is None: give a name, or leave the key out"
                )));
            }
            if let Some(slot) = names.get_mut(index) {
                *slot = keyword(key, Some(value))?;
            }
        }
        let [instance, connector, auth, endpoint] = names;
        let endpoint =
            endpoint.ok_or_else(|| PyTypeError::new_err("a request needs `endpoint`"))?;
        Ok(Request {
            who: Who::of(instance, connector, auth)?,
            endpoint,
        })
    }
}

/// A request's keys.
const KEYS: [&str; 4] = ["instance", "connector", "auth", "endpoint"];

/// Which of [`KEYS`] a dict key is, or why it is none of them.
fn key_index(key: &Bound<'_, PyAny>) -> PyResult<usize> {
    let py = key.py();
    // Keys written in Python source are interned: most are the very
    // objects `intern!` holds, and compare by address, with no copy.
    let interned = [
        intern!(py, "instance"),
        intern!(py, "connector"),
        intern!(py, "auth"),
        intern!(py, "endpoint"),
    ];
    if let Some(index) = interned.iter().position(|known| key.is(*known)) {
        return Ok(index);
    }
    let Ok(text) = key.cast::<PyString>() else {
        return Err(PyTypeError::new_err(format!(
            "a request's keys are str, not {}",
            type_name(key)
        )));
    };
    let text = text.to_cow()?;
    KEYS.iter().position(|known| *known == text).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "unknown key `{text}`: a request has `instance`, or `connector` and `auth`, \
             and `endpoint`"
        ))
    })
}

/// The name given as keyword argument `key`: `None` (or left out) is no
/// name; anything else must be a `str`.
pub fn keyword<'py>(key: &str, value: Option<Bound<'py, PyAny>>) -> PyResult<Option<Name<'py>>> {
    let Some(value) = value.filter(|value| !value.is_none()) else {
        return Ok(None);
    };
    match value.cast_into::<PyString>() {
        Ok(string) => Name::new(string).map(Some),
        Err(error) => {
            let value = error.into_inner();
            Err(PyTypeError::new_err(format!(
                "`{key}` must be a str, not {}",
                type_name(&value)
            )))
        }
    }
}
