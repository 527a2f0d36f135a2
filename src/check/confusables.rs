//! `confusable_name`: names that a person reading the rules can't tell
//! apart, as rustc's `confusable_idents` and `mixed_script_confusables`
//! lints find them (Unicode Technical Standard #39, through the
//! `unicode-security` crate that rustc uses).
//!
//! In one namespace, a name is reported when it has the same skeleton as
//! an earlier, different name (`café` in NFC and in NFD; Cyrillic `а` in
//! `mаster` beside `master`; a zero-width space), unless both are plain
//! ASCII (`rn` and `m` are confusable by the standard, but flagging
//! ASCII names would be noise); and when it holds a hidden character
//! (control, invisible or bidirectional control) or mixes scripts with
//! letters that look like another script's (Cyrillic `а` among Latin
//! letters; `注文ID` mixes Han and Latin in earnest and is left alone).
//! Namespaces of plain ASCII names, almost all of them, cost one scan of
//! their bytes.

use std::collections::hash_map::Entry;

use unicode_security::{MixedScript as _, is_potential_mixed_script_confusable_char, skeleton};

use super::{Checker, Map};
use crate::diagnostics::{Builder, Diagnostic, Problem};
use crate::source::Span;
use crate::text;

/// Whether a name needs a closer look: anything but printable ASCII.
pub(super) fn is_unusual(name: &str) -> bool {
    name.bytes().any(|b| !(b' '..=b'~').contains(&b))
}

impl Checker<'_> {
    /// Lints the names of one namespace, in declaration order; `what`
    /// says what they name (`endpoint`, `instance`...).
    pub(super) fn confusables<'n>(
        &mut self,
        what: &'static str,
        names: impl Iterator<Item = (&'n str, Span)> + Clone,
    ) {
        for builder in find(what, names) {
            self.emit(builder);
        }
    }
}

/// The `confusable_name` warnings of one namespace; see
/// [`Checker::confusables`].
pub(super) fn find<'n>(
    what: &'static str,
    names: impl Iterator<Item = (&'n str, Span)> + Clone,
) -> Vec<Builder> {
    let mut found = Vec::new();
    if !names.clone().any(|(name, _)| is_unusual(name)) {
        return found;
    }
    let mut seen: Map<String, (&str, Span)> = Map::default();
    for (name, span) in names {
        let problem = |why: String| Problem::ConfusableName {
            what,
            name: name.to_owned(),
            why,
        };
        match seen.entry(skeleton(name).collect()) {
            Entry::Occupied(first) => {
                let (other, first) = *first.get();
                if other != name && (is_unusual(other) || is_unusual(name)) {
                    found.push(
                        Diagnostic::build(
                            problem(format!("looks like `{other}`")),
                            span,
                            format!("looks like `{other}`"),
                        )
                        .label(first, "the name it looks like")
                        .help(format!(
                            "rename one of the two; they differ only in characters that \
                                 look alike or can't be seen ({} and {})",
                            codepoints(other),
                            codepoints(name)
                        )),
                    );
                    continue;
                }
            }
            Entry::Vacant(slot) => {
                slot.insert((name, span));
            }
        }
        if name.chars().any(text::is_hidden) {
            found.push(
                Diagnostic::build(
                    problem("holds a hidden character".to_owned()),
                    span,
                    "a control, invisible or bidirectional-control character",
                )
                .help(format!(
                    "remove the character that can't be seen; the name is {}",
                    codepoints(name)
                )),
            );
        } else if mixes_look_alike_scripts(name) {
            found.push(
                Diagnostic::build(
                    problem("mixes scripts".to_owned()),
                    span,
                    "letters of more than one script",
                )
                .help(format!(
                    "write the name in one script; letters of another script can look \
                         the same ({})",
                    codepoints(name)
                )),
            );
        }
    }
    found
}

/// Whether `name` mixes scripts in a way made to deceive: it is not
/// single-script, and every character beyond ASCII may be confused with
/// a character of another script (Cyrillic `а` among Latin letters). A
/// name that mixes scripts openly (`注文ID`, Han and Latin) is left alone,
/// as rustc's `mixed_script_confusables` does for scripts used in earnest.
fn mixes_look_alike_scripts(name: &str) -> bool {
    !name.is_single_script()
        && name
            .chars()
            .filter(|c| !c.is_ascii())
            .all(is_potential_mixed_script_confusable_char)
}

/// The code points of a name that are not printable ASCII, for telling
/// look-alikes apart: `` `mаster` has U+0430 ``.
fn codepoints(name: &str) -> String {
    let unusual: Vec<String> = name
        .chars()
        .filter(|&c| !(' '..='~').contains(&c))
        .take(4)
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    if unusual.is_empty() {
        format!("`{name}` is plain ASCII")
    } else {
        format!("`{}` has {}", text::escape(name), unusual.join(" "))
    }
}
