//! authgate's diagnostics as LSP diagnostics, grouped by the file of their
//! primary label: `code` is `authgate::<name>`, `source` is `authgate`,
//! the message is `check`'s with its help on a second line, and the other
//! labels are related information (in whichever file they are).

use std::collections::HashMap;

use lsp_types as lsp;

use super::positions::Encoding;
use super::workspace::Analysis;
use crate::diagnostics::{Diagnostic, Severity};

/// Every diagnostic of `analysis`, by document name. Every rule file is
/// present, with an empty list when it is clean.
pub fn by_file(analysis: &Analysis, encoding: Encoding) -> HashMap<String, Vec<lsp::Diagnostic>> {
    let mut files: HashMap<String, Vec<lsp::Diagnostic>> = analysis
        .sources
        .iter()
        .map(|f| (f.name().to_owned(), Vec::new()))
        .collect();
    for diagnostic in &analysis.diagnostics {
        let Some(span) = diagnostic.primary_span() else {
            continue;
        };
        let (Some(file), Some(converted)) = (
            analysis.sources.get(span.file),
            convert(analysis, diagnostic, encoding),
        ) else {
            continue;
        };
        files
            .entry(file.name().to_owned())
            .or_default()
            .push(converted);
    }
    files
}

/// One diagnostic, converted.
pub fn convert(
    analysis: &Analysis,
    diagnostic: &Diagnostic,
    encoding: Encoding,
) -> Option<lsp::Diagnostic> {
    let range = analysis.range(diagnostic.primary_span()?, encoding)?;
    let related: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
        .labels()
        .iter()
        .skip(1)
        .filter_map(|label| {
            Some(lsp::DiagnosticRelatedInformation {
                location: analysis.location(label.span, encoding)?,
                message: if label.text.is_empty() {
                    "here".to_owned()
                } else {
                    label.text.clone()
                },
            })
        })
        .collect();
    let mut message = diagnostic.to_string();
    if let Some(help) = diagnostic.help() {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    Some(lsp::Diagnostic {
        range,
        severity: Some(match diagnostic.severity() {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(diagnostic.code().to_string())),
        code_description: None,
        source: Some("authgate".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    })
}
