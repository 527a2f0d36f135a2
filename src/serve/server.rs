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

use super::log;
use super::state::{AppState, State};
use super::{router, triggers};

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

/// A runtime with its signal handlers installed, made before the rules
/// are read: a SIGHUP or SIGTERM that arrives while a large rule set
/// compiles is then held for the server (a reload, a stop as soon as it
/// starts) instead of ending the process with the signal's default action.
pub struct Server {
    runtime: tokio::runtime::Runtime,
    stop: std::pin::Pin<Box<dyn Future<Output = &'static str> + Send>>,
    #[cfg(unix)]
    hangups: tokio::signal::unix::Signal,
}

impl Server {
    /// Builds the runtime and installs the handlers of SIGTERM, SIGINT
    /// and (on Unix) SIGHUP.
    pub fn prepare() -> std::io::Result<Server> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("authgate-serve")
            .build()?;
        let _context = runtime.enter();
        let stop = Box::pin(stop_signal()?);
        #[cfg(unix)]
        let hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        Ok(Server {
            runtime,
            stop,
            #[cfg(unix)]
            hangups,
        })
    }

    /// Serves `state` until SIGTERM or SIGINT; `listening` is called with
    /// the address once the socket accepts connections (the CLI prints
    /// it).
    pub fn run(
        self,
        state: State,
        options: &ServeOptions,
        listening: impl FnOnce(SocketAddr),
    ) -> std::io::Result<()> {
        let Server {
            runtime,
            stop,
            #[cfg(unix)]
            hangups,
        } = self;
        let signals = Signals {
            stop,
            #[cfg(unix)]
            hangups,
        };
        let state = std::sync::Arc::new(state);
        let result = runtime.block_on(serve(state, options, signals, listening));
        // A reload still reading files must not hold the exit.
        runtime.shutdown_timeout(Duration::from_secs(1));
        result
    }
}

/// Serves `state` until SIGTERM or SIGINT ([`Server::prepare`] then
/// [`Server::run`]).
pub fn run(
    state: State,
    options: &ServeOptions,
    listening: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    Server::prepare()?.run(state, options, listening)
}

struct Signals {
    stop: std::pin::Pin<Box<dyn Future<Output = &'static str> + Send>>,
    #[cfg(unix)]
    hangups: tokio::signal::unix::Signal,
}

async fn serve(
    state: AppState,
    options: &ServeOptions,
    signals: Signals,
    listening: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let stop = signals.stop;
    let listener = TcpListener::bind(&options.listen).await?;
    let address = listener.local_addr()?;
    *state
        .public_url
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(format!("http://{address}"));
    #[cfg(unix)]
    tokio::spawn(triggers::on_hangup(state.clone(), signals.hangups));
    if let Some(interval) = options.watch {
        tokio::spawn(triggers::watch(state.clone(), interval));
    }
    tokio::spawn(upkeep(state.clone()));
    let listener = listener.tap_io(|tcp| {
        // Answers are small: send them now, not after a delayed ACK.
        let _ = tcp.set_nodelay(true);
    });
    listening(address);
    log::line(format_args!(
        "serving {} on http://{address}",
        state.snapshot().digest
    ));
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let server =
        axum::serve(listener, router::router(state.clone())).with_graceful_shutdown(async move {
            let which = stop.await;
            log::line(format_args!("{which}: draining requests in flight"));
            let _ = stopping.send(true);
        });
    let deadline = options.shutdown_timeout;
    tokio::select! {
        result = server.into_future() => {
            result?;
            log::line(format_args!("stopped"));
        }
        () = async {
            let _ = stopped.wait_for(|&stop| stop).await;
            tokio::time::sleep(deadline).await;
        } => {
            log::line(format_args!(
                "drain not done after {} ms (--shutdown-timeout): closing the remaining connections",
                deadline.as_millis()
            ));
        }
    }
    Ok(())
}

/// Folds histogram samples into buckets every few seconds (see
/// [`super::metrics`]).
async fn upkeep(state: AppState) {
    let mut ticks = tokio::time::interval(Duration::from_secs(5));
    loop {
        ticks.tick().await;
        state.metrics.upkeep();
    }
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
