//! The one reload core: a [`LivePolicy`] holds the policy in place and
//! knows where its rules come from ([`Source`]); a reload reads the files,
//! takes their bundle digest, asks an optional [`Verify`] check (serve's
//! signature), compiles, and swaps the new [`Snapshot`] in atomically only
//! when all of that passed. Whatever happened is one [`Outcome`], kept as
//! the last one.
//!
//! Both followers of files use it: the library's `watch::Reloader` (file
//! events and polling, feature `reload`) and `authgate serve` (SIGHUP and `--watch`). It needs no
//! file watcher, so `serve` builds it without notify.
//!
//! A rule set already tried, good or bad, is not compiled again when
//! only a change is asked for: a broken rule set is reported once, not
//! every interval. "The same" is the bundle digest of the files read
//! (contents, not times: an edit within one tick of a coarse clock still
//! shows), plus whatever else the check reads (a signature file signed
//! after the rules changed is a change); files that can't be read are the
//! same failure when their message is. Reloads run one at a time, so an
//! older one never swaps over a newer.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use arc_swap::ArcSwap;

use super::digest::{BundleFile, Manifest};
use super::files::{self, LoadError};
use super::{Error, Options};
use crate::diagnostics::Diagnostic;
use crate::policy::Policy;
use crate::source::Sources;

/// One compiled rule set and what names it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Snapshot {
    /// The policy.
    pub policy: Arc<Policy>,
    /// `sha256:<hex>`: the bundle digest (see [`super::digest`]).
    pub digest: String,
    /// The rule files, sorted by path.
    pub files: Vec<BundleFile>,
    /// When it was compiled.
    pub loaded_at: SystemTime,
    /// Counts the snapshots put in place: 1 for the first, one more for
    /// each after it (0 until put in place).
    pub generation: u64,
    /// The files it was compiled from, when they are kept (see
    /// [`Snapshot::keeping`] and [`Source::keep_sources`]): their texts,
    /// exactly the rules that decide, to show them.
    pub sources: Option<Arc<Sources>>,
}

impl Snapshot {
    /// A snapshot of `policy`, compiled from `sources`.
    pub fn new(policy: Policy, sources: &Sources) -> Snapshot {
        Snapshot::of(policy, &Manifest::of(sources))
    }

    /// A snapshot of `policy`, compiled from `sources`, which it keeps
    /// (see [`Snapshot::sources`]).
    pub fn keeping(policy: Policy, sources: Sources) -> Snapshot {
        let mut snapshot = Snapshot::new(policy, &sources);
        snapshot.sources = Some(Arc::new(sources));
        snapshot
    }

    fn of(policy: Policy, manifest: &Manifest) -> Snapshot {
        Snapshot {
            policy: Arc::new(policy),
            digest: manifest.digest().to_owned(),
            files: manifest.files().to_vec(),
            loaded_at: SystemTime::now(),
            generation: 0,
            sources: None,
        }
    }
}

/// A check that rules must pass, beyond compiling, before they are put in
/// place: `authgate serve --verify-key`'s signature.
pub trait Verify: Send + Sync + std::fmt::Debug {
    /// Accepts or refuses the rule set under `paths` whose files have the
    /// bundle digest `digest`.
    fn verify(&self, paths: &[PathBuf], digest: &str) -> Result<(), Refusal>;

    /// What else the check reads, as bytes (a signature file): when it
    /// changes, the rule set counts as changed. Nothing by default.
    fn inputs(&self, paths: &[PathBuf]) -> Vec<u8> {
        let _ = paths;
        Vec::new()
    }
}

/// Why rules were not put in place when no rule file is to blame: files
/// that can't be read, a [`Verify`] check that refused them, nothing to
/// reload from. Plain data (an [`Outcome`] is cloned), with the code,
/// message and help of the problem it was made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    code: String,
    message: String,
    help: Option<String>,
    path: Option<String>,
}

impl Refusal {
    /// The refusal that `problem` describes; `path` is the file it is
    /// about, if any.
    pub fn of(problem: &dyn miette::Diagnostic, path: Option<&str>) -> Refusal {
        Refusal {
            code: problem
                .code()
                .map_or_else(|| "authgate::error".to_owned(), |code| code.to_string()),
            message: problem.to_string(),
            help: problem.help().map(|help| help.to_string()),
            path: path.map(str::to_owned),
        }
    }

    /// The file it is about, if any.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

impl miette::Diagnostic for Refusal {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn std::fmt::Display>)
    }
}

/// Where rules come from, to load them again: the paths and options that
/// [`crate::load_policy`] takes, and an optional check.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Source {
    /// Rule files or folders.
    pub paths: Vec<PathBuf>,
    /// Size limit and lint levels.
    pub options: Options,
    /// When set, rules it refuses are not put in place.
    pub verify: Option<Arc<dyn Verify>>,
    /// Whether each snapshot keeps the files it was compiled from
    /// ([`Snapshot::sources`]): their texts stay in memory as long as it
    /// serves. Off by default.
    pub keep_sources: bool,
}

impl Source {
    /// The rules under `paths`, loaded with `options`, with no check.
    pub fn new(paths: Vec<PathBuf>, options: Options) -> Source {
        Source {
            paths,
            options,
            verify: None,
            keep_sources: false,
        }
    }

    /// Reads the rule files as [`crate::load_policy`] does (the same walk,
    /// the same limits), not compiling them yet.
    pub fn read(&self) -> Result<Sources, LoadError> {
        files::load(&self.paths, self.options.max_file_size)
    }

    /// Checks (see [`Source::verify`]) and compiles rules read with
    /// [`Source::read`].
    pub fn build(&self, sources: Sources) -> Result<Snapshot, Error> {
        let manifest = Manifest::of(&sources);
        self.compile(sources, &manifest)
            .map(|(snapshot, _, _)| snapshot)
    }

    /// Reads, checks and compiles the rules.
    pub fn load(&self) -> Result<Snapshot, Error> {
        self.build(self.read()?)
    }

    fn compile(
        &self,
        sources: Sources,
        manifest: &Manifest,
    ) -> Result<(Snapshot, Vec<Diagnostic>, Arc<Sources>), Error> {
        if let Some(verify) = &self.verify {
            verify
                .verify(&self.paths, manifest.digest())
                .map_err(Error::Refused)?;
        }
        let loaded =
            crate::compile::compile_with(&sources, &self.options.lints).into_result(sources)?;
        let mut snapshot = Snapshot::of(loaded.policy, manifest);
        let sources = Arc::new(loaded.sources);
        if self.keep_sources {
            snapshot.sources = Some(sources.clone());
        }
        Ok((snapshot, loaded.warnings, sources))
    }

    /// What identifies the rule set read: a reload of the same is skipped
    /// when only a change is asked for.
    fn key(&self, read: Result<&Manifest, &LoadError>) -> Key {
        match read {
            Ok(manifest) => self.key_of(manifest.digest()),
            Err(error) => Key::Unreadable(error.to_string()),
        }
    }

    /// The key of rules read with `digest`, with what the check reads
    /// beside them as they are now.
    fn key_of(&self, digest: &str) -> Key {
        Key::Read {
            digest: digest.to_owned(),
            inputs: self
                .verify
                .as_ref()
                .map(|verify| verify.inputs(&self.paths))
                .unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    Read { digest: String, inputs: Vec<u8> },
    Unreadable(String),
}

/// What started a reload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trigger {
    /// A periodic check found the rule set changed (`serve --watch`).
    Poll,
    /// A file event, then the rule set was found changed.
    Event,
    /// Asked for, changed or not: `Reloader::reload_now`, SIGHUP.
    Explicit,
}

/// The result of one reload that ran (the rule set changed, or a reload
/// was asked for).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Outcome {
    /// When it finished.
    pub at: SystemTime,
    /// What started it.
    pub trigger: Trigger,
    /// The generation of the policy in place after it (see
    /// [`Snapshot::generation`]): a new one when it succeeded, the old one
    /// when it failed.
    pub generation: u64,
    /// The bundle digest of the files read; `None` when they could not be
    /// read.
    pub digest: Option<String>,
    /// Why it failed (the [`Error`](enum@Error)'s message, e.g. "the rules have 1
    /// error"); `None` when the new policy is in place.
    pub error: Option<String>,
    /// The diagnostics of the rules read, sorted: the warnings when they
    /// compiled, every diagnostic (errors and warnings) when they did not;
    /// empty when they were not compiled.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read, for rendering the diagnostics (e.g.
    /// [`crate::diagnostics::render::to_json`]); `None` when they were not
    /// compiled.
    pub sources: Option<Arc<Sources>>,
    /// Why it failed when no rule file is to blame (files that can't be
    /// read, a refused signature).
    pub refusal: Option<Refusal>,
}

impl Outcome {
    /// Whether the new policy is in place.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// A reload that failed: what was recorded, and the error.
#[derive(Debug)]
#[non_exhaustive]
pub struct Failed {
    /// The outcome recorded (see [`LivePolicy::last_outcome`]).
    pub outcome: Outcome,
    /// Why.
    pub error: Error,
}

/// A policy that can be reloaded from its rule files: [`LivePolicy::snapshot`]
/// is always a rule set that compiled (and passed the check): the first
/// one, or the latest one since. A reload that fails leaves it in place
/// and is recorded in [`LivePolicy::last_outcome`].
#[derive(Debug)]
pub struct LivePolicy {
    source: Option<Source>,
    current: ArcSwap<Snapshot>,
    last: Mutex<Option<Outcome>>,
    /// The key of the rule set last tried (`None`: try the next one);
    /// held through a reload, so reloads run one at a time.
    tried: Mutex<Option<Key>>,
}

impl LivePolicy {
    /// Loads the rules of `source` (see [`Source::load`]): the first load
    /// must succeed.
    pub fn load(source: Source) -> Result<LivePolicy, Error> {
        let read = source.read()?;
        let manifest = Manifest::of(&read);
        let (snapshot, _, _) = source.compile(read, &manifest)?;
        Ok(LivePolicy::new(snapshot, Some(source)))
    }

    /// `snapshot` in place, reloading from `source` (`None`: a reload
    /// fails, there is nothing to read). The snapshot counts as the rule
    /// set last tried, so a poll reloads only once the files (or what the
    /// check reads beside them) differ from it.
    pub fn new(mut snapshot: Snapshot, source: Option<Source>) -> LivePolicy {
        snapshot.generation = 1;
        let tried = source
            .as_ref()
            .map(|source| source.key_of(&snapshot.digest));
        LivePolicy {
            source,
            current: ArcSwap::from_pointee(snapshot),
            last: Mutex::new(None),
            tried: Mutex::new(tried),
        }
    }

    /// From now on, reloads keep the files in each snapshot (see
    /// [`Source::keep_sources`]); the snapshot in place stays as it is.
    pub fn keep_sources(&mut self) {
        if let Some(source) = &mut self.source {
            source.keep_sources = true;
        }
    }

    /// The snapshot in place: it stays the same however the files change
    /// (take one per request, or per batch).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// The generation of the snapshot in place.
    pub fn generation(&self) -> u64 {
        self.current.load().generation
    }

    /// The outcome of the last reload; `None` until the first.
    pub fn last_outcome(&self) -> Option<Outcome> {
        lock(&self.last).clone()
    }

    /// Puts `snapshot` in place, after any reload in progress; the next
    /// reload compiles the files whatever was tried before. Returns its
    /// generation.
    pub fn install(&self, snapshot: Snapshot) -> u64 {
        let mut tried = lock(&self.tried);
        *tried = None;
        self.put(snapshot)
    }

    fn put(&self, mut snapshot: Snapshot) -> u64 {
        let generation = self.generation() + 1;
        snapshot.generation = generation;
        self.current.store(Arc::new(snapshot));
        generation
    }

    /// Reads the rules and, when they differ from the rule set last tried
    /// or `!only_if_changed`, checks and compiles them and puts them in
    /// place when that passed. `None`: nothing changed, nothing was done;
    /// else the outcome, also recorded as [`LivePolicy::last_outcome`]
    /// (after the snapshot is swapped). Blocking: it reads and compiles
    /// files.
    pub fn reload(
        &self,
        trigger: Trigger,
        only_if_changed: bool,
    ) -> Option<Result<Outcome, Failed>> {
        let mut tried = lock(&self.tried);
        let Some(source) = &self.source else {
            let refusal = Refusal {
                code: "authgate::reload".to_owned(),
                message: "nothing to reload: the policy was not loaded from rule files".to_owned(),
                help: None,
                path: None,
            };
            return Some(Err(self.failed(trigger, None, Error::Refused(refusal))));
        };
        let read = source.read().map(|sources| {
            let manifest = Manifest::of(&sources);
            (sources, manifest)
        });
        let key = source.key(read.as_ref().map(|(_, manifest)| manifest));
        if only_if_changed && tried.as_ref() == Some(&key) {
            return None;
        }
        *tried = Some(key);
        let (sources, manifest) = match read {
            Ok(read) => read,
            Err(error) => return Some(Err(self.failed(trigger, None, error.into()))),
        };
        let digest = manifest.digest().to_owned();
        match source.compile(sources, &manifest) {
            Ok((snapshot, warnings, sources)) => {
                let generation = self.put(snapshot);
                let outcome = Outcome {
                    at: SystemTime::now(),
                    trigger,
                    generation,
                    digest: Some(digest),
                    error: None,
                    diagnostics: warnings,
                    sources: Some(sources),
                    refusal: None,
                };
                *lock(&self.last) = Some(outcome.clone());
                Some(Ok(outcome))
            }
            Err(error) => Some(Err(self.failed(trigger, Some(digest), error))),
        }
    }

    /// Records a failure (the snapshot in place stays).
    fn failed(&self, trigger: Trigger, digest: Option<String>, error: Error) -> Failed {
        let (diagnostics, sources, refusal) = match &error {
            Error::Rules(rules) => (
                rules.diagnostics().to_vec(),
                Some(Arc::new(rules.sources().clone())),
                None,
            ),
            Error::Load(load) => (Vec::new(), None, Some(Refusal::of(load, Some(load.path())))),
            Error::Refused(refusal) => (Vec::new(), None, Some(refusal.clone())),
        };
        let outcome = Outcome {
            at: SystemTime::now(),
            trigger,
            generation: self.generation(),
            digest,
            error: Some(error.to_string()),
            diagnostics,
            sources,
            refusal,
        };
        *lock(&self.last) = Some(outcome.clone());
        Failed { outcome, error }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
