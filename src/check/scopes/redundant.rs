//! `redundant_alternative`: an auth-list item another item of the same
//! list implies (same method, a subset of its scopes). Two searches find
//! the same items: pairwise for short lists (nearly every list: nothing
//! allocated), hash look-ups for long ones (a generated list may hold
//! 10,000 items of one method), and a property test holds them together.

use super::id;
use crate::check::model::is_subset;
use crate::check::{Checker, Map};
use crate::diagnostics::{Diagnostic, Problem};
use crate::syntax::quote_name;
use crate::syntax::tree::{List, Name, Scopes};

/// An item of up to this many distinct scopes finds the items that imply
/// it for `redundant_alternative` by looking up each of its proper subsets
/// (at most 2^8 - 2); a larger one compares itself with the smaller sets.
const ENUMERATED: usize = 8;

/// An auth list of up to this many items finds its redundant items by
/// comparing them pairwise ([`implied_pairwise`]).
const PAIRWISE: usize = 16;

/// The farthest apart, in bytes, that `redundant_alternative` labels the
/// item that implies the one reported.
const NEAR: u32 = 1_000;

/// How an item is written canonically, e.g. `oauth("a", "b")`.
fn item_text(method: &str, scopes: Option<&Scopes<'_>>) -> String {
    match scopes {
        None => quote_name(method),
        Some(scopes) => {
            let names: Vec<String> = scopes.names.iter().map(|n| quote_name(&n.text)).collect();
            format!("{}({})", quote_name(method), names.join(", "))
        }
    }
}

impl Checker<'_> {
    /// `redundant_alternative` for each item another item of `auth`
    /// implies, compared by the names written (so before, and whether or
    /// not, the names resolve).
    ///
    /// Linear in the list for items of up to [`ENUMERATED`] scopes: plain
    /// and single-scope items are hash look-ups, an item of several scopes
    /// looks up each of its proper subsets (at most 2^[`ENUMERATED`]) in a
    /// map of the sets written. Only items of more scopes are compared
    /// with the distinct smaller sets, in list order until the first that
    /// implies them, each comparison the smaller set's length.
    pub(super) fn redundant_items(&mut self, auth: &List<'_>) {
        if auth.scopes.is_empty() {
            return;
        }
        let found = if auth.items.len() <= PAIRWISE {
            implied_pairwise(auth)
        } else {
            implied_by_lookups(auth)
        };
        for (index, by) in found {
            let (Some(item), Some(implied_by)) = (auth.items.get(index), auth.items.get(by)) else {
                continue;
            };
            let scopes = auth.scopes_of(index);
            let by_scopes = auth.scopes_of(by);
            let span = scopes.map_or(item.span, |s| item.span.to(s.span));
            let by_span = by_scopes.map_or(implied_by.span, |s| implied_by.span.to(s.span));
            let by_text = item_text(&implied_by.text, by_scopes);
            let mut diagnostic = Diagnostic::build(
                Problem::RedundantAlternative {
                    item: item_text(&item.text, scopes),
                    by: by_text.clone(),
                },
                span,
                "never decides anything",
            );
            // Two labels far apart on one long line (a generated list of
            // thousands of items) would be drawn as one snippet as wide as
            // the distance: the help names the other item instead.
            if span.start.abs_diff(by_span.start) <= NEAR {
                diagnostic = diagnostic.label(by_span, "grants the endpoint with fewer scopes");
            }
            self.emit(diagnostic.help(format!(
                "remove it: every instance it admits is admitted by `{by_text}`"
            )));
        }
    }
}

/// The items of `auth` that another item implies, each with the first
/// item that implies it (see [`Checker::redundant_items`]), by hash
/// look-ups: linear in the list.
fn implied_by_lookups(auth: &List<'_>) -> Vec<(usize, usize)> {
    // Per method: the first plain item and the first item of each
    // single scope.
    let mut plain: Map<&str, usize> = Map::default();
    let mut single: Map<(&str, &str), usize> = Map::default();
    let mut several = Several::default();
    for (index, method) in auth.items.iter().enumerate() {
        match auth.scopes_of(index) {
            None => {
                plain.entry(&method.text).or_insert(index);
            }
            Some(scopes) => {
                if let [one] = scopes.names.as_slice() {
                    single.entry((&method.text, &one.text)).or_insert(index);
                } else {
                    several.add(
                        index,
                        &method.text,
                        scopes.names.iter().map(|n| n.text.as_ref()),
                    );
                }
            }
        }
    }
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (index, method) in auth.items.iter().enumerate() {
        let Some(scopes) = auth.scopes_of(index) else {
            continue;
        };
        if let Some(&by) = plain.get(method.text.as_ref()) {
            found.push((index, by));
            continue;
        }
        // A single-scope item implies every item needing that scope
        // (an identical later item included).
        let by_single = scopes.names.iter().find_map(|scope| {
            single
                .get(&(method.text.as_ref(), scope.text.as_ref()))
                .copied()
                .filter(|&by| by != index)
        });
        if let Some(by) = by_single {
            found.push((index, by));
            continue;
        }
        if scopes.names.len() >= 2
            && let Some(by) = several.implied_by(index)
        {
            found.push((index, by));
        }
    }
    found
}

/// [`implied_by_lookups`] for a short list, by comparing its items pairwise
/// with nothing allocated but the findings: nearly every endpoint lists a
/// few items, and building maps for them was a third of checking a file of
/// scoped endpoints. Finds what the look-ups find, the same implying item
/// included (a test holds them together).
fn implied_pairwise(auth: &List<'_>) -> Vec<(usize, usize)> {
    // Each item's scopes and its method as the index of the method's first
    // item, looked up once.
    let mut scopes_of: [Option<&[Name<'_>]>; PAIRWISE] = [None; PAIRWISE];
    let mut method_of = [0usize; PAIRWISE];
    for (index, ((scopes, first), method)) in scopes_of
        .iter_mut()
        .zip(method_of.iter_mut())
        .zip(&auth.items)
        .enumerate()
    {
        *scopes = auth.scopes_of(index).map(|s| &s.names[..]);
        *first = auth
            .items
            .iter()
            .position(|m| m.text == method.text)
            .unwrap_or(index);
    }
    let names = |index: usize| scopes_of.get(index).copied().flatten();
    // Whether every scope of `a` is one of `b`'s.
    let within =
        |a: &[Name<'_>], b: &[Name<'_>]| a.iter().all(|x| b.iter().any(|y| x.text == y.text));
    let distinct = |a: &[Name<'_>]| {
        a.iter()
            .enumerate()
            .filter(|(at, x)| !a.iter().take(*at).any(|y| y.text == x.text))
            .count()
    };
    let mut found = Vec::new();
    let count = auth.items.len().min(PAIRWISE);
    for index in 0..count {
        let Some(scopes) = names(index) else {
            continue;
        };
        let method = method_of.get(index);
        let others = || (0..count).filter(move |&other| method_of.get(other) == method);
        // Alone in the list with its method: implied by nothing.
        if others().nth(1).is_none() {
            continue;
        }
        // The first plain item of the method.
        if let Some(by) = others().find(|&other| names(other).is_none()) {
            found.push((index, by));
            continue;
        }
        // For each scope in the order written, the first item of the
        // method that needs only that scope, unless it is this one.
        let by_single = scopes.iter().find_map(|scope| {
            others()
                .find(|&other| {
                    names(other).is_some_and(|o| matches!(o, [one] if one.text == scope.text))
                })
                .filter(|&by| by != index)
        });
        if let Some(by) = by_single {
            found.push((index, by));
            continue;
        }
        if scopes.len() < 2 {
            continue;
        }
        // Items of several scopes (or none): the first earlier one with
        // the same set, and the first one with a proper subset (non-empty
        // unless the set is too large to enumerate its subsets).
        let enumerated = distinct(scopes) <= ENUMERATED;
        let several =
            || others().filter_map(|other| Some((other, names(other).filter(|o| o.len() != 1)?)));
        let same = several()
            .find(|(_, o)| within(o, scopes) && within(scopes, o))
            .map(|(other, _)| other)
            .filter(|&other| other < index);
        let smaller = several()
            .find(|(_, o)| {
                within(o, scopes) && !within(scopes, o) && (!enumerated || !o.is_empty())
            })
            .map(|(other, _)| other);
        let by = match (same, smaller) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(by) = by {
            found.push((index, by));
        }
    }
    found
}

/// The items of an auth list that name several scopes, for
/// `redundant_alternative`: each one's set of scope names (as sorted ids
/// local to the list, per method), and each distinct set's first item.
#[derive(Default)]
struct Several<'a> {
    /// Scope names to local ids, per method name.
    ids: Map<(&'a str, &'a str), u32>,
    /// Per item index: its method's key and its set.
    items: Map<usize, (&'a str, Box<[u32]>)>,
    /// Per method, each distinct set and the first item that writes it.
    first: Map<&'a str, Map<Box<[u32]>, usize>>,
    /// The distinct sets per method, by first item: what an item of more
    /// than [`ENUMERATED`] scopes is compared with.
    distinct: Map<&'a str, Vec<FirstSet>>,
}

/// A distinct set of scope ids and the first item that writes it.
type FirstSet = (usize, Box<[u32]>);

impl<'a> Several<'a> {
    fn add(&mut self, index: usize, method: &'a str, names: impl Iterator<Item = &'a str>) {
        let mut set: Vec<u32> = names
            .map(|name| {
                let next = id(self.ids.len());
                *self.ids.entry((method, name)).or_insert(next)
            })
            .collect();
        set.sort_unstable();
        set.dedup();
        let set = set.into_boxed_slice();
        let first = self.first.entry(method).or_default();
        if !first.contains_key(&set) {
            first.insert(set.clone(), index);
            self.distinct
                .entry(method)
                .or_default()
                .push((index, set.clone()));
        }
        self.items.insert(index, (method, set));
    }

    /// The first item (in list order) that implies item `index`: a proper
    /// subset of its set, or the same set written earlier.
    fn implied_by(&self, index: usize) -> Option<usize> {
        let (method, set) = self.items.get(&index)?;
        let first = self.first.get(method)?;
        let same = first.get(set).copied().filter(|&first| first < index);
        let smaller = if set.len() <= ENUMERATED {
            first_subset_enumerated(first, set)
        } else {
            self.first_subset_compared(method, set)
        };
        match (same, smaller) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The first item whose set is a proper subset of `set`, by comparing
    /// with each smaller distinct set in list order.
    fn first_subset_compared(&self, method: &'a str, set: &[u32]) -> Option<usize> {
        let sets = self.distinct.get(method)?;
        sets.iter()
            .find(|(_, other)| other.len() < set.len() && is_subset(other, set))
            .map(|&(first, _)| first)
    }
}

/// The first item whose set (in `first`, a method's distinct sets) is a
/// proper, non-empty subset of `set`, by looking each subset up.
fn first_subset_enumerated(first: &Map<Box<[u32]>, usize>, set: &[u32]) -> Option<usize> {
    let full = (1u32 << set.len()) - 1;
    let mut subset = Vec::with_capacity(set.len());
    let mut best: Option<usize> = None;
    for mask in 1..full {
        subset.clear();
        subset.extend(
            set.iter()
                .enumerate()
                .filter(|(bit, _)| mask >> bit & 1 == 1)
                .map(|(_, &scope)| scope),
        );
        if let Some(&found) = first.get(subset.as_slice()) {
            best = Some(best.map_or(found, |b: usize| b.min(found)));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use proptest::prelude::*;

    use super::*;
    use crate::source::{Sources, Span};
    use crate::syntax::tree::{Scoped, Scopes};

    /// An auth list of methods `a` and `b`, each item plain or with scopes
    /// drawn from twelve (repeats and, rarely, none included).
    fn list() -> impl Strategy<Value = Vec<(u8, Option<Vec<u8>>)>> {
        let scopes = prop_oneof![
            6 => prop::collection::vec(0..5u8, 1..4),
            1 => prop::collection::vec(0..12u8, 0..12),
        ];
        prop::collection::vec((0..2u8, prop::option::weighted(0.8, scopes)), 1..=PAIRWISE)
    }

    proptest! {
        /// Short lists are compared pairwise, long ones through look-ups:
        /// both find the same items, implied by the same items.
        #[test]
        fn pairwise_and_look_ups_find_the_same_redundant_items(items in list()) {
            let mut sources = Sources::new();
            let file = sources.add("t.gate", "");
            let name = |text: String| Name { text: Cow::Owned(text), span: Span::new(file, 0, 0) };
            let auth = List {
                items: items.iter().map(|(m, _)| name(format!("m{m}"))).collect(),
                scopes: items
                    .iter()
                    .enumerate()
                    .filter_map(|(item, (_, scopes))| {
                        Some(Scoped {
                            item,
                            scopes: Scopes {
                                names: scopes.as_ref()?.iter().map(|s| name(format!("s{s}"))).collect(),
                                span: Span::new(file, 0, 0),
                            },
                        })
                    })
                    .collect(),
                span: Span::new(file, 0, 0),
            };
            prop_assert_eq!(implied_pairwise(&auth), implied_by_lookups(&auth));
        }
    }
}
