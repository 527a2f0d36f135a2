//! Running the tests written in rule files:
//!
//! ```text
//! test "oauth instances can't pull orders" {
//!     expect "instance 2" cannot see orders
//!     expect shop/oauth sees only [customers]
//! }
//! ```
//!
//! The checker resolves every name of a test (unknown ones are ordinary
//! diagnostics); [`run`] evaluates the expectations against the compiled
//! policy and reports each failure with what was expected and what is.

use crate::check::{Expected, TestDef, Who};
use crate::diagnostics::{Builder, Diagnostic, Problem};
use crate::policy::{Policy, Principal};
use crate::source::Span;

/// The outcome of one test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestReport {
    /// The test's name.
    pub name: String,
    /// Where its name is written.
    pub span: Span,
    /// The expectations that do not hold; empty when the test passed.
    pub failures: Vec<Failure>,
}

impl TestReport {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// An expectation that does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Where the expectation is written.
    pub span: Span,
    /// The expectation in words, e.g. ``"`instance 2` can see `orders`"``.
    pub expected: String,
    /// What the rules say instead.
    pub actual: String,
    /// For `sees only`: expected endpoints the subject does not see.
    pub missing: Vec<String>,
    /// For `sees only`: endpoints the subject sees but were not expected.
    pub unexpected: Vec<String>,
}

/// Runs `tests` against `policy` (compiled from the same rules).
pub fn run(policy: &Policy, tests: &[TestDef]) -> Vec<TestReport> {
    tests
        .iter()
        .map(|test| TestReport {
            name: test.name.clone(),
            span: test.span,
            failures: test
                .expectations
                .iter()
                .filter_map(|expectation| {
                    let principal = match &expectation.who {
                        Who::Instance(name) => Principal::Instance(name),
                        Who::Runtime(connector, method) => Principal::Runtime { connector, method },
                    };
                    check(
                        policy,
                        principal,
                        &expectation.who,
                        &expectation.expect,
                        expectation.span,
                    )
                })
                .collect(),
        })
        .collect()
}

fn quoted(names: &[String]) -> String {
    let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    format!("[{}]", names.join(", "))
}

fn check(
    policy: &Policy,
    principal: Principal<'_>,
    who: &Who,
    expect: &Expected,
    span: Span,
) -> Option<Failure> {
    match expect {
        Expected::CanSee(endpoint) | Expected::CannotSee(endpoint) => {
            let wanted = matches!(expect, Expected::CanSee(_));
            let decision = policy.decide(principal, endpoint);
            (decision.available() != wanted).then(|| Failure {
                span,
                expected: format!(
                    "{who} {} `{endpoint}`",
                    if wanted { "can see" } else { "cannot see" }
                ),
                actual: format!(
                    "{who} {}: {}",
                    if decision.available() {
                        "can see it"
                    } else {
                        "cannot see it"
                    },
                    policy.describe(&decision)
                ),
                missing: Vec::new(),
                unexpected: Vec::new(),
            })
        }
        Expected::SeesOnly(expected) => {
            let seen: Vec<String> = policy
                .subject(principal)
                .ok()
                .map(|subject| {
                    policy
                        .visible(subject.method)
                        .iter()
                        .filter_map(|&e| policy.endpoint_name(e))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let missing: Vec<String> = expected
                .iter()
                .filter(|e| !seen.contains(e))
                .cloned()
                .collect();
            let unexpected: Vec<String> = seen
                .iter()
                .filter(|e| !expected.contains(e))
                .cloned()
                .collect();
            (!missing.is_empty() || !unexpected.is_empty()).then(|| Failure {
                span,
                expected: format!("{who} sees only {}", quoted(expected)),
                actual: format!("{who} sees {}", quoted(&seen)),
                missing,
                unexpected,
            })
        }
    }
}

impl Failure {
    /// The failure as a diagnostic (`authgate::test_failed`) labelled at the
    /// expectation, with expected and actual in the help.
    pub fn diagnostic(&self, test: &str) -> Builder {
        let mut help = format!("expected: {}\nactual:   {}", self.expected, self.actual);
        if !self.missing.is_empty() {
            help.push_str(&format!("\nmissing:    {}", quoted(&self.missing)));
        }
        if !self.unexpected.is_empty() {
            help.push_str(&format!("\nunexpected: {}", quoted(&self.unexpected)));
        }
        Diagnostic::build(
            Problem::TestFailed {
                test: test.to_owned(),
                expectation: self.expected.clone(),
            },
            self.span,
            "this expectation does not hold",
        )
        .help(help)
    }
}
