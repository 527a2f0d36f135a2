//! What the routes share: the active policy snapshot, swapped wait-free
//! ([`arc_swap`]), where the rules come from for reloads, the outcome of
//! the last reload, limits, metrics and the decision log.
//!
//! A request loads the snapshot once and answers everything from it, so
//! a batch never mixes two rule sets; a reload builds the new policy
//! aside and swaps the pointer only when it compiled (and its signature
//! verified). Reloads are serialised by a mutex: SIGHUP and `--watch` may
//! fire together.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use ed25519_dalek::VerifyingKey;

use super::log::DecisionLog;
use super::metrics::Metrics;
use super::signature::{self, SignatureError};
use crate::bundle::{BundleFile, Manifest};
use crate::report::JsonDiagnostic;
use crate::{Options, Policy, Sources};

/// One compiled rule set and what describes it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Snapshot {
    /// The policy.
    pub policy: Policy,
    /// `sha256:<hex>`: the bundle digest.
    pub digest: String,
    /// The rule files, sorted by path.
    pub files: Vec<BundleFile>,
    /// When it was loaded.
    pub loaded_at: SystemTime,
    /// Connectors, endpoints, methods, declared instances.
    pub counts: Counts,
}

/// What a rule set declares, for `/v1/bundle`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Counts {
    /// Connectors.
    pub connectors: usize,
    /// Endpoints.
    pub endpoints: usize,
    /// Auth methods.
    pub methods: usize,
    /// Declared instances.
    pub instances: usize,
}

impl Snapshot {
    /// A snapshot of `policy`, compiled from `sources`.
    pub fn new(policy: Policy, sources: &Sources) -> Snapshot {
        let manifest = Manifest::of(sources);
        let connectors: Vec<_> = policy.connector_ids().collect();
        let counts = Counts {
            connectors: connectors.len(),
            endpoints: connectors
                .iter()
                .map(|&c| policy.endpoints(c).count())
                .sum(),
            methods: connectors.iter().map(|&c| policy.methods(c).count()).sum(),
            instances: policy.instance_ids().count(),
        };
        Snapshot {
            policy,
            digest: manifest.digest().to_owned(),
            files: manifest.files().to_vec(),
            loaded_at: SystemTime::now(),
            counts,
        }
    }
}

/// Where the rules come from, to load them again: the paths and options
/// `check` would use, and the key that must have signed them.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Source {
    /// Rule files or folders.
    pub paths: Vec<PathBuf>,
    /// Size limit and lint levels.
    pub options: Options,
    /// When set, rules must carry a valid `authgate.sig`.
    pub verify_key: Option<VerifyingKey>,
}

impl Source {
    /// A source of `paths` with `options`, with no signature required.
    pub fn new(paths: Vec<PathBuf>, options: Options) -> Source {
        Source {
            paths,
            options,
            verify_key: None,
        }
    }

    /// Reads the rule files (not compiling them yet).
    pub fn read(&self) -> Result<Sources, Failure> {
        crate::load::load(&self.paths, self.options.max_file_size).map_err(|error| {
            let path = error.path().to_owned();
            Failure {
                message: error.to_string(),
                diagnostics: vec![crate::report::problem_to_json(&error, Some(&path))],
            }
        })
    }

    /// Checks the signature of rules whose digest is `digest`, when a key
    /// is configured.
    pub fn verify(&self, digest: &str) -> Result<(), SignatureError> {
        match &self.verify_key {
            Some(key) => signature::verify(key, &signature::signature_path(&self.paths), digest),
            None => Ok(()),
        }
    }

    /// Verifies and compiles rules read with [`Source::read`].
    pub fn build(&self, sources: Sources) -> Result<Snapshot, Failure> {
        let digest = Manifest::of(&sources).digest().to_owned();
        self.verify(&digest).map_err(|error| Failure {
            message: error.to_string(),
            diagnostics: vec![crate::report::problem_to_json(&error, None)],
        })?;
        let compiled = crate::compile_with(&sources, &self.options.lints);
        match compiled.into_result(sources) {
            Ok(loaded) => Ok(Snapshot::new(loaded.policy, &loaded.sources)),
            Err(error) => Failure::from_rules(&error),
        }
    }
}

/// Why rules were not loaded: a line, and the diagnostics behind it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Failure {
    /// One line.
    pub message: String,
    /// The errors (rules that don't compile, a file that can't be read,
    /// a signature that does not verify).
    pub diagnostics: Vec<JsonDiagnostic>,
}

impl Failure {
    fn from_rules<T>(error: &crate::RulesError) -> Result<T, Failure> {
        Err(Failure {
            message: error.to_string(),
            diagnostics: error.errors().map(crate::report::to_json).collect(),
        })
    }
}

/// The outcome of the last reload, for `/v1/bundle`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LastReload {
    /// When it ran.
    pub at: SystemTime,
    /// Whether the new rules were swapped in.
    pub ok: bool,
    /// Why not.
    pub diagnostics: Vec<JsonDiagnostic>,
}

/// What a reload did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Reloaded {
    /// New rules serve, with this digest.
    Swapped(String),
    /// The files have the digest of the rules serving (or of the last
    /// rules refused): nothing was done. Only `--watch` asks for this.
    Unchanged,
    /// The new rules were refused; the old ones keep serving.
    Refused(Failure),
}

/// The limits of requests (DESIGN §14 "Bad requests").
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Limits {
    /// Largest body accepted, in bytes (413 above).
    pub max_body: usize,
    /// Most items in one batch (413 above).
    pub max_batch: usize,
    /// Longest a request may take (408 after).
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 1 << 20,
            max_batch: 10_000,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The state every route shares.
#[derive(Debug)]
pub struct State {
    snapshot: ArcSwap<Snapshot>,
    source: Option<Source>,
    last_reload: Mutex<Option<LastReload>>,
    /// The digest of the last rules refused (or why they could not be
    /// read), so that `--watch` does not try (and log) the same broken
    /// files every interval.
    refused: Mutex<Option<String>>,
    reloading: Mutex<()>,
    pub(crate) limits: Limits,
    pub(crate) metrics: Metrics,
    pub(crate) log: Option<DecisionLog>,
    /// `http://HOST:PORT` once listening, for AuthZEN's discovery document
    /// when a request has no usable `Host`.
    pub(crate) public_url: Mutex<Option<String>>,
}

impl State {
    /// State serving `snapshot`, reloading from `source` (none: reloads
    /// are refused), with `limits`.
    pub fn new(snapshot: Snapshot, source: Option<Source>, limits: Limits) -> State {
        let metrics = Metrics::new();
        metrics.bundle_loaded(&snapshot);
        State {
            snapshot: ArcSwap::from_pointee(snapshot),
            source,
            last_reload: Mutex::new(None),
            refused: Mutex::new(None),
            reloading: Mutex::new(()),
            limits,
            metrics,
            log: None,
            public_url: Mutex::new(None),
        }
    }

    /// Writes a decision log line per decision to `log`.
    pub fn with_decision_log(mut self, mut log: DecisionLog) -> State {
        log.count_drops(self.metrics.log_dropped.clone());
        self.log = Some(log);
        self
    }

    /// The snapshot serving now. Hold it for the whole of a request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The outcome of the last reload, if any ran.
    pub fn last_reload(&self) -> Option<LastReload> {
        self.last_reload
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Swaps in `snapshot`, as a successful reload does.
    pub fn install(&self, snapshot: Snapshot) {
        self.metrics.bundle_loaded(&snapshot);
        self.snapshot.store(Arc::new(snapshot));
    }

    /// Loads the rules again and swaps them in if they compile (and verify).
    /// `only_if_changed` (for `--watch`): do nothing when the files have
    /// the digest of the rules serving or of the last rules refused.
    /// Blocking: it reads and compiles files.
    pub fn reload(&self, only_if_changed: bool) -> Reloaded {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(source) = &self.source else {
            return self.refuse(Failure {
                message: "this server was not started from rule files".to_owned(),
                diagnostics: Vec::new(),
            });
        };
        let refused = self
            .refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let sources = match source.read() {
            Ok(sources) => sources,
            Err(failure) => {
                // Files that can't be read are reported once, not every
                // interval of `--watch`, until something changes.
                let key = format!("unreadable: {}", failure.message);
                if only_if_changed && refused.as_deref() == Some(&key) {
                    return Reloaded::Unchanged;
                }
                *self.refused.lock().unwrap_or_else(PoisonError::into_inner) = Some(key);
                return self.refuse(failure);
            }
        };
        let digest = Manifest::of(&sources).digest().to_owned();
        if only_if_changed
            && (digest == self.snapshot.load().digest || refused.as_deref() == Some(&digest))
        {
            return Reloaded::Unchanged;
        }
        match source.build(sources) {
            Ok(snapshot) => {
                *self.refused.lock().unwrap_or_else(PoisonError::into_inner) = None;
                let digest = snapshot.digest.clone();
                self.install(snapshot);
                self.metrics.reload(true);
                self.record(true, Vec::new());
                Reloaded::Swapped(digest)
            }
            Err(failure) => {
                *self.refused.lock().unwrap_or_else(PoisonError::into_inner) = Some(digest);
                self.refuse(failure)
            }
        }
    }

    fn refuse(&self, failure: Failure) -> Reloaded {
        self.metrics.reload(false);
        self.record(false, failure.diagnostics.clone());
        Reloaded::Refused(failure)
    }

    fn record(&self, ok: bool, diagnostics: Vec<JsonDiagnostic>) {
        *self
            .last_reload
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(LastReload {
            at: SystemTime::now(),
            ok,
            diagnostics,
        });
    }
}
