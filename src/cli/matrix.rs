//! `authgate matrix [CONNECTOR]`: the rules as grids people can read at a
//! glance: per connector, endpoints × auth methods (activated) and
//! endpoints × declared instances (visible).

use std::io::IsTerminal as _;
use std::process::ExitCode;

use authgate::Policy;
use authgate::policy::ConnectorId;
use clap::Args;
use serde::Serialize;

use super::{Outcome, RulesArgs, compile_for_query, out, print_json, tell};

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

/// One connector's grids.
#[derive(Serialize)]
struct Grid<'p> {
    connector: &'p str,
    methods: Vec<&'p str>,
    instances: Vec<&'p str>,
    endpoints: Vec<Row<'p>>,
}

#[derive(Serialize)]
struct Row<'p> {
    name: &'p str,
    /// Per method: activated.
    activated: Vec<bool>,
    /// Per instance: visible.
    visible: Vec<bool>,
}

fn grid(policy: &Policy, connector: ConnectorId) -> Grid<'_> {
    let methods: Vec<_> = policy.methods(connector).collect();
    let instances: Vec<_> = policy
        .instance_ids()
        .filter(|&i| {
            policy
                .instance_subject(i)
                .and_then(|s| policy.method_connector(s.method))
                == Some(connector)
        })
        .collect();
    Grid {
        connector: policy.connector_name(connector).unwrap_or_default(),
        methods: methods
            .iter()
            .map(|&m| policy.method_name(m).unwrap_or_default())
            .collect(),
        instances: instances
            .iter()
            .map(|&i| policy.instance_name(i).unwrap_or_default())
            .collect(),
        endpoints: policy
            .endpoints(connector)
            .map(|endpoint| Row {
                name: policy.endpoint_name(endpoint).unwrap_or_default(),
                activated: methods
                    .iter()
                    .map(|&m| policy.is_available(m, endpoint))
                    .collect(),
                visible: instances
                    .iter()
                    .map(|&i| policy.is_available_to(i, endpoint))
                    .collect(),
            })
            .collect(),
    }
}

pub fn run(args: MatrixArgs, limit: u64) -> Outcome {
    let policy = compile_for_query(&args.rules.rules, limit)?;
    let connectors: Vec<ConnectorId> = match &args.connector {
        Some(name) => match policy.connector(name) {
            Some(connector) => vec![connector],
            None => {
                let names: Vec<&str> = policy
                    .connector_ids()
                    .filter_map(|c| policy.connector_name(c))
                    .collect();
                let hint = authgate::suggest::closest(name, names.iter().copied())
                    .map_or(String::new(), |close| format!("; did you mean `{close}`?"));
                tell(format_args!("error: unknown connector `{name}`{hint}"));
                return Ok(ExitCode::from(2));
            }
        },
        None => policy.connector_ids().collect(),
    };
    let grids: Vec<Grid<'_>> = connectors.iter().map(|&c| grid(&policy, c)).collect();
    match args.format {
        MatrixFormat::Json => print_json(&serde_json::json!({ "connectors": grids })),
        MatrixFormat::Csv => {
            out(format_args!("connector,endpoint,kind,column,value"));
            for grid in &grids {
                for row in &grid.endpoints {
                    for (method, on) in grid.methods.iter().zip(&row.activated) {
                        out(format_args!(
                            "{},{},method,{},{on}",
                            csv(grid.connector),
                            csv(row.name),
                            csv(method)
                        ));
                    }
                    for (instance, on) in grid.instances.iter().zip(&row.visible) {
                        out(format_args!(
                            "{},{},instance,{},{on}",
                            csv(grid.connector),
                            csv(row.name),
                            csv(instance)
                        ));
                    }
                }
            }
        }
        MatrixFormat::Markdown => {
            for grid in &grids {
                out(format_args!("### `{}`\n", grid.connector));
                markdown(
                    "endpoint \\ method",
                    &grid.methods,
                    grid.endpoints.iter().map(|r| (r.name, &r.activated)),
                );
                out(format_args!(""));
                if !grid.instances.is_empty() {
                    markdown(
                        "endpoint \\ instance",
                        &grid.instances,
                        grid.endpoints.iter().map(|r| (r.name, &r.visible)),
                    );
                    out(format_args!(""));
                }
            }
        }
        MatrixFormat::Table => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse::<usize>().ok())
                .unwrap_or(100);
            for (index, grid) in grids.iter().enumerate() {
                if index > 0 {
                    out(format_args!(""));
                }
                out(format_args!("connector `{}`", grid.connector));
                out(format_args!(""));
                table(
                    "endpoint \\ method",
                    &grid.methods,
                    grid.endpoints.iter().map(|r| (r.name, &r.activated)),
                    color,
                    width,
                );
                if !grid.instances.is_empty() {
                    out(format_args!(""));
                    table(
                        "endpoint \\ instance",
                        &grid.instances,
                        grid.endpoints.iter().map(|r| (r.name, &r.visible)),
                        color,
                        width,
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A CSV field, quoted when it must be.
fn csv(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A markdown table cell: pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn markdown<'r>(
    corner: &str,
    columns: &[&str],
    rows: impl Iterator<Item = (&'r str, &'r Vec<bool>)>,
) {
    let header: Vec<String> = columns.iter().map(|c| format!("`{}`", cell(c))).collect();
    out(format_args!("| {corner} | {} |", header.join(" | ")));
    out(format_args!("|---|{}", ":---:|".repeat(columns.len())));
    for (name, marks) in rows {
        let marks: Vec<&str> = marks.iter().map(|&on| if on { "✓" } else { " " }).collect();
        out(format_args!("| `{}` | {} |", cell(name), marks.join(" | ")));
    }
}

/// Aligned columns. When the headers don't fit `width`, they become
/// numbers and a legend follows the table.
fn table<'r>(
    corner: &str,
    columns: &[&str],
    rows: impl Iterator<Item = (&'r str, &'r Vec<bool>)>,
    color: bool,
    width: usize,
) {
    let rows: Vec<(&str, &Vec<bool>)> = rows.collect();
    let first = rows
        .iter()
        .map(|(name, _)| name.chars().count())
        .chain(std::iter::once(corner.chars().count()))
        .max()
        .unwrap_or(0);
    let full: usize = columns.iter().map(|c| c.chars().count() + 2).sum();
    let numbered = first + full > width;
    let headers: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(index, name)| {
            if numbered {
                format!("{}", index + 1)
            } else {
                (*name).to_owned()
            }
        })
        .collect();
    let widths: Vec<usize> = headers.iter().map(|h| h.chars().count().max(1)).collect();
    let mut line = format!("{corner:<first$}");
    for (header, width) in headers.iter().zip(&widths) {
        line.push_str(&format!("  {header:^width$}"));
    }
    out(format_args!("{}", line.trim_end()));
    for (name, marks) in &rows {
        let mut line = format!("{name:<first$}");
        for (on, width) in marks.iter().zip(&widths) {
            let mark = if *on { "✓" } else { "·" };
            let padded = format!("{mark:^width$}");
            let padded = if *on && color {
                padded.replace('✓', "\u{1b}[32m✓\u{1b}[0m")
            } else {
                padded
            };
            line.push_str("  ");
            line.push_str(&padded);
        }
        out(format_args!("{}", line.trim_end()));
    }
    if numbered {
        for (index, name) in columns.iter().enumerate() {
            out(format_args!("  {:>3}  {name}", index + 1));
        }
    }
}
