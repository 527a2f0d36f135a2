//! authgate: a policy engine for the auth methods of integration connectors.
//!
//! Rule files (`*.gate`) declare connectors with their auth methods and
//! endpoints, which methods each endpoint activates, instances and flows.
//! authgate checks them, reporting every mistake as a [`Diagnostic`], and
//! compiles them into a [`Policy`] that answers one question fast and with a
//! reason: is endpoint E available to instance I?
//!
//! The pipeline runs one way: text ([`source`]) → syntax tree ([`syntax`])
//! → checked model ([`check`](mod@check)) → [`Policy`]. [`compile`] runs all of it.
//! Each stage is a module, split by concern: `syntax` has one parser that
//! decides and a pest grammar that explains; `check` a file per concern
//! (connectors, options, resolving, lints, messages); [`policy`] its build,
//! query and explain parts; [`diagnostics`] the catalogue of codes as one
//! table. Around the pipeline: [`expect`] runs the tests written in rule
//! files, [`format`](mod@format) lays files out canonically, [`report`]
//! renders diagnostics (text, JSON, SARIF, GitHub annotations), [`suggest`]
//! and [`text`] write names for people. Built on the pipeline, never
//! called by it: `openapi` (feature `openapi`, on by default) maps OpenAPI
//! and Swagger specs to connectors for `authgate import openapi` and
//! `authgate drift`.
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

pub mod bundle;
pub mod check;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod expect;
pub mod format;
mod lints;
pub mod load;
#[cfg(feature = "lsp")]
pub mod lsp;
mod names;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod policy;
#[cfg(feature = "reload")]
pub mod reload;
pub mod report;
pub mod request;
#[cfg(feature = "serve")]
pub mod serve;
mod service;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod text;

pub use diagnostics::{Code, Diagnostic, Problem, Severity};
/// The diagnostic framework authgate's errors implement (re-exported so
/// that embedders name the same version).
pub use miette;
pub use policy::{Decision, Policy, Principal, Reason, Subject};
/// The JSON values some reports are built as (`report::to_sarif`).
pub use serde_json;
pub use service::{Error, Loaded, Options, RulesError, load_policy, load_project};
pub use source::{FileId, Sources, Span};

/// What a rule set declares, for summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Connectors declared (each name once).
    pub connectors: usize,
    /// Endpoints of those connectors.
    pub endpoints: usize,
    /// Instances declared (each name once).
    pub instances: usize,
    /// Flows declared.
    pub flows: usize,
    /// Tests declared (whose names all resolved).
    pub tests: usize,
    /// Error diagnostics.
    pub errors: usize,
    /// Warning diagnostics.
    pub warnings: usize,
}

/// The summary line of `authgate check`: ``checked 2 files: 1 connector,
/// 3 endpoints, 2 instances, 1 flow, 0 tests; 1 error, 0 warnings``.
impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |count: usize, noun: &str| {
            let s = if count == 1 { "" } else { "s" };
            format!("{count} {noun}{s}")
        };
        write!(
            f,
            "checked {}: {}, {}, {}, {}, {}; {}, {}",
            plural(self.files, "file"),
            plural(self.connectors, "connector"),
            plural(self.endpoints, "endpoint"),
            plural(self.instances, "instance"),
            plural(self.flows, "flow"),
            plural(self.tests, "test"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
        )
    }
}

/// The outcome of [`compile`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Compilation {
    /// Every diagnostic, errors and warnings, sorted by file and place.
    pub diagnostics: Vec<Diagnostic>,
    /// The policy; `None` when there is any error.
    pub policy: Option<Policy>,
    /// Counts for a summary line.
    pub summary: Summary,
    /// The tests written in the rules, for [`expect::run`].
    pub tests: Vec<check::TestDef>,
}

/// Parses, checks and compiles a rule set. Every file is parsed (a syntax
/// error stops only its own file), then all files are checked together; the
/// policy is built only if no diagnostic is an error. `// authgate:
/// allow(...)` directives in the files apply; see [`compile_with`] for a
/// project's lint levels.
pub fn compile(sources: &Sources) -> Compilation {
    compile_with(sources, &config::Lints::default())
}

/// [`compile`] with a project's lint levels (`[lints]` of
/// `authgate.toml`): allowed warnings are dropped, denied ones are errors
/// (and so the rules don't compile).
pub fn compile_with(sources: &Sources, lints: &config::Lints) -> Compilation {
    let (mut model, diagnostics, summary) = check_model(sources, lints);
    let tests = std::mem::take(&mut model.tests);
    let policy = (summary.errors == 0).then(|| Policy::compile(model, sources));
    Compilation {
        diagnostics,
        policy,
        summary,
        tests,
    }
}

/// Parses and checks a rule set without building a policy: what
/// `authgate check` needs. Returns every diagnostic, sorted, and the counts.
pub fn check(sources: &Sources) -> (Vec<Diagnostic>, Summary) {
    check_with(sources, &config::Lints::default())
}

/// [`check()`] with a project's lint levels, as [`compile_with`].
pub fn check_with(sources: &Sources, lints: &config::Lints) -> (Vec<Diagnostic>, Summary) {
    let (_, diagnostics, summary) = check_model(sources, lints);
    (diagnostics, summary)
}

fn check_model(
    sources: &Sources,
    lints: &config::Lints,
) -> (check::Model, Vec<Diagnostic>, Summary) {
    let mut checker = check::Checker::new(sources);
    let mut early = Vec::new();
    for file in sources.iter().filter(|file| file.is_rules()) {
        if let Err(diagnostic) = syntax::parse_into(sources, file, &mut checker) {
            early.push(*diagnostic);
            checker.broken_file(file.id());
        }
    }
    let (model, mut diagnostics) = checker.finish();
    diagnostics.extend(early);
    let diagnostics = lints::apply(sources, diagnostics, lints);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    let summary = Summary {
        files: sources.iter().filter(|file| file.is_rules()).count(),
        connectors: model.connectors.len(),
        endpoints: model.connectors.iter().map(|c| c.endpoints.len()).sum(),
        instances: model.declared_instances,
        flows: model.flows,
        tests: model.tests.len(),
        errors,
        warnings: diagnostics.len() - errors,
    };
    (model, diagnostics, summary)
}
