//! `duplicate`: a name declared more than once in its namespace.
//!
//! A name declared thirty times is one finding, not twenty-nine: later
//! declarations are gathered as they are found ([`Repeats`]), and once the
//! namespace is complete each name is reported once, with its first
//! declaration and the later ones labelled. Gathering costs one entry per
//! later declaration, and grouping sorts them: a connector with 1,500
//! endpoints each declared twice costs what reading them did.
//!
//! A report must not grow with the number of declarations either (an
//! OpenAPI import can declare one operation once per spec file, thirty
//! times): each label far from the others is a snippet of several lines,
//! so only the first declarations are labelled, and the help lists the
//! others by line, per file, cut like every list ([`also`]).

use super::Checker;
use crate::diagnostics::{Diagnostic, Problem};
use crate::source::{FileId, Sources, Span};
use crate::text;

/// At most this many later declarations of one name are labelled (the
/// first declaration is labelled too); the help lists the rest by line
/// ([`also`]). Labels far apart are a snippet each, some eight lines: with
/// the help, a report stays within forty lines.
pub(super) const LABELLED: usize = 2;

/// At most this many files are named in the list of the places not
/// labelled, one line each; the rest are counted.
const FILES_LISTED: usize = 4;

/// Where the declarations that are not labelled are, for the help: one
/// line per file, "also declared at lines 12, 40, 77 and 24 more" (the
/// file named, "in `b.gate`", unless every place is in `primary`'s file),
/// files after the first few counted. `verb` is what happened there,
/// e.g. `declared`. `None` when `spans` is empty.
pub(super) fn also(
    sources: &Sources,
    verb: &str,
    primary: FileId,
    spans: impl Iterator<Item = Span>,
) -> Option<String> {
    // (file, its lines), in the order the places come.
    let mut files: Vec<(FileId, Vec<usize>)> = Vec::new();
    for span in spans {
        let line = sources
            .get(span.file)
            .map_or(0, |file| file.line_of(span.start as usize));
        match files.iter_mut().find(|(file, _)| *file == span.file) {
            Some((_, lines)) => lines.push(line),
            None => files.push((span.file, vec![line])),
        }
    }
    if files.is_empty() {
        return None;
    }
    let named = files.iter().any(|(file, _)| *file != primary);
    let mut out: Vec<String> = files
        .iter()
        .take(FILES_LISTED)
        .map(|(file, lines)| {
            let place = match sources.get(*file).filter(|_| named) {
                Some(file) => format!(" in `{}`", file.name()),
                None => String::new(),
            };
            let word = if lines.len() == 1 { "line" } else { "lines" };
            let listed = text::join(lines.iter(), lines.len(), "and");
            format!("also {verb}{place} at {word} {listed}")
        })
        .collect();
    if let Some(rest) = files.get(FILES_LISTED..).filter(|rest| !rest.is_empty()) {
        let places: usize = rest.iter().map(|(_, lines)| lines.len()).sum();
        let files = if rest.len() == 1 { "file" } else { "files" };
        out.push(format!(
            "also {verb} in {} more {files} ({places} times)",
            rest.len()
        ));
    }
    Some(out.join("\n"))
}

/// The later declarations of names already declared in one namespace.
pub(super) struct Repeats {
    /// What kind of name, e.g. `endpoint`.
    what: &'static str,
    found: Vec<Repeat>,
}

/// One later declaration.
struct Repeat {
    /// Where the name is first declared: what groups the repeats of a name.
    first: Span,
    name: String,
    /// Where it is declared again.
    span: Span,
    /// What to say there, e.g. "declared again here, with the same auth
    /// list".
    label: String,
    /// Whether it says something other than the first declaration (an
    /// endpoint's auth list, a method's type): only the first counts.
    differs: bool,
}

impl Repeats {
    pub(super) fn new(what: &'static str) -> Self {
        Repeats {
            what,
            found: Vec::new(),
        }
    }

    /// Notes that `name`, first declared at `first`, is declared again at
    /// `span`.
    pub(super) fn add(&mut self, name: &str, first: Span, span: Span) {
        self.add_labelled(name, first, span, "declared again here".to_owned(), false);
    }

    /// [`Repeats::add`] with what to say at `span`; `differs` when this
    /// declaration says something other than the first.
    pub(super) fn add_labelled(
        &mut self,
        name: &str,
        first: Span,
        span: Span,
        label: String,
        differs: bool,
    ) {
        self.found.push(Repeat {
            first,
            name: name.to_owned(),
            span,
            label,
            differs,
        });
    }

    /// How many later declarations were noted.
    pub(super) fn len(&self) -> usize {
        self.found.len()
    }

    /// Forgets the later declarations from the `len`th on (those of a file
    /// that turned out not to parse).
    pub(super) fn truncate(&mut self, len: usize) {
        self.found.truncate(len);
    }
}

impl Checker<'_> {
    /// Reports each name of `repeats` once: the primary label on its
    /// second declaration, the first and later ones labelled too.
    pub(super) fn report_repeats(&mut self, repeats: Repeats) {
        let Repeats { what, mut found } = repeats;
        // Stable: each name's declarations stay in the order they came.
        found.sort_by_key(|repeat| repeat.first);
        let mut rest = found.as_slice();
        while let Some(head) = rest.first() {
            let count = rest
                .iter()
                .take_while(|repeat| repeat.first == head.first)
                .count();
            let (group, tail) = rest.split_at(count);
            rest = tail;
            let mut builder = Diagnostic::build(
                Problem::Duplicate {
                    what,
                    name: head.name.clone(),
                    count: count + 1,
                },
                head.span,
                head.label.clone(),
            )
            .label(head.first, "first declared here");
            let labelled = group.len().min(LABELLED);
            for repeat in group.iter().take(labelled).skip(1) {
                builder = builder.label(repeat.span, repeat.label.clone());
            }
            let mut help = if count == 1 {
                format!("rename or remove one of the two; {what} names must be unique")
            } else {
                format!(
                    "rename or remove all but one of the {}; {what} names must be unique",
                    count + 1
                )
            };
            if group.iter().any(|repeat| repeat.differs) {
                help.push_str("; only the first declaration counts");
            }
            let unlabelled = group.iter().skip(labelled).map(|repeat| repeat.span);
            if let Some(also) = also(self.sources, "declared", head.span.file, unlabelled) {
                help.push('\n');
                help.push_str(&also);
            }
            self.emit(builder.help(help));
        }
    }
}
