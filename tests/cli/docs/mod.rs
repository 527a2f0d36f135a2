//! The docs can't drift from the code: every example of the README, of the
//! book in `docs/` and of the packages' READMEs is run here. How each kind
//! of block is tested is written for authors in `docs/README.md`
//! ("Writing these pages"):
//!
//! - ```` ```gate ```` snippets must check with no diagnostic (and their
//!   tests pass), or give exactly the codes their info string names:
//!   ```` ```gate,fails=unknown_method ````, ```` ```gate,warns=never_activated ````;
//! - ```` ```console ```` sessions run, and print what they show
//!   ([`session`]);
//! - ```` ```json ```` documents parse; one whose info string goes on with a
//!   command (```` ```json authgate explain "instance 2" orders --format json ````)
//!   must have the shape and the values of what that command prints;
//! - links between pages lead to a file and a heading that exist.
//!
//! `docs/diagnostics.md` is generated from the catalogue ([`diagnostics`]).

mod diagnostics;
mod markdown;
mod session;

use markdown::{Block, blocks, pages, shown};

use crate::support::root;

/// Every block of every page whose language is `lang`, except the
/// generated diagnostics reference (its own test renders it).
fn blocks_of(lang: &str) -> Vec<Block> {
    pages()
        .iter()
        .filter(|page| !page.ends_with("docs/diagnostics.md"))
        .flat_map(|page| blocks(page))
        .filter(|block| block.lang == lang)
        .collect()
}

/// Fails with every problem found, so that one run lists them all.
fn report(what: &str, count: usize, problems: &[String]) {
    assert!(
        count > 0,
        "no {what} found: is the harness reading the pages?"
    );
    assert!(
        problems.is_empty(),
        "{} of {count} {what} disagree with authgate:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn gate_snippets_check_or_fail_as_the_text_says() {
    let blocks = blocks_of("gate");
    let mut problems = Vec::new();
    for block in &blocks {
        let dir = session::sandbox();
        std::fs::write(dir.path().join("snippet.gate"), &block.text).expect("write");
        let (_, out) = session::run(session::shell(
            dir.path(),
            "authgate check snippet.gate --format json",
        ));
        let report: serde_json::Value = match serde_json::from_str(&out) {
            Ok(report) => report,
            Err(e) => {
                problems.push(format!(
                    "{}: `check --format json` said {e}: {out}",
                    block.place
                ));
                continue;
            }
        };
        let codes = |severity: &str| -> Vec<String> {
            let mut codes: Vec<String> = report["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["severity"] == severity)
                .filter_map(|d| d["code"].as_str())
                .map(|c| c.trim_start_matches("authgate::").to_owned())
                .collect();
            codes.sort();
            codes.dedup();
            codes
        };
        let (errors, warnings) = (codes("error"), codes("warning"));
        let mut fails: Vec<String> = block
            .attr("fails")
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        let mut warns: Vec<String> = block
            .attr("warns")
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        fails.sort();
        warns.sort();
        let test_failed = fails.iter().any(|c| c == "test_failed");
        fails.retain(|c| c != "test_failed");
        if errors != fails || warnings != warns {
            problems.push(format!(
                "{}: the text says errors {fails:?} and warnings {warns:?}, `check` says {errors:?} and {warnings:?}",
                block.place
            ));
            continue;
        }
        if errors.is_empty() {
            // The tests the snippet holds must pass (or fail, if it says so).
            let (status, out) = session::run(session::shell(
                dir.path(),
                "exec 2>&1; authgate test --allow-empty snippet.gate",
            ));
            if status != i32::from(test_failed) {
                problems.push(format!(
                    "{}: `authgate test` exited {status}:\n{out}",
                    block.place
                ));
            }
        }
    }
    report("gate snippets", blocks.len(), &problems);
}

#[test]
fn console_sessions_print_what_they_show() {
    let blocks = blocks_of("console");
    let problems: Vec<String> = blocks
        .iter()
        .flat_map(|block| session::check(&block.place, &block.text))
        .collect();
    report("console sessions", blocks.len(), &problems);
}

#[test]
fn json_examples_parse_and_match_the_real_output() {
    let blocks = blocks_of("json");
    let mut problems = Vec::new();
    for block in &blocks {
        let shown: serde_json::Value = match serde_json::from_str(&block.text) {
            Ok(value) => value,
            Err(e) => {
                problems.push(format!("{}: not JSON: {e}", block.place));
                continue;
            }
        };
        if block.rest.is_empty() {
            continue;
        }
        let dir = session::sandbox();
        let (_, out) = session::run(session::shell(dir.path(), &block.rest));
        match serde_json::from_str::<serde_json::Value>(&out) {
            Ok(actual) => {
                if let Err(at) = same(&shown, &actual, "") {
                    problems.push(format!(
                        "{}: differs from `{}` at `{at}`; it printed:\n{}",
                        block.place,
                        block.rest,
                        serde_json::to_string_pretty(&actual).unwrap_or_default()
                    ));
                }
            }
            Err(e) => problems.push(format!(
                "{}: `{}` printed no JSON ({e}): {out}",
                block.place, block.rest
            )),
        }
    }
    report("JSON examples", blocks.len(), &problems);
}

/// Whether `shown` has the shape and values of `actual`: the same keys,
/// the same array lengths, equal scalars (a string of the docs may elide
/// with `[..]`). `Err` holds the path of the first difference.
fn same(shown: &serde_json::Value, actual: &serde_json::Value, at: &str) -> Result<(), String> {
    use serde_json::Value;
    match (shown, actual) {
        (Value::Object(a), Value::Object(b)) => {
            if !a.keys().eq(b.keys()) {
                return Err(format!("{at} (keys)"));
            }
            a.iter()
                .try_for_each(|(key, value)| same(value, &b[key], &format!("{at}.{key}")))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (x, y))| same(x, y, &format!("{at}[{i}]"))),
        (Value::String(a), Value::String(b)) if session::line_matches(a, b) => Ok(()),
        (a, b) if a == b => Ok(()),
        _ => Err(at.to_owned()),
    }
}

#[test]
fn links_between_pages_lead_somewhere() {
    let mut problems = Vec::new();
    let mut count = 0;
    for page in pages() {
        for (line, link) in markdown::links(&page) {
            count += 1;
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                page.parent().expect("in a folder").join(file)
            };
            if !target.exists() {
                problems.push(format!("{}:{line}: `{link}`: no such file", shown(&page)));
            } else if !anchor.is_empty()
                && target.extension().is_some_and(|e| e == "md")
                && target.exists()
                && !markdown::anchors(&target).iter().any(|a| a == anchor)
            {
                problems.push(format!(
                    "{}:{line}: `{link}`: no such heading",
                    shown(&page)
                ));
            }
        }
    }
    report("links", count, &problems);
}

/// The packages' READMEs are their pages on the registries: a link into
/// the repository would lead nowhere there.
#[test]
fn the_packages_readmes_stand_alone() {
    for page in ["bindings/python/README.md", "bindings/js/README.md"] {
        let links = markdown::links(&root().join(page));
        let relative: Vec<_> = links
            .iter()
            .filter(|(_, link)| !link.contains("://"))
            .collect();
        assert!(
            relative.is_empty(),
            "{page} links into the repository: {relative:?}"
        );
    }
}

/// Every subcommand of `authgate --help` has its section in the command
/// reference, and the reference documents no command that does not exist.
#[test]
fn the_command_reference_covers_every_command() {
    let help = crate::support::stdout(&crate::support::authgate(&["--help"]));
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() > 10, "{help}");
    let reference = std::fs::read_to_string(root().join("docs/commands.md")).expect("readable");
    for command in commands {
        let heading = format!("## `authgate {command}");
        assert!(
            reference.contains(&heading),
            "docs/commands.md has no `{heading}` section"
        );
    }
}

/// Configuration shown (`authgate.toml`, workflows, pre-commit, Helix)
/// is at least well-formed.
#[test]
fn toml_and_yaml_examples_parse() {
    let mut problems = Vec::new();
    let tomls = blocks_of("toml");
    for block in &tomls {
        if let Err(e) = block.text.parse::<toml::Table>() {
            problems.push(format!("{}: not TOML: {e}", block.place));
        }
    }
    let yamls = blocks_of("yaml");
    for block in &yamls {
        if let Err(e) = yaml_rust2::YamlLoader::load_from_str(&block.text) {
            problems.push(format!("{}: not YAML: {e}", block.place));
        }
    }
    report(
        "TOML and YAML examples",
        tomls.len() + yamls.len(),
        &problems,
    );
}
