//! Rendering diagnostics for people (miette's graphical report) and for
//! programs (JSON). Kept apart from the checker, which only produces data.

#[cfg(feature = "fancy")]
use std::fmt;

#[cfg(feature = "fancy")]
use miette::LabeledSpan;
use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Severity};
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
/// load error) as miette's graphical report (feature `fancy`, on with the
/// default `cli`).
#[cfg(feature = "fancy")]
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

/// The plain report `authgate check` prints on standard error when it is
/// not on a terminal (no colour, 100 columns): each diagnostic rendered by
/// [`render_human`], then the summary line. What an embedder shows for a
/// [`crate::RulesError`] (the Python package's `str()` of its error).
#[cfg(feature = "fancy")]
pub fn plain(diagnostics: &[Diagnostic], summary: &impl fmt::Display) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render_human(diagnostic, Style::default()));
        out.push('\n');
    }
    out.push_str(&summary.to_string());
    out.push('\n');
    out
}

/// A diagnostic as a person reads it: its message, labels and help with
/// hidden characters escaped (a name may carry a terminal escape
/// sequence; see [`text::escape`]); everything else passed through.
/// Snippets of source are made safe by [`crate::source::Snippets`].
#[cfg(feature = "fancy")]
struct ForPeople<'a> {
    inner: &'a dyn miette::Diagnostic,
    message: String,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<ForPeople<'a>>,
}

#[cfg(feature = "fancy")]
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

#[cfg(feature = "fancy")]
impl fmt::Display for ForPeople<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(feature = "fancy")]
impl fmt::Debug for ForPeople<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForPeople")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "fancy")]
impl std::error::Error for ForPeople<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

#[cfg(feature = "fancy")]
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

/// A diagnostic as the JSON of `check --format json`: the one model behind
/// every machine format (JSON, SARIF, GitHub annotations). A problem that
/// stopped a run before any rule was read (an unreadable path) has the
/// same shape, with its path as `file` and no line or labels.
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
    /// 1-based line of the end of the span. Not in the JSON (whose shape
    /// is fixed by its snapshots); SARIF regions and GitHub annotations
    /// use it.
    #[serde(skip)]
    pub end_line: usize,
    /// 1-based column just after the end of the span (as SARIF's
    /// `endColumn`). Not in the JSON, like `end_line`.
    #[serde(skip)]
    pub end_column: usize,
}

/// The document a command prints in JSON when it cannot run (exit status
/// 2): why, and the diagnostics behind it (the rules' errors, or the load
/// error; none for an unknown name).
#[derive(Clone, Debug, Serialize)]
pub struct JsonError {
    /// One line: why the command could not run.
    pub error: String,
    /// What caused it.
    pub diagnostics: Vec<JsonDiagnostic>,
}

/// Converts a diagnostic to its JSON form (it keeps the snippets of the
/// files it points into, so no sources are needed).
pub fn to_json(diagnostic: &Diagnostic) -> JsonDiagnostic {
    json_of(diagnostic)
}

/// The JSON form of a diagnostic, from the snippets it keeps: what
/// `Diagnostic`'s `Serialize` writes, and what every JSON, SARIF and
/// GitHub output of the CLI is made from.
pub(crate) fn json_of(diagnostic: &Diagnostic) -> JsonDiagnostic {
    let labels: Vec<JsonLabel> = diagnostic
        .labels()
        .iter()
        .filter_map(|label| {
            let (name, position, end) = diagnostic.place(label.span)?;
            Some(JsonLabel {
                file: name.to_owned(),
                line: position.line,
                column: position.column,
                offset: label.span.start as usize,
                length: label.span.len(),
                label: label.text.clone(),
                end_line: end.line,
                end_column: end.column,
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

/// Converts a problem that has no place in a rule file (a path that can't
/// be read, a folder with no rule files) to the JSON form: its miette code
/// (or `authgate::error`), message and help, and `path` as its file.
pub fn problem_to_json(problem: &dyn miette::Diagnostic, path: Option<&str>) -> JsonDiagnostic {
    JsonDiagnostic {
        code: problem
            .code()
            .map_or_else(|| "authgate::error".to_owned(), |code| code.to_string()),
        severity: match problem.severity() {
            Some(miette::Severity::Warning | miette::Severity::Advice) => Severity::Warning,
            Some(miette::Severity::Error) | None => Severity::Error,
        },
        message: problem.to_string(),
        file: path.map(str::to_owned),
        line: None,
        column: None,
        labels: Vec::new(),
        help: problem.help().map(|help| help.to_string()),
    }
}

/// The whole run as a SARIF 2.1.0 log: one rule per diagnostic code (with
/// its summary and help), one result per diagnostic with the physical
/// location of its primary label and the other labels as related
/// locations. Columns count Unicode code points, as the run declares.
pub fn to_sarif(diagnostics: &[Diagnostic]) -> serde_json::Value {
    let diagnostics: Vec<JsonDiagnostic> = diagnostics.iter().map(to_json).collect();
    sarif(&diagnostics, None)
}

/// [`to_sarif`] from the JSON model, which also holds problems outside the
/// rules (see [`problem_to_json`]): a result whose code is not in the
/// catalogue gets a rule of its own, and one with a file but no line a
/// location without a region. `failure` says why the run could not
/// finish; the invocation then reports `executionSuccessful: false` with
/// it as a notification.
pub fn sarif(diagnostics: &[JsonDiagnostic], failure: Option<&str>) -> serde_json::Value {
    use serde_json::json;

    let mut rules: Vec<serde_json::Value> = Code::ALL
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
    let mut rule_ids: Vec<String> = Code::ALL.iter().map(ToString::to_string).collect();
    let location = |label: &JsonLabel| {
        json!({
            "artifactLocation": { "uri": sarif_uri(&label.file) },
            "region": {
                "startLine": label.line,
                "startColumn": label.column,
                "endLine": label.end_line,
                "endColumn": label.end_column,
            },
        })
    };
    let mut results = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        let rule_index = match rule_ids.iter().position(|id| *id == diagnostic.code) {
            Some(index) => index,
            None => {
                rules.push(json!({
                    "id": diagnostic.code,
                    "name": diagnostic.code.strip_prefix("authgate::").unwrap_or(&diagnostic.code),
                    "help": { "text": diagnostic.help.as_deref().unwrap_or_default() },
                    "defaultConfiguration": { "level": level(diagnostic.severity) },
                }));
                rule_ids.push(diagnostic.code.clone());
                rule_ids.len() - 1
            }
        };
        let mut text = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        let physical = match (diagnostic.labels.first(), &diagnostic.file) {
            (Some(primary), _) => Some(location(primary)),
            (None, Some(file)) => Some(json!({ "artifactLocation": { "uri": sarif_uri(file) } })),
            (None, None) => None,
        };
        let locations: Vec<serde_json::Value> = physical
            .map(|physical| json!({ "physicalLocation": physical }))
            .into_iter()
            .collect();
        let related: Vec<serde_json::Value> = diagnostic
            .labels
            .iter()
            .enumerate()
            .skip(1)
            .map(|(index, label)| {
                json!({
                    "id": index,
                    "message": { "text": label.label },
                    "physicalLocation": location(label),
                })
            })
            .collect();
        results.push(json!({
            "ruleId": diagnostic.code,
            "ruleIndex": rule_index,
            "level": level(diagnostic.severity),
            "message": { "text": text },
            "locations": locations,
            "relatedLocations": related,
        }));
    }
    let invocation = match failure {
        None => json!({ "executionSuccessful": true }),
        Some(reason) => json!({
            "executionSuccessful": false,
            "toolExecutionNotifications": [{
                "level": "error",
                "message": { "text": reason },
            }],
        }),
    };
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
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// What a URI path may hold unescaped: RFC 3986's unreserved characters
/// and `/`; everything else (a space, `%`, `#`, `?`, non-ASCII) is
/// percent-encoded as UTF-8.
const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A file's display name (a path as the user gave it) as a SARIF
/// `artifactLocation.uri`: forward slashes, no `./` segments,
/// percent-encoded; relative paths stay relative references (code
/// scanning resolves them against the checkout), absolute ones become
/// `file://` URIs.
pub fn sarif_uri(path: &str) -> String {
    let slashed = if std::path::MAIN_SEPARATOR == '/' {
        path.to_owned()
    } else {
        path.replace(std::path::MAIN_SEPARATOR, "/")
    };
    let absolute = std::path::Path::new(path).is_absolute();
    let segments: Vec<&str> = slashed
        .split('/')
        .enumerate()
        // Drop `.` segments and repeated slashes; keep the leading empty
        // segment of an absolute Unix path.
        .filter(|&(index, segment)| segment != "." && (index == 0 || !segment.is_empty()))
        .map(|(_, segment)| segment)
        .collect();
    let joined = segments.join("/");
    let encoded = percent_encoding::utf8_percent_encode(&joined, URI_PATH).to_string();
    if !absolute {
        return encoded;
    }
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        // A Windows drive path, `C%3A/rules`: the drive letter's colon
        // stays as it is in a `file:` URI.
        format!("file:///{}", encoded.replacen("%3A", ":", 1))
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A diagnostic as a GitHub Actions workflow command, which the Actions
/// log turns into an annotation on the file and lines:
/// `::error file=F,line=L,col=C,endLine=L,endColumn=E,title=CODE::MESSAGE`
/// (`endColumn` is the column just after the span, as in SARIF).
pub fn to_github(diagnostic: &Diagnostic) -> String {
    github(&to_json(diagnostic))
}

/// [`to_github`] from the JSON model; a problem with a file but no line
/// names only the file, one with neither only its title.
pub fn github(diagnostic: &JsonDiagnostic) -> String {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(label) = diagnostic.labels.first() {
        properties.push(format!("file={}", escape_property(&label.file)));
        properties.push(format!("line={}", label.line));
        properties.push(format!("col={}", label.column));
        properties.push(format!("endLine={}", label.end_line));
        properties.push(format!("endColumn={}", label.end_column));
    } else if let Some(file) = &diagnostic.file {
        properties.push(format!("file={}", escape_property(file)));
    }
    properties.push(format!("title={}", escape_property(&diagnostic.code)));
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
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

#[cfg(test)]
mod tests {
    use super::sarif_uri;

    #[test]
    fn sarif_uris_are_relative_references() {
        assert_eq!(sarif_uri("./my rules/a.gate"), "my%20rules/a.gate");
        assert_eq!(sarif_uri("rules/./x//y.gate"), "rules/x/y.gate");
        assert_eq!(sarif_uri("../up/100%#?.gate"), "../up/100%25%23%3F.gate");
        assert_eq!(sarif_uri("règles/é.gate"), "r%C3%A8gles/%C3%A9.gate");
        assert_eq!(sarif_uri("/tmp/a b.gate"), "file:///tmp/a%20b.gate");
    }
}
