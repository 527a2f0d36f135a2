//! The comparison itself: both rule sets walked connector by connector
//! (structure, method subjects, requirements), then declared instance by
//! instance. What each subject sees, and each pair of lists compared once
//! for every subject that sees them, is [`super::lists`]'s; requirements
//! are [`super::requirements`]'s (see the module docs of
//! [`crate::diff`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use super::lists::{Deltas, EndpointMap, List, Shared, held, visible, widest};
use super::{
    Diff, InstanceChange, InstanceChanges, Kind, MethodChange, Place, Status, requirements,
};
use crate::policy::Policy;
use crate::policy::{ConnectorId, InstanceId, MethodId};
use crate::text::natural_cmp;

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
    /// Each (OLD list, NEW list) pair's change, computed once.
    deltas: Deltas<'p>,
}

fn name_of(p: &Policy, c: ConnectorId) -> String {
    p.connector_name(c).unwrap_or_default().to_owned()
}

/// The names of `these` that are not in `those`, in `these`' order.
fn owned_except(these: &[&str], those: &[&str]) -> Vec<String> {
    these
        .iter()
        .filter(|scope| !those.contains(scope))
        .map(|scope| (*scope).to_owned())
        .collect()
}

/// For an instance whose scopes changed (its method the same by name):
/// which of `shared`'s changes its scopes alone made, in `shared.changes`'
/// order (gains, then losses). A gain is the scopes' when the instance
/// holding its OLD scopes would not see the endpoint in NEW; a loss when
/// holding its NEW scopes it would not see it in OLD.
fn scopes_caused(
    old: &Policy,
    new: &Policy,
    (old_m, before): (MethodId, &Vec<&str>),
    (new_m, after): (MethodId, &Vec<&str>),
    shared: &Shared,
) -> Arc<[bool]> {
    let before_in_new = new.scope_set(new_m, before);
    let after_in_old = old.scope_set(old_m, after);
    let gains = shared
        .gained_ids
        .iter()
        .map(|&e| !new.is_available_with(new_m, &before_in_new, e));
    let losses = shared
        .lost_ids
        .iter()
        .map(|&e| !old.is_available_with(old_m, &after_in_old, e));
    gains.chain(losses).collect()
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
                    requirements::compare_connector(
                        old,
                        new,
                        old_c,
                        new_c,
                        &connector,
                        &mut self.out.requirements,
                    );
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
                let shared = self.deltas.get(
                    (old, List::Widest(old_m), || widest(old, old_m)),
                    (new, new_m.map_or(List::Nothing, List::Widest), || {
                        new_m.map_or(Cow::Borrowed(&[][..]), |m| widest(new, m))
                    }),
                    map.as_ref(),
                );
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
                let shared = self.deltas.get(
                    (old, List::Nothing, || Cow::Borrowed(&[][..])),
                    (new, List::Widest(new_m), || widest(new, new_m)),
                    None,
                );
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
    /// visibility when it has one. Instances with the same methods (and,
    /// for a method with scopes, the same scopes) on both sides see the
    /// same change: computed once per pair (shared with the method
    /// subjects for methods without scopes), so thousands of instances of
    /// one method cost one merge and one list.
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
        let old_held = old_i.zip(old_side).map(|(i, (_, m))| held(old, i, m));
        let new_held = new_i.zip(new_side).map(|(i, (_, m))| held(new, i, m));
        let (scopes_gained, scopes_lost) = match (&old_held, &new_held) {
            (Some((_, before)), Some((_, after))) => {
                (owned_except(after, before), owned_except(before, after))
            }
            _ => (Vec::new(), Vec::new()),
        };
        let scopes_changed = !scopes_gained.is_empty() || !scopes_lost.is_empty();
        if status != Status::Changed || old_names != new_names || scopes_changed {
            let location = match (new_i, old_i) {
                (Some(i), _) => new.instance_location(i),
                (None, Some(i)) => old.instance_location(i),
                (None, None) => None,
            };
            match (&old_names, &new_names) {
                (Some((_, old_m)), Some((_, new_m))) => self.out.instance_changed(
                    &connector,
                    &name,
                    (old_names != new_names).then_some((old_m.as_str(), new_m.as_str())),
                    (scopes_gained.clone(), scopes_lost.clone()),
                    location,
                ),
                _ => self
                    .out
                    .declared(Kind::Instance, &connector, &name, status, location),
            }
        }
        let old_key = old_held
            .as_ref()
            .map_or(List::Nothing, |(key, _)| key.clone());
        let new_key = new_held
            .as_ref()
            .map_or(List::Nothing, |(key, _)| key.clone());
        let list =
            |p, i: Option<InstanceId>| move || Cow::Borrowed(i.map_or(&[][..], |i| visible(p, i)));
        let shared = self.deltas.get(
            (old, old_key, list(old, old_i)),
            (new, new_key, list(new, new_i)),
            map,
        );
        if shared.is_empty() {
            return;
        }
        let places = || {
            (
                new_i.map(|i| Place::of(new.instance_location(i))),
                old_i.map(|i| Place::of(old.instance_location(i))),
            )
        };
        // The instance itself changed: its declaration is the cause; when
        // only its scopes changed, of what they alone changed.
        let (declared, caused) = if old_names != new_names {
            (Some(places()), None)
        } else if scopes_changed {
            let caused = match (
                old_side.zip(old_held.as_ref()),
                new_side.zip(new_held.as_ref()),
            ) {
                (Some(((_, old_m), (_, before))), Some(((_, new_m), (_, after)))) => Some(
                    scopes_caused(old, new, (old_m, before), (new_m, after), &shared),
                ),
                _ => None,
            };
            (Some(places()), caused)
        } else {
            (None, None)
        };
        self.out.instances.push(InstanceChange {
            instance: name,
            connector,
            method_old: old_names.map(|(_, m)| m),
            method_new: new_names.map(|(_, m)| m),
            status,
            scopes_gained,
            scopes_lost,
            gained: shared.gained,
            lost: shared.lost,
            changes: InstanceChanges {
                activations: shared.changes,
                declared,
                caused,
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
        // Stable: each connector's keep NEW's order of endpoints.
        out.requirements
            .sort_by(|a, b| natural_cmp(&a.connector, &b.connector));
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
