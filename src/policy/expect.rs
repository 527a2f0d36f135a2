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
//! A failed `sees only` on a connector of 1,500 endpoints says what is
//! missing and unexpected first, and every list it prints for people is
//! cut after a few names (the full lists stay in [`Failure::missing`] and
//! [`Failure::unexpected`]).

use std::collections::HashSet;

use crate::check::{Expected, TestDef, Who};
use crate::diagnostics::{Builder, Diagnostic, Problem};
use crate::policy::{Policy, Principal};
use crate::source::Span;
use crate::text;

/// The outcome of one test.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
pub struct Failure {
    /// Where the expectation is written.
    pub span: Span,
    /// The expectation in words, e.g. ``"`instance 2` can see `orders`"``;
    /// a `sees only` list is cut after a few names.
    pub expected: String,
    /// What the rules say instead; a list is cut after a few names.
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
                    let (principal, scopes): (Principal<'_>, Vec<&str>) = match &expectation.who {
                        Who::Instance(name) => (Principal::Instance(name), Vec::new()),
                        Who::Runtime(connector, method) => {
                            (Principal::Runtime { connector, method }, Vec::new())
                        }
                        Who::RuntimeScoped(connector, method, scopes) => (
                            Principal::Runtime { connector, method },
                            scopes.iter().map(String::as_str).collect(),
                        ),
                    };
                    check(
                        policy,
                        principal,
                        &scopes,
                        &expectation.who,
                        &expectation.expect,
                        expectation.span,
                    )
                })
                .collect(),
        })
        .collect()
}

/// "[`a`, `b` and `c`]", cut after a few names with "and N more".
fn quoted(names: &[String]) -> String {
    format!(
        "[{}]",
        text::list(names.iter().map(String::as_str), names.len())
    )
}

fn check(
    policy: &Policy,
    principal: Principal<'_>,
    scopes: &[&str],
    who: &Who,
    expect: &Expected,
    span: Span,
) -> Option<Failure> {
    match expect {
        Expected::CanSee(endpoint) | Expected::CannotSee(endpoint) => {
            let wanted = matches!(expect, Expected::CanSee(_));
            let decision = policy.decide_with_scopes(principal, scopes, endpoint);
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
                    let seen = match subject.instance {
                        Some(_) => policy.visible_subject(subject).to_vec(),
                        None => policy.visible_with_scopes(
                            subject.method,
                            &policy.scope_set(subject.method, scopes),
                        ),
                    };
                    seen.iter()
                        .filter_map(|&e| policy.endpoint_name(e))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            // Sets: both lists may hold every endpoint of a wide connector.
            let seen_set: HashSet<&str> = seen.iter().map(String::as_str).collect();
            let expected_set: HashSet<&str> = expected.iter().map(String::as_str).collect();
            let missing: Vec<String> = expected
                .iter()
                .filter(|e| !seen_set.contains(e.as_str()))
                .cloned()
                .collect();
            let unexpected: Vec<String> = seen
                .iter()
                .filter(|e| !expected_set.contains(e.as_str()))
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
    /// expectation: the help says what is missing and unexpected first (the
    /// one line to read when a `sees only` list is long), then expected and
    /// actual, every list cut after a few names.
    pub fn diagnostic(&self, test: &str) -> Builder {
        let mut help = String::new();
        if !self.missing.is_empty() {
            help.push_str(&format!("missing:    {}\n", quoted(&self.missing)));
        }
        if !self.unexpected.is_empty() {
            help.push_str(&format!("unexpected: {}\n", quoted(&self.unexpected)));
        }
        help.push_str(&format!(
            "expected: {}\nactual:   {}",
            self.expected, self.actual
        ));
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
