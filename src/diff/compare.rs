//! The comparison itself: endpoints matched by name once per connector,
//! each (OLD method, NEW method) pair's change computed once and shared by
//! its method subject and instances (see the module docs of
//! [`crate::diff`]).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use super::{
    Change, Diff, Gain, InstanceChange, InstanceChanges, Kind, MethodChange, Place, Status,
};
use crate::policy::Policy;
use crate::policy::{ConnectorId, EndpointId, InstanceId, MethodId};
use crate::text::natural_cmp;

/// OLD's endpoints of one connector as NEW's ids, by OLD's index in the
/// connector.
struct EndpointMap {
    first: usize,
    to_new: Vec<Option<EndpointId>>,
}

impl EndpointMap {
    fn new(old: &Policy, new: &Policy, old_c: ConnectorId, new_c: ConnectorId) -> Self {
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

    fn get(&self, old: EndpointId) -> Option<EndpointId> {
        self.to_new
            .get(old.index().wrapping_sub(self.first))
            .copied()
            .flatten()
    }
}

/// Gained endpoints (NEW ids) and lost ones (OLD ids) of a subject with
/// method `old_m` in OLD and `new_m` in NEW; `map` translates endpoints
/// when both methods belong to the same connector (by name).
fn delta(
    old: &Policy,
    new: &Policy,
    old_m: Option<MethodId>,
    new_m: Option<MethodId>,
    map: Option<&EndpointMap>,
) -> (Vec<EndpointId>, Vec<EndpointId>) {
    let old_visible = old_m.map_or(&[][..], |m| old.visible(m));
    let new_visible = new_m.map_or(&[][..], |m| new.visible(m));
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

/// The change of a (OLD method, NEW method) pair: the names gained and
/// lost and each with its activation list's place. Made once per pair and
/// shared by the method subject and every instance of those methods.
#[derive(Clone)]
struct Shared {
    gained: Arc<[String]>,
    lost: Arc<[String]>,
    changes: Arc<[Change]>,
}

impl Shared {
    fn is_empty(&self) -> bool {
        self.gained.is_empty() && self.lost.is_empty()
    }
}

/// (OLD method, NEW method, whether endpoints are translated by name).
type PairKey = (Option<MethodId>, Option<MethodId>, bool);

/// The shared changes of method pairs, each computed once.
#[derive(Default)]
struct Deltas(HashMap<PairKey, Shared>);

impl Deltas {
    fn get(
        &mut self,
        old: &Policy,
        new: &Policy,
        old_m: Option<MethodId>,
        new_m: Option<MethodId>,
        map: Option<&EndpointMap>,
    ) -> Shared {
        self.0
            .entry((old_m, new_m, map.is_some()))
            .or_insert_with(|| {
                let (gained, lost) = delta(old, new, old_m, new_m, map);
                let mut changes = Vec::with_capacity(gained.len() + lost.len());
                push_changes(new, &gained, Gain::Gained, &mut changes);
                push_changes(old, &lost, Gain::Lost, &mut changes);
                Shared {
                    gained: names(new, &gained),
                    lost: names(old, &lost),
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

/// Compares two compiled rule sets: who gains or loses which endpoint
/// going from `old` to `new`, and what was declared or removed. Linear in
/// the two rule sets (see the module docs).
pub fn diff(old: &Policy, new: &Policy) -> Diff {
    let mut run = Run {
        old,
        new,
        out: Diff::default(),
        maps: HashMap::new(),
        deltas: Deltas::default(),
    };
    run.old_connectors();
    run.new_connectors();
    run.instances();
    run.finish()
}

/// One comparison under way: the diff so far, and what its phases share.
struct Run<'p> {
    old: &'p Policy,
    new: &'p Policy,
    out: Diff,
    /// OLD's endpoints as NEW's, per connector on both sides (by OLD's id).
    maps: HashMap<ConnectorId, EndpointMap>,
    /// Each (OLD method, NEW method) pair's change, computed once.
    deltas: Deltas,
}

fn name_of(p: &Policy, c: ConnectorId) -> String {
    p.connector_name(c).unwrap_or_default().to_owned()
}

/// A declared instance's connector and method.
fn method_of(p: &Policy, i: InstanceId) -> Option<(ConnectorId, MethodId)> {
    let m = p.instance_subject(i)?.method;
    let c = p.method_connector(m)?;
    Some((c, m))
}

impl Run<'_> {
    /// Connectors on OLD: removed, or compared with NEW's (endpoints and
    /// methods removed or added); every (connector, method) subject of
    /// OLD.
    fn old_connectors(&mut self) {
        let (old, new) = (self.old, self.new);
        for old_c in old.connector_ids() {
            let connector = name_of(old, old_c);
            let new_c = new.connector(&connector);
            let map = new_c.map(|new_c| EndpointMap::new(old, new, old_c, new_c));
            match (new_c, &map) {
                (Some(new_c), Some(map)) => {
                    for old_e in old.endpoints(old_c) {
                        if map.get(old_e).is_none() {
                            self.out.declared(
                                Kind::Endpoint,
                                &connector,
                                old.endpoint_name(old_e).unwrap_or_default(),
                                Status::Removed,
                                old.endpoint_location(old_e),
                            );
                        }
                    }
                    for new_e in new.endpoints(new_c) {
                        let name = new.endpoint_name(new_e).unwrap_or_default();
                        if old.endpoint(old_c, name).is_none() {
                            self.out.declared(
                                Kind::Endpoint,
                                &connector,
                                name,
                                Status::Added,
                                new.endpoint_location(new_e),
                            );
                        }
                    }
                }
                _ => self.out.declared(
                    Kind::Connector,
                    &connector,
                    &connector,
                    Status::Removed,
                    old.connector_location(old_c),
                ),
            }
            for old_m in old.methods(old_c) {
                let method = old.method_name(old_m).unwrap_or_default();
                let new_m = new_c.and_then(|new_c| new.method(new_c, method));
                if new_m.is_none() && new_c.is_some() {
                    self.out.declared(
                        Kind::Method,
                        &connector,
                        method,
                        Status::Removed,
                        old.method_location(old_m),
                    );
                }
                let shared = self.deltas.get(old, new, Some(old_m), new_m, map.as_ref());
                subject(
                    &mut self.out,
                    old,
                    new,
                    Some(old_m),
                    new_m,
                    shared,
                    &connector,
                );
            }
            if let Some(map) = map {
                self.maps.insert(old_c, map);
            }
        }
    }

    /// Connectors and methods on NEW only, and their subjects.
    fn new_connectors(&mut self) {
        let (old, new) = (self.old, self.new);
        for new_c in new.connector_ids() {
            let connector = name_of(new, new_c);
            let old_c = old.connector(&connector);
            if old_c.is_none() {
                self.out.declared(
                    Kind::Connector,
                    &connector,
                    &connector,
                    Status::Added,
                    new.connector_location(new_c),
                );
            }
            for new_m in new.methods(new_c) {
                let method = new.method_name(new_m).unwrap_or_default();
                if old_c.and_then(|old_c| old.method(old_c, method)).is_some() {
                    continue;
                }
                if old_c.is_some() {
                    self.out.declared(
                        Kind::Method,
                        &connector,
                        method,
                        Status::Added,
                        new.method_location(new_m),
                    );
                }
                let shared = self.deltas.get(old, new, None, Some(new_m), None);
                subject(
                    &mut self.out,
                    old,
                    new,
                    None,
                    Some(new_m),
                    shared,
                    &connector,
                );
            }
        }
    }

    /// Declared instances, on OLD (and NEW when it has them), then on NEW
    /// only.
    fn instances(&mut self) {
        let (old, new) = (self.old, self.new);
        for old_i in old.instance_ids() {
            let new_i = old.instance_name(old_i).and_then(|name| new.instance(name));
            self.instance(Some(old_i), new_i);
        }
        for new_i in new.instance_ids() {
            let in_old = new
                .instance_name(new_i)
                .and_then(|name| old.instance(name))
                .is_some();
            if !in_old {
                self.instance(None, Some(new_i));
            }
        }
    }

    /// One declared instance: its structural change, and its change of
    /// visibility when it has one. Instances with the same methods on both
    /// sides see the same change: computed once per pair (shared with the
    /// method subjects), so thousands of instances of one method cost one
    /// merge and one list.
    fn instance(&mut self, old_i: Option<InstanceId>, new_i: Option<InstanceId>) {
        let (old, new) = (self.old, self.new);
        let old_side = old_i.and_then(|i| method_of(old, i));
        let new_side = new_i.and_then(|i| method_of(new, i));
        let name = match (old_i, new_i) {
            (_, Some(i)) => new.instance_name(i),
            (Some(i), None) => old.instance_name(i),
            (None, None) => None,
        }
        .unwrap_or_default()
        .to_owned();
        let old_names = old_side.map(|(c, m)| {
            (
                name_of(old, c),
                old.method_name(m).unwrap_or_default().to_owned(),
            )
        });
        let new_names = new_side.map(|(c, m)| {
            (
                name_of(new, c),
                new.method_name(m).unwrap_or_default().to_owned(),
            )
        });
        let connector = new_names
            .as_ref()
            .or(old_names.as_ref())
            .map(|(c, _)| c.clone())
            .unwrap_or_default();
        let same_connector =
            matches!((&old_names, &new_names), (Some((a, _)), Some((b, _))) if a == b);
        let map = old_side
            .filter(|_| same_connector)
            .and_then(|(c, _)| self.maps.get(&c));
        let status = Status::of(old_names.is_some(), new_names.is_some());
        if status != Status::Changed || old_names != new_names {
            let location = match (new_i, old_i) {
                (Some(i), _) => new.instance_location(i),
                (None, Some(i)) => old.instance_location(i),
                (None, None) => None,
            };
            match (&old_names, &new_names) {
                (Some((_, old_m)), Some((_, new_m))) => {
                    self.out
                        .method_changed(&connector, &name, (old_m, new_m), location);
                }
                _ => self
                    .out
                    .declared(Kind::Instance, &connector, &name, status, location),
            }
        }
        let shared = self.deltas.get(
            old,
            new,
            old_side.map(|(_, m)| m),
            new_side.map(|(_, m)| m),
            map,
        );
        if shared.is_empty() {
            return;
        }
        // The instance itself changed: its declaration is the cause.
        let declared = (old_names != new_names).then(|| {
            (
                new_i.map(|i| Place::of(new.instance_location(i))),
                old_i.map(|i| Place::of(old.instance_location(i))),
            )
        });
        self.out.instances.push(InstanceChange {
            instance: name,
            connector,
            method_old: old_names.map(|(_, m)| m),
            method_new: new_names.map(|(_, m)| m),
            status,
            gained: shared.gained,
            lost: shared.lost,
            changes: InstanceChanges {
                activations: shared.changes,
                declared,
            },
        });
    }

    /// Sorts the lists and counts the summary.
    fn finish(self) -> Diff {
        let mut out = self.out;
        // Names as a person counts them: `tenant 4` before `tenant 12`.
        out.methods.sort_by(|a, b| {
            natural_cmp(&a.connector, &b.connector).then_with(|| natural_cmp(&a.method, &b.method))
        });
        out.instances
            .sort_by(|a, b| natural_cmp(&a.instance, &b.instance));
        out.structure.sort_by(|a, b| {
            natural_cmp(&a.connector, &b.connector)
                .then(a.kind.cmp(&b.kind))
                .then_with(|| natural_cmp(&a.name, &b.name))
                .then(a.status.cmp(&b.status))
        });
        let subjects = out.methods.iter().map(|m| (m.gained.len(), m.lost.len()));
        let instances = out.instances.iter().map(|i| (i.gained.len(), i.lost.len()));
        for (gained, lost) in subjects.chain(instances) {
            out.summary.gained += gained;
            out.summary.lost += lost;
        }
        out.summary.subjects_changed = out.methods.len() + out.instances.len();
        out
    }
}

/// Adds the (connector, method) subject's change, if it has one.
fn subject(
    out: &mut Diff,
    old: &Policy,
    new: &Policy,
    old_m: Option<MethodId>,
    new_m: Option<MethodId>,
    shared: Shared,
    connector: &str,
) {
    if shared.is_empty() {
        return;
    }
    let method = match (old_m, new_m) {
        (_, Some(m)) => new.method_name(m),
        (Some(m), None) => old.method_name(m),
        (None, None) => None,
    }
    .unwrap_or_default()
    .to_owned();
    out.methods.push(MethodChange {
        connector: connector.to_owned(),
        method,
        status: Status::of(old_m.is_some(), new_m.is_some()),
        gained: shared.gained,
        lost: shared.lost,
        changes: shared.changes,
    });
}
