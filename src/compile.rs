//! The pipeline from text to policy: parse every file, check them
//! together, apply lint levels, and build the policy when nothing is an
//! error. The stages are the modules [`crate::syntax`], [`crate::check`]
//! and [`crate::policy`]; this file only runs them in order and counts
//! what they found.

use std::fmt;

use crate::check::Checker;
use crate::check::levels::Lints;
use crate::diagnostics::{Diagnostic, Severity};
use crate::policy::Policy;
use crate::source::Sources;
use crate::syntax;

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
    /// The tests written in the rules, for [`crate::policy::expect::run`].
    pub tests: Vec<crate::check::TestDef>,
}

/// Parses, checks and compiles a rule set. Every file is parsed (a syntax
/// error stops only its own file), then all files are checked together; the
/// policy is built only if no diagnostic is an error. `// authgate:
/// allow(...)` directives in the files apply; see [`compile_with`] for a
/// project's lint levels.
pub fn compile(sources: &Sources) -> Compilation {
    compile_with(sources, &Lints::default())
}

/// [`compile`] with a project's lint levels (`[lints]` of
/// `authgate.toml`): allowed warnings are dropped, denied ones are errors
/// (and so the rules don't compile).
pub fn compile_with(sources: &Sources, lints: &Lints) -> Compilation {
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
    check_with(sources, &Lints::default())
}

/// [`check()`] with a project's lint levels, as [`compile_with`].
pub fn check_with(sources: &Sources, lints: &Lints) -> (Vec<Diagnostic>, Summary) {
    let (_, diagnostics, summary) = check_model(sources, lints);
    (diagnostics, summary)
}

fn check_model(
    sources: &Sources,
    lints: &Lints,
) -> (crate::check::Model, Vec<Diagnostic>, Summary) {
    let mut checker = Checker::new(sources);
    let mut early = Vec::new();
    for file in sources.iter().filter(|file| file.is_rules()) {
        if let Err(diagnostic) = syntax::parse_into(sources, file, &mut checker) {
            early.push(*diagnostic);
            checker.broken_file(file.id());
        }
    }
    let (model, mut diagnostics) = checker.finish();
    diagnostics.extend(early);
    let diagnostics = crate::check::levels::apply(sources, diagnostics, lints);
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

/// A rule set that compiled.
#[derive(Debug)]
#[non_exhaustive]
pub struct Loaded {
    /// The policy.
    pub policy: Policy,
    /// The warnings (the rules compiled, but these deserve a look).
    pub warnings: Vec<Diagnostic>,
    /// The files read, for rendering the warnings.
    pub sources: Sources,
}

/// The rules have errors: nothing evaluates them. Renders (with miette)
/// as a summary with every diagnostic, errors and warnings, related.
#[derive(Debug)]
pub struct RulesError {
    diagnostics: Vec<Diagnostic>,
    sources: Sources,
    summary: Summary,
}

impl RulesError {
    /// A run stopped by one error before any rule was read (an invalid
    /// `authgate.toml`, say).
    pub(crate) fn alone(diagnostic: Diagnostic, sources: Sources) -> RulesError {
        RulesError {
            diagnostics: vec![diagnostic],
            sources,
            summary: Summary {
                errors: 1,
                ..Summary::default()
            },
        }
    }

    /// Every diagnostic of the run, errors and warnings, sorted.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
    }

    /// The files read, for rendering the diagnostics (e.g.
    /// [`crate::diagnostics::render::to_json`]).
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// What the rule set declares and the counts of errors and warnings:
    /// the summary line of `authgate check` (see [`Summary`]'s `Display`).
    pub fn summary(&self) -> Summary {
        self.summary
    }
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.errors().count();
        let plural = if count == 1 { "" } else { "s" };
        write!(f, "the rules have {count} error{plural}")
    }
}

impl std::error::Error for RulesError {}

impl miette::Diagnostic for RulesError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("authgate::rules"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("run `authgate check` on the same paths"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.diagnostics
                .iter()
                .map(|diagnostic| diagnostic as &dyn miette::Diagnostic),
        ))
    }
}

impl Compilation {
    /// The policy, or the typed error when the rules have errors.
    /// `sources` are the files compiled (the error keeps them for
    /// rendering).
    pub fn into_result(self, sources: Sources) -> Result<Loaded, RulesError> {
        let Compilation {
            diagnostics,
            policy,
            summary,
            ..
        } = self;
        match policy {
            Some(policy) => Ok(Loaded {
                policy,
                warnings: diagnostics,
                sources,
            }),
            None => Err(RulesError {
                diagnostics,
                sources,
                summary,
            }),
        }
    }
}
