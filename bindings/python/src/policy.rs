//! `Policy`, the compiled rule set, and `Decision`, one answer.
//!
//! Both are frozen: a `Policy` is the library's immutable, `Send + Sync`
//! policy behind a Python object that has no attribute to set, so any
//! number of threads share one without a lock. A `Decision` keeps the
//! names it was asked about (and the scopes held, if any) and a reference
//! to its policy, and writes its reason only when `.reason` is read.

use authgate::{Principal, Reason};
use pyo3::exceptions::{PyLookupError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::errors::{self, Diagnostic};
use crate::request::{self, Name, Query, Request, Who};
use crate::type_name;

/// A compiled rule set: immutable, safe to share across threads.
#[pyclass(frozen, module = "authgate")]
pub struct Policy {
    policy: authgate::Policy,
    warnings: Vec<Diagnostic>,
    digest: String,
}

impl Policy {
    /// The Python object of a loaded rule set.
    pub fn new(loaded: authgate::Loaded) -> Self {
        let digest = authgate::project::digest::Manifest::of(&loaded.sources)
            .digest()
            .to_owned();
        let warnings = loaded.warnings.iter().map(Diagnostic::of).collect();
        Policy {
            policy: loaded.policy,
            warnings,
            digest,
        }
    }
}

#[pymethods]
impl Policy {
    /// Compiles rules held in memory: `text` (`str`, or `bytes` as read
    /// from a file) is one file called `filename`.
    #[staticmethod]
    #[pyo3(signature = (text, filename = "<string>"))]
    fn from_source(py: Python<'_>, text: &Bound<'_, PyAny>, filename: &str) -> PyResult<Self> {
        let mut sources = authgate::Sources::new();
        if let Ok(bytes) = text.cast::<PyBytes>() {
            sources.add_bytes(filename, bytes.as_bytes().to_vec());
        } else if let Ok(string) = text.cast::<PyString>() {
            sources.add(filename, string.to_cow()?.into_owned());
        } else {
            return Err(PyTypeError::new_err(format!(
                "`text` must be a str or bytes, not {}",
                type_name(text)
            )));
        }
        let loaded = py
            .detach(|| authgate::compile(&sources).into_result(sources))
            .map_err(|error| errors::rules_error(py, &error))?;
        Ok(Policy::new(loaded))
    }

    /// Is `endpoint` available to the declared `instance`, or to a runtime
    /// instance of `connector` authenticating with `auth` and holding
    /// `scopes` (none when left out)?
    #[pyo3(signature = (*, instance = None, connector = None, auth = None, endpoint, scopes = None))]
    fn decide<'py>(
        slf: &Bound<'py, Self>,
        instance: Option<Bound<'py, PyAny>>,
        connector: Option<Bound<'py, PyAny>>,
        auth: Option<Bound<'py, PyAny>>,
        endpoint: Bound<'py, PyAny>,
        scopes: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Decision>> {
        let request = Request {
            who: Who::of(
                request::keyword("instance", instance)?,
                request::keyword("connector", connector)?,
                request::keyword("auth", auth)?,
            )?,
            endpoint: request::keyword("endpoint", Some(endpoint))?
                .ok_or_else(|| PyTypeError::new_err("`endpoint` is None: give a name"))?,
            scopes: request::scopes(scopes)?,
        };
        request.check()?;
        let available = request.query()?.decide(&slf.get().policy).available();
        Decision::new(slf, &request, available)?.into_object(slf.py())
    }

    /// Decides every request (each a dict like `decide`'s keywords), in
    /// order, detached from the interpreter while deciding.
    fn decide_many<'py>(
        slf: &Bound<'py, Self>,
        requests: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let mut read = Vec::with_capacity(requests.len().unwrap_or(0));
        let iter = requests.try_iter().map_err(|_| {
            PyTypeError::new_err(format!(
                "`requests` must be an iterable of dicts, not {}",
                type_name(requests)
            ))
        })?;
        for (index, item) in iter.enumerate() {
            let request = Request::from_dict(&item?).map_err(|error| {
                // Say which request (the message names the key).
                if error.is_instance_of::<PyTypeError>(py) {
                    PyTypeError::new_err(format!("request {index}: {}", error.value(py)))
                } else {
                    error
                }
            })?;
            read.push(request);
        }
        let queries = read
            .iter()
            .map(Request::query)
            .collect::<PyResult<Vec<Query<'_>>>>()?;
        let policy = &slf.get().policy;
        let answers: Vec<bool> = py.detach(|| {
            queries
                .iter()
                .map(|query| query.decide(policy).available())
                .collect()
        });
        let decisions = read
            .iter()
            .zip(answers)
            .map(|(request, available)| Decision::new(slf, request, available)?.into_object(py))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, decisions)
    }

    /// The endpoints the declared `instance`, or a runtime instance of
    /// `connector` with `auth` holding `scopes`, sees, in declaration
    /// order. An unknown name raises `LookupError` with the reason.
    #[pyo3(signature = (*, instance = None, connector = None, auth = None, scopes = None))]
    fn visible<'py>(
        &self,
        instance: Option<Bound<'py, PyAny>>,
        connector: Option<Bound<'py, PyAny>>,
        auth: Option<Bound<'py, PyAny>>,
        scopes: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Vec<String>> {
        let who = Who::of(
            request::keyword("instance", instance)?,
            request::keyword("connector", connector)?,
            request::keyword("auth", auth)?,
        )?;
        let scopes = request::scopes(scopes)?;
        if scopes.is_some() && matches!(who, Who::Instance(_)) {
            return Err(PyTypeError::new_err(request::SCOPES_OF_INSTANCE));
        }
        let scopes = scopes
            .iter()
            .flatten()
            .map(Name::text)
            .collect::<PyResult<Vec<&str>>>()?;
        match self.policy.subject(who.principal()?) {
            Ok(subject) => {
                let visible = if scopes.is_empty() {
                    self.policy.visible_to(subject)
                } else {
                    let set = self.policy.scope_set(subject.method, &scopes);
                    self.policy.visible_to_with_scopes(subject.method, &set)
                };
                Ok(visible.endpoints.into_iter().map(str::to_owned).collect())
            }
            Err(unknown) => Err(PyLookupError::new_err(
                self.policy.describe(&authgate::Decision::from(unknown)),
            )),
        }
    }

    /// The bundle digest of the rule files: `sha256:<hex>`, as `authgate
    /// digest` prints it.
    #[getter]
    fn digest(&self) -> &str {
        &self.digest
    }

    /// The warnings of the rules (a new list on each read).
    #[getter]
    fn warnings(&self) -> Vec<Diagnostic> {
        self.warnings.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "<authgate.Policy {} ({} connectors, {} instances)>",
            self.digest,
            self.policy.connector_ids().count(),
            self.policy.instance_ids().count()
        )
    }
}

/// One answer: whether the endpoint is available, and why.
#[pyclass(frozen, module = "authgate")]
pub struct Decision {
    policy: Py<Policy>,
    /// Whether the endpoint is available.
    #[pyo3(get)]
    available: bool,
    /// The declared instance asked about, if one was.
    #[pyo3(get)]
    instance: Option<Py<PyString>>,
    /// The runtime instance's connector, if one was asked about.
    #[pyo3(get)]
    connector: Option<Py<PyString>>,
    /// The runtime instance's auth method, if one was asked about.
    #[pyo3(get)]
    auth: Option<Py<PyString>>,
    /// The endpoint asked about.
    #[pyo3(get)]
    endpoint: Py<PyString>,
    /// The scopes the runtime instance held, as given (kept apart from the
    /// caller's list, which may change after the call); `None` when none
    /// were given. Not a tuple until read: a tuple is an object the cycle
    /// collector tracks, and a batch would make one per request.
    scopes: Option<Box<[Py<PyString>]>>,
}

impl Decision {
    fn new(policy: &Bound<'_, Policy>, request: &Request<'_>, available: bool) -> PyResult<Self> {
        let own = |name: &Name<'_>| name.string().clone().unbind();
        let (instance, connector, auth) = match &request.who {
            Who::Instance(instance) => (Some(own(instance)), None, None),
            Who::Runtime { connector, auth } => (None, Some(own(connector)), Some(own(auth))),
        };
        let scopes = request
            .scopes
            .as_ref()
            .map(|scopes| scopes.iter().map(own).collect());
        Ok(Decision {
            policy: policy.clone().unbind(),
            available,
            instance,
            connector,
            auth,
            endpoint: own(&request.endpoint),
            scopes,
        })
    }

    /// Decides again from the names kept (a policy is immutable: the same
    /// answer) and hands the decision to `with`: what `reason`, `item`
    /// and `missing_scopes` are read from.
    fn redecide<T>(
        &self,
        py: Python<'_>,
        with: impl FnOnce(&authgate::Policy, &authgate::Decision<'_>) -> T,
    ) -> PyResult<T> {
        let text = |name: &Option<Py<PyString>>| -> PyResult<Option<String>> {
            name.as_ref()
                .map(|name| name.bind(py).to_cow().map(|text| text.into_owned()))
                .transpose()
        };
        let (instance, connector, auth) = (
            text(&self.instance)?,
            text(&self.connector)?,
            text(&self.auth)?,
        );
        let endpoint = self.endpoint.bind(py).to_cow()?;
        let scopes = self
            .scopes
            .iter()
            .flatten()
            .map(|scope| Ok(scope.bind(py).to_cow()?.into_owned()))
            .collect::<PyResult<Vec<String>>>()?;
        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let principal = match (&instance, &connector, &auth) {
            (Some(instance), _, _) => Principal::Instance(instance),
            (None, connector, auth) => Principal::Runtime {
                connector: connector.as_deref().unwrap_or_default(),
                method: auth.as_deref().unwrap_or_default(),
            },
        };
        let policy = &self.policy.get().policy;
        let decision = policy.decide_with_scopes(principal, &scopes, &endpoint);
        Ok(with(policy, &decision))
    }

    /// The Python object, left out of the cycle collector's lists.
    ///
    /// Every `#[pyclass]` is a collected type, and a batch creates one
    /// decision per request: tracked, each would count towards the next
    /// collection and be walked by it, and the collector was most of
    /// `decide_many`'s time (measured with perf on 100,000 requests).
    /// A decision can't be part of a cycle: it refers to its `Policy`,
    /// which refers to no Python object, and to `str` objects.
    #[expect(unsafe_code, reason = "PyObject_GC_UnTrack has no safe wrapper")]
    fn into_object(self, py: Python<'_>) -> PyResult<Bound<'_, Decision>> {
        let object = Bound::new(py, self)?;
        // SAFETY: `object` is a live object of a collected type, and this
        // thread is attached to the interpreter and holds a reference to
        // it. Untracking an object that is not tracked does nothing, so
        // PyO3's deallocation, which untracks it again, stays correct.
        unsafe { pyo3::ffi::PyObject_GC_UnTrack(object.as_ptr().cast()) };
        Ok(object)
    }
}

#[pymethods]
impl Decision {
    /// The scopes the runtime instance held, as given, as a tuple; `None`
    /// when none were given.
    #[getter]
    fn scopes<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        self.scopes
            .as_ref()
            .map(|scopes| PyTuple::new(py, scopes.iter()))
            .transpose()
    }

    /// Why, in words: the reason `authgate eval` gives. Written when read.
    #[getter]
    fn reason(&self, py: Python<'_>) -> PyResult<String> {
        self.redecide(py, |policy, decision| policy.reason(decision).to_string())
    }

    /// For a decision by scopes, the item that granted the endpoint or
    /// came closest, as the rules write it (`oauth("contacts.write")`);
    /// `None` otherwise.
    #[getter]
    fn item(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.redecide(py, |policy, decision| match decision.reason() {
            Reason::ScopesHeld { item, .. } | Reason::ScopesMissing { item, .. } => {
                Some(policy.item_text(item))
            }
            _ => None,
        })
    }

    /// For a refusal by scopes, the scopes missing from that item; `None`
    /// otherwise.
    #[getter]
    fn missing_scopes(&self, py: Python<'_>) -> PyResult<Option<Vec<String>>> {
        self.redecide(py, |policy, decision| match decision.reason() {
            Reason::ScopesMissing { .. } => Some(
                policy
                    .missing_scope_names(&decision.reason())
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => None,
        })
    }

    /// The answer as `authgate eval` prints it: `available`, `reason`,
    /// then `instance`, or `connector` and `auth`, then `endpoint`, and
    /// for a decision by scopes `item` and (refused) `missing_scopes`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("available", self.available)?;
        let (reason, item, missing) = self.redecide(py, |policy, decision| {
            let item = match decision.reason() {
                Reason::ScopesHeld { item, .. } | Reason::ScopesMissing { item, .. } => {
                    Some(policy.item_text(item))
                }
                _ => None,
            };
            let missing = matches!(decision.reason(), Reason::ScopesMissing { .. }).then(|| {
                policy
                    .missing_scope_names(&decision.reason())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            });
            (policy.reason(decision).to_string(), item, missing)
        })?;
        dict.set_item("reason", reason)?;
        if let Some(instance) = &self.instance {
            dict.set_item("instance", instance)?;
        }
        if let Some(connector) = &self.connector {
            dict.set_item("connector", connector)?;
        }
        if let Some(auth) = &self.auth {
            dict.set_item("auth", auth)?;
        }
        dict.set_item("endpoint", &self.endpoint)?;
        if let Some(item) = item {
            dict.set_item("item", item)?;
        }
        if let Some(missing) = missing {
            dict.set_item("missing_scopes", missing)?;
        }
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let reason = self.reason(py)?;
        Ok(format!(
            "Decision(available={}, reason={})",
            if self.available { "True" } else { "False" },
            authgate::serde_json::to_string(&reason).unwrap_or_default()
        ))
    }
}
