//! What the routes share: the rules serving and how to reload them (the
//! library's [`LivePolicy`], the one reload core), limits, metrics and the
//! decision log, and the serve-shaped views of a reload: [`Reloaded`] for
//! the log, [`LastReload`] for `/v1/bundle`.
//!
//! A request loads the snapshot once and answers everything from it, so
//! a batch never mixes two rule sets; a reload builds the new policy
//! aside and swaps the pointer only when it compiled (and its signature
//! verified). The core runs reloads one at a time: SIGHUP and `--watch`
//! may fire together.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use ed25519_dalek::VerifyingKey;

use super::log::DecisionLog;
use super::metrics::Metrics;
use super::signature::{self, SignatureError, SignedBy};
use crate::diagnostics::Severity;
use crate::diagnostics::render::{JsonDiagnostic, problem_to_json, to_json};
use crate::project::Options;
use crate::project::reload::{self, LivePolicy, Outcome, Trigger};
use crate::source::Sources;

pub use crate::project::reload::Snapshot;

/// The state the routes share.
pub(crate) type AppState = Arc<State>;

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
        self.core().read().map_err(|error| Failure {
            message: error.to_string(),
            diagnostics: vec![problem_to_json(&error, Some(error.path()))],
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
        self.core()
            .build(sources)
            .map_err(|error| Failure::of_error(&error))
    }

    /// The reload core's source: the paths, options and the key's check.
    fn core(&self) -> reload::Source {
        let mut source = reload::Source::new(self.paths.clone(), self.options.clone());
        source.verify = self
            .verify_key
            .map(|key| Arc::new(SignedBy(key)) as Arc<dyn reload::Verify>);
        source
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
    fn of_error(error: &crate::project::Error) -> Failure {
        let diagnostics = match error {
            crate::project::Error::Load(error) => vec![problem_to_json(error, Some(error.path()))],
            crate::project::Error::Rules(rules) => rules.errors().map(to_json).collect(),
            crate::project::Error::Refused(refusal) => {
                vec![problem_to_json(refusal, refusal.path())]
            }
        };
        Failure {
            message: error.to_string(),
            diagnostics,
        }
    }
}

/// The errors of a failed reload as JSON: the rules' errors, or the one
/// problem that no rule file is to blame for.
fn failure_diagnostics(outcome: &Outcome) -> Vec<JsonDiagnostic> {
    if outcome.ok() {
        return Vec::new();
    }
    match &outcome.refusal {
        Some(refusal) => vec![problem_to_json(refusal, refusal.path())],
        None => outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .map(to_json)
            .collect(),
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

/// The limits of requests: body size, batch size, time.
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
    rules: LivePolicy,
    pub(crate) limits: Limits,
    pub(crate) metrics: Metrics,
    pub(crate) log: Option<DecisionLog>,
    /// `http://HOST:PORT` once listening, for AuthZEN's discovery document
    /// when a request has no usable `Host`.
    pub(crate) public_url: Mutex<Option<String>>,
    /// Whether `/ui/` serves the playground page (`--ui`).
    pub(crate) ui: bool,
}

impl State {
    /// State serving `snapshot`, reloading from `source` (none: reloads
    /// are refused), with `limits`.
    pub fn new(snapshot: Snapshot, source: Option<Source>, limits: Limits) -> State {
        State {
            rules: LivePolicy::new(snapshot, source.as_ref().map(Source::core)),
            limits,
            metrics: Metrics::new(),
            log: None,
            public_url: Mutex::new(None),
            ui: false,
        }
    }

    /// Serves the playground page at `/ui/` over these rules, read-only
    /// (see [`super::ui`]). The page shows the texts the snapshot serving
    /// keeps: reloads keep them from now on, and the first snapshot should
    /// be made with [`Snapshot::keeping`] (without them, the page has no
    /// rules to show until the first reload).
    pub fn with_ui(mut self) -> State {
        self.ui = true;
        self.rules.keep_sources();
        self
    }

    /// Writes a decision log line per decision to `log`.
    pub fn with_decision_log(mut self, mut log: DecisionLog) -> State {
        log.count_drops(self.metrics.log_dropped.clone());
        self.log = Some(log);
        self
    }

    /// The snapshot serving now. Hold it for the whole of a request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.rules.snapshot()
    }

    /// The outcome of the last reload, if any ran.
    pub fn last_reload(&self) -> Option<LastReload> {
        self.rules.last_outcome().map(|outcome| LastReload {
            at: outcome.at,
            ok: outcome.ok(),
            diagnostics: failure_diagnostics(&outcome),
        })
    }

    /// Swaps in `snapshot`, as a successful reload does.
    pub fn install(&self, snapshot: Snapshot) {
        self.rules.install(snapshot);
    }

    /// Loads the rules again and swaps them in if they compile (and verify).
    /// `only_if_changed` (for `--watch`): do nothing when the files are
    /// the rule set last tried, good or bad (see
    /// [`crate::project::reload`]). Blocking: it reads and compiles files.
    pub fn reload(&self, only_if_changed: bool) -> Reloaded {
        let trigger = if only_if_changed {
            Trigger::Poll
        } else {
            Trigger::Explicit
        };
        match self.rules.reload(trigger, only_if_changed) {
            None => Reloaded::Unchanged,
            Some(Ok(outcome)) => {
                self.metrics.reload(true);
                Reloaded::Swapped(outcome.digest.unwrap_or_default())
            }
            Some(Err(failed)) => {
                self.metrics.reload(false);
                Reloaded::Refused(Failure::of_error(&failed.error))
            }
        }
    }
}
