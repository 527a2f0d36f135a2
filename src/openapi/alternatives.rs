//! Security requirements to methods and auth-list items: the part of the
//! mapping (see [`super::mapping`]) that scopes and combined credentials
//! add.
//!
//! Each alternative of an operation's requirement becomes one item per
//! method its schemes map to, with exactly its scopes. A method declares
//! its scheme's scopes and those requirements name that the scheme does
//! not (with a comment). A requirement naming several schemes needs them
//! all at once, so it maps to one method holding them together, named by
//! its parts in the spec's order (`clientId + secret`): an instance
//! authenticates with exactly its method's credentials. A scheme named
//! only in such requirements gets no method of its own, whose instances
//! would see nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::gathered::{Group, Requirement, Scheme, clean, unique};
use super::read::Store;
use super::{Endpoint, Item, Lossy, Method, Origin};
use crate::check::AuthType;

/// The methods: one per scheme used on its own or not at all (two for
/// an OAuth 2 scheme with flows of both families), by scheme key; then
/// one per combination of schemes required together (one per flow family
/// of an OAuth part with both), by name. `taken` holds the names given.
pub(super) fn methods(
    schemes: &BTreeMap<String, Scheme>,
    usage: &Usage<'_>,
    store: &Store,
    taken: &mut HashSet<String>,
    lossy: &mut Lossy,
) -> (Vec<Method>, Index) {
    let mut methods = Vec::new();
    // A scheme's own methods (none for one named only with others).
    let mut singles: HashMap<String, Vec<usize>> = HashMap::new();
    for (key, scheme) in schemes {
        lossy.key_locations += usize::from(scheme.mapped.key_location);
        lossy.unknown_types += usize::from(scheme.mapped.unknown_type);
        if !usage.alone.contains(key.as_str()) && usage.in_combination.contains(key.as_str()) {
            continue;
        }
        let named = usage.named.get(key.as_str());
        for (name, kind, declared) in &scheme.mapped.methods {
            let (scopes, undeclared) = with_named(declared, named);
            let mut notes: Vec<String> = scheme.mapped.note.iter().cloned().collect();
            let split = scheme.mapped.methods.len() > 1;
            notes.extend(undeclared_note(&undeclared, declared.is_empty(), split));
            lossy.undeclared_scopes += usize::from(!undeclared.is_empty());
            singles.entry(key.clone()).or_default().push(methods.len());
            methods.push(Method {
                name: unique(clean(name), taken),
                kind: *kind,
                scheme: Some(key.clone()),
                parts: Vec::new(),
                scopes,
                note: (!notes.is_empty()).then(|| notes.join("; ")),
                origin: scheme.origin.clone(),
            });
        }
    }
    // Then one method per combination of schemes required together (one
    // per flow family of an OAuth part with both), sorted by name.
    let orders = store.first_orders();
    let mut combined = Vec::new();
    for (set, origin) in &usage.combinations {
        let order: Vec<&str> = match orders.get(set) {
            Some(order) => order.iter().map(String::as_str).collect(),
            None => set.iter().map(String::as_str).collect(),
        };
        for (method, undeclared) in combine(&order, schemes, usage, origin) {
            combined.push((set, method, undeclared));
        }
    }
    combined.sort_by(|(_, a, _), (_, b, _)| a.name.cmp(&b.name));
    let mut combinations: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
    for (set, mut method, undeclared) in combined {
        lossy.undeclared_scopes += usize::from(undeclared);
        method.name = unique(method.name, taken);
        combinations
            .entry(set.clone())
            .or_default()
            .push(methods.len());
        methods.push(method);
    }
    (
        methods,
        Index {
            singles,
            combinations,
        },
    )
}

/// Which methods a requirement's alternative maps to.
pub(super) struct Index {
    /// A scheme's methods, when it has any of its own.
    singles: HashMap<String, Vec<usize>>,
    /// The methods of a set of schemes (sorted) required together.
    combinations: HashMap<Vec<String>, Vec<usize>>,
}

impl Index {
    /// The methods (indices) an instance may hold to meet `requirement`.
    fn methods_of(&self, requirement: &Requirement) -> &[usize] {
        let found = match requirement.as_slice() {
            [(key, _)] => self.singles.get(key),
            _ => {
                let set: Vec<String> = requirement.iter().map(|(k, _)| k.clone()).collect();
                self.combinations.get(&set)
            }
        };
        found.map_or(&[], Vec::as_slice)
    }
}

/// How the requirements use the declared schemes.
#[derive(Default)]
pub(super) struct Usage<'s> {
    /// Schemes some requirement names on their own.
    alone: HashSet<&'s str>,
    /// Schemes some requirement names with others.
    in_combination: HashSet<&'s str>,
    /// The sets of schemes (sorted) that requirements name together, with
    /// the first operation that does.
    combinations: BTreeMap<Vec<String>, Origin>,
    /// The scopes requirements name, per scheme.
    named: HashMap<&'s str, BTreeSet<&'s str>>,
}

impl<'s> Usage<'s> {
    pub(super) fn of(groups: &'s [Group<'s>], schemes: &BTreeMap<String, Scheme>) -> Self {
        let mut usage = Usage::default();
        for group in groups {
            for requirement in group.requirements() {
                if requirement.is_empty()
                    || requirement
                        .iter()
                        .any(|(key, _)| !schemes.contains_key(key))
                {
                    continue;
                }
                for (key, scopes) in requirement {
                    usage
                        .named
                        .entry(key.as_str())
                        .or_default()
                        .extend(scopes.iter().map(String::as_str));
                    if requirement.len() == 1 {
                        usage.alone.insert(key.as_str());
                    } else {
                        usage.in_combination.insert(key.as_str());
                    }
                }
                if requirement.len() > 1 {
                    let set = requirement.iter().map(|(key, _)| key.clone()).collect();
                    usage
                        .combinations
                        .entry(set)
                        .or_insert_with(|| group.origin.clone());
                }
            }
        }
        usage
    }
}

/// Whether a part of a combination gives it its type (and its scopes).
fn is_oauth(kind: AuthType) -> bool {
    matches!(
        kind,
        AuthType::OAuth1 | AuthType::OAuth2AuthorizationCode | AuthType::OAuth2ClientCredentials
    )
}

/// A method's scopes: those `declared`, with those `named` by
/// requirements; and which of the named ones are not declared.
fn with_named(declared: &[String], named: Option<&BTreeSet<&str>>) -> (Vec<String>, Vec<String>) {
    let undeclared: Vec<String> = named
        .into_iter()
        .flatten()
        .filter(|scope| {
            declared
                .binary_search_by(|d| d.as_str().cmp(scope))
                .is_err()
        })
        .map(|scope| (*scope).to_owned())
        .collect();
    let mut scopes = declared.to_vec();
    scopes.extend(undeclared.iter().cloned());
    scopes.sort();
    (scopes, undeclared)
}

/// The note on scopes that requirements name and the scheme does not
/// declare, if any; `split`: for one flow family of a scheme with both.
fn undeclared_note(undeclared: &[String], declares_none: bool, split: bool) -> Option<String> {
    if undeclared.is_empty() {
        return None;
    }
    let names = crate::text::list(undeclared.iter().map(String::as_str), undeclared.len());
    let (scopes, are) = if undeclared.len() == 1 {
        ("scope", "is")
    } else {
        ("scopes", "are")
    };
    Some(match (declares_none, split) {
        (true, false) => {
            format!("{scopes} {names} {are} named by operations; the scheme declares none")
        }
        (true, true) => {
            format!("{scopes} {names} {are} named by operations; this flow declares none")
        }
        (false, false) => format!("{scopes} {names} {are} not declared by the scheme"),
        (false, true) => format!("{scopes} {names} {are} not declared by this flow"),
    })
}

/// The methods of the schemes `order` required together: one per choice
/// of flow family of each part, named by its parts joined with ` + `;
/// each with whether it declares scopes its schemes do not.
fn combine(
    order: &[&str],
    schemes: &BTreeMap<String, Scheme>,
    usage: &Usage<'_>,
    origin: &Origin,
) -> Vec<(Method, bool)> {
    // Each part's methods: (name, type, declared scopes), and the part's note.
    let mut parts: Vec<(&str, &Scheme)> = Vec::new();
    for key in order {
        if let Some(scheme) = schemes.get(*key) {
            parts.push((key, scheme));
        }
    }
    let mut choices: Vec<Vec<usize>> = vec![Vec::new()];
    for (_, scheme) in &parts {
        let count = scheme.mapped.methods.len().max(1);
        choices = choices
            .into_iter()
            .flat_map(|choice| {
                (0..count).map(move |at| {
                    let mut next = choice.clone();
                    next.push(at);
                    next
                })
            })
            .collect();
    }
    let described: Vec<String> = parts
        .iter()
        .map(|(key, scheme)| match &scheme.mapped.note {
            Some(note) => format!("`{key}` ({note})"),
            None => format!("`{key}`"),
        })
        .collect();
    let together = format!("schemes required together: {}", described.join(", "));
    let mut methods = Vec::with_capacity(choices.len());
    for choice in choices {
        let mut names = Vec::new();
        let mut kind = None;
        let mut scopes: BTreeSet<String> = BTreeSet::new();
        let mut undeclared: Vec<String> = Vec::new();
        let (mut declares_none, mut split) = (true, false);
        for ((key, scheme), at) in parts.iter().zip(&choice) {
            let Some((name, part_kind, declared)) = scheme.mapped.methods.get(*at) else {
                continue;
            };
            names.push(clean(name));
            if kind.is_none() && is_oauth(*part_kind) {
                kind = Some(*part_kind);
            }
            let (all, missing) = with_named(declared, usage.named.get(*key));
            declares_none &= declared.is_empty();
            split |= !missing.is_empty() && scheme.mapped.methods.len() > 1;
            scopes.extend(all);
            undeclared.extend(missing);
        }
        undeclared.sort();
        undeclared.dedup();
        let mut notes = vec![together.clone()];
        notes.extend(undeclared_note(&undeclared, declares_none, split));
        methods.push((
            Method {
                name: names.join(" + "),
                kind: kind.unwrap_or(AuthType::Token),
                scheme: None,
                parts: parts.iter().map(|(key, _)| (*key).to_owned()).collect(),
                scopes: scopes.into_iter().collect(),
                note: Some(notes.join("; ")),
                origin: origin.clone(),
            },
            !undeclared.is_empty(),
        ));
    }
    methods
}

/// An endpoint's items, one per alternative of its requirements (for each
/// method the alternative's schemes map to), without one another implies;
/// whether `anonymous` is one of them.
pub(super) fn items(
    group: &Group<'_>,
    schemes: &BTreeMap<String, Scheme>,
    index: &Index,
    methods: &[Method],
    anonymous: &str,
    endpoint: &mut Endpoint,
) -> bool {
    // `security: []`: no credentials needed, as a `{}` alternative.
    let mut anonymous_used = group
        .occurrences
        .iter()
        .any(|o| o.security.as_ref().is_some_and(Vec::is_empty));
    let mut found: BTreeSet<(usize, Vec<&str>)> = BTreeSet::new();
    let mut undeclared = BTreeSet::new();
    for requirement in group.requirements() {
        if requirement.is_empty() {
            anonymous_used = true;
            continue;
        }
        let missing: Vec<&str> = requirement
            .iter()
            .map(|(key, _)| key.as_str())
            .filter(|key| !schemes.contains_key(*key))
            .collect();
        if !missing.is_empty() {
            // Fail closed: no method holds a scheme the spec does not define.
            undeclared.extend(missing);
            continue;
        }
        let mut scopes: Vec<&str> = requirement
            .iter()
            .flat_map(|(_, scopes)| scopes.iter().map(String::as_str))
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        for &method in index.methods_of(requirement) {
            found.insert((method, scopes.clone()));
        }
    }
    // An item whose scopes include another item's of the same method is
    // implied by it: it never decides anything (`check` would warn).
    let found: Vec<(usize, Vec<&str>)> = found.into_iter().collect();
    let mut kept: Vec<&(usize, Vec<&str>)> = Vec::with_capacity(found.len());
    for item in &found {
        let implied = found.iter().any(|other| {
            other.0 == item.0
                && other.1.len() < item.1.len()
                && other
                    .1
                    .iter()
                    .all(|scope| item.1.binary_search(scope).is_ok())
        });
        if !implied {
            kept.push(item);
        }
    }
    endpoint.items = kept
        .into_iter()
        .filter_map(|(method, scopes)| {
            methods.get(*method).map(|m| Item {
                method: m.name.clone(),
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            })
        })
        .collect();
    if anonymous_used {
        endpoint.items.push(Item {
            method: anonymous.to_owned(),
            scopes: Vec::new(),
        });
    }
    if !undeclared.is_empty() {
        let names: Vec<String> = undeclared.iter().map(|s| format!("`{s}`")).collect();
        endpoint
            .notes
            .push(format!("undeclared schemes: {}", names.join(", ")));
    }
    anonymous_used
}
