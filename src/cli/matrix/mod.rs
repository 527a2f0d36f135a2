//! `authgate matrix [CONNECTOR]`: the rules as grids people can read at a
//! glance: per connector, endpoints × auth methods (activated) and
//! endpoints × declared instances (visible). A method that an endpoint
//! lists only with scopes gets the scope sets it needs as its cell,
//! `(a, b) | (c)`: either set will do. A connector of 300 scopes may need
//! long sets, so a table's or markdown's cell is cut with "and N more"
//! (JSON and CSV keep every scope).
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
use authgate::policy::{ConnectorId, EndpointId, InstanceId, ItemId, MethodId};
use clap::Args;
use unicode_width::UnicodeWidthStr as _;

mod write;

use write::{csv_field, fit};

use super::failure::{Failure, Outcome};
use super::load;
use super::output::{DiagnosticsFormat, Stream};
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
pub(super) struct Grid<'p> {
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
pub(super) enum Kind {
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
    ) -> Box<dyn Iterator<Item = Cell> + 'a> {
        match self {
            Kind::Methods => Box::new(
                grid.methods
                    .iter()
                    .map(move |&(m, _)| Cell::of_method(policy, m, endpoint)),
            ),
            Kind::Instances => Box::new(
                grid.instances
                    .iter()
                    .map(move |&(i, _)| Cell::mark(policy.is_available_to(i, endpoint))),
            ),
        }
    }
}

/// A cell: a plain mark, or the items naming the method with scopes when
/// the endpoint lists it only so.
pub(super) enum Cell {
    Off,
    On,
    Scoped(Vec<ItemId>),
}

/// The widest a table's scoped cell gets, in display columns; markdown
/// has no columns to fit and gets twice that.
pub(super) const CELL_WIDTH: usize = 48;

impl Cell {
    fn mark(on: bool) -> Cell {
        if on { Cell::On } else { Cell::Off }
    }

    fn of_method(policy: &Policy, method: MethodId, endpoint: EndpointId) -> Cell {
        if policy.is_available(method, endpoint) {
            return Cell::On;
        }
        let items: Vec<ItemId> = policy.scoped_items(method, endpoint).collect();
        if items.is_empty() {
            Cell::Off
        } else {
            Cell::Scoped(items)
        }
    }

    /// JSON: `true`, `false`, or the scope sets, `[["a", "b"], ["c"]]`.
    fn json(&self, policy: &Policy) -> serde_json::Value {
        match self {
            Cell::Off => false.into(),
            Cell::On => true.into(),
            Cell::Scoped(items) => items
                .iter()
                .map(|&item| policy.item_scopes(item).collect::<Vec<_>>())
                .collect::<Vec<_>>()
                .into(),
        }
    }

    /// CSV: `true`, `false`, or every item as the rules write it, joined
    /// with ` | `.
    fn csv(&self, policy: &Policy) -> Cow<'static, str> {
        match self {
            Cell::Off => "false".into(),
            Cell::On => "true".into(),
            Cell::Scoped(items) => {
                let texts: Vec<String> = items.iter().map(|&i| policy.item_text(i)).collect();
                csv_field(&texts.join(" | ")).into()
            }
        }
    }
}

/// The scope sets of `items` in at most `budget` display columns: `(a,
/// b) | (c)`, cut after whole sets with "and N more" (sets), or inside
/// the first set with "and N more" (scopes) when even it is too wide, or
/// with `…` when not one of its scopes fits.
pub(super) fn scope_sets(policy: &Policy, items: &[ItemId], budget: usize) -> String {
    let sets: Vec<Vec<Cow<'_, str>>> = items
        .iter()
        .map(|&item| {
            policy
                .item_scopes(item)
                .map(authgate::text::escape)
                .collect()
        })
        .collect();
    let set = |scopes: &[Cow<'_, str>]| format!("({})", scopes.join(", "));
    let texts: Vec<String> = sets.iter().map(|scopes| set(scopes)).collect();
    let full = texts.join(" | ");
    if full.width() <= budget {
        return full;
    }
    // Whole sets, as many as fit beside the count of the rest.
    let (mut shown, mut kept) = (String::new(), 0);
    for (count, text) in texts.iter().enumerate() {
        let joined = if count == 0 {
            text.clone()
        } else {
            format!("{shown} | {text}")
        };
        let rest = texts.len() - count - 1;
        let tail = if rest == 0 {
            String::new()
        } else {
            format!(" and {rest} more")
        };
        if (joined.width() + tail.width()) > budget {
            break;
        }
        (shown, kept) = (joined, count + 1);
    }
    if kept > 0 {
        return format!("{shown} and {} more", texts.len() - kept);
    }
    // The first set alone is too wide: its scopes that fit.
    let first = sets.first().map_or(&[][..], Vec::as_slice);
    let outer = match texts.len() - 1 {
        0 => String::new(),
        rest => format!(" and {rest} more"),
    };
    // Forward, with a running width: a set may hold hundreds of scopes.
    let mut best = None;
    let mut used = 1; // `(`
    for (count, scope) in first.iter().enumerate().take(first.len().saturating_sub(1)) {
        used += scope.width() + if count == 0 { 0 } else { 2 };
        let tail = format!(" and {} more){outer}", first.len() - count - 1);
        if used + tail.width() > budget {
            break;
        }
        best = Some((count + 1, tail));
    }
    if let Some((count, tail)) = best {
        return format!(
            "({}{tail}",
            first.get(..count).unwrap_or_default().join(", ")
        );
    }
    // Not even one scope beside its count: the set cut with `…`.
    let first = texts.first().map_or("", String::as_str);
    format!(
        "{}{outer}",
        fit(first, budget.saturating_sub(outer.width()))
    )
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
        MatrixFormat::Json => write::json(&mut out, &policy, &grids),
        MatrixFormat::Csv => write::csv(&mut out, &policy, &grids),
        MatrixFormat::Markdown => write::markdown(&mut out, &policy, &grids),
        MatrixFormat::Table => write::tables(
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
