//! Running the service: a Tokio runtime, the listener, signals, and a
//! graceful shutdown whose drain is bounded.
//!
//! SIGTERM (what Kubernetes sends) and SIGINT stop accepting; requests in
//! flight finish; idle keep-alive connections are closed. A client that
//! holds its connection open mid-request cannot hold the process: after
//! `shutdown_timeout` the remaining connections are dropped and the
//! process exits all the same.

use std::net::SocketAddr;
use std::time::Duration;

use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;

use super::state::State;
use super::{AppState, reload, router};

/// How to serve.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServeOptions {
    /// Address to listen on (`HOST:PORT`; port 0 picks a free one).
    pub listen: String,
    /// Poll the rule set's digest this often, and reload when it changes.
    pub watch: Option<Duration>,
    /// Longest the drain of a shutdown may take.
    pub shutdown_timeout: Duration,
}

impl ServeOptions {
    /// Options listening on `listen`, no watch, a 10 s drain.
    pub fn new(listen: impl Into<String>) -> ServeOptions {
        ServeOptions {
            listen: listen.into(),
            watch: None,
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// Writes one log line to standard error: the time, then the message.
pub(crate) fn log(message: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let now = super::time::rfc3339(std::time::SystemTime::now());
    let message = message.to_string();
    let line = crate::text::escape(&message);
    let _ = writeln!(std::io::stderr().lock(), "{now} {line}");
}

/// Serves `state` until SIGTERM or SIGINT; `listening` is called with the
/// address once the socket accepts connections (the CLI prints it).
pub fn run(
    state: State,
    options: &ServeOptions,
    listening: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("authgate-serve")
        .build()?;
    let result = runtime.block_on(serve(std::sync::Arc::new(state), options, listening));
    // A reload still reading files must not hold the exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn serve(
    state: AppState,
    options: &ServeOptions,
    listening: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    // Signal handlers first: a signal sent as soon as the address is
    // printed must find them installed.
    let stop = stop_signal()?;
    #[cfg(unix)]
    let hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let listener = TcpListener::bind(&options.listen).await?;
    let address = listener.local_addr()?;
    *state
        .public_url
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(format!("http://{address}"));
    #[cfg(unix)]
    tokio::spawn(reload::on_hangup(state.clone(), hangups));
    if let Some(interval) = options.watch {
        tokio::spawn(reload::watch(state.clone(), interval));
    }
    tokio::spawn(reload::upkeep(state.clone()));
    let listener = listener.tap_io(|tcp| {
        // Answers are small: send them now, not after a delayed ACK.
        let _ = tcp.set_nodelay(true);
    });
    listening(address);
    log(format_args!(
        "serving {} on http://{address}",
        state.snapshot().digest
    ));
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let server =
        axum::serve(listener, router::router(state.clone())).with_graceful_shutdown(async move {
            let which = stop.await;
            log(format_args!("{which}: draining requests in flight"));
            let _ = stopping.send(true);
        });
    let deadline = options.shutdown_timeout;
    tokio::select! {
        result = server.into_future() => {
            result?;
            log(format_args!("stopped"));
        }
        () = async {
            let _ = stopped.wait_for(|&stop| stop).await;
            tokio::time::sleep(deadline).await;
        } => {
            log(format_args!(
                "drain not done after {} ms (--shutdown-timeout): closing the remaining connections",
                deadline.as_millis()
            ));
        }
    }
    Ok(())
}

/// Resolves with the signal's name on SIGTERM or SIGINT.
fn stop_signal() -> std::io::Result<impl Future<Output = &'static str>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        })
    }
}
