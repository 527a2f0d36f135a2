//! What a subject sees on each side, and how two such lists compare.
//!
//! A subject's list is a method's widest view, a declared instance's own
//! (holding its scopes), or nothing; each is named by a [`List`] key, so
//! that a pair of lists is compared once however many subjects see it
//! (ten thousand instances of one method: one merge). OLD's endpoints are
//! translated to NEW's ids per connector by an [`EndpointMap`], made by
//! name once, and a pair's lists compared by merging them.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use super::{Change, Gain, Place};
use crate::policy::{ConnectorId, EndpointId, InstanceId, MethodId, Policy};

/// OLD's endpoints of one connector as NEW's ids, by OLD's index in the
/// connector.
pub(super) struct EndpointMap {
    first: usize,
    to_new: Vec<Option<EndpointId>>,
}

impl EndpointMap {
    pub(super) fn new(old: &Policy, new: &Policy, old_c: ConnectorId, new_c: ConnectorId) -> Self {
        let mut first = None;
        let to_new = old
            .endpoints(old_c)
            .map(|e| {
                first.get_or_insert(e.index());
                old.endpoint_name(e)
                    .and_then(|name| new.endpoint(new_c, name))
            })
            .collect();
        EndpointMap {
            first: first.unwrap_or(0),
            to_new,
        }
    }

    pub(super) fn get(&self, old: EndpointId) -> Option<EndpointId> {
        self.to_new
            .get(old.index().wrapping_sub(self.first))
            .copied()
            .flatten()
    }
}

/// Gained endpoints (NEW ids) and lost ones (OLD ids) of a subject that
/// sees `old_visible` in OLD and `new_visible` in NEW; `map` translates
/// endpoints when both lists belong to the same connector (by name).
fn delta(
    old_visible: &[EndpointId],
    new_visible: &[EndpointId],
    map: Option<&EndpointMap>,
) -> (Vec<EndpointId>, Vec<EndpointId>) {
    let Some(map) = map else {
        return (new_visible.to_vec(), old_visible.to_vec());
    };
    let mut lost = Vec::new();
    // (NEW id, OLD id) of OLD's visible endpoints that NEW declares.
    let mut mapped: Vec<(EndpointId, EndpointId)> = Vec::with_capacity(old_visible.len());
    for &e in old_visible {
        match map.get(e) {
            Some(n) => mapped.push((n, e)),
            None => lost.push(e),
        }
    }
    if !mapped.is_sorted() {
        mapped.sort_unstable();
    }
    let mut sorted_new;
    let new_visible = if new_visible.is_sorted() {
        new_visible
    } else {
        sorted_new = new_visible.to_vec();
        sorted_new.sort_unstable();
        &sorted_new[..]
    };
    let mut gained = Vec::new();
    let (mut a, mut b) = (mapped.iter().peekable(), new_visible.iter().peekable());
    loop {
        match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(&&(_, o)), None) => {
                lost.push(o);
                a.next();
            }
            (None, Some(&&n)) => {
                gained.push(n);
                b.next();
            }
            (Some(&&(m, o)), Some(&&n)) => match m.cmp(&n) {
                Ordering::Less => {
                    lost.push(o);
                    a.next();
                }
                Ordering::Greater => {
                    gained.push(n);
                    b.next();
                }
                Ordering::Equal => {
                    a.next();
                    b.next();
                }
            },
        }
    }
    (gained, lost)
}

/// Which list of visible endpoints a subject has on one side: the key
/// that a pair's change is computed once for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum List<'p> {
    /// Not on this side: it sees nothing.
    Nothing,
    /// A method's widest view: every endpoint whose list names it, with
    /// any scopes. For a method that declares none, its plain list, which
    /// its declared instances see too.
    Widest(MethodId),
    /// A declared instance of a method that declares scopes, holding
    /// these (by name, in the method's order).
    Held(MethodId, Vec<&'p str>),
}

/// What a method subject sees: its widest view (every scope its method
/// declares held).
pub(super) fn widest(policy: &Policy, method: MethodId) -> Cow<'_, [EndpointId]> {
    let declared: Vec<&str> = policy.declared_scopes(method).collect();
    if declared.is_empty() {
        return Cow::Borrowed(policy.visible(method));
    }
    let every = policy.scope_set(method, &declared);
    Cow::Owned(policy.visible_with_scopes(method, &every))
}

/// The change between a pair of lists: the endpoints gained (NEW ids)
/// and lost (OLD ids), their names, and each with its activation list's
/// place. Made once per pair and shared by the subjects that see them.
#[derive(Clone)]
pub(super) struct Shared {
    pub(super) gained_ids: Arc<[EndpointId]>,
    pub(super) lost_ids: Arc<[EndpointId]>,
    pub(super) gained: Arc<[String]>,
    pub(super) lost: Arc<[String]>,
    pub(super) changes: Arc<[Change]>,
}

impl Shared {
    pub(super) fn is_empty(&self) -> bool {
        self.gained.is_empty() && self.lost.is_empty()
    }
}

/// (OLD list, NEW list, whether endpoints are translated by name).
type PairKey<'p> = (List<'p>, List<'p>, bool);

/// The shared changes of list pairs, each computed once.
#[derive(Default)]
pub(super) struct Deltas<'p>(HashMap<PairKey<'p>, Shared>);

impl<'p> Deltas<'p> {
    /// The change from `old_list` (keyed `old_key`) to `new_list`; the
    /// lists are read only the first time the pair is asked for.
    pub(super) fn get(
        &mut self,
        (old, old_key, old_list): (&'p Policy, List<'p>, impl FnOnce() -> Cow<'p, [EndpointId]>),
        (new, new_key, new_list): (&'p Policy, List<'p>, impl FnOnce() -> Cow<'p, [EndpointId]>),
        map: Option<&EndpointMap>,
    ) -> Shared {
        self.0
            .entry((old_key, new_key, map.is_some()))
            .or_insert_with(|| {
                let (gained, lost) = delta(&old_list(), &new_list(), map);
                let mut changes = Vec::with_capacity(gained.len() + lost.len());
                push_changes(new, &gained, Gain::Gained, &mut changes);
                push_changes(old, &lost, Gain::Lost, &mut changes);
                Shared {
                    gained: names(new, &gained),
                    lost: names(old, &lost),
                    gained_ids: gained.into(),
                    lost_ids: lost.into(),
                    changes: changes.into(),
                }
            })
            .clone()
    }
}

fn names(policy: &Policy, endpoints: &[EndpointId]) -> Arc<[String]> {
    endpoints
        .iter()
        .map(|&e| policy.endpoint_name(e).unwrap_or_default().to_owned())
        .collect()
}

fn push_changes(policy: &Policy, endpoints: &[EndpointId], change: Gain, into: &mut Vec<Change>) {
    into.extend(endpoints.iter().map(|&e| {
        let place = Place::of(policy.endpoint_location(e));
        Change {
            endpoint: policy.endpoint_name(e).unwrap_or_default().to_owned(),
            file: place.file,
            line: place.line,
            column: place.column,
            change,
        }
    }));
}

/// A declared instance's list key and the scopes it holds, by name.
pub(super) fn held(
    policy: &Policy,
    instance: InstanceId,
    method: MethodId,
) -> (List<'_>, Vec<&str>) {
    let scopes: Vec<&str> = policy
        .instance_scopes(instance)
        .map(|set| policy.held_scopes(set).collect())
        .unwrap_or_default();
    let key = if policy.declared_scopes(method).next().is_none() {
        List::Widest(method)
    } else {
        List::Held(method, scopes.clone())
    };
    (key, scopes)
}

/// What a declared instance sees (borrowed from the policy).
pub(super) fn visible(policy: &Policy, instance: InstanceId) -> &[EndpointId] {
    policy.visible_instance(instance)
}
