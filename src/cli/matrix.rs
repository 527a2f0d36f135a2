//! `authgate matrix [CONNECTOR]`: the rules as grids people can read at a
//! glance: per connector, endpoints × auth methods (activated) and
//! endpoints × declared instances (visible).
//!
//! The output is the product of two dimensions, so it is streamed: each
//! cell is computed as it is written, through one buffered writer, and no
//! format holds the grid in memory (a grid of 100,000 endpoints × 10,000
//! instances was killed at 24 GB). What may be written at all is bounded
//! by `--max-cells`.
//!
//! The table fits the terminal: widths are display widths (a CJK name
//! takes two columns per character), headers too wide become numbers
//! with a legend printed before the rows, and endpoint names that would
//! push a row past the width are cut with `…`.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use authgate::Policy;
use authgate::policy::{ConnectorId, EndpointId, InstanceId, MethodId};
use clap::Args;
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

use super::failure::{Failure, Outcome};
use super::load;
use super::output::{DiagnosticsFormat, Stream, code_span};
use super::query::RulesArgs;

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Only this connector.
    #[arg(value_name = "CONNECTOR")]
    connector: Option<String>,
    #[command(flatten)]
    rules: RulesArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: MatrixFormat,
    /// Refuse (exit 2) to write more cells than this: endpoints × (methods
    /// + instances), summed over the connectors shown.
    #[arg(long, value_name = "N", default_value_t = 20_000_000)]
    max_cells: u64,
}

/// `matrix`'s formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
enum MatrixFormat {
    /// Aligned columns for a terminal; long headers become numbers with a
    /// legend so that wide connectors stay readable.
    #[default]
    Table,
    /// Markdown tables.
    Markdown,
    /// One CSV row per cell: connector, endpoint, kind, column, value.
    Csv,
    /// One JSON document.
    Json,
}

impl MatrixArgs {
    /// Failures are reported in JSON for `--format json`, else as human
    /// text.
    pub fn failure_format(&self) -> DiagnosticsFormat {
        match self.format {
            MatrixFormat::Json => DiagnosticsFormat::Json,
            MatrixFormat::Table | MatrixFormat::Markdown | MatrixFormat::Csv => {
                DiagnosticsFormat::Human
            }
        }
    }
}

/// One connector's axes: its methods and the declared instances of it.
struct Grid<'p> {
    connector: ConnectorId,
    name: &'p str,
    methods: Vec<(MethodId, &'p str)>,
    instances: Vec<(InstanceId, &'p str)>,
}

impl Grid<'_> {
    fn endpoints<'a>(&'a self, policy: &'a Policy) -> impl Iterator<Item = (EndpointId, &'a str)> {
        policy
            .endpoints(self.connector)
            .map(|e| (e, policy.endpoint_name(e).unwrap_or_default()))
    }

    /// Cells of the two grids.
    fn cells(&self, policy: &Policy) -> u64 {
        let endpoints = policy.endpoints(self.connector).count() as u64;
        endpoints * (self.methods.len() + self.instances.len()) as u64
    }
}

/// The two grids of a connector: which methods an endpoint activates,
/// which instances see it.
#[derive(Clone, Copy)]
enum Kind {
    Methods,
    Instances,
}

impl Kind {
    fn corner(self) -> &'static str {
        match self {
            Kind::Methods => "endpoint \\ method",
            Kind::Instances => "endpoint \\ instance",
        }
    }

    fn columns<'g>(self, grid: &'g Grid<'_>) -> Vec<&'g str> {
        match self {
            Kind::Methods => grid.methods.iter().map(|&(_, name)| name).collect(),
            Kind::Instances => grid.instances.iter().map(|&(_, name)| name).collect(),
        }
    }

    /// The row of `endpoint`, cell by cell.
    fn marks<'a>(
        self,
        policy: &'a Policy,
        grid: &'a Grid<'_>,
        endpoint: EndpointId,
    ) -> Box<dyn Iterator<Item = bool> + 'a> {
        match self {
            Kind::Methods => Box::new(
                grid.methods
                    .iter()
                    .map(move |&(m, _)| policy.is_available(m, endpoint)),
            ),
            Kind::Instances => Box::new(
                grid.instances
                    .iter()
                    .map(move |&(i, _)| policy.is_available_to(i, endpoint)),
            ),
        }
    }
}

/// The grids of `connectors`; the declared instances are grouped by
/// connector in one pass.
fn grids<'p>(policy: &'p Policy, connectors: &[ConnectorId]) -> Vec<Grid<'p>> {
    let mut instances: Vec<Vec<(InstanceId, &str)>> =
        vec![Vec::new(); policy.connector_ids().count()];
    for instance in policy.instance_ids() {
        let connector = policy
            .instance_subject(instance)
            .and_then(|s| policy.method_connector(s.method));
        if let Some(list) = connector.and_then(|c| instances.get_mut(c.index())) {
            list.push((instance, policy.instance_name(instance).unwrap_or_default()));
        }
    }
    connectors
        .iter()
        .map(|&connector| Grid {
            connector,
            name: policy.connector_name(connector).unwrap_or_default(),
            methods: policy
                .methods(connector)
                .map(|m| (m, policy.method_name(m).unwrap_or_default()))
                .collect(),
            instances: instances
                .get_mut(connector.index())
                .map(std::mem::take)
                .unwrap_or_default(),
        })
        .collect()
}

pub fn run(args: MatrixArgs, limit: u64) -> Outcome {
    let policy = load::policy(&args.rules.rules, limit)?;
    let connectors: Vec<ConnectorId> = match &args.connector {
        Some(name) => match policy.connector(name) {
            Some(connector) => vec![connector],
            None => {
                let names: Vec<&str> = policy
                    .connector_ids()
                    .filter_map(|c| policy.connector_name(c))
                    .collect();
                let hint = authgate::text::suggest::closest(name, names.iter().copied())
                    .map_or(String::new(), |close| format!("; did you mean `{close}`?"));
                let message = format!("unknown connector `{name}`{hint}");
                return Err(Failure::message(message));
            }
        },
        None => policy.connector_ids().collect(),
    };
    let grids = grids(&policy, &connectors);
    let cells: u64 = grids.iter().map(|grid| grid.cells(&policy)).sum();
    if cells > args.max_cells {
        let message = format!(
            "the matrix would have {cells} cells, more than --max-cells {}; name one \
             connector (`authgate matrix CONNECTOR`), or raise --max-cells",
            args.max_cells
        );
        return Err(Failure::message(message));
    }
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let written = match args.format {
        MatrixFormat::Json => json(&mut out, &policy, &grids),
        MatrixFormat::Csv => csv(&mut out, &policy, &grids),
        MatrixFormat::Markdown => markdown(&mut out, &policy, &grids),
        MatrixFormat::Table => tables(
            &mut out,
            &policy,
            &grids,
            Stream::Stdout.color(),
            Stream::Stdout.width(),
        ),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // The reader went away (`| head`): it has what it wanted.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(Failure::Output(format!("matrix: {error}"))),
    }
}

/// `{"connectors": [{"connector", "methods", "instances", "endpoints":
/// [{"name", "activated", "visible"}]}]}`, one endpoint a line.
fn json(out: &mut impl Write, policy: &Policy, grids: &[Grid<'_>]) -> io::Result<()> {
    out.write_all(b"{\"connectors\": [")?;
    for (index, grid) in grids.iter().enumerate() {
        out.write_all(if index == 0 { b"\n" } else { b",\n" })?;
        out.write_all(b"{\"connector\": ")?;
        serde_json::to_writer(&mut *out, grid.name)?;
        out.write_all(b", \"methods\": ")?;
        serde_json::to_writer(&mut *out, &Kind::Methods.columns(grid))?;
        out.write_all(b", \"instances\": ")?;
        serde_json::to_writer(&mut *out, &Kind::Instances.columns(grid))?;
        out.write_all(b", \"endpoints\": [")?;
        for (row, (endpoint, name)) in grid.endpoints(policy).enumerate() {
            out.write_all(if row == 0 { b"\n  " } else { b",\n  " })?;
            out.write_all(b"{\"name\": ")?;
            serde_json::to_writer(&mut *out, name)?;
            for (key, kind) in [("activated", Kind::Methods), ("visible", Kind::Instances)] {
                write!(out, ", \"{key}\": [")?;
                for (column, on) in kind.marks(policy, grid, endpoint).enumerate() {
                    let separator = if column == 0 { "" } else { ", " };
                    write!(out, "{separator}{on}")?;
                }
                out.write_all(b"]")?;
            }
            out.write_all(b"}")?;
        }
        out.write_all(b"]}")?;
    }
    out.write_all(b"\n]}\n")
}

/// One row per cell: `connector,endpoint,kind,column,value`.
fn csv(out: &mut impl Write, policy: &Policy, grids: &[Grid<'_>]) -> io::Result<()> {
    writeln!(out, "connector,endpoint,kind,column,value")?;
    for grid in grids {
        let connector = csv_field(grid.name);
        let columns = [
            ("method", Kind::Methods, Kind::Methods.columns(grid)),
            ("instance", Kind::Instances, Kind::Instances.columns(grid)),
        ];
        let columns: Vec<_> = columns
            .into_iter()
            .map(|(word, kind, names)| {
                (
                    word,
                    kind,
                    names.into_iter().map(csv_field).collect::<Vec<_>>(),
                )
            })
            .collect();
        for (endpoint, name) in grid.endpoints(policy) {
            let name = csv_field(name);
            for (word, kind, names) in &columns {
                for (column, on) in names.iter().zip(kind.marks(policy, grid, endpoint)) {
                    writeln!(out, "{connector},{name},{word},{column},{on}")?;
                }
            }
        }
    }
    Ok(())
}

/// A CSV field, quoted when it must be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Markdown tables, a heading per connector.
fn markdown(out: &mut impl Write, policy: &Policy, grids: &[Grid<'_>]) -> io::Result<()> {
    for grid in grids {
        writeln!(out, "### {}\n", code_span(grid.name, false))?;
        for kind in [Kind::Methods, Kind::Instances] {
            let columns = kind.columns(grid);
            if columns.is_empty() && matches!(kind, Kind::Instances) {
                continue;
            }
            let header: Vec<String> = columns.iter().map(|c| code_span(c, true)).collect();
            writeln!(out, "| {} | {} |", kind.corner(), header.join(" | "))?;
            writeln!(out, "|---|{}", ":---:|".repeat(columns.len()))?;
            for (endpoint, name) in grid.endpoints(policy) {
                write!(out, "| {} |", code_span(name, true))?;
                for on in kind.marks(policy, grid, endpoint) {
                    out.write_all(if on { " ✓ |".as_bytes() } else { b"   |" })?;
                }
                writeln!(out)?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

fn tables(
    out: &mut impl Write,
    policy: &Policy,
    grids: &[Grid<'_>],
    color: bool,
    width: usize,
) -> io::Result<()> {
    for (index, grid) in grids.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        writeln!(out, "connector `{}`\n", authgate::text::escape(grid.name))?;
        table(out, policy, grid, Kind::Methods, color, width)?;
        if !grid.instances.is_empty() {
            writeln!(out)?;
            table(out, policy, grid, Kind::Instances, color, width)?;
        }
    }
    Ok(())
}

/// Aligned columns, fitted to `width` display columns. When the headers
/// don't fit, they become numbers and a legend comes first; endpoint
/// names too long for what is left are cut with `…`. Only a grid with
/// more columns than the width can hold overflows it.
fn table(
    out: &mut impl Write,
    policy: &Policy,
    grid: &Grid<'_>,
    kind: Kind,
    color: bool,
    width: usize,
) -> io::Result<()> {
    let corner = kind.corner();
    let columns: Vec<Cow<'_, str>> = kind
        .columns(grid)
        .into_iter()
        .map(authgate::text::escape)
        .collect();
    let longest = grid
        .endpoints(policy)
        .map(|(_, name)| authgate::text::escape(name).width())
        .chain(std::iter::once(corner.width()))
        .max()
        .unwrap_or(0);
    let full: usize = columns.iter().map(|c| c.width().max(1) + 2).sum();
    let numbered = longest + full > width;
    let headers: Vec<Cow<'_, str>> = if numbered {
        (1..=columns.len())
            .map(|number| Cow::Owned(number.to_string()))
            .collect()
    } else {
        columns.clone()
    };
    let widths: Vec<usize> = headers.iter().map(|h| h.width().max(1)).collect();
    let cells: usize = widths.iter().map(|w| w + 2).sum();
    // The endpoint column gets what the cells leave, but never less than
    // a few characters of each name.
    let first = longest.min(width.saturating_sub(cells)).max(8);
    if numbered {
        let room = width.saturating_sub(7).max(8);
        for (index, name) in columns.iter().enumerate() {
            writeln!(out, "  {:>3}  {}", index + 1, fit(name, room))?;
        }
    }
    let mut line = pad(&fit(corner, first), first);
    for (header, width) in headers.iter().zip(&widths) {
        line.push_str("  ");
        line.push_str(&center(header, *width));
    }
    writeln!(out, "{}", line.trim_end())?;
    for (endpoint, name) in grid.endpoints(policy) {
        let name = authgate::text::escape(name);
        line = pad(&fit(&name, first), first);
        for (on, width) in kind.marks(policy, grid, endpoint).zip(&widths) {
            let mark = if on { "✓" } else { "·" };
            let padded = center(mark, *width);
            let padded = if on && color {
                padded.replace('✓', "\u{1b}[32m✓\u{1b}[0m")
            } else {
                padded
            };
            line.push_str("  ");
            line.push_str(&padded);
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `text` cut to at most `width` display columns, ending in `…` when cut.
fn fit(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        cut.push(c);
        used += w;
    }
    if width > 0 {
        cut.push('…');
    }
    Cow::Owned(cut)
}

/// `text` padded with spaces on the right to `width` display columns.
fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

/// `text` centred in `width` display columns (an odd space goes right).
fn center(text: &str, width: usize) -> String {
    let spare = width.saturating_sub(text.width());
    let left = spare / 2;
    format!("{}{text}{}", " ".repeat(left), " ".repeat(spare - left))
}

#[cfg(test)]
mod tests {
    use super::{center, fit, pad};

    #[test]
    fn fitting_counts_display_columns() {
        assert_eq!(fit("orders", 6), "orders");
        assert_eq!(fit("orders", 5), "orde…");
        assert_eq!(fit("注文一覧", 5), "注文…");
        assert_eq!(pad("注文", 6), "注文  ");
        assert_eq!(center("✓", 4), " ✓  ");
    }
}
