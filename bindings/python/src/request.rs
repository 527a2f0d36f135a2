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
//!
//! A runtime instance may hold `scopes`, a list (or tuple) of `str`: a
//! single `str` is refused rather than read as its characters, and so is
//! `scopes` beside `instance` (a declared instance holds what its
//! declaration gives it), as `eval` refuses them.

use authgate::{Decision, Policy, Principal};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

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
    /// The scopes a runtime instance holds; `None` when not given.
    pub scopes: Option<Vec<Name<'py>>>,
}

/// A request's names borrowed as text, ready to decide detached from the
/// interpreter.
pub struct Query<'a> {
    /// Who asks.
    pub principal: Principal<'a>,
    /// About which endpoint.
    pub endpoint: &'a str,
    /// The scopes held (empty when none were given: no allocation).
    pub scopes: Vec<&'a str>,
}

impl Query<'_> {
    /// Decides as `eval` does: by names, and for a runtime instance,
    /// holding `scopes` (resolved only for an endpoint that lists its
    /// method with scopes alone, a hash look-up each).
    pub fn decide<'q>(&'q self, policy: &Policy) -> Decision<'q> {
        // Without scopes, the plain decision (inlined here): what every
        // request of rules without scopes costs.
        if self.scopes.is_empty() {
            return policy.decide(self.principal, self.endpoint);
        }
        policy.decide_with_scopes(self.principal, &self.scopes, self.endpoint)
    }
}

impl<'py> Request<'py> {
    /// The principal, endpoint and scopes, borrowing the names.
    pub fn query(&self) -> PyResult<Query<'_>> {
        let scopes = match &self.scopes {
            Some(scopes) => scopes.iter().map(Name::text).collect::<PyResult<_>>()?,
            None => Vec::new(),
        };
        Ok(Query {
            principal: self.who.principal()?,
            endpoint: self.endpoint.text()?,
            scopes,
        })
    }

    /// Checks that `scopes`, if given, go with a runtime instance.
    pub fn check(&self) -> PyResult<()> {
        if self.scopes.is_some() && matches!(self.who, Who::Instance(_)) {
            return Err(PyTypeError::new_err(SCOPES_OF_INSTANCE));
        }
        Ok(())
    }

    /// A request from a dict with the keys of an `eval` line.
    pub fn from_dict(item: &Bound<'py, PyAny>) -> PyResult<Self> {
        let Ok(dict) = item.cast::<PyDict>() else {
            return Err(PyTypeError::new_err(format!(
                "a request is a dict, not {}",
                type_name(item)
            )));
        };
        // In the order of `KEYS`, but for `scopes`.
        let mut names: [Option<Name<'py>>; 4] = [None, None, None, None];
        let mut held = None;
        for (key, value) in dict.iter() {
            let index = key_index(&key)?;
            let key = KEYS.get(index).copied().unwrap_or_default();
            if value.is_none() {
                return Err(PyTypeError::new_err(if index == SCOPES {
                    "`scopes` is None: give a list of names, or leave the key out".to_owned()
                } else {
                    format!("`{key}` is None: give a name, or leave the key out")
                }));
            }
            if index == SCOPES {
                held = scopes(Some(value))?;
            } else if let Some(slot) = names.get_mut(index) {
                *slot = keyword(key, Some(value))?;
            }
        }
        let [instance, connector, auth, endpoint] = names;
        let endpoint =
            endpoint.ok_or_else(|| PyTypeError::new_err("a request needs `endpoint`"))?;
        let request = Request {
            who: Who::of(instance, connector, auth)?,
            endpoint,
            scopes: held,
        };
        request.check()?;
        Ok(request)
    }
}

/// A request's keys.
const KEYS: [&str; 5] = ["instance", "connector", "auth", "endpoint", "scopes"];

/// The index of `scopes` in [`KEYS`].
const SCOPES: usize = 4;

/// Why `scopes` can't go with `instance`.
pub const SCOPES_OF_INSTANCE: &str = "`scopes` goes with `connector` and `auth`: a declared \
     instance holds the scopes its declaration gives it";

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
        intern!(py, "scopes"),
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
            "unknown key `{text}`: a request has `instance`, or `connector` and `auth` \
             (and maybe `scopes`), and `endpoint`"
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

/// The scopes given as `scopes`: `None` (or left out) is none given; a
/// list or tuple of `str` otherwise. A `str` alone is refused (it would
/// be read as its characters), and so is any other type or item.
pub fn scopes<'py>(value: Option<Bound<'py, PyAny>>) -> PyResult<Option<Vec<Name<'py>>>> {
    let Some(value) = value.filter(|value| !value.is_none()) else {
        return Ok(None);
    };
    let items = if let Ok(list) = value.cast::<PyList>() {
        list.iter().collect::<Vec<_>>()
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        let hint = if value.is_instance_of::<PyString>() {
            " (a single scope is a list of one: `[\"contacts.read\"]`)"
        } else {
            ""
        };
        return Err(PyTypeError::new_err(format!(
            "`scopes` must be a list of str, not {}{hint}",
            type_name(&value)
        )));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| match item.cast_into::<PyString>() {
            Ok(string) => Name::new(string),
            Err(error) => Err(PyTypeError::new_err(format!(
                "`scopes` holds names (str), not {} (item {index})",
                type_name(&error.into_inner())
            ))),
        })
        .collect::<PyResult<Vec<_>>>()
        .map(Some)
}
