//! Reloading while serving, through the library's reload core
//! ([`crate::project::reload`]): on SIGHUP, and with `--watch` by polling
//! the rule set's digest. Polling, not file events: a Kubernetes ConfigMap
//! update swaps a symlink (`..data`) above the files, which file events
//! on the files miss; reading the files and hashing them sees any change
//! however it was made. The work (reading, compiling) runs on the blocking
//! pool, never on the threads that answer requests.

use std::time::Duration;

use super::log;
use super::state::AppState;
use super::state::Reloaded;

/// Reloads now, on the blocking pool, and logs what happened.
pub(crate) async fn reload(state: AppState, trigger: &'static str, only_if_changed: bool) {
    let worker = state.clone();
    let outcome = tokio::task::spawn_blocking(move || worker.reload(only_if_changed)).await;
    match outcome {
        Ok(Reloaded::Swapped(digest)) => log::line(format_args!("reloaded ({trigger}): {digest}")),
        Ok(Reloaded::Unchanged) => {}
        Ok(Reloaded::Refused(failure)) => {
            log::line(format_args!(
                "reload ({trigger}) refused, the old rules keep serving: {}",
                failure.message
            ));
            for diagnostic in failure.diagnostics.iter().take(20) {
                let place = match (&diagnostic.file, diagnostic.line) {
                    (Some(file), Some(line)) => format!("{file}:{line}: "),
                    (Some(file), None) => format!("{file}: "),
                    _ => String::new(),
                };
                log::line(format_args!("  {place}{}", diagnostic.message));
            }
        }
        Err(error) => log::line(format_args!("reload ({trigger}) failed: {error}")),
    }
}

/// Polls the digest every `interval`, reloading when it changed.
pub(crate) async fn watch(state: AppState, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        reload(state.clone(), "watch", true).await;
    }
}

/// Reloads on every SIGHUP.
#[cfg(unix)]
pub(crate) async fn on_hangup(state: AppState, mut hangups: tokio::signal::unix::Signal) {
    while hangups.recv().await.is_some() {
        reload(state.clone(), "SIGHUP", false).await;
    }
}
