//! Diagnostics: what went wrong (or looks wrong), where, and how to fix it.
//!
//! A [`Diagnostic`] is a miette [`miette::Diagnostic`] with a stable
//! [`Code`], a one-line lowercase message (the [`Problem`]), labels on exact
//! source spans, and help. Labels may point into several files: the labels
//! in the file of the primary label render with the diagnostic itself, those
//! in other files as related diagnostics, one per file, so each snippet is
//! shown from the right file.

mod catalogue;
pub mod render;

use std::fmt;

use miette::LabeledSpan;
use thiserror::Error;

pub use catalogue::{Code, Problem, Severity};

use crate::source::{FileId, LineColumn, Snippets, Sources, Span};

/// A label: a span and what to say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What, e.g. "declared here"; may be empty.
    pub text: String,
}

/// One finding, ready to render with miette or to serialize.
#[derive(Clone, Debug, Error)]
#[error("{problem}")]
pub struct Diagnostic {
    problem: Problem,
    /// Its code's severity, unless lint levels changed it.
    severity: Severity,
    labels: Vec<Label>,
    help: Option<String>,
    /// The file of the primary label, for miette.
    code_source: Option<Snippets>,
    /// The labels shown in the primary snippet: those in the primary
    /// label's file, near it.
    here: Vec<LabeledSpan>,
    /// Labels far from the primary one (in its file or another), one
    /// entry per group of labels near each other in one file.
    elsewhere: Vec<Elsewhere>,
}

/// A label more than this many lines from the primary label gets a
/// snippet of its own: miette shows every line between the labels of a
/// snippet, and a report must not grow with the distance between two
/// places (an instance declared 10,000 lines above the flow that uses it).
const FAR: usize = 8;

impl Diagnostic {
    /// Starts a diagnostic whose primary label is `span`.
    pub fn build(problem: Problem, span: Span, label: impl Into<String>) -> Builder {
        Builder {
            problem,
            labels: vec![Label {
                span,
                text: label.into(),
            }],
            help: None,
        }
    }

    /// What is wrong.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The stable code.
    pub fn code(&self) -> Code {
        self.problem.code()
    }

    /// Error or warning: its code's severity, or, for a warning a
    /// project denies (`authgate.toml`, `[lints]`), error.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The file name and the start and end positions of `span`, from the
    /// snippets the diagnostic keeps (so no [`Sources`] is needed).
    pub(crate) fn place(&self, span: Span) -> Option<(&str, LineColumn, LineColumn)> {
        let primary = self
            .code_source
            .as_ref()
            .filter(|_| self.primary_span().is_some_and(|p| p.file == span.file));
        let snippets = primary.or_else(|| {
            self.elsewhere
                .iter()
                .find(|entry| entry.file == span.file)
                .map(|entry| &entry.code_source)
        })?;
        Some((
            snippets.name(),
            snippets.line_column(span.start as usize),
            snippets.line_column(span.end as usize),
        ))
    }

    /// Makes a warning an error (a lint the project denies).
    pub(crate) fn deny(&mut self) {
        self.severity = Severity::Error;
    }

    /// Makes an error a warning: for codes whose findings come in both
    /// severities (`drift_activation`, `drift_method`, `drift_scope`).
    #[cfg(feature = "openapi")]
    pub(crate) fn soften(&mut self) {
        self.severity = Severity::Warning;
    }

    /// All labels, in every file; the first is the primary one.
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// The primary span, where the diagnostic is reported.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|label| label.span)
    }

    /// How to fix it.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// Builds a [`Diagnostic`]; see [`Diagnostic::build`].
#[derive(Debug)]
#[must_use = "a diagnostic builder does nothing until finished"]
pub struct Builder {
    problem: Problem,
    labels: Vec<Label>,
    help: Option<String>,
}

impl Builder {
    /// Adds a secondary label.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the source files the labels point into.
    pub fn finish(self, sources: &Sources) -> Diagnostic {
        let line = |span: Span| {
            sources
                .get(span.file)
                .map_or(0, |f| f.line_of(span.start as usize))
        };
        let primary = self.labels.first().map(|label| label.span);
        let mut here = Vec::new();
        // Other snippets: a file and the line of its first label.
        let mut elsewhere: Vec<(usize, Elsewhere)> = Vec::new();
        for (index, label) in self.labels.iter().enumerate() {
            let Some(file) = sources.get(label.span.file) else {
                continue;
            };
            let labeled = labeled_span(label, index == 0);
            let at = line(label.span);
            if let Some(primary) = primary.filter(|p| p.file == label.span.file)
                && (index == 0 || at.abs_diff(line(primary)) <= FAR)
            {
                here.push(labeled);
                continue;
            }
            let near = elsewhere
                .iter_mut()
                .find(|(first, e)| e.file == label.span.file && at.abs_diff(*first) <= FAR);
            match near {
                Some((_, entry)) => entry.labels.push(labeled),
                None => elsewhere.push((
                    at,
                    Elsewhere {
                        file: label.span.file,
                        message: format!("see also `{}`", file.name()),
                        code_source: file.snippets(),
                        labels: vec![labeled],
                    },
                )),
            }
        }
        Diagnostic {
            severity: self.problem.code().severity(),
            code_source: primary
                .and_then(|span| sources.get(span.file))
                .map(|file| file.snippets()),
            problem: self.problem,
            labels: self.labels,
            help: self.help,
            here,
            elsewhere: elsewhere.into_iter().map(|(_, entry)| entry).collect(),
        }
    }
}

fn labeled_span(label: &Label, primary: bool) -> LabeledSpan {
    let text = (!label.text.is_empty()).then(|| label.text.clone());
    if primary {
        LabeledSpan::new_primary_with_span(text, label.span)
    } else {
        LabeledSpan::new_with_span(text, label.span)
    }
}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match Diagnostic::severity(self) {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.code_source
            .as_ref()
            .map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.here.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(
            self.elsewhere
                .iter()
                .map(|entry| entry as &dyn miette::Diagnostic),
        ))
    }
}

/// The labels of a diagnostic that lie in another file than its primary
/// label, rendered by miette as a related note with that file's snippet.
#[derive(Clone, Debug, Error)]
#[error("{message}")]
struct Elsewhere {
    file: FileId,
    message: String,
    code_source: Snippets,
    labels: Vec<LabeledSpan>,
}

impl miette::Diagnostic for Elsewhere {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.code_source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// Sorts diagnostics by file and position of their primary label, so that
/// output is deterministic and reads top to bottom.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|diagnostic| {
        diagnostic
            .primary_span()
            .map(|span| (span.file, span.start, span.end))
    });
}

/// A diagnostic serialises as the JSON of `authgate check --format json`
/// (see [`crate::diagnostics::render::JsonDiagnostic`]): code, severity, message, the
/// primary label's file, line and column, every label, help.
impl serde::Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::diagnostics::render::json_of(self).serialize(serializer)
    }
}
