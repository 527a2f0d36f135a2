//! `duplicate`: a name declared more than once in its namespace.
//!
//! A name declared thirty times is one finding, not twenty-nine: later
//! declarations are gathered as they are found ([`Repeats`]), and once the
//! namespace is complete each name is reported once, with its first
//! declaration and the later ones labelled. Gathering costs one entry per
//! later declaration, and grouping sorts them: a connector with 1,500
//! endpoints each declared twice costs what reading them did.

use super::Checker;
use crate::diagnostics::{Diagnostic, Problem};
use crate::source::Span;

/// At most this many later declarations of one name are labelled; the
/// help counts the rest. Finishing a diagnostic compares each label with
/// the snippets made so far, so labels must stay few.
pub(super) const LABELLED: usize = 32;

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
            for repeat in group.iter().skip(1).take(LABELLED - 1) {
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
            if count > LABELLED {
                help.push_str(&format!(
                    "\n{} more declarations are not labelled",
                    count - LABELLED
                ));
            }
            self.emit(builder.help(help));
        }
    }
}
