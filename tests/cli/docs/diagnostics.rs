//! `docs/diagnostics.md` below its marker line is generated from the
//! catalogue (`authgate::Code::ALL`: each code's name, severity, summary and
//! help) and from what the real binary prints for each code's example
//! input. The test fails when the page and the catalogue disagree; with
//! `UPDATE_DOCS=1` it writes the page instead:
//!
//! ```sh
//! UPDATE_DOCS=1 cargo test --test cli docs::diagnostics
//! ```

use std::fmt::Write as _;
use std::path::Path;

use authgate::{Code, Severity};

use super::session;
use crate::support::root;

/// The line after which the page is generated; what is above it is prose.
const MARKER: &str = "<!-- Generated from the catalogue below this line: `UPDATE_DOCS=1 cargo test --test cli docs::diagnostics` rewrites it. -->";

/// How to make authgate report `code`: the folder (from the repository
/// root) to run in, the command, and the input file to link to.
fn example(code: Code) -> Option<(&'static str, String, String)> {
    let name = code.name();
    let fail = "tests/fixtures/fail";
    match code {
        Code::TestFailed => Some((
            "docs/examples",
            "authgate test failing-test.gate".to_owned(),
            "docs/examples/failing-test.gate".to_owned(),
        )),
        Code::DriftActivation | Code::DriftEndpoint | Code::DriftMethod => Some((
            "tests/fixtures/openapi/shop",
            "authgate drift openapi.yaml --connector shop_api --rules drifted.gate".to_owned(),
            "tests/fixtures/openapi/shop/drifted.gate".to_owned(),
        )),
        Code::DriftScope => Some((
            "tests/fixtures/openapi/scopes",
            "authgate drift jira.json --connector jira --rules jira-drifted.gate".to_owned(),
            "tests/fixtures/openapi/scopes/jira-drifted.gate".to_owned(),
        )),
        _ if root().join(fail).join(format!("{name}.gate")).exists() => {
            let config = if root().join(fail).join(format!("{name}.toml")).exists() {
                format!(" --config {name}.toml")
            } else {
                String::new()
            };
            Some((
                fail,
                format!("authgate check{config} {name}.gate"),
                format!("{fail}/{name}.gate"),
            ))
        }
        _ => None,
    }
}

/// The first diagnostic with `code` in a human report: its header line
/// and the indented lines after it.
fn first_of(code: Code, report: &str) -> Option<String> {
    let header = code.to_string();
    let lines: Vec<&str> = report.lines().collect();
    let start = lines.iter().position(|l| *l == header)?;
    let mut end = start + 1;
    while end < lines.len() {
        let line = lines[end];
        let next_indented = lines.get(end + 1).is_some_and(|n| n.starts_with(' '));
        if line.starts_with(' ') || (line.is_empty() && next_indented) {
            end += 1;
        } else {
            break;
        }
    }
    let text: Vec<String> = lines[start..end]
        .iter()
        .map(|l| l.trim_end().to_owned())
        .collect();
    Some(text.join("\n"))
}

/// The generated part of the page.
fn generated() -> String {
    let mut page = String::new();
    page.push_str("| code | severity | when |\n| --- | --- | --- |\n");
    for &code in Code::ALL {
        let _ = writeln!(
            page,
            "| [`{code}`](#{}) | {} | {} |",
            code.name(),
            code.severity(),
            code.summary()
        );
    }
    for &code in Code::ALL {
        let _ = write!(
            page,
            "\n### {}\n\n`{code}` is {}. {}\n\n**Help:** {}\n",
            code.name(),
            match code.severity() {
                Severity::Error => "an error",
                _ => "a warning",
            },
            code.summary(),
            code.help()
        );
        let Some((folder, command, input)) = example(code) else {
            page.push_str("\nNo example input: add a fixture `tests/fixtures/fail/NAME.gate`.\n");
            continue;
        };
        let (_, out) = session::run(session::shell(
            &root().join(folder),
            &format!("exec 2>&1; {command}"),
        ));
        let shown = first_of(code, &out)
            .unwrap_or_else(|| panic!("`{command}` in {folder} does not report {code}:\n{out}"));
        let file = Path::new(&input)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let _ = write!(
            page,
            "\n`{command}` on [`{file}`](../{input}):\n\n```text\n{shown}\n```\n"
        );
    }
    page
}

#[test]
fn the_diagnostics_reference_is_the_catalogue() {
    let path = root().join("docs/diagnostics.md");
    let current = std::fs::read_to_string(&path).expect("docs/diagnostics.md readable");
    let (prose, _) = current
        .split_once(MARKER)
        .unwrap_or_else(|| panic!("docs/diagnostics.md lost its marker line:\n{MARKER}"));
    let wanted = format!("{prose}{MARKER}\n\n{}", generated());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &wanted).expect("write docs/diagnostics.md");
        return;
    }
    if current != wanted {
        let diff = similar::TextDiff::from_lines(&current, &wanted);
        panic!(
            "docs/diagnostics.md disagrees with the catalogue (or with what authgate prints); \
             regenerate it with `UPDATE_DOCS=1 cargo test --test cli docs::diagnostics` \
             and read the change:\n{}",
            diff.unified_diff().context_radius(2)
        );
    }
}
