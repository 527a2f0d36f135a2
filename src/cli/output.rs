//! What every command writes with: the `--format` choices, lines for
//! people (`say`, `tell`: user input in them has its hidden characters
//! escaped), JSON documents, diagnostics reports, markdown code spans,
//! and colour and width per stream. Writing never panics on a closed
//! pipe (`authgate ... | head`): the reader has what it wanted.

use std::io::IsTerminal;
use std::sync::OnceLock;

use authgate::Diagnostic;
use authgate::diagnostics::render::{self, JsonDiagnostic, Style};
use clap::ValueEnum;
use serde::Serialize;

/// Output format of the commands that answer a question.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable reports; plain when not on a terminal or under NO_COLOR.
    #[default]
    Human,
    /// One JSON document on standard output.
    Json,
}

/// Output format of the commands that report diagnostics (`check`,
/// `test`, `drift`): the common two, and two for CI. Every command's
/// failure is reported in one of these (see [`super::failure`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticsFormat {
    /// Readable reports; plain when not on a terminal or under NO_COLOR.
    #[default]
    Human,
    /// One JSON document on standard output.
    Json,
    /// A SARIF 2.1.0 log on standard output (code scanning tools).
    Sarif,
    /// GitHub Actions workflow commands on standard output (annotations).
    Github,
}

impl From<Format> for DiagnosticsFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Human => DiagnosticsFormat::Human,
            Format::Json => DiagnosticsFormat::Json,
        }
    }
}

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set; `CLICOLOR_FORCE`
    /// forces it off a terminal.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The `--color` of this run, set once before the command runs: colour is
/// asked for deep inside the commands (every diagnostic printed), and
/// threading a flag through each of them would buy nothing.
static COLOR: OnceLock<ColorChoice> = OnceLock::new();

/// Sets this run's `--color`; the first call wins.
pub fn set_color(choice: ColorChoice) {
    let _ = COLOR.set(choice);
}

/// A standard stream that output is fitted to.
#[derive(Clone, Copy, Debug)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        }
    }

    /// Whether to colour what goes to this stream: `--color always` or
    /// `never` decide; under `auto`, `NO_COLOR` (set and not empty) turns
    /// colour off, then `CLICOLOR_FORCE` (set, not empty, not `0`) turns it
    /// on, and otherwise only a terminal gets colour.
    pub fn color(self) -> bool {
        let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        match COLOR.get().copied().unwrap_or_default() {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR").is_some() => false,
            ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|value| value != "0") => true,
            ColorChoice::Auto => self.is_terminal(),
        }
    }

    /// The width to fit: the terminal's when this stream is one, else
    /// `COLUMNS`, else 100.
    pub fn width(self) -> usize {
        let terminal = match self {
            Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
            Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
        };
        terminal
            .map(|(terminal_size::Width(width), _)| usize::from(width))
            .filter(|&width| width > 0)
            .or_else(|| {
                std::env::var("COLUMNS")
                    .ok()
                    .and_then(|columns| columns.trim().parse::<usize>().ok())
                    .filter(|&width| width > 0)
            })
            .unwrap_or(100)
    }
}

/// How human reports look on standard error: colour as `--color` and the
/// environment say (see [`Stream::color`]); the width of the terminal (at
/// least 40, below which miette's snippets become unreadable).
pub fn stderr_style() -> Style {
    Style {
        color: Stream::Stderr.color(),
        width: Stream::Stderr.width().max(40),
    }
}

/// Writes the human report of one problem (a load error, a spec that
/// can't be read) to standard error, as miette lays it out.
pub fn print_problem(problem: &dyn miette::Diagnostic) {
    use std::io::Write as _;
    let report = render::render_human(problem, stderr_style());
    let _ = std::io::stderr().write_all(report.as_bytes());
}

/// Prints the human rendering of diagnostics to standard error.
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let style = stderr_style();
    for diagnostic in diagnostics {
        err(format_args!("{}", render::render_human(diagnostic, style)));
    }
}

/// The document `check --format json` (and `drift`'s) prints.
#[derive(Serialize)]
struct DiagnosticsJson {
    diagnostics: Vec<JsonDiagnostic>,
    errors: usize,
    warnings: usize,
}

/// Reports diagnostics in `format`: human reports on standard error,
/// GitHub annotations, a SARIF log or `{"diagnostics", "errors",
/// "warnings"}` on standard output. The summary line of the human and
/// GitHub formats is the command's to write.
pub fn print_report(format: DiagnosticsFormat, diagnostics: &[Diagnostic]) {
    match format {
        DiagnosticsFormat::Human => print_diagnostics(diagnostics),
        DiagnosticsFormat::Github => {
            for diagnostic in diagnostics {
                out(format_args!("{}", render::to_github(diagnostic)));
            }
        }
        DiagnosticsFormat::Sarif => print_json(&render::to_sarif(diagnostics)),
        DiagnosticsFormat::Json => {
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity() == authgate::Severity::Error)
                .count();
            print_json(&DiagnosticsJson {
                diagnostics: diagnostics.iter().map(render::to_json).collect(),
                errors,
                warnings: diagnostics.len() - errors,
            });
        }
    }
}

/// `1 error`, `2 errors`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Prints one pretty JSON document and a newline to standard output.
/// Streamed: a diff's document can be larger than is worth holding in
/// memory twice. A closed pipe ends it quietly, as [`out`] does.
pub fn print_json(value: &impl Serialize) {
    use std::io::Write as _;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut stdout, value)
        .map_err(std::io::Error::from)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    if let Err(error) = written
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        err(format_args!("error: cannot write JSON: {error}"));
    }
}

/// Writes a line to standard output. A closed pipe (`authgate ... | head`)
/// is not an error worth a panic: the reader has what it wanted.
pub fn out(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_fmt(line)
        .and_then(|()| stdout.write_all(b"\n"));
}

/// Writes a line for people to standard output. It holds names, which are
/// user input: hidden characters (a terminal escape sequence, a
/// bidirectional control) are escaped, see `authgate::text::escape`.
pub fn say(line: std::fmt::Arguments<'_>) {
    out(format_args!(
        "{}",
        authgate::text::escape(&line.to_string())
    ));
}

/// [`say`] on standard error.
pub fn tell(line: std::fmt::Arguments<'_>) {
    err(format_args!(
        "{}",
        authgate::text::escape(&line.to_string())
    ));
}

/// Writes a line to standard error, ignoring a closed stream.
pub fn err(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_fmt(line)
        .and_then(|()| stderr.write_all(b"\n"));
}

/// A name as a markdown code span that renders as the name and nothing
/// else: fenced by more backticks than any run inside it (so a backtick
/// can't end it early), padded when it starts or ends with one, hidden
/// characters escaped. Inside a code span, HTML is shown, not
/// interpreted. In a table cell, pipes are escaped (GitHub's tables split
/// cells before reading code spans).
pub fn code_span(name: &str, cell: bool) -> String {
    let name = authgate::text::escape(name);
    let name = if cell {
        name.replace('|', "\\|")
    } else {
        name.into_owned()
    };
    let mut longest = 0;
    let mut run = 0;
    for c in name.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if name.starts_with('`') || name.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{name}{pad}{fence}")
}
