//! Rendering diagnostics for people (miette's graphical report) and for
//! programs (JSON). Kept apart from the checker, which only produces data.

use std::fmt;

use miette::LabeledSpan;
use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::source::Sources;
use crate::text;

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
    let diagnostic = ForPeople::new(diagnostic);
    let mut out = String::new();
    // Writing into a `String` can't fail; a renderer error would only drop
    // the snippet, so fall back to the plain message rather than lose it.
    if handler.render_report(&mut out, &diagnostic).is_err() {
        out = format!("error: {diagnostic}\n");
    }
    out
}

/// A diagnostic as a person reads it: its message, labels and help with
/// hidden characters escaped (a name may carry a terminal escape
/// sequence; see [`text::escape`]); everything else passed through.
/// Snippets of source are made safe by [`crate::source::Snippets`].
struct ForPeople<'a> {
    inner: &'a dyn miette::Diagnostic,
    message: String,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<ForPeople<'a>>,
}

impl<'a> ForPeople<'a> {
    fn new(inner: &'a dyn miette::Diagnostic) -> Self {
        let escaped = |text: &dyn fmt::Display| text::escape(&text.to_string()).into_owned();
        let labels = inner
            .labels()
            .into_iter()
            .flatten()
            .map(|label| {
                let text = label.label().map(|text| text::escape(text).into_owned());
                if label.primary() {
                    LabeledSpan::new_primary_with_span(text, *label.inner())
                } else {
                    LabeledSpan::new_with_span(text, *label.inner())
                }
            })
            .collect();
        ForPeople {
            inner,
            message: escaped(&inner),
            help: inner.help().map(|help| escaped(&help)),
            labels,
            related: inner
                .related()
                .into_iter()
                .flatten()
                .map(ForPeople::new)
                .collect(),
        }
    }
}

impl fmt::Display for ForPeople<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for ForPeople<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForPeople")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl std::error::Error for ForPeople<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl miette::Diagnostic for ForPeople<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.url()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.inner.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related
                .iter()
                .map(|related| related as &dyn miette::Diagnostic),
        ))
    }

    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.inner.diagnostic_source()
    }
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

/// The whole run as a SARIF 2.1.0 log: one rule per diagnostic code (with
/// its summary and help), one result per diagnostic with the physical
/// location of its primary label and the other labels as related
/// locations. Columns count Unicode code points, as the run declares.
pub fn to_sarif(diagnostics: &[Diagnostic], sources: &Sources) -> serde_json::Value {
    use serde_json::json;

    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.to_string(),
                "name": code.name(),
                "shortDescription": { "text": code.summary() },
                "help": { "text": code.help() },
                "defaultConfiguration": { "level": level(code.severity()) },
            })
        })
        .collect();
    let location = |label: &crate::diagnostics::Label| {
        let file = sources.get(label.span.file)?;
        let start = file.line_column(label.span.start as usize);
        let end = file.line_column(label.span.end as usize);
        Some(json!({
            "artifactLocation": { "uri": file.name() },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            },
        }))
    };
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|diagnostic| {
            let json = to_json(diagnostic, sources);
            let rule_index = Code::ALL
                .iter()
                .position(|code| *code == diagnostic.code())
                .unwrap_or(0);
            let mut text = json.message.clone();
            if let Some(help) = &json.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let locations: Vec<serde_json::Value> = diagnostic
                .labels()
                .first()
                .and_then(location)
                .map(|physical| json!({ "physicalLocation": physical }))
                .into_iter()
                .collect();
            let related: Vec<serde_json::Value> = diagnostic
                .labels()
                .iter()
                .enumerate()
                .skip(1)
                .filter_map(|(index, label)| {
                    Some(json!({
                        "id": index,
                        "message": { "text": label.text },
                        "physicalLocation": location(label)?,
                    }))
                })
                .collect();
            json!({
                "ruleId": json.code,
                "ruleIndex": rule_index,
                "level": level(json.severity),
                "message": { "text": text },
                "locations": locations,
                "relatedLocations": related,
            })
        })
        .collect();
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "authgate",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A diagnostic as a GitHub Actions workflow command, which the Actions
/// log turns into an annotation on the file and line:
/// `::error file=F,line=L,col=C,endColumn=E,title=CODE::MESSAGE`.
pub fn to_github(diagnostic: &Diagnostic, sources: &Sources) -> String {
    let json = to_json(diagnostic, sources);
    let command = match json.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(label) = json.labels.first() {
        properties.push(format!("file={}", escape_property(&label.file)));
        properties.push(format!("line={}", label.line));
        properties.push(format!("col={}", label.column));
    }
    properties.push(format!("title={}", escape_property(&json.code)));
    let mut message = json.message.clone();
    if let Some(help) = &json.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// Workflow-command data: hidden characters (see [`text::escape`], which
/// covers CR) and then `%` and LF are escaped.
fn escape_data(text: &str) -> String {
    text::escape(text).replace('%', "%25").replace('\n', "%0A")
}

/// Workflow-command properties also escape `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
