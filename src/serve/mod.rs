//! `authgate serve`: the decision service, for tools that
//! don't embed Rust and for fleets of stateless replicas.
//!
//! A decision costs about 100 ns, so HTTP and JSON are the cost: requests
//! are decoded borrowing their names, answers written by hand into one
//! buffer ([`crate::policy::request`], shared with `authgate eval`), and batches
//! amortise the HTTP round trip. The policy is an [`arc_swap`] snapshot:
//! requests load it wait-free, reloads swap it whole.
//!
//! One concern per file: [`state`] (the rules serving, reloaded through
//! the library's one reload core, [`crate::project::reload`]; limits),
//! `router` (routes and layers), the routes (`decide`: decide and batch;
//! `visible`; `authzen`; `status`: bundle, health and metrics), `metrics`
//! (the recorder), `watch` (SIGHUP and `--watch`), [`ui`] (the
//! playground page of `--ui`), [`signature`] (keys,
//! `authgate.sig` and the reload core's check), [`log`] (log lines and the
//! decision log), [`server`] (runtime, signals, bounded drain). Tests
//! build the router in process with [`router`] over a [`State`].

mod authzen;
mod decide;
mod error;
pub mod log;
mod metrics;
mod router;
pub mod server;
pub mod signature;
pub mod state;
mod status;
mod time;
mod triggers;
pub mod ui;
mod visible;

pub use log::DecisionLog;
pub use router::router;
pub use server::{ServeOptions, Server, run};
pub use state::{Failure, LastReload, Limits, Reloaded, Snapshot, Source, State};
