//! Rendering diagnostics for people (miette's graphical report) and for
//! programs (JSON). Kept apart from the checker, which only produces data.

use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Severity};
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

/// Workflow-command data: `%`, CR and LF are escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command properties also escape `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
