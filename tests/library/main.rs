//! The library through its public API, as an embedder uses it: the
//! language as written, the evaluator, loading paths and projects, the
//! diff, requests answered as `eval` answers them, and two reference
//! models (the evaluator and the diff against plain implementations, over
//! random rule sets); printing and reparsing.
//! With `fancy`: one fixture per diagnostic code snapshotted as text and
//! JSON, reports at real size, output safety and robustness (nothing
//! panics, whatever the input). With `reload`: the `Reloader`.
//!
//! Needs no feature, so `cargo test --no-default-features` runs the lean
//! part; the defaults add the `fancy` modules, and `cargo test --features
//! reload --test library reload::` runs `reload.rs`.

#![allow(
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails by panicking"
)]

#[path = "../support/mod.rs"]
mod support;

mod activation;
mod architecture;
#[cfg(feature = "fancy")]
mod diagnostics;
mod diff_reference;
mod evaluator;
mod keywords;
mod load;
#[cfg(feature = "fancy")]
mod output_safety;
mod reference;
#[cfg(feature = "reload")]
mod reload;
#[cfg(feature = "fancy")]
mod reports;
mod requests;
#[cfg(feature = "fancy")]
mod robustness;
mod roundtrip;
mod scopes;
mod syntax;
