//! Requirements: what an endpoint asks of an instance of a method, the
//! scope sets of the items of its list that name the method, compared
//! between OLD and NEW by the instances they admit.
//!
//! An item `(M, S)` admits an instance of M holding H when S ⊆ H (the
//! plain item: S empty); a requirement admits what any of its items
//! admits. NEW admits every instance OLD admits exactly when NEW admits
//! an instance holding just the scopes of each OLD item (holding more
//! only helps). That test looks each subset of an OLD item of at most 8
//! scopes up in a set of NEW's items, and compares larger items with
//! every NEW item; it runs only for a pair whose items differ. Scopes are
//! compared by name: the two sides share no ids.
//!
//! Only (endpoint, method) pairs where a side names scopes are looked at,
//! and only for methods that declare scopes on a side: rules without
//! scopes cost nothing here and list nothing.

use std::collections::HashSet;

use super::{Place, RequirementChange, Shift};
use crate::policy::{ConnectorId, EndpointId, MethodId, Policy};

/// Items of up to this many scopes are tested by looking up their
/// subsets (2^8 look-ups at most); larger ones by comparing with every
/// item of the other side.
const SUBSETS_UP_TO: usize = 8;

/// Appends to `out` the changed requirements of the connector `old_c` in
/// OLD and `new_c` in NEW (the same connector by name), in NEW's order of
/// endpoints, then of methods.
pub(super) fn compare_connector(
    old: &Policy,
    new: &Policy,
    old_c: ConnectorId,
    new_c: ConnectorId,
    connector: &str,
    out: &mut Vec<RequirementChange>,
) {
    let declares = |p: &Policy, m: MethodId| p.declared_scopes(m).next().is_some();
    // Methods on both sides that declare scopes on one of them: only
    // their items can name scopes.
    let methods: Vec<(MethodId, MethodId)> = new
        .methods(new_c)
        .filter_map(|new_m| {
            let old_m = old.method(old_c, new.method_name(new_m)?)?;
            (declares(old, old_m) || declares(new, new_m)).then_some((old_m, new_m))
        })
        .collect();
    if methods.is_empty() {
        return;
    }
    for new_e in new.endpoints(new_c) {
        let name = new.endpoint_name(new_e).unwrap_or_default();
        let Some(old_e) = old.endpoint(old_c, name) else {
            continue;
        };
        for &(old_m, new_m) in &methods {
            let names_scopes = old.scoped_items(old_m, old_e).next().is_some()
                || new.scoped_items(new_m, new_e).next().is_some();
            if !names_scopes {
                continue;
            }
            let (before, after) = (written(old, old_m, old_e), written(new, new_m, new_e));
            let Some(change) = shift(&before, &after) else {
                continue;
            };
            out.push(RequirementChange {
                connector: connector.to_owned(),
                endpoint: name.to_owned(),
                method: new.method_name(new_m).unwrap_or_default().to_owned(),
                old: owned(before),
                new: owned(after),
                change,
                place: Place::of(new.endpoint_location(new_e)),
            });
        }
    }
}

/// The requirement of `endpoint` for `method` as the diff writes it: the
/// plain item first (an empty list), then each item with scopes, in the
/// rules' order.
fn written(policy: &Policy, method: MethodId, endpoint: EndpointId) -> Vec<Vec<&str>> {
    let plain = policy.is_available(method, endpoint).then(Vec::new);
    plain
        .into_iter()
        .chain(
            policy
                .scoped_items(method, endpoint)
                .map(|item| policy.item_scopes(item).collect()),
        )
        .collect()
}

fn owned(items: Vec<Vec<&str>>) -> Vec<Vec<String>> {
    items
        .into_iter()
        .map(|scopes| scopes.into_iter().map(str::to_owned).collect())
        .collect()
}

/// Each item's scopes sorted without repeats, the items sorted without
/// repeats: two requirements written alike in this form admit the same.
fn canonical<'a>(items: &[Vec<&'a str>]) -> Vec<Vec<&'a str>> {
    let mut sets: Vec<Vec<&str>> = items
        .iter()
        .map(|scopes| {
            let mut set = scopes.clone();
            set.sort_unstable();
            set.dedup();
            set
        })
        .collect();
    sets.sort_unstable();
    sets.dedup();
    sets
}

/// How the requirement changed from `old` to `new`; `None` when both
/// admit the same instances.
pub(super) fn shift(old: &[Vec<&str>], new: &[Vec<&str>]) -> Option<Shift> {
    let (old, new) = (canonical(old), canonical(new));
    if old == new {
        return None;
    }
    let widens = covers(&new, &old);
    let narrows = covers(&old, &new);
    match (widens, narrows) {
        (true, true) => None,
        (true, false) => Some(Shift::Widened),
        (false, true) => Some(Shift::Narrowed),
        (false, false) => Some(Shift::Changed),
    }
}

/// Whether `outer` admits every instance `inner` admits: each of
/// `inner`'s sets holds some set of `outer` (sets sorted, no repeats).
fn covers(outer: &[Vec<&str>], inner: &[Vec<&str>]) -> bool {
    let lookup: HashSet<&[&str]> = outer.iter().map(Vec::as_slice).collect();
    inner.iter().all(|held| admits(outer, &lookup, held))
}

/// Whether an instance holding exactly `held` is admitted by some set of
/// `outer` (`lookup` holds the same sets).
fn admits(outer: &[Vec<&str>], lookup: &HashSet<&[&str]>, held: &[&str]) -> bool {
    if held.len() <= SUBSETS_UP_TO {
        let mut subset: Vec<&str> = Vec::with_capacity(held.len());
        (0u32..1 << held.len()).any(|mask| {
            subset.clear();
            subset.extend(
                held.iter()
                    .enumerate()
                    .filter(|(at, _)| mask >> at & 1 == 1)
                    .map(|(_, scope)| *scope),
            );
            lookup.contains(subset.as_slice())
        })
    } else {
        outer.iter().any(|needed| is_subset(needed, held))
    }
}

/// Whether sorted `small` is a subset of sorted `large`.
fn is_subset(small: &[&str], large: &[&str]) -> bool {
    let mut large = large.iter();
    small
        .iter()
        .all(|scope| large.by_ref().any(|other| other == scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list<'a>(items: &[&[&'a str]]) -> Vec<Vec<&'a str>> {
        items.iter().map(|item| item.to_vec()).collect()
    }

    fn shift_of(old: &[&[&str]], new: &[&[&str]]) -> Option<Shift> {
        shift(&list(old), &list(new))
    }

    #[test]
    fn requirements_are_compared_by_the_instances_they_admit() {
        assert_eq!(shift_of(&[&["a"]], &[&["a", "b"]]), Some(Shift::Narrowed));
        assert_eq!(shift_of(&[&["a", "b"]], &[&["a"]]), Some(Shift::Widened));
        assert_eq!(shift_of(&[&["a"]], &[&["b"]]), Some(Shift::Changed));
        assert_eq!(shift_of(&[&["a"]], &[&["a"], &["b"]]), Some(Shift::Widened));
        assert_eq!(shift_of(&[], &[&["a"]]), Some(Shift::Widened));
        assert_eq!(shift_of(&[&[]], &[&["a"]]), Some(Shift::Narrowed));
        assert_eq!(shift_of(&[&["a"]], &[]), Some(Shift::Narrowed));
        // Written differently, admitting the same: no change.
        assert_eq!(shift_of(&[&["b", "a"]], &[&["a", "b", "a"]]), None);
        assert_eq!(shift_of(&[&["a"]], &[&["a"], &["a", "b"]]), None);
        assert_eq!(shift_of(&[&[], &["a"]], &[&[]]), None);
    }

    #[test]
    fn items_of_many_scopes_are_compared_without_their_subsets() {
        let many: Vec<String> = (0..40).map(|i| format!("s{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let fewer = many.get(..39).unwrap_or_default();
        assert_eq!(shift_of(&[&many], &[fewer]), Some(Shift::Widened));
        assert_eq!(shift_of(&[fewer], &[&many]), Some(Shift::Narrowed));
        assert_eq!(shift_of(&[&many], &[&many, &["x"]]), Some(Shift::Widened));
    }
}
