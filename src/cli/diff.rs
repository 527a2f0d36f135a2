//! `authgate diff OLD NEW` and `authgate diff --git REV [NEW]`: who gains
//! or loses which endpoint between two rule sets ([`authgate::diff`]).
//!
//! The rule set at a git revision is read with the `git` binary (`git
//! ls-tree` for the file names, `git show REV:path` for each file) rather
//! than a git crate: no libgit2 to build, and the revision means exactly
//! what it means to the user's own git (its config, worktrees, shallow
//! clones, `origin/main` in a CI checkout).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use authgate::diff::{Diff, Gain};
use authgate::{Policy, Sources};
use clap::Args;
use serde::Serialize;

use super::{Cause, Outcome, Stop, StopFormat, cannot_run, load_rules, out, plural, say};

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
    /// endpoint, `any` on any change.
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
    /// Exit 1 when some subject gained an endpoint.
    Widen,
    /// Exit 1 on any change.
    Any,
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
    let format = match args.format {
        DiffFormat::Json => StopFormat::Json,
        DiffFormat::Human | DiffFormat::Markdown => StopFormat::Human,
    };
    let (old_label, old_sources, new_label, new_sources) = match &args.git {
        Some(rev) => {
            if args.paths.len() > 1 {
                return Err(cannot_run(
                    format,
                    "with --git, give at most one PATH (NEW)",
                    Cause::Message,
                ));
            }
            let paths = super::project::paths(&args.paths)?;
            let new_sources = load_rules(&paths, limit, format)?;
            let old_sources = at_revision(rev, &paths, limit, format)?;
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
                return Err(cannot_run(
                    format,
                    "give two rule sets, OLD and NEW, or --git REV",
                    Cause::Message,
                ));
            };
            let old_sources = load_rules(std::slice::from_ref(old), limit, format)?;
            let new_sources = load_rules(std::slice::from_ref(new), limit, format)?;
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
    let lints = super::project::config(&mut new_sources, format)?;
    // Both sides' errors are shown to people; a JSON document says one.
    let old = compile_side("old", &old_label, &old_sources, &lints, format);
    if old.is_err() && format == StopFormat::Json {
        return old.map(|_| ExitCode::from(2));
    }
    let new = compile_side("new", &new_label, &new_sources, &lints, format);
    let (old, new) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(stop), _) | (_, Err(stop)) => return Err(stop),
    };
    let diff = authgate::diff::diff(&old, &new);
    match args.format {
        DiffFormat::Json => super::print_json(&DiffJson {
            old: &old_label,
            new: &new_label,
            diff: &diff,
        }),
        DiffFormat::Human => human(&diff, &old_label, &new_label),
        DiffFormat::Markdown => out(format_args!(
            "{}",
            markdown(&diff, &old_label, &new_label).trim_end()
        )),
    }
    let fail = match args.fail_on {
        FailOn::Never => false,
        FailOn::Widen => diff.summary.gained > 0,
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
    lints: &authgate::config::Lints,
    format: StopFormat,
) -> Result<Policy, Stop> {
    let compiled = authgate::compile_with(sources, lints);
    super::usable_or(compiled, sources, format, |errors| {
        format!("the {side} rules (`{label}`) have {errors}; cannot compare")
    })
    .map(|(policy, _)| policy)
}

/// Runs git with `args`; its standard output, or what it said.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|error| format!("cannot run `git`: {error}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// The rule files under `paths` as of revision `rev`: a path that is a
/// file at `rev` is read whatever its name; below a folder, `*.gate`
/// files not under a name beginning with `.`, as the loader walks them.
/// A path missing at `rev` contributes nothing (the rules are new).
fn at_revision(
    rev: &str,
    paths: &[PathBuf],
    limit: u64,
    format: StopFormat,
) -> Result<Sources, Stop> {
    let commit = format!("{rev}^{{commit}}");
    if git(&["rev-parse", "--verify", "--quiet", &commit]).is_err() {
        return Err(cannot_run(
            format,
            &format!("`{rev}` is not a git revision here"),
            Cause::Message,
        ));
    }
    let mut args = vec!["ls-tree", "-r", "--name-only", "-z", rev, "--"];
    let given: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(given.iter().map(String::as_str));
    // git lists names without `./`: compare them that way.
    let given: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            p.components()
                .filter(|c| *c != std::path::Component::CurDir)
                .collect()
        })
        .collect();
    let listed = git(&args).map_err(|message| {
        cannot_run(
            format,
            &format!("cannot list the files of `{rev}`: {message}"),
            Cause::Message,
        )
    })?;
    let mut names: Vec<String> = listed
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .filter(|name| {
            let path = Path::new(name);
            // As the loader walks a folder: names below it that begin
            // with `.` are skipped.
            let hidden = |below: &Path| {
                below
                    .components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            };
            given.iter().any(|g| g == path)
                || (path.extension().is_some_and(|e| e == "gate")
                    && given
                        .iter()
                        .any(|g| path.strip_prefix(g).is_ok_and(|below| !hidden(below))))
        })
        .collect();
    names.sort();
    names.dedup();
    let files = cat_files(rev, &names, limit)
        .map_err(|message| cannot_run(format, &message, Cause::Message))?;
    let mut sources = Sources::new();
    for (name, bytes) in names.into_iter().zip(files) {
        sources.add_bytes(name, bytes);
    }
    Ok(sources)
}

/// The contents of `names` (relative to the current folder) at `rev`, in
/// order, read by one `git cat-file --batch` (not one process per file);
/// symbolic links inside the tree are followed, as the loader follows
/// them on disk.
fn cat_files(rev: &str, names: &[String], limit: u64) -> Result<Vec<Vec<u8>>, String> {
    use std::io::{BufRead as _, Read as _, Write as _};
    if let Some(name) = names.iter().find(|name| name.contains('\n')) {
        return Err(format!(
            "cannot read `{}` at `{rev}`: its name holds a line break",
            name.escape_debug()
        ));
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch", "--follow-symlinks"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run `git`: {error}"))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("cannot talk to `git cat-file`".to_owned());
    };
    // Written from a thread: git answers while it reads, and a full pipe
    // each way would otherwise stop both.
    let requests: String = names
        .iter()
        .map(|name| format!("{rev}:./{name}\n"))
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let mut reader = std::io::BufReader::new(stdout);
    let mut files = Vec::with_capacity(names.len());
    let mut failure = None;
    for name in names {
        let mut header = String::new();
        if reader.read_line(&mut header).map_err(|e| e.to_string())? == 0 {
            failure = Some(format!(
                "cannot read `{name}` at `{rev}`: git stopped answering"
            ));
            break;
        }
        let fields: Vec<&str> = header.split_whitespace().collect();
        let size = match fields.as_slice() {
            [_, "blob", size] => size.parse::<u64>().ok(),
            _ => None,
        };
        let Some(size) = size else {
            let what = header.trim();
            failure = Some(format!(
                "cannot read `{name}` at `{rev}`: git says `{what}`"
            ));
            break;
        };
        if size > limit {
            failure = Some(format!(
                "`{name}` at `{rev}` is {size} bytes, over the limit of {limit}"
            ));
            break;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&mut reader)
            .take(size)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        let mut newline = [0u8; 1];
        reader.read_exact(&mut newline).map_err(|e| e.to_string())?;
        files.push(bytes);
    }
    if failure.is_some() {
        let _ = child.kill();
    }
    let _ = writer.join();
    let _ = child.wait();
    match failure {
        Some(message) => Err(message),
        None => Ok(files),
    }
}

/// Per connector, in name order: its methods, instances and structural
/// changes.
struct Group<'d> {
    connector: &'d str,
    methods: Vec<&'d authgate::diff::MethodChange>,
    instances: Vec<&'d authgate::diff::InstanceChange>,
    structure: Vec<&'d authgate::diff::StructureChange>,
}

impl Group<'_> {
    fn gained(&self) -> usize {
        let m: usize = self.methods.iter().map(|m| m.gained.len()).sum();
        m + self.instances.iter().map(|i| i.gained.len()).sum::<usize>()
    }

    fn lost(&self) -> usize {
        let m: usize = self.methods.iter().map(|m| m.lost.len()).sum();
        m + self.instances.iter().map(|i| i.lost.len()).sum::<usize>()
    }
}

fn groups(diff: &Diff) -> Vec<Group<'_>> {
    let mut groups: std::collections::BTreeMap<&str, Group<'_>> = Default::default();
    for m in &diff.methods {
        groups
            .entry(&m.connector)
            .or_insert_with(|| Group::empty(&m.connector))
            .methods
            .push(m);
    }
    for i in &diff.instances {
        groups
            .entry(&i.connector)
            .or_insert_with(|| Group::empty(&i.connector))
            .instances
            .push(i);
    }
    for s in &diff.structure {
        groups
            .entry(&s.connector)
            .or_insert_with(|| Group::empty(&s.connector))
            .structure
            .push(s);
    }
    groups.into_values().collect()
}

impl<'d> Group<'d> {
    fn empty(connector: &'d str) -> Self {
        Group {
            connector,
            methods: Vec::new(),
            instances: Vec::new(),
            structure: Vec::new(),
        }
    }
}

/// "`a` (file:line:col), `b` (...) and N more".
fn located(changes: &[authgate::diff::Change], gain: Gain, count: usize) -> String {
    authgate::text::join(
        changes
            .iter()
            .filter(|c| c.change == gain)
            .map(|c| format!("`{}` ({}:{}:{})", c.endpoint, c.file, c.line, c.column)),
        count,
        "and",
    )
}

fn names(names: &[String]) -> String {
    authgate::text::list(names.iter().map(String::as_str), names.len())
}

/// Changed subjects shown per connector (methods first, then instances);
/// the rest are counted: a change that touches 10,000 instances stays a
/// few dozen lines (`--format json` lists them all).
const SUBJECTS_SHOWN: usize = 20;

fn human(diff: &Diff, old: &str, new: &str) {
    say(format_args!("{old} -> {new}"));
    if diff.is_empty() {
        say(format_args!("no change"));
        return;
    }
    say(format_args!(
        "{} changed: {} gained, {} lost",
        plural(diff.summary.subjects_changed, "subject"),
        diff.summary.gained,
        diff.summary.lost
    ));
    for group in groups(diff) {
        say(format_args!(
            "\nconnector `{}`: {} gained, {} lost, {}",
            group.connector,
            group.gained(),
            group.lost(),
            plural(group.structure.len(), "structural change")
        ));
        let methods_shown = group.methods.len().min(SUBJECTS_SHOWN);
        let instances_shown = group.instances.len().min(SUBJECTS_SHOWN - methods_shown);
        for m in group.methods.iter().take(methods_shown) {
            say(format_args!(
                "  method `{}` ({}): +{} -{}",
                m.method,
                m.status.as_str(),
                m.gained.len(),
                m.lost.len()
            ));
            if !m.gained.is_empty() {
                say(format_args!(
                    "    gained {}",
                    located(&m.changes, Gain::Gained, m.gained.len())
                ));
            }
            if !m.lost.is_empty() {
                say(format_args!(
                    "    lost {}",
                    located(&m.changes, Gain::Lost, m.lost.len())
                ));
            }
        }
        for i in group.instances.iter().take(instances_shown) {
            let declared = i.changes.declaration().map_or_else(String::new, |place| {
                format!(", {}:{}:{}", place.file, place.line, place.column)
            });
            say(format_args!(
                "  instance `{}` ({}, {} -> {}{declared}): +{} -{}",
                i.instance,
                i.status.as_str(),
                i.method_old.as_deref().unwrap_or("-"),
                i.method_new.as_deref().unwrap_or("-"),
                i.gained.len(),
                i.lost.len()
            ));
            if !i.gained.is_empty() {
                say(format_args!("    gained {}", names(&i.gained)));
            }
            if !i.lost.is_empty() {
                say(format_args!("    lost {}", names(&i.lost)));
            }
        }
        let hidden = group.methods.len() + group.instances.len() - methods_shown - instances_shown;
        if hidden > 0 {
            say(format_args!(
                "  and {hidden} more changed subjects (--format json lists every one)"
            ));
        }
        if !group.structure.is_empty() {
            let items = group.structure.iter().map(|s| {
                let at = &s.place;
                let (kind, name, status) = (s.kind.as_str(), &s.name, s.status.as_str());
                format!(
                    "{kind} `{name}` {status} ({}:{}:{})",
                    at.file, at.line, at.column
                )
            });
            say(format_args!(
                "  structure: {}",
                authgate::text::join(items, group.structure.len(), "and")
            ));
        }
    }
}

/// A name inside HTML (`<summary>`, where markdown is not read): hidden
/// characters escaped, then `&`, `<`, `>` and `"` as entities.
fn html(name: &str) -> String {
    authgate::text::escape(name)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report for a pull-request comment.
fn markdown(diff: &Diff, old: &str, new: &str) -> String {
    use std::fmt::Write as _;
    let span = |name: &str| super::matrix::code_span(name, false);
    let cell = |name: &str| super::matrix::code_span(name, true);
    let list =
        |items: &[String]| authgate::text::join(items.iter().map(|n| span(n)), items.len(), "and");
    let mut text = String::new();
    let _ = writeln!(text, "### Visibility diff: {} → {}\n", span(old), span(new));
    if diff.is_empty() {
        let _ = writeln!(text, "No change.");
        return text;
    }
    let _ = writeln!(
        text,
        "**{} changed**: {} gained, {} lost\n",
        plural(diff.summary.subjects_changed, "subject"),
        diff.summary.gained,
        diff.summary.lost
    );
    let groups = groups(diff);
    let _ = writeln!(
        text,
        "| connector | subjects changed | gained | lost | structural changes |"
    );
    let _ = writeln!(text, "|---|---:|---:|---:|---:|");
    for group in &groups {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} | {} |",
            cell(group.connector),
            group.methods.len() + group.instances.len(),
            group.gained(),
            group.lost(),
            group.structure.len()
        );
    }
    for group in &groups {
        let _ = writeln!(
            text,
            "\n<details><summary>connector <code>{}</code></summary>\n",
            html(group.connector)
        );
        let methods_shown = group.methods.len().min(SUBJECTS_SHOWN);
        let instances_shown = group.instances.len().min(SUBJECTS_SHOWN - methods_shown);
        for m in group.methods.iter().take(methods_shown) {
            let _ = writeln!(
                text,
                "- method {} ({}): +{} −{}",
                span(&m.method),
                m.status.as_str(),
                m.gained.len(),
                m.lost.len()
            );
            for (gain, items) in [("gained", &m.gained), ("lost", &m.lost)] {
                if !items.is_empty() {
                    let _ = writeln!(text, "  - {gain}: {}", list(items));
                }
            }
        }
        for i in group.instances.iter().take(instances_shown) {
            let declared = i.changes.declaration().map_or_else(String::new, |place| {
                format!(
                    ", {} → {} at {}",
                    i.method_old.as_deref().map_or_else(|| "–".to_owned(), span),
                    i.method_new.as_deref().map_or_else(|| "–".to_owned(), span),
                    span(&format!("{}:{}:{}", place.file, place.line, place.column))
                )
            });
            let _ = writeln!(
                text,
                "- instance {} ({}{declared}): +{} −{}",
                span(&i.instance),
                i.status.as_str(),
                i.gained.len(),
                i.lost.len()
            );
            for (gain, items) in [("gained", &i.gained), ("lost", &i.lost)] {
                if !items.is_empty() {
                    let _ = writeln!(text, "  - {gain}: {}", list(items));
                }
            }
        }
        let hidden = group.methods.len() + group.instances.len() - methods_shown - instances_shown;
        if hidden > 0 {
            let _ = writeln!(
                text,
                "- and {hidden} more changed subjects (`--format json` lists every one)"
            );
        }
        const SHOWN: usize = 50;
        for s in group.structure.iter().take(SHOWN) {
            let at = &s.place;
            let _ = writeln!(
                text,
                "- {} {} {} at {}",
                s.kind.as_str(),
                span(&s.name),
                s.status.as_str(),
                span(&format!("{}:{}:{}", at.file, at.line, at.column))
            );
        }
        if group.structure.len() > SHOWN {
            let _ = writeln!(text, "- and {} more", group.structure.len() - SHOWN);
        }
        let _ = writeln!(text, "\n</details>");
    }
    text
}
