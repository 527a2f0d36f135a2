//! The matrix's four formats, each streamed cell by cell from the
//! [`Grid`]s: JSON, CSV, markdown and the terminal table (widths fitted to
//! the terminal, wide headers numbered with a legend).

use std::borrow::Cow;
use std::io::{self, Write};

use authgate::Policy;
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

use super::{CELL_WIDTH, Cell, Grid, Kind, scope_sets};
use crate::cli::output::code_span;

/// `{"connectors": [{"connector", "methods", "instances", "endpoints":
/// [{"name", "activated", "visible"}]}]}`, one endpoint a line.
pub(super) fn json(out: &mut impl Write, policy: &Policy, grids: &[Grid<'_>]) -> io::Result<()> {
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
                for (column, cell) in kind.marks(policy, grid, endpoint).enumerate() {
                    let separator = if column == 0 { "" } else { ", " };
                    write!(out, "{separator}")?;
                    serde_json::to_writer(&mut *out, &cell.json(policy))?;
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
pub(super) fn csv(out: &mut impl Write, policy: &Policy, grids: &[Grid<'_>]) -> io::Result<()> {
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
                for (column, cell) in names.iter().zip(kind.marks(policy, grid, endpoint)) {
                    let value = cell.csv(policy);
                    writeln!(out, "{connector},{name},{word},{column},{value}")?;
                }
            }
        }
    }
    Ok(())
}

/// A CSV field, quoted when it must be.
pub(super) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Markdown tables, a heading per connector.
pub(super) fn markdown(
    out: &mut impl Write,
    policy: &Policy,
    grids: &[Grid<'_>],
) -> io::Result<()> {
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
                for cell in kind.marks(policy, grid, endpoint) {
                    match cell {
                        Cell::On => out.write_all(" ✓ |".as_bytes())?,
                        Cell::Off => out.write_all(b"   |")?,
                        Cell::Scoped(items) => {
                            let sets = scope_sets(policy, &items, 2 * CELL_WIDTH);
                            write!(out, " {} |", code_span(&sets, true))?;
                        }
                    }
                }
                writeln!(out)?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

pub(super) fn tables(
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
/// names too long for what is left are cut with `…`. A column of scope
/// sets is as wide as its widest cell, at most [`CELL_WIDTH`]. Only a
/// grid with more columns than the width can hold overflows it.
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
    // The widest scope sets of each column (1 for marks): a first pass
    // over the rows, since the table streams.
    let mut sets = vec![1; columns.len()];
    for (endpoint, _) in grid.endpoints(policy) {
        for (cell, widest) in kind.marks(policy, grid, endpoint).zip(&mut sets) {
            if let Cell::Scoped(items) = cell {
                *widest = (*widest).max(scope_sets(policy, &items, CELL_WIDTH).width());
            }
        }
    }
    let full: usize = columns
        .iter()
        .zip(&sets)
        .map(|(c, sets)| c.width().max(*sets) + 2)
        .sum();
    let numbered = longest + full > width;
    let headers: Vec<Cow<'_, str>> = if numbered {
        (1..=columns.len())
            .map(|number| Cow::Owned(number.to_string()))
            .collect()
    } else {
        columns.clone()
    };
    let widths: Vec<usize> = headers
        .iter()
        .zip(&sets)
        .map(|(h, sets)| h.width().max(*sets))
        .collect();
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
        for (cell, width) in kind.marks(policy, grid, endpoint).zip(&widths) {
            let padded = match cell {
                Cell::On if color => center("✓", *width).replace('✓', "\u{1b}[32m✓\u{1b}[0m"),
                Cell::On => center("✓", *width),
                Cell::Off => center("·", *width),
                Cell::Scoped(items) => pad(&scope_sets(policy, &items, CELL_WIDTH), *width),
            };
            line.push_str("  ");
            line.push_str(&padded);
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `text` cut to at most `width` display columns, ending in `…` when cut.
pub(super) fn fit(text: &str, width: usize) -> Cow<'_, str> {
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
