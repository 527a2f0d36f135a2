//! `authgate serve` (DESIGN §14): the decision service, for tools that
//! don't embed Rust and for fleets of stateless replicas.
//!
//! A decision costs about 100 ns, so HTTP and JSON are the cost: requests
//! are decoded borrowing their names, answers written by hand into one
//! buffer ([`crate::policy::request`], shared with `authgate eval`), and batches
//! amortise the HTTP round trip. The policy is an [`arc_swap`] snapshot:
//! requests load it wait-free, reloads swap it whole.
//!
//! One concern per file: [`state`] (snapshot, reload, limits), `router`
//! (routes and layers), the routes (`decide`: decide and batch;
//! `visible`; `authzen`; `bundle`: bundle and health; `metrics`),
//! `reload` (SIGHUP and `--watch`), [`signature`] (keys and
//! `authgate.sig`), [`log`] (the decision log), [`server`] (runtime,
//! signals, bounded drain). Tests build the router in process with
//! [`router`] over a [`State`].

mod authzen;
mod bundle;
mod decide;
mod error;
pub mod log;
mod metrics;
mod reload;
mod router;
pub mod server;
pub mod signature;
pub mod state;
mod time;
mod visible;

pub use log::DecisionLog;
pub use router::router;
pub use server::{ServeOptions, Server, run};
pub use state::{Failure, LastReload, Limits, Reloaded, Snapshot, Source, State};

/// The state the routes share.
pub(crate) type AppState = std::sync::Arc<State>;
