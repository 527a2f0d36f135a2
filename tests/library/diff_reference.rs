//! `authgate::diff::diff` against a plain model.
//!
//! A rule set is generated as in `reference.rs` (the generator and
//! writer of `support/rules.rs`, with scopes or without), edited at random
//! (activate and deactivate, add, remove and rename endpoints, methods,
//! instances and connectors, move an instance to another method, grant an
//! instance a scope or take one away, add or remove an item with scopes
//! or a scope of an item), and both sides are written with independent
//! layouts (whitespace, comments, quoting, order, files). The diff of the
//! two compiled policies must equal the model's, computed from the
//! generator's data with sets of names: a method subject holds every
//! scope its method declares, an instance the scopes it is given, and a
//! requirement changed when the two sides' items admit different scope
//! sets (each item's set compared with every item of the other side).
//! With no edit, the diff is empty whatever the layout.
//!
//! `AUTHGATE_PROPTEST_CASES` sets the number of cases (default 200).

use std::collections::{BTreeMap, BTreeSet};

use authgate::{Sources, compile};
use proptest::prelude::*;

use crate::support::rules::{Connector, Instance, Rules, TYPES, rules, scoped_rules, write};

// ---- edits ------------------------------------------------------------------

/// A fresh name: `·` is in no generated name.
fn fresh(counter: &mut usize) -> String {
    *counter += 1;
    format!("new·{counter}")
}

/// Applies one edit, picked by `kind`, at places picked by `a`, `b`, `c`.
fn edit(rules: &mut Rules, kind: u8, a: usize, b: usize, c: usize, counter: &mut usize) {
    let cn = rules.connectors.len();
    let ci = a % cn;
    match kind % 16 {
        // Activate or deactivate a method on an endpoint.
        0..=2 => {
            let connector = &mut rules.connectors[ci];
            if connector.endpoints.is_empty() {
                return;
            }
            let method = connector.methods[c % connector.methods.len()].0.clone();
            let ei = b % connector.endpoints.len();
            let list = &mut connector.endpoints[ei].1;
            if let Some(at) = list.iter().position(|m| *m == method) {
                list.remove(at);
            } else {
                list.push(method);
            }
        }
        // Add an endpoint.
        3 => {
            let connector = &mut rules.connectors[ci];
            let activated: Vec<String> = connector
                .methods
                .iter()
                .enumerate()
                .filter(|(i, _)| (b >> (i % 16)) & 1 == 1)
                .map(|(_, (m, _))| m.clone())
                .collect();
            let at = c % (connector.endpoints.len() + 1);
            connector.endpoints.insert(at, (fresh(counter), activated));
            if at <= connector.items.len() {
                connector.items.insert(at, Vec::new());
            }
        }
        // Remove an endpoint.
        4 => {
            let connector = &mut rules.connectors[ci];
            if !connector.endpoints.is_empty() {
                let at = b % connector.endpoints.len();
                connector.endpoints.remove(at);
                if at < connector.items.len() {
                    connector.items.remove(at);
                }
            }
        }
        // Rename an endpoint.
        5 => {
            let connector = &mut rules.connectors[ci];
            if !connector.endpoints.is_empty() {
                let at = b % connector.endpoints.len();
                connector.endpoints[at].0 = fresh(counter);
            }
        }
        // Add a method, activated by some endpoints.
        6 => {
            let name = fresh(counter);
            let connector = &mut rules.connectors[ci];
            connector
                .methods
                .push((name.clone(), TYPES[c % TYPES.len()]));
            for (i, (_, list)) in connector.endpoints.iter_mut().enumerate() {
                if (b >> (i % 16)) & 1 == 1 {
                    list.push(name.clone());
                }
            }
        }
        // Remove a method (not the last): its activations go, its
        // instances move to another method of the connector.
        7 => {
            let connector = &mut rules.connectors[ci];
            if connector.methods.len() < 2 {
                return;
            }
            let at = b % connector.methods.len();
            let (gone, _) = connector.methods.remove(at);
            if at < connector.method_scopes.len() {
                connector.method_scopes.remove(at);
            }
            for (_, list) in &mut connector.endpoints {
                list.retain(|m| *m != gone);
            }
            for items in &mut connector.items {
                items.retain(|(m, _)| *m != gone);
            }
            let other = connector.methods[c % connector.methods.len()].0.clone();
            let declared = connector.declared(&other).to_vec();
            let name = connector.name.clone();
            for instance in &mut rules.instances {
                if instance.connector == name && instance.method == gone {
                    instance.method = other.clone();
                    instance.scopes.retain(|s| declared.contains(s));
                }
            }
        }
        // Rename a method everywhere.
        8 => {
            let new = fresh(counter);
            let connector = &mut rules.connectors[ci];
            let at = b % connector.methods.len();
            let old = std::mem::replace(&mut connector.methods[at].0, new.clone());
            for (_, list) in &mut connector.endpoints {
                for m in list.iter_mut() {
                    if *m == old {
                        *m = new.clone();
                    }
                }
            }
            for (m, _) in connector.items.iter_mut().flatten() {
                if *m == old {
                    *m = new.clone();
                }
            }
            let name = connector.name.clone();
            for instance in &mut rules.instances {
                if instance.connector == name && instance.method == old {
                    instance.method = new.clone();
                }
            }
        }
        // Add an instance.
        9 => {
            let connector = &rules.connectors[ci];
            let method = connector.methods[b % connector.methods.len()].0.clone();
            rules.instances.push(Instance {
                name: fresh(counter),
                connector: connector.name.clone(),
                method,
                scopes: Vec::new(),
            });
        }
        // Remove an instance.
        10 => {
            if !rules.instances.is_empty() {
                let at = b % rules.instances.len();
                rules.instances.remove(at);
            }
        }
        // Change an instance's method, maybe to another connector's.
        11 => {
            if rules.instances.is_empty() {
                return;
            }
            let at = b % rules.instances.len();
            let connector = &rules.connectors[ci];
            let instance = &mut rules.instances[at];
            instance.connector = connector.name.clone();
            instance.method = connector.methods[c % connector.methods.len()].0.clone();
            let declared = connector.declared(&instance.method);
            instance.scopes.retain(|s| declared.contains(s));
        }
        // Grant an instance a scope its method declares, or take one away.
        12 => {
            if rules.instances.is_empty() {
                return;
            }
            let count = rules.instances.len();
            let instance = &mut rules.instances[b % count];
            let Some(connector) = rules
                .connectors
                .iter()
                .find(|c| c.name == instance.connector)
            else {
                return;
            };
            let declared = connector.declared(&instance.method);
            if declared.is_empty() {
                return;
            }
            let scope = &declared[c % declared.len()];
            if instance.scopes.contains(scope) {
                instance.scopes.retain(|s| s != scope);
            } else {
                instance.scopes.push(scope.clone());
            }
        }
        // Add an item with scopes to an endpoint, or remove one.
        13 => {
            let connector = &mut rules.connectors[ci];
            let scoped: Vec<usize> = (0..connector.methods.len())
                .filter(|&m| !connector.declared(&connector.methods[m].0).is_empty())
                .collect();
            if connector.endpoints.is_empty() || scoped.is_empty() {
                return;
            }
            connector
                .items
                .resize(connector.endpoints.len(), Vec::new());
            let ei = b % connector.endpoints.len();
            if !connector.items[ei].is_empty() && c.is_multiple_of(2) {
                let at = (c / 2) % connector.items[ei].len();
                connector.items[ei].remove(at);
                return;
            }
            let method = connector.methods[scoped[c % scoped.len()]].0.clone();
            let declared = connector.declared(&method);
            let mut scopes = vec![declared[a % declared.len()].clone()];
            if (c / 7).is_multiple_of(2) {
                scopes.push(declared[(a / 3).wrapping_add(c) % declared.len()].clone());
            }
            connector.items[ei].push((method, scopes));
        }
        // Add a scope to an item, or take one away (never the last).
        14 => {
            let connector = &mut rules.connectors[ci];
            let with_items: Vec<usize> = (0..connector.items.len())
                .filter(|&ei| !connector.items[ei].is_empty())
                .collect();
            if with_items.is_empty() {
                return;
            }
            let items = with_items[b % with_items.len()];
            let at = c % connector.items[items].len();
            let method = connector.items[items][at].0.clone();
            let declared = connector.declared(&method).to_vec();
            let scopes = &mut connector.items[items][at].1;
            let scope = &declared[a % declared.len()];
            if !scopes.contains(scope) {
                scopes.push(scope.clone());
            } else if scopes.iter().any(|s| s != scope) {
                scopes.retain(|s| s != scope);
            }
        }
        // Add or remove a connector.
        _ => {
            if cn > 1 && b.is_multiple_of(2) {
                let gone = rules.connectors.remove(ci);
                rules.instances.retain(|i| i.connector != gone.name);
            } else {
                let name = fresh(counter);
                let method = fresh(counter);
                let endpoint = fresh(counter);
                rules.connectors.push(Connector {
                    name,
                    methods: vec![(method.clone(), "basic")],
                    endpoints: vec![(
                        endpoint,
                        if c.is_multiple_of(2) {
                            vec![method]
                        } else {
                            vec![]
                        },
                    )],
                    method_scopes: Vec::new(),
                    items: Vec::new(),
                });
            }
        }
    }
}

// ---- the model --------------------------------------------------------------

type Names = BTreeSet<String>;

/// A requirement as the instances it admits: each item's scopes as a set.
type Sets = BTreeSet<Names>;

/// An instance's change: connector, method_old, method_new, status,
/// gained, lost.
type InstanceRow = (String, Option<String>, Option<String>, String, Names, Names);

/// What the diff should say, as plain sets.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    /// (connector, method) -> (status, gained, lost).
    methods: BTreeMap<(String, String), (String, Names, Names)>,
    /// instance -> (connector, method_old, method_new, status, gained, lost).
    instances: BTreeMap<String, InstanceRow>,
    /// (kind, connector, name, status).
    structure: BTreeSet<(String, String, String, String)>,
    /// instance -> (scopes gained, scopes lost), for an instance on both
    /// sides whose scopes changed (in `structure`).
    scopes: BTreeMap<String, (Names, Names)>,
    /// The same, for those of them in `instances`.
    instance_scopes: BTreeMap<String, (Names, Names)>,
    /// (connector, endpoint, method) -> (old, new, change).
    requirements: BTreeMap<(String, String, String), (Sets, Sets, String)>,
    summary: (usize, usize, usize),
}

/// What an instance of `method` holding `held` sees; `None`: holding
/// every scope the method declares (a method subject).
fn visible(rules: &Rules, connector: &str, method: &str, held: Option<&[String]>) -> Names {
    let admits =
        |scopes: &[String]| held.is_none_or(|held| scopes.iter().all(|s| held.contains(s)));
    rules
        .connectors
        .iter()
        .filter(|c| c.name == connector)
        .flat_map(|c| {
            c.endpoints
                .iter()
                .enumerate()
                .filter(|(index, (_, activated))| {
                    activated.iter().any(|m| m == method)
                        || c.items.get(*index).is_some_and(|items| {
                            items
                                .iter()
                                .any(|(m, scopes)| m == method && admits(scopes))
                        })
                })
                .map(|(_, (name, _))| name.clone())
        })
        .collect()
}

/// The requirement of endpoint `index` of `c` for `method`, and whether
/// an item names scopes.
fn requirement(c: &Connector, index: usize, method: &str) -> (Sets, bool) {
    let plain = c.endpoints[index].1.iter().any(|m| m == method);
    let items: Vec<&Vec<String>> = c
        .items
        .get(index)
        .into_iter()
        .flatten()
        .filter(|(m, _)| m == method)
        .map(|(_, scopes)| scopes)
        .collect();
    let mut sets: Sets = items.iter().map(|s| s.iter().cloned().collect()).collect();
    if plain {
        sets.insert(Names::new());
    }
    (sets, !items.is_empty())
}

/// Whether every instance `inner` admits, `outer` admits: each set of
/// `inner` holds some set of `outer`.
fn covers(outer: &Sets, inner: &Sets) -> bool {
    inner
        .iter()
        .all(|held| outer.iter().any(|needed| needed.is_subset(held)))
}

/// The changed requirements of a connector on both sides.
fn requirements(o: &Connector, n: &Connector, into: &mut Expected) {
    for (ni, (endpoint, _)) in n.endpoints.iter().enumerate() {
        let Some(oi) = o.endpoints.iter().position(|(e, _)| e == endpoint) else {
            continue;
        };
        for (method, _) in &n.methods {
            if !o.methods.iter().any(|(m, _)| m == method)
                || (o.declared(method).is_empty() && n.declared(method).is_empty())
            {
                continue;
            }
            let ((before, old_scoped), (after, new_scoped)) =
                (requirement(o, oi, method), requirement(n, ni, method));
            if !old_scoped && !new_scoped {
                continue;
            }
            let change = match (covers(&after, &before), covers(&before, &after)) {
                (true, true) => continue,
                (true, false) => "widened",
                (false, true) => "narrowed",
                (false, false) => "changed",
            };
            into.requirements.insert(
                (n.name.clone(), endpoint.clone(), method.clone()),
                (before, after, change.to_owned()),
            );
        }
    }
}

fn status(old: bool, new: bool) -> String {
    match (old, new) {
        (false, _) => "added",
        (_, false) => "removed",
        _ => "changed",
    }
    .to_owned()
}

fn model(old: &Rules, new: &Rules) -> Expected {
    let mut expected = Expected::default();
    let connectors = |rules: &Rules| -> BTreeSet<String> {
        rules.connectors.iter().map(|c| c.name.clone()).collect()
    };
    let find =
        |rules: &Rules, name: &str| rules.connectors.iter().find(|c| c.name == name).cloned();
    for connector in connectors(old).union(&connectors(new)) {
        let (o, n) = (find(old, connector), find(new, connector));
        let methods = |c: &Option<Connector>| -> Names {
            c.iter()
                .flat_map(|c| c.methods.iter().map(|(m, _)| m.clone()))
                .collect()
        };
        let endpoints = |c: &Option<Connector>| -> Names {
            c.iter()
                .flat_map(|c| c.endpoints.iter().map(|(e, _)| e.clone()))
                .collect()
        };
        let mut structure = |kind: &str, name: &str, status: &str| {
            expected.structure.insert((
                kind.to_owned(),
                connector.clone(),
                name.to_owned(),
                status.to_owned(),
            ));
        };
        match (&o, &n) {
            (Some(_), None) => structure("connector", connector, "removed"),
            (None, Some(_)) => structure("connector", connector, "added"),
            (Some(oc), Some(nc)) => {
                requirements(oc, nc, &mut expected);
                let mut structure = |kind: &str, name: &str, status: &str| {
                    expected.structure.insert((
                        kind.to_owned(),
                        connector.clone(),
                        name.to_owned(),
                        status.to_owned(),
                    ));
                };
                let (om, nm) = (methods(&o), methods(&n));
                om.difference(&nm)
                    .for_each(|m| structure("method", m, "removed"));
                nm.difference(&om)
                    .for_each(|m| structure("method", m, "added"));
                let (oe, ne) = (endpoints(&o), endpoints(&n));
                oe.difference(&ne)
                    .for_each(|e| structure("endpoint", e, "removed"));
                ne.difference(&oe)
                    .for_each(|e| structure("endpoint", e, "added"));
            }
            (None, None) => {}
        }
        let (om, nm) = (methods(&o), methods(&n));
        for method in om.union(&nm) {
            let before = if om.contains(method) {
                visible(old, connector, method, None)
            } else {
                Names::new()
            };
            let after = if nm.contains(method) {
                visible(new, connector, method, None)
            } else {
                Names::new()
            };
            let gained: Names = after.difference(&before).cloned().collect();
            let lost: Names = before.difference(&after).cloned().collect();
            if !gained.is_empty() || !lost.is_empty() {
                expected.methods.insert(
                    (connector.clone(), method.clone()),
                    (
                        status(om.contains(method), nm.contains(method)),
                        gained,
                        lost,
                    ),
                );
            }
        }
    }
    let instances = |rules: &Rules| -> BTreeMap<String, Instance> {
        rules
            .instances
            .iter()
            .map(|i| (i.name.clone(), i.clone()))
            .collect()
    };
    let (oi, ni) = (instances(old), instances(new));
    let all: Names = oi.keys().chain(ni.keys()).cloned().collect();
    for name in all {
        let (o, n) = (oi.get(&name), ni.get(&name));
        let connector = n.or(o).map(|i| i.connector.clone()).unwrap_or_default();
        let same = |a: Option<&Instance>, b: Option<&Instance>| {
            a.map(|i| (&i.connector, &i.method)) == b.map(|i| (&i.connector, &i.method))
        };
        let held = |i: &Instance| -> Names { i.scopes.iter().cloned().collect() };
        let scopes = match (o, n) {
            (Some(o), Some(n)) => {
                let (before, after) = (held(o), held(n));
                let gained: Names = after.difference(&before).cloned().collect();
                let lost: Names = before.difference(&after).cloned().collect();
                (!gained.is_empty() || !lost.is_empty()).then_some((gained, lost))
            }
            _ => None,
        };
        if !same(o, n) || scopes.is_some() {
            expected.structure.insert((
                "instance".to_owned(),
                connector.clone(),
                name.clone(),
                status(o.is_some(), n.is_some()),
            ));
        }
        if let Some(scopes) = &scopes {
            expected.scopes.insert(name.clone(), scopes.clone());
        }
        let seen = |rules: &Rules, i: Option<&Instance>| -> BTreeSet<(String, String)> {
            i.map(|i| {
                visible(rules, &i.connector, &i.method, Some(&i.scopes))
                    .into_iter()
                    .map(|e| (i.connector.clone(), e))
                    .collect()
            })
            .unwrap_or_default()
        };
        let (before, after) = (seen(old, o), seen(new, n));
        let gained: Names = after.difference(&before).map(|(_, e)| e.clone()).collect();
        let lost: Names = before.difference(&after).map(|(_, e)| e.clone()).collect();
        if !gained.is_empty() || !lost.is_empty() {
            if let Some(scopes) = scopes {
                expected.instance_scopes.insert(name.clone(), scopes);
            }
            expected.instances.insert(
                name,
                (
                    connector,
                    o.map(|i| i.method.clone()),
                    n.map(|i| i.method.clone()),
                    status(o.is_some(), n.is_some()),
                    gained,
                    lost,
                ),
            );
        }
    }
    let pairs = expected
        .methods
        .values()
        .map(|(_, g, l)| (g.len(), l.len()))
        .chain(
            expected
                .instances
                .values()
                .map(|(_, _, _, _, g, l)| (g.len(), l.len())),
        );
    for (g, l) in pairs {
        expected.summary.1 += g;
        expected.summary.2 += l;
    }
    expected.summary.0 = expected.methods.len() + expected.instances.len();
    expected
}

/// The diff's JSON read back into the model's shape.
fn observed(json: &serde_json::Value) -> Expected {
    let s = |v: &serde_json::Value| v.as_str().expect("a string").to_owned();
    let set =
        |v: &serde_json::Value| -> Names { v.as_array().expect("a list").iter().map(s).collect() };
    let opt = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let mut observed = Expected::default();
    for m in json["methods"].as_array().expect("methods") {
        observed.methods.insert(
            (s(&m["connector"]), s(&m["method"])),
            (s(&m["status"]), set(&m["gained"]), set(&m["lost"])),
        );
    }
    let scope_changes = |v: &serde_json::Value| -> Option<(Names, Names)> {
        let list = |key: &str| -> Names {
            v.get(key).map_or_else(Names::new, |l| {
                assert!(
                    !l.as_array().expect("a list").is_empty(),
                    "{key} empty in {v}"
                );
                set(l)
            })
        };
        let (gained, lost) = (list("scopes_gained"), list("scopes_lost"));
        (!gained.is_empty() || !lost.is_empty()).then_some((gained, lost))
    };
    for i in json["instances"].as_array().expect("instances") {
        if let Some(scopes) = scope_changes(i) {
            observed.instance_scopes.insert(s(&i["instance"]), scopes);
        }
        observed.instances.insert(
            s(&i["instance"]),
            (
                s(&i["connector"]),
                opt(&i["method_old"]),
                opt(&i["method_new"]),
                s(&i["status"]),
                set(&i["gained"]),
                set(&i["lost"]),
            ),
        );
    }
    let sets = |v: &serde_json::Value| -> Sets {
        v.as_array()
            .expect("a list of lists")
            .iter()
            .map(set)
            .collect()
    };
    let requirements = json
        .get("requirements")
        .map_or(&[][..], |r| r.as_array().expect("requirements"));
    for r in requirements {
        let key = (s(&r["connector"]), s(&r["endpoint"]), s(&r["method"]));
        let value = (sets(&r["old"]), sets(&r["new"]), s(&r["change"]));
        assert!(
            observed.requirements.insert(key, value).is_none(),
            "twice: {r}"
        );
    }
    for c in json["structure"].as_array().expect("structure") {
        if c["kind"] == "instance"
            && let Some(scopes) = scope_changes(c)
        {
            observed.scopes.insert(s(&c["name"]), scopes);
        }
        observed.structure.insert((
            s(&c["kind"]),
            s(&c["connector"]),
            s(&c["name"]),
            s(&c["status"]),
        ));
    }
    let count = |key: &str| json["summary"][key].as_u64().expect("a count") as usize;
    observed.summary = (count("subjects_changed"), count("gained"), count("lost"));
    observed
}

/// The policy of `rules` written with `seed`, and its files' (name, text).
fn policy(rules: &Rules, seed: u64, prefix: &str) -> (authgate::Policy, Vec<(String, String)>) {
    let texts = write(rules, seed);
    let mut sources = Sources::new();
    let mut files = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        files.push((format!("{prefix}{index}.gate"), text.clone()));
        sources.add(format!("{prefix}{index}.gate"), text.clone());
    }
    let compiled = compile(&sources);
    assert_eq!(
        compiled.summary.errors, 0,
        "{:?}\n{texts:?}",
        compiled.diagnostics
    );
    (compiled.policy.expect("no errors"), files)
}

fn cases() -> u32 {
    crate::support::proptest_cases(200)
}

fn edits() -> impl Strategy<Value = Vec<(u8, usize, usize, usize)>> {
    prop_oneof![
        1 => Just(Vec::new()),
        4 => prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), any::<usize>()), 1..6),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_diff_matches_the_model(
        rules in prop_oneof![1 => rules().boxed(), 2 => scoped_rules().boxed()],
        edits in edits(),
        old_seed in any::<u64>(),
        new_seed in any::<u64>(),
    ) {
        let mut edited = rules.clone();
        let mut counter = 0;
        for &(kind, a, b, c) in &edits {
            edit(&mut edited, kind, a, b, c, &mut counter);
        }
        let (old, old_files) = policy(&rules, old_seed, "old");
        let (new, new_files) = policy(&edited, new_seed, "new");
        let diff = authgate::diff::diff(&old, &new);
        if edits.is_empty() {
            prop_assert!(diff.is_empty(), "layout only, yet {diff:?}");
        }
        let json = serde_json::to_value(&diff).expect("serializes");
        prop_assert_eq!(observed(&json), model(&rules, &edited));
        // Each gain points into NEW, each loss into OLD: a method's at the
        // endpoint (its activation list)...
        let side = |change: &authgate::diff::Change| match change.change {
            authgate::diff::Gain::Gained => (&new, &new_files),
            authgate::diff::Gain::Lost => (&old, &old_files),
        };
        let place = |l: Option<authgate::policy::Location<'_>>| {
            l.map(|l| (l.file.to_owned(), l.line, l.column))
        };
        for m in &diff.methods {
            prop_assert_eq!(m.changes.len(), m.gained.len() + m.lost.len());
            for change in m.changes.iter() {
                let (policy, files) = side(change);
                prop_assert!(files.iter().any(|(name, _)| *name == change.file));
                let endpoint = policy
                    .connector(&m.connector)
                    .and_then(|c| policy.endpoint(c, &change.endpoint));
                prop_assert_eq!(
                    place(endpoint.and_then(|e| policy.endpoint_location(e))),
                    Some((change.file.clone(), change.line, change.column))
                );
            }
        }
        // Structure at the declaration, in NEW unless removed.
        for c in &diff.structure {
            use authgate::diff::{Kind, Status};
            let policy = if c.status == Status::Removed { &old } else { &new };
            let connector = policy.connector(&c.connector);
            let location = match c.kind {
                Kind::Connector => connector.and_then(|id| policy.connector_location(id)),
                Kind::Method => connector
                    .and_then(|id| policy.method(id, &c.name))
                    .and_then(|id| policy.method_location(id)),
                Kind::Endpoint => connector
                    .and_then(|id| policy.endpoint(id, &c.name))
                    .and_then(|id| policy.endpoint_location(id)),
                Kind::Instance => policy.instance(&c.name).and_then(|id| policy.instance_location(id)),
                _ => None,
            };
            prop_assert_eq!(
                place(location),
                Some((c.place.file.clone(), c.place.line, c.place.column)),
                "{:?}", c
            );
        }
        // A requirement at the endpoint's declaration in NEW.
        for r in &diff.requirements {
            let endpoint = new.connector(&r.connector).and_then(|c| new.endpoint(c, &r.endpoint));
            prop_assert_eq!(
                place(endpoint.and_then(|e| new.endpoint_location(e))),
                Some((r.place.file.clone(), r.place.line, r.place.column))
            );
        }
        // ... an instance's at the endpoint when the instance is the same
        // on both sides (as its method's change, when the method declares
        // no scopes), at its declaration when its method changed or it was
        // added or removed; when only its scopes changed, at its
        // declaration for what its scopes alone changed.
        let find = |rules: &Rules, name: &str| rules.instances.iter().find(|i| i.name == name).cloned();
        for i in &diff.instances {
            let changes: Vec<_> = i.changes.iter().collect();
            prop_assert_eq!(changes.len(), i.gained.len() + i.lost.len());
            let (before, after) = (find(&rules, &i.instance), find(&edited, &i.instance));
            let same_method = matches!((&before, &after), (Some(b), Some(a)) if (&b.connector, &b.method) == (&a.connector, &a.method));
            let scopes_changed = diff.structure.iter().any(|s| s.name == i.instance && s.kind == authgate::diff::Kind::Instance && (!s.scopes_gained.is_empty() || !s.scopes_lost.is_empty()));
            for change in &changes {
                let (policy, _) = side(change);
                let endpoint_place = policy
                    .connector(&i.connector)
                    .and_then(|c| policy.endpoint(c, &change.endpoint))
                    .and_then(|e| policy.endpoint_location(e));
                let declared = policy.instance(&i.instance).and_then(|d| policy.instance_location(d));
                let by_declaration = match (&before, &after) {
                    _ if !same_method => true,
                    (Some(b), Some(a)) if scopes_changed => {
                        // Would it see the change with the other side's scopes?
                        let (rules, scopes) = match change.change {
                            authgate::diff::Gain::Gained => (&edited, &b.scopes),
                            authgate::diff::Gain::Lost => (&rules, &a.scopes),
                        };
                        !visible(rules, &a.connector, &a.method, Some(scopes)).contains(&change.endpoint)
                    }
                    _ => false,
                };
                let expected = if by_declaration { declared } else { endpoint_place };
                prop_assert_eq!(
                    place(expected),
                    Some((change.file.clone(), change.line, change.column)),
                    "{:?} of {}", change, i.instance
                );
            }
            // Of a method without scopes, the method's own change.
            let plain = after.as_ref().and_then(|a| edited.connectors.iter().find(|c| c.name == a.connector).map(|c| c.declared(&a.method).is_empty())).unwrap_or(false)
                && before.as_ref().and_then(|b| rules.connectors.iter().find(|c| c.name == b.connector).map(|c| c.declared(&b.method).is_empty())).unwrap_or(false);
            if same_method && plain {
                let method = diff.methods.iter().find(|m| {
                    m.connector == i.connector && Some(&m.method) == i.method_new.as_ref()
                });
                prop_assert!(method.is_some_and(|m| changes.iter().all(|c| m.changes.contains(c))));
            }
        }
    }
}
