//! The human and markdown reports of a diff: grouped by connector, counts
//! first, long lists cut.

use authgate::diff::{Diff, Gain, StructureChange};

use crate::cli::output::{code_span, plural, say};

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

/// The groups, connectors in natural order (`c2` before `c10`), as the
/// diff sorts its lists.
fn groups(diff: &Diff) -> Vec<Group<'_>> {
    let mut groups: std::collections::HashMap<&str, Group<'_>> = Default::default();
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
    let mut groups: Vec<Group<'_>> = groups.into_values().collect();
    groups.sort_by(|a, b| authgate::text::natural_cmp(a.connector, b.connector));
    groups
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

/// " from `basic` to `oauth`" for an instance whose method changed (each
/// method written by `name`), else nothing.
fn method_change(change: &StructureChange, name: impl Fn(&str) -> String) -> String {
    match (&change.method_old, &change.method_new) {
        (Some(old), Some(new)) => format!(" from {} to {}", name(old), name(new)),
        _ => String::new(),
    }
}

fn names(names: &[String]) -> String {
    authgate::text::list(names.iter().map(String::as_str), names.len())
}

/// Changed subjects shown per connector (methods first, then instances);
/// the rest are counted: a change that touches 10,000 instances stays a
/// few dozen lines (`--format json` lists them all).
const SUBJECTS_SHOWN: usize = 20;

pub(super) fn human(diff: &Diff, old: &str, new: &str) {
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
                    "{kind} `{name}` {status}{} ({}:{}:{})",
                    method_change(s, |m| format!("`{m}`")),
                    at.file,
                    at.line,
                    at.column
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
pub(super) fn markdown(diff: &Diff, old: &str, new: &str) -> String {
    use std::fmt::Write as _;
    let span = |name: &str| code_span(name, false);
    let cell = |name: &str| code_span(name, true);
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
                "- {} {} {}{} at {}",
                s.kind.as_str(),
                span(&s.name),
                s.status.as_str(),
                method_change(s, |m| span(m)),
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
