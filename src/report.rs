//! Rendering diagnostics for people (miette's graphical report) and for
//! programs (JSON). Kept apart from the checker, which only produces data.

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::Sources;

/// How a human report looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Use colour (only on a terminal, never under `NO_COLOR`).
    pub color: bool,
    /// Wrap text at this many columns.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            width: 100,
        }
    }
}

/// Renders one diagnostic (ours, or any other miette diagnostic such as a
/// load error) as miette's graphical report.
pub fn render_human(diagnostic: &dyn miette::Diagnostic, style: Style) -> String {
    let theme = if style.color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_show_related_as_nested(true);
    let mut out = String::new();
    // Writing into a `String` can't fail; a renderer error would only drop
    // the snippet, so fall back to the plain message rather than lose it.
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = format!("error: {diagnostic}\n");
    }
    out
}

/// A diagnostic as the JSON of `check --format json`.
#[derive(Clone, Debug, Serialize)]
pub struct JsonDiagnostic {
    /// `authgate::<name>`.
    pub code: String,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The one-line message.
    pub message: String,
    /// File of the primary label.
    pub file: Option<String>,
    /// 1-based line of the primary label.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the primary label.
    pub column: Option<usize>,
    /// Every label, primary first.
    pub labels: Vec<JsonLabel>,
    /// How to fix it.
    pub help: Option<String>,
}

/// A label in [`JsonDiagnostic`].
#[derive(Clone, Debug, Serialize)]
pub struct JsonLabel {
    /// The file's display name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset from the start of the file.
    pub offset: usize,
    /// Length in bytes.
    pub length: usize,
    /// What the label says.
    pub label: String,
}

/// Converts a diagnostic to its JSON form; `sources` must be the files it
/// was produced from.
pub fn to_json(diagnostic: &Diagnostic, sources: &Sources) -> JsonDiagnostic {
    let labels: Vec<JsonLabel> = diagnostic
        .labels()
        .iter()
        .filter_map(|label| {
            let file = sources.get(label.span.file)?;
            let position = file.line_column(label.span.start as usize);
            Some(JsonLabel {
                file: file.name().to_owned(),
                line: position.line,
                column: position.column,
                offset: label.span.start as usize,
                length: label.span.len(),
                label: label.text.clone(),
            })
        })
        .collect();
    let primary = labels.first();
    JsonDiagnostic {
        code: diagnostic.code().to_string(),
        severity: diagnostic.severity(),
        message: diagnostic.to_string(),
        file: primary.map(|label| label.file.clone()),
        line: primary.map(|label| label.line),
        column: primary.map(|label| label.column),
        help: diagnostic.help().map(str::to_owned),
        labels,
    }
}
