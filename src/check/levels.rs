//! Lint levels, applied to a run's diagnostics once checking
//! is done: `// authgate: allow(LINT, ...)` directives on the line before
//! an item or member (they cover it and everything inside it), then the
//! project's `[lints]` levels (`allow` drops a warning, `deny` makes it an
//! error). Errors can't be allowed. A lint name that names no warning is
//! itself a warning (`unknown_lint`), and so is a directive that
//! suppresses nothing (`unused_allow`); both obey `[lints]` too.
//!
//! Only files that mention `authgate:` are read for directives (parsed a
//! second time, into a tree, for the spans of their items), so rule sets
//! without directives pay one substring search per file.

use crate::diagnostics::{self, Builder, Code, Diagnostic, Problem, Severity};
use crate::source::{SourceFile, Sources, Span};
use crate::syntax::tree::{CommentKind, Item, Member};
use crate::text::suggest;

/// How a warning is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning (the default).
    Warn,
    /// Reported as an error: the rules don't compile, `check` fails.
    Deny,
}

/// A `[lints]` entry: a code's name, its level, and where it is written.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LintLevel {
    /// The code's short name, as written (it may name no warning).
    pub name: String,
    /// The level.
    pub level: Level,
    /// Where the name is written in `authgate.toml`.
    pub span: Span,
}

/// The lint levels of a project; empty means every warning warns.
#[derive(Clone, Debug, Default)]
pub struct Lints {
    /// The `[lints]` entries, in the file's (sorted) order.
    pub levels: Vec<LintLevel>,
}

impl Lints {
    /// The level the project sets for the code named `name`.
    pub fn level(&self, name: &str) -> Level {
        self.levels
            .iter()
            .find(|entry| entry.name == name)
            .map_or(Level::Warn, |entry| entry.level)
    }
}

/// The `allow` directives over one item or member: what they cover and
/// the lints they name.
struct Directive {
    /// The item or member on the next line; `None` when there is none.
    scope: Option<Span>,
    /// 0 for an item, 1 for a member: scopes of one level never overlap,
    /// so the one around a place is found by binary search.
    level: u8,
    /// Each lint named, where, and whether it suppressed something.
    lints: Vec<(&'static str, Span, bool)>,
}

impl Directive {
    /// The order directives are searched in.
    fn key(&self) -> (u8, usize, u32) {
        match self.scope {
            Some(scope) => (self.level, scope.file.index(), scope.start),
            // Directives over nothing sort last and are never found.
            None => (u8::MAX, 0, 0),
        }
    }
}

/// Applies directives and lint levels to `diagnostics`; returns them,
/// with the warnings about lint names and directives, sorted.
pub(crate) fn apply(
    sources: &Sources,
    diagnostics: Vec<Diagnostic>,
    lints: &Lints,
) -> Vec<Diagnostic> {
    let mut found: Vec<Builder> = Vec::new();
    for entry in &lints.levels {
        if let Err(builder) = lint_named(&entry.name, entry.span) {
            found.push(builder);
        }
    }
    let mut directives: Vec<Directive> = sources
        .iter()
        .filter(|file| file.is_rules() && file.text().contains("authgate:"))
        .flat_map(|file| directives(sources, file, &mut found))
        .collect();
    directives.sort_by_key(Directive::key);
    let mut kept = Vec::with_capacity(diagnostics.len());
    for mut diagnostic in diagnostics {
        if diagnostic.code().severity() == Severity::Warning {
            let name = diagnostic.code().name();
            if let Some(span) = diagnostic.primary_span()
                && allowed(&mut directives, name, span)
            {
                continue;
            }
            match lints.level(name) {
                Level::Allow => continue,
                Level::Deny => diagnostic.deny(),
                Level::Warn => {}
            }
        }
        kept.push(diagnostic);
    }
    for directive in &directives {
        for &(lint, span, used) in &directive.lints {
            if !used {
                found.push(
                    Diagnostic::build(
                        Problem::UnusedAllow {
                            lint: lint.to_owned(),
                        },
                        span,
                        match directive.scope {
                            Some(_) => "no such warning in the item below",
                            None => "no item on the next line",
                        },
                    )
                    .help(
                        "remove it, or put the directive on the line right above the item the \
                         warning is about",
                    ),
                );
            }
        }
    }
    for builder in found {
        let mut diagnostic = builder.finish(sources);
        match lints.level(diagnostic.code().name()) {
            Level::Allow => continue,
            Level::Deny => diagnostic.deny(),
            Level::Warn => {}
        }
        kept.push(diagnostic);
    }
    diagnostics::sort(&mut kept);
    kept
}

/// Whether a directive covering `span` allows the lint `name`; marks it
/// used. Directives are sorted by [`Directive::key`]: per level, the one
/// whose scope starts last at or before `span` is the only candidate.
fn allowed(directives: &mut [Directive], name: &str, span: Span) -> bool {
    let mut any = false;
    for level in [0, 1] {
        let key = (level, span.file.index(), span.start);
        let after = directives.partition_point(|directive| directive.key() <= key);
        let Some(directive) = after.checked_sub(1).and_then(|at| directives.get_mut(at)) else {
            continue;
        };
        let Some(scope) = directive.scope else {
            continue;
        };
        if directive.level != level || scope.file != span.file || span.end > scope.end {
            continue;
        }
        for (lint, _, used) in &mut directive.lints {
            if *lint == name {
                *used = true;
                any = true;
            }
        }
    }
    any
}

/// The code a lint name names, or the `unknown_lint` warning that says
/// why it can't be used.
fn lint_named(name: &str, span: Span) -> Result<&'static str, Builder> {
    match Code::ALL.iter().find(|code| code.name() == name) {
        Some(code) if code.severity() == Severity::Warning => Ok(code.name()),
        Some(code) => Err(Diagnostic::build(
            Problem::UnknownLint {
                what: format!("`{name}` is an error, not a lint"),
            },
            span,
            "errors can't be allowed or denied",
        )
        .help(format!(
            "fix what `authgate::{}` reports; only warnings have levels",
            code.name()
        ))),
        None => {
            let warnings = Code::ALL
                .iter()
                .filter(|code| code.severity() == Severity::Warning)
                .map(|code| code.name());
            let help = match suggest::closest(name, warnings) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "name a warning code, e.g. `never_activated`".to_owned(),
            };
            Err(Diagnostic::build(
                Problem::UnknownLint {
                    what: format!("unknown lint `{name}`"),
                },
                span,
                "no warning has this name",
            )
            .help(help))
        }
    }
}

/// The `allow` directives of `file`.
fn directives(sources: &Sources, file: &SourceFile, found: &mut Vec<Builder>) -> Vec<Directive> {
    // A file that does not parse has its syntax error; its directives
    // cover nothing that could be reported.
    let Ok(tree) = crate::syntax::parse(sources, file) else {
        return Vec::new();
    };
    // Every item (level 0) and member (level 1), in source order.
    let mut targets: Vec<(Span, u8)> = Vec::new();
    for item in &tree.items {
        match item {
            Item::Connector(connector) => {
                targets.push((connector.span, 0));
                targets.extend(connector.members.iter().map(|member| match member {
                    Member::Method(method) => (method.span, 1),
                    Member::Endpoint(endpoint) => (endpoint.span, 1),
                }));
            }
            Item::Instance(instance) => targets.push((instance.span, 0)),
            Item::Flow(flow) => targets.push((flow.span, 0)),
            Item::Test(test) => targets.push((test.span, 0)),
        }
    }
    targets.sort_by_key(|(span, _)| span.start);
    // The lines that hold a line comment and nothing else, ascending.
    let comment_lines: Vec<usize> = tree
        .comments
        .iter()
        .filter(|comment| comment.kind == CommentKind::Line && starts_its_line(file, comment.span))
        .map(|comment| file.line_of(comment.span.start as usize))
        .collect();
    let mut directives: Vec<Directive> = Vec::new();
    for comment in &tree.comments {
        if comment.kind != CommentKind::Line {
            continue;
        }
        let Some(body) = comment.text.strip_prefix("//") else {
            continue;
        };
        let Some(rest) = body.trim_start().strip_prefix("authgate:") else {
            continue;
        };
        // Offsets into the file of `rest`.
        let rest_at = comment.span.start as usize + (comment.text.len() - rest.len());
        let Some(list) = rest
            .trim()
            .strip_prefix("allow(")
            .and_then(|list| list.strip_suffix(')'))
        else {
            found.push(
                Diagnostic::build(
                    Problem::UnknownLint {
                        what: format!("unknown directive `authgate:{rest}`"),
                    },
                    comment.span,
                    "not an allow directive",
                )
                .help("write `// authgate: allow(LINT, ...)` on the line above an item"),
            );
            continue;
        };
        let list_at = rest_at + rest.find("allow(").map_or(0, |at| at + "allow(".len());
        let mut lints = Vec::new();
        let mut offset = 0;
        for name in list.split(',') {
            let start = list_at + offset + (name.len() - name.trim_start().len());
            offset += name.len() + 1;
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            let span = Span::new(comment.span.file, start, start + name.len());
            match lint_named(name, span) {
                Ok(lint) => lints.push((lint, span, false)),
                Err(builder) => found.push(builder),
            }
        }
        let next = targets.partition_point(|(target, _)| target.start < comment.span.end);
        let target = targets
            .get(next)
            .copied()
            .filter(|(target, _)| on_the_next_line(file, &comment_lines, comment.span, *target));
        // Stacked directives over one item share its entry.
        match directives
            .last_mut()
            .filter(|last| last.scope.is_some() && last.scope == target.map(|(span, _)| span))
        {
            Some(last) => last.lints.extend(lints),
            None => directives.push(Directive {
                scope: target.map(|(span, _)| span),
                level: target.map_or(0, |(_, level)| level),
                lints,
            }),
        }
    }
    directives
}

/// Whether nothing but blanks precedes `span` on its line.
fn starts_its_line(file: &SourceFile, span: Span) -> bool {
    let text = file.text();
    let before = text.get(..span.start as usize).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    before
        .get(line_start..)
        .is_some_and(|rest| rest.trim().is_empty())
}

/// Whether `target` starts its line, on the line after `comment`'s or
/// after lines that hold only comments (several directives may stack).
fn on_the_next_line(
    file: &SourceFile,
    comment_lines: &[usize],
    comment: Span,
    target: Span,
) -> bool {
    let from = file.line_of(comment.start as usize);
    let to = file.line_of(target.start as usize);
    if to <= from || !starts_its_line(file, target) {
        return false;
    }
    let first = comment_lines.partition_point(|&line| line <= from);
    let last = comment_lines.partition_point(|&line| line < to);
    last.saturating_sub(first) == to - from - 1
}
