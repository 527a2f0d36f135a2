//! The human and markdown reports of a diff: grouped by connector, counts
//! first, long lists cut.

use authgate::diff::{Diff, Gain, InstanceChange, RequirementChange, StructureChange};
use authgate::syntax::QuotedName;

use crate::cli::output::{code_span, plural, say};

/// Per connector, in name order: its methods, instances, requirements
/// and structural changes.
struct Group<'d> {
    connector: &'d str,
    methods: Vec<&'d authgate::diff::MethodChange>,
    instances: Vec<&'d authgate::diff::InstanceChange>,
    requirements: Vec<&'d RequirementChange>,
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
    for r in &diff.requirements {
        groups
            .entry(&r.connector)
            .or_insert_with(|| Group::empty(&r.connector))
            .requirements
            .push(r);
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
            requirements: Vec::new(),
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

/// Items of a requirement, and scopes of an item, shown before "and N
/// more".
const LISTED: usize = 8;

/// Scopes granted or taken shown per instance: an instance granted 300
/// scopes stays one short line.
const SCOPES_LISTED: usize = 4;

/// `items` joined by `separator`, cut after `listed` with "and N more".
fn cut(items: impl ExactSizeIterator<Item = String>, separator: &str, listed: usize) -> String {
    let count = items.len();
    let shown: Vec<String> = items.take(listed).collect();
    let more = count - shown.len();
    let shown = shown.join(separator);
    if more == 0 {
        shown
    } else {
        format!("{shown} and {more} more")
    }
}

/// " scopes +`a` -`b`" for an instance whose scopes changed (each scope
/// written by `name`), else nothing.
fn scope_change(gained: &[String], lost: &[String], name: impl Fn(&str) -> String) -> String {
    if gained.is_empty() && lost.is_empty() {
        return String::new();
    }
    let plus = gained.iter().map(|scope| format!("+{}", name(scope)));
    let minus = lost.iter().map(|scope| format!("-{}", name(scope)));
    let signed: Vec<String> = plus.chain(minus).collect();
    format!(" scopes {}", cut(signed.into_iter(), " ", SCOPES_LISTED))
}

/// What changed of a declared instance itself: its method (" from `a` to
/// `b`") and its scopes (" scopes +`c`"), joined by a comma.
fn instance_change(change: &StructureChange, name: impl Fn(&str) -> String) -> String {
    let method = method_change(change, &name);
    let scopes = scope_change(&change.scopes_gained, &change.scopes_lost, &name);
    match (method.is_empty(), scopes.is_empty()) {
        (false, false) => format!("{method},{scopes}"),
        _ => method + &scopes,
    }
}

/// A requirement as an auth list writes it, `[oauth, oauth("a", "b")]`,
/// long lists cut.
fn requirement(method: &str, items: &[Vec<String>]) -> String {
    let items = items.iter().map(|scopes| {
        if scopes.is_empty() {
            return QuotedName(method).to_string();
        }
        let scopes = scopes.iter().map(|scope| QuotedName(scope).to_string());
        format!("{}({})", QuotedName(method), cut(scopes, ", ", LISTED))
    });
    format!("[{}]", cut(items, ", ", LISTED))
}

/// Requirements shown per connector; the rest are counted.
const REQUIREMENTS_SHOWN: usize = 20;

/// ", 2 requirements changed" when some did, else nothing: rules
/// without scopes keep their report.
fn requirements_count(count: usize) -> String {
    if count == 0 {
        return String::new();
    }
    format!(", {} changed", plural(count, "requirement"))
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
        "{} changed: {} gained, {} lost{}",
        plural(diff.summary.subjects_changed, "subject"),
        diff.summary.gained,
        diff.summary.lost,
        requirements_count(diff.requirements.len())
    ));
    for group in groups(diff) {
        say(format_args!(
            "\nconnector `{}`: {} gained, {} lost, {}{}",
            group.connector,
            group.gained(),
            group.lost(),
            plural(group.structure.len(), "structural change"),
            requirements_count(group.requirements.len())
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
                "  instance `{}` ({}, {} -> {}{}{declared}): +{} -{}",
                i.instance,
                i.status.as_str(),
                i.method_old.as_deref().unwrap_or("-"),
                i.method_new.as_deref().unwrap_or("-"),
                instance_scopes(i, |s| format!("`{s}`")),
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
        for r in group.requirements.iter().take(REQUIREMENTS_SHOWN) {
            let at = &r.place;
            say(format_args!(
                "  requirement of `{}` for `{}` ({}, {}:{}:{}): {} -> {}",
                r.endpoint,
                r.method,
                r.change.as_str(),
                at.file,
                at.line,
                at.column,
                requirement(&r.method, &r.old),
                requirement(&r.method, &r.new)
            ));
        }
        if group.requirements.len() > REQUIREMENTS_SHOWN {
            say(format_args!(
                "  and {} more changed requirements (--format json lists every one)",
                group.requirements.len() - REQUIREMENTS_SHOWN
            ));
        }
        if !group.structure.is_empty() {
            let items = group.structure.iter().map(|s| {
                let at = &s.place;
                let (kind, name, status) = (s.kind.as_str(), &s.name, s.status.as_str());
                format!(
                    "{kind} `{name}` {status}{} ({}:{}:{})",
                    instance_change(s, |m| format!("`{m}`")),
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

/// ", scopes +`a` -`b`" for an instance whose scopes changed, else
/// nothing.
fn instance_scopes(change: &InstanceChange, name: impl Fn(&str) -> String) -> String {
    let scopes = scope_change(&change.scopes_gained, &change.scopes_lost, name);
    if scopes.is_empty() {
        return scopes;
    }
    format!(",{scopes}")
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
        "**{} changed**: {} gained, {} lost{}\n",
        plural(diff.summary.subjects_changed, "subject"),
        diff.summary.gained,
        diff.summary.lost,
        requirements_count(diff.requirements.len())
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
                "- instance {} ({}{declared}{}): +{} −{}",
                span(&i.instance),
                i.status.as_str(),
                instance_scopes(i, span),
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
        for r in group.requirements.iter().take(REQUIREMENTS_SHOWN) {
            let at = &r.place;
            let _ = writeln!(
                text,
                "- requirement of {} for {} ({}) at {}: {} → {}",
                span(&r.endpoint),
                span(&r.method),
                r.change.as_str(),
                span(&format!("{}:{}:{}", at.file, at.line, at.column)),
                span(&requirement(&r.method, &r.old)),
                span(&requirement(&r.method, &r.new))
            );
        }
        if group.requirements.len() > REQUIREMENTS_SHOWN {
            let _ = writeln!(
                text,
                "- and {} more changed requirements (`--format json` lists every one)",
                group.requirements.len() - REQUIREMENTS_SHOWN
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
                instance_change(s, |m| span(m)),
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
