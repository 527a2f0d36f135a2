//! authgate: a policy engine for the auth methods of integration connectors.
//!
//! Rule files (`*.gate`) declare connectors with their auth methods and
//! endpoints, which methods each endpoint activates, instances and flows.
//! authgate checks them, reporting every mistake as a [`Diagnostic`], and
//! compiles them into a [`Policy`] that answers one question fast and with a
//! reason: is endpoint E available to instance I?
//!
//! The pipeline runs one way: text ([`source`]) → syntax tree ([`syntax`])
//! → checked model ([`check`](mod@check)) → [`Policy`]; [`compile`] runs
//! all of it. Each stage is a module, split by concern: [`syntax`] holds
//! both parsers, the tree and the formatter; [`check`](mod@check) a file
//! per concern, lint levels beside the lints; [`policy`] its build, query
//! and explain parts, with the tests written in rule files and the
//! decision requests of `authgate eval`; [`diagnostics`] the catalogue of
//! codes as one table and its renderings; [`text`] the words for people.
//! [`project`] is what a service or the CLI loads: paths to sources,
//! `authgate.toml`, the bundle digest and hot reload. Built on the
//! pipeline, never called by it: [`diff`], and, each behind its feature,
//! `openapi` (`authgate import openapi`, `authgate drift`), `lsp` and
//! `serve`.
//!
//! A service loads a rule set from paths exactly as `authgate check` does
//! with [`load_policy`], which gives the policy or a typed [`Error`] that
//! carries every diagnostic; `examples/embed.rs` is a runnable program
//! (load a folder, report errors through miette, decide by names and ids,
//! share across threads). From text already in memory:
//!
//! ```
//! use authgate::{compile, Principal, Sources};
//!
//! let mut sources = Sources::new();
//! sources.add("shop.gate", r#"
//!     connector shop {
//!         auth basic: basic
//!         auth oauth: oauth2_authorization_code
//!         endpoint orders    < auth: [basic] >
//!         endpoint customers < auth: [basic, oauth] >
//!     }
//!     instance "instance 1" of shop < auth: basic >
//!     instance "instance 2" of shop < auth: oauth >
//! "#);
//! let compiled = compile(&sources);
//! assert!(compiled.diagnostics.is_empty());
//! let policy = compiled.policy.expect("no errors, so it compiles");
//!
//! // By names, with a reason.
//! let decision = policy.decide(Principal::Instance("instance 2"), "orders");
//! assert!(!decision.available());
//! assert_eq!(
//!     policy.describe(&decision),
//!     "instance `instance 2` authenticates with `oauth`, which `orders` does not activate \
//!      (activated: `basic`)"
//! );
//!
//! // A runtime instance (from a database, say) is a connector and a method.
//! let runtime = Principal::Runtime { connector: "shop", method: "basic" };
//! assert!(policy.decide(runtime, "orders").available());
//!
//! // By ids: resolve once, then each decision is a bit test.
//! let shop = policy.connector("shop").expect("declared");
//! let orders = policy.endpoint(shop, "orders").expect("declared");
//! let oauth = policy.method(shop, "oauth").expect("declared");
//! assert!(!policy.is_available(oauth, orders));
//! let seen: Vec<&str> = policy.visible(oauth).iter().filter_map(|&e| policy.endpoint_name(e)).collect();
//! assert_eq!(seen, ["customers"]);
//!
//! // Unknown names are never available.
//! let typo = policy.decide(Principal::Instance("instance 3"), "orders");
//! assert!(!typo.available());
//! assert_eq!(policy.describe(&typo), "unknown instance `instance 3`; did you mean `instance 1`?");
//! ```
//!
//! With OAuth scopes, an item of an auth list names the scopes it needs and
//! a runtime instance holds the scopes its query names:
//!
//! ```
//! use authgate::{compile, Principal, Sources};
//!
//! let mut sources = Sources::new();
//! sources.add("hubspot.gate", r#"
//!     connector hubspot {
//!         auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write"] >
//!         endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
//!     }
//! "#);
//! let policy = compile(&sources).policy.expect("no errors");
//! let runtime = Principal::Runtime { connector: "hubspot", method: "oauth" };
//! assert!(!policy.decide_with_scopes(runtime, &["contacts.read"], "POST /contacts").available());
//! assert!(policy.decide_with_scopes(runtime, &["contacts.write"], "POST /contacts").available());
//! ```
//!
//! `docs/` in the repository is the book: the language, every command, the
//! diagnostics, the library, the service and the bindings.

pub mod check;
mod compile;
pub mod diagnostics;
pub mod diff;
#[cfg(feature = "lsp")]
pub mod lsp;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod policy;
pub mod project;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod syntax;
pub mod text;

pub use compile::{Compilation, Summary, check, check_with, compile, compile_with};
pub use diagnostics::{Code, Diagnostic, Problem, Severity};
/// The diagnostic framework authgate's errors implement (re-exported so
/// that embedders name the same version).
pub use miette;
pub use policy::{Decision, Policy, Principal, Reason, Subject};
pub use project::{Error, Loaded, Options, RulesError, load_policy, load_project};
/// The JSON values some reports are built as
/// (`diagnostics::render::to_sarif`).
pub use serde_json;
pub use source::{FileId, Sources, Span};

/// The library's guide, `docs/library.md`, whose examples run as
/// doc-tests so that the page can't drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../docs/library.md")]
pub struct LibraryGuide;
