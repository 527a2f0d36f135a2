//! `authgate diff OLD NEW` and `authgate diff --git REV [NEW]`: who gains
//! or loses which endpoint between two rule sets ([`authgate::diff`]).
//! Here: the arguments, loading and compiling both sides, exit statuses;
//! [`git`] reads a rule set at a revision, [`render`] writes the human
//! and markdown reports.

mod git;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use authgate::diff::Diff;
use authgate::{Policy, Sources};
use clap::Args;
use serde::Serialize;

use super::failure::{Failure, Outcome};
use super::load;
use super::output::{DiagnosticsFormat, out, print_json};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("sides").required(true).args(["git", "paths"]).multiple(true))]
pub struct DiffArgs {
    /// OLD and NEW rule sets (each a file or a folder); with --git, NEW
    /// only (default: the rule set of `authgate.toml`, else `rules`).
    #[arg(value_name = "PATH", num_args = 0..=2)]
    paths: Vec<PathBuf>,
    /// Compare the rule set as of this git revision (OLD) with the working
    /// tree (NEW).
    #[arg(long, value_name = "REV")]
    git: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: DiffFormat,
    /// Exit 1 when something changed: `widen` when a subject gained an
    /// endpoint or a requirement admits an instance it did not, `any` on
    /// any change.
    #[arg(long, value_enum, default_value_t, value_name = "WHEN")]
    fail_on: FailOn,
}

/// `diff`'s formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// Grouped by connector, counts first, long lists cut.
    #[default]
    Human,
    /// For a pull-request comment: a summary table, details folded.
    Markdown,
    /// One JSON document.
    Json,
}

/// `--fail-on`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// Exit 0 whenever the rule sets could be compared.
    #[default]
    Never,
    /// Exit 1 when some subject gained an endpoint, or a requirement
    /// widened or changed.
    Widen,
    /// Exit 1 on any change.
    Any,
}

impl DiffArgs {
    /// Failures are reported in JSON for `--format json`, else as human
    /// text.
    pub fn failure_format(&self) -> DiagnosticsFormat {
        match self.format {
            DiffFormat::Json => DiagnosticsFormat::Json,
            DiffFormat::Human | DiffFormat::Markdown => DiagnosticsFormat::Human,
        }
    }
}

/// The document `diff --format json` prints.
#[derive(Serialize)]
struct DiffJson<'a> {
    old: &'a str,
    new: &'a str,
    #[serde(flatten)]
    diff: &'a Diff,
}

pub fn run(args: DiffArgs, limit: u64) -> Outcome {
    let (old_label, old_sources, new_label, new_sources) = match &args.git {
        Some(rev) => {
            if args.paths.len() > 1 {
                return Err(Failure::message("with --git, give at most one PATH (NEW)"));
            }
            let paths = load::paths(&args.paths)?;
            let new_sources = load::sources(&paths, limit)?;
            let old_sources = git::at_revision(rev, &paths, limit)?;
            let label = |paths: &[PathBuf]| {
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            (
                format!("{rev}:{}", label(&paths)),
                old_sources,
                label(&paths),
                new_sources,
            )
        }
        None => {
            let [old, new] = args.paths.as_slice() else {
                return Err(Failure::message(
                    "give two rule sets, OLD and NEW, or --git REV",
                ));
            };
            let old_sources = load::sources(std::slice::from_ref(old), limit)?;
            let new_sources = load::sources(std::slice::from_ref(new), limit)?;
            (
                old.display().to_string(),
                old_sources,
                new.display().to_string(),
                new_sources,
            )
        }
    };
    // The project's lint levels (its `authgate.toml`, found from here) for
    // both sides: a side that `check` would refuse can't be compared.
    let mut new_sources = new_sources;
    let lints = load::config(&mut new_sources)?;
    // Both sides' errors are shown to people; a JSON document says the
    // old side's.
    let old = compile_side("old", &old_label, &old_sources, &lints);
    let new = compile_side("new", &new_label, &new_sources, &lints);
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(old), Err(new)) => return Err(Failure::Several(vec![old, new])),
        (Err(failure), Ok(_)) | (Ok(_), Err(failure)) => return Err(failure),
    };
    let diff = authgate::diff::diff(&old, &new);
    match args.format {
        DiffFormat::Json => print_json(&DiffJson {
            old: &old_label,
            new: &new_label,
            diff: &diff,
        }),
        DiffFormat::Human => render::human(&diff, &old_label, &new_label),
        DiffFormat::Markdown => out(format_args!(
            "{}",
            render::markdown(&diff, &old_label, &new_label).trim_end()
        )),
    }
    let fail = match args.fail_on {
        FailOn::Never => false,
        FailOn::Widen => diff.widens(),
        FailOn::Any => !diff.is_empty(),
    };
    Ok(if fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Compiles one side; its errors are reported with the side named.
fn compile_side(
    side: &str,
    label: &str,
    sources: &Sources,
    lints: &authgate::project::config::Lints,
) -> Result<Policy, Failure> {
    let compiled = authgate::compile_with(sources, lints);
    load::usable_or(compiled, |errors| {
        format!("the {side} rules (`{label}`) have {errors}; cannot compare")
    })
    .map(|(policy, _)| policy)
}
