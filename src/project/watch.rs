//! Hot reload (the `reload` feature): a [`Reloader`] holds the policy of a
//! rule set and follows its files, swapping in the new policy atomically
//! when they change and compile, keeping the old one when they don't.
//!
//! Why both file events and polling: file events (notify's recommended
//! watcher: inotify, FSEvents, ReadDirectoryChangesW, kqueue) are prompt,
//! but miss changes they were not set up to see — a Kubernetes ConfigMap
//! swaps a `..data` symbolic link to a new folder, a watch may fail (no
//! inotify watches left) or a path may live on a network file system. So
//! a background thread re-checks the rule set every `interval` in any
//! case; an event only makes the next check earlier.
//!
//! A check is a reload of the [one reload core](super::reload) that asks
//! only for a change: a rule set already tried, good or bad, is not
//! compiled again, so a broken rule set is reported once, not every
//! `interval`.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::files::LoadError;
use super::reload::{LivePolicy, Outcome, Source, Trigger};
use super::{Error, Options};
use crate::policy::Policy;

/// How often a [`Reloader`] re-checks its rule set by default: 2 s.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(2);

/// The shortest interval: a shorter one is taken as this (a check reads
/// every rule file).
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// After a file event, how long the files must stay quiet before they are
/// read: an editor or `cp` writes a file in several steps, and reading in
/// the middle would report rules that nobody wrote.
const SETTLE: Duration = Duration::from_millis(100);

/// A callback told of every reload (see [`Reloader::start_with`]).
pub type OnReload = Box<dyn Fn(&Outcome) + Send + Sync>;

/// A policy that follows its rule files. [`Reloader::policy`] is always a
/// policy that compiled: the first one, or the latest rule set that
/// compiled with no error. A rule set with errors (or that cannot be
/// read) leaves the policy in place and is reported by
/// [`Reloader::last_outcome`] and the callback of
/// [`Reloader::start_with`].
///
/// A background thread checks the rule set every `interval` and soon
/// after file events under the paths (see the [module docs](self)).
/// Dropping the `Reloader` stops it (waiting for a reload in progress to
/// finish). Policies already handed out stay valid.
///
/// ```no_run
/// use std::time::Duration;
/// use authgate::Principal;
/// use authgate::project::watch::Reloader;
///
/// let rules = Reloader::start(vec!["rules".into()], Default::default(), Duration::from_secs(2))?;
/// // Per request: one snapshot, however the files change meanwhile.
/// let policy = rules.policy();
/// let allowed = policy.decide(Principal::Instance("instance 1"), "orders").available();
/// # let _ = allowed;
/// // On SIGHUP, say:
/// if let Err(error) = rules.reload_now() {
///     eprintln!("{:?}", authgate::miette::Report::new(error));
/// }
/// # Ok::<(), authgate::Error>(())
/// ```
pub struct Reloader {
    shared: Arc<Shared>,
    /// Owned so that dropping the `Reloader` ends the events too; `None`
    /// when no watcher could be set up (polling still runs).
    watcher: Option<RecommendedWatcher>,
    signals: Sender<Signal>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader")
            .field("paths", &self.shared.paths)
            .field("generation", &self.generation())
            .field("watching", &self.watcher.is_some())
            .finish_non_exhaustive()
    }
}

enum Signal {
    /// A file event.
    Changed,
    /// The `Reloader` is dropped.
    Stop,
}

struct Shared {
    paths: Vec<PathBuf>,
    live: LivePolicy,
    on_reload: Option<OnReload>,
}

impl Reloader {
    /// Loads the rule set under `paths` as [`crate::load_policy`] does and
    /// starts following it, checking every `interval` (at least
    /// [`MIN_INTERVAL`]; [`DEFAULT_INTERVAL`] is a good default) and soon
    /// after file events. The first load must succeed: its error
    /// otherwise.
    pub fn start(paths: Vec<PathBuf>, options: Options, interval: Duration) -> Result<Self, Error> {
        Self::launch(paths, options, interval, None)
    }

    /// [`Reloader::start`], and `on_reload` is called with the outcome of
    /// every reload (not of the first load), on the thread that reloaded:
    /// the background thread, or the caller of [`Reloader::reload_now`].
    /// It should be quick (log, count); it must not call `reload_now`
    /// (which would call it again). A panic in it is caught on the
    /// background thread, which goes on checking.
    pub fn start_with(
        paths: Vec<PathBuf>,
        options: Options,
        interval: Duration,
        on_reload: impl Fn(&Outcome) + Send + Sync + 'static,
    ) -> Result<Self, Error> {
        Self::launch(paths, options, interval, Some(Box::new(on_reload)))
    }

    fn launch(
        paths: Vec<PathBuf>,
        options: Options,
        interval: Duration,
        on_reload: Option<OnReload>,
    ) -> Result<Self, Error> {
        let live = LivePolicy::load(Source::new(paths.clone(), options))?;
        let shared = Arc::new(Shared {
            paths,
            live,
            on_reload,
        });
        let (signals, received) = mpsc::channel();
        let watcher = watch(&shared.paths, signals.clone());
        let thread = {
            let shared = Arc::clone(&shared);
            let interval = interval.max(MIN_INTERVAL);
            std::thread::Builder::new()
                .name("authgate-reload".into())
                .spawn(move || follow(&shared, &received, interval))
                .map_err(|reason| LoadError::Read {
                    path: "<reload thread>".into(),
                    reason,
                })?
        };
        Ok(Reloader {
            shared,
            watcher,
            signals,
            thread: Some(thread),
        })
    }

    /// The policy in place: a snapshot that stays the same however the
    /// files change (take one per request, or per batch).
    pub fn policy(&self) -> Arc<Policy> {
        Arc::clone(&self.shared.live.snapshot().policy)
    }

    /// Counts the policies put in place: 1 for the first, one more for
    /// each successful reload. It changes after the policy does, so once
    /// a caller sees a new generation, [`Reloader::policy`] is at least
    /// that new.
    pub fn generation(&self) -> u64 {
        self.shared.live.generation()
    }

    /// The outcome of the last reload; `None` until the first.
    pub fn last_outcome(&self) -> Option<Outcome> {
        self.shared.live.last_outcome()
    }

    /// Loads and compiles the rule set now, changed or not (on SIGHUP,
    /// say), and puts the new policy in place when it compiles. Runs on
    /// the caller's thread, after any reload in progress; the outcome is
    /// recorded and reported as the background thread's are.
    pub fn reload_now(&self) -> Result<(), Error> {
        match self.shared.reload(Trigger::Explicit, false) {
            Some(Err(error)) => Err(error),
            _ => Ok(()),
        }
    }

    /// Whether file events are being watched (polling runs in any case).
    pub fn is_watching(&self) -> bool {
        self.watcher.is_some()
    }
}

impl Drop for Reloader {
    fn drop(&mut self) {
        // Events first, so that nothing else holds the channel open.
        drop(self.watcher.take());
        let _ = self.signals.send(Signal::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Shared {
    /// Reloads through the core and tells the callback. `None`: nothing
    /// changed.
    fn reload(&self, trigger: Trigger, only_if_changed: bool) -> Option<Result<(), Error>> {
        let result = self.live.reload(trigger, only_if_changed)?;
        let (outcome, result) = match result {
            Ok(outcome) => (outcome, Ok(())),
            Err(failed) => (failed.outcome, Err(failed.error)),
        };
        if let Some(on_reload) = &self.on_reload {
            on_reload(&outcome);
        }
        Some(result)
    }
}

/// The background thread: a check every `interval`, and one soon after
/// file events, until told to stop (or the `Reloader` is gone).
fn follow(shared: &Shared, signals: &Receiver<Signal>, interval: Duration) {
    loop {
        let trigger = match signals.recv_timeout(interval) {
            Ok(Signal::Changed) => {
                if !settle(signals, interval) {
                    return;
                }
                Trigger::Event
            }
            Err(RecvTimeoutError::Timeout) => Trigger::Poll,
            Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return,
        };
        // A panicking callback must not end the reloads.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| shared.reload(trigger, true)));
    }
}

/// Waits until events stop for [`SETTLE`], or `limit` at most (a file
/// written without pause is still checked). `false`: stop.
fn settle(signals: &Receiver<Signal>, limit: Duration) -> bool {
    let started = Instant::now();
    loop {
        match signals.recv_timeout(SETTLE) {
            Ok(Signal::Changed) if started.elapsed() < limit => {}
            Ok(Signal::Changed) | Err(RecvTimeoutError::Timeout) => return true,
            Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// Watches each path: a folder recursively, a file through its folder
/// (an editor or a ConfigMap replaces the file, which a watch on the file
/// itself would lose). `None` when no watcher can be made; a path that
/// cannot be watched is left to polling.
fn watch(paths: &[PathBuf], signals: Sender<Signal>) -> Option<RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading the files (our own checks) is not a change.
        if !matches!(
            event,
            Ok(notify::Event {
                kind: EventKind::Access(_),
                ..
            })
        ) {
            let _ = signals.send(Signal::Changed);
        }
    })
    .ok()?;
    for path in paths {
        let _ = if path.is_dir() {
            watcher.watch(path, RecursiveMode::Recursive)
        } else {
            let folder = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            watcher.watch(folder, RecursiveMode::NonRecursive)
        };
    }
    Some(watcher)
}
