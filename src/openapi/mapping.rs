//! The documents of one API to the neutral model [`Api`]: the mapping that
//! README "OpenAPI: import and drift" describes, shared by `import` (which
//! writes it) and `drift` (which compares rules with it).
//!
//! Operations are gathered from every root document (following `$ref`s
//! to path items and to whole operations in other files), then grouped by
//! verb and path: occurrences on different hosts become endpoints named
//! with their host, occurrences on the same host are merged (the union of
//! what they accept). Everything is sorted, so the model does not depend
//! on the order of keys in the files, nor on how the JSON reader keeps
//! them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::error::Error;
use super::read::{At, DocId, Store, escape_segment};
use super::schemes::{self, SchemeMethods};
use super::{Api, Endpoint, Item, Lossy, Method, Origin};
use crate::check::AuthType;
use crate::text::natural_cmp;

/// The HTTP verbs of an operation, in the order endpoints of one path are
/// listed.
const VERBS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One requirement: schemes required together, each with its scopes.
type Requirement = Vec<(String, Vec<String>)>;

/// An operation as one file declares it.
#[derive(Debug)]
struct Occurrence {
    host: Option<String>,
    /// `None`: no `security` on the operation nor at the top level.
    security: Option<Vec<Requirement>>,
    origin: Origin,
}

/// A scheme's methods and where it is defined.
struct Scheme {
    mapped: SchemeMethods,
    origin: Origin,
}

/// Maps the documents in `store` (see the module docs).
pub(crate) fn map(store: &Store) -> Result<Api, Error> {
    let mut schemes: BTreeMap<String, Scheme> = BTreeMap::new();
    let mut lossy = Lossy::default();
    // (path, verb index) -> occurrences, in root order.
    let mut operations: BTreeMap<(String, usize), Vec<Occurrence>> = BTreeMap::new();
    let mut title = None;
    for root in store.roots() {
        let Some(doc) = store.doc(root) else { continue };
        let swagger = version(store, root, &doc.value)?;
        if title.is_none() {
            title = doc
                .value
                .pointer("/info/title")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
        let top = At {
            doc: root,
            value: &doc.value,
        };
        read_schemes(store, top, swagger, &mut schemes, &mut lossy)?;
        read_operations(store, top, swagger, &mut operations)?;
    }
    let groups = group(&operations);
    let usage = Usage::of(&groups, &schemes);
    let mut taken = HashSet::new();
    let mut methods = Vec::new();
    // Each scheme's methods, whether declared on their own or only as parts.
    let mut singles: HashMap<&str, Vec<usize>> = HashMap::new();
    for (key, scheme) in &schemes {
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
            singles.entry(key.as_str()).or_default().push(methods.len());
            methods.push(Method {
                name: unique(clean(name), &mut taken),
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
        for (method, undeclared) in combine(&order, &schemes, &usage, origin) {
            combined.push((set, method, undeclared));
        }
    }
    combined.sort_by(|(_, a, _), (_, b, _)| a.name.cmp(&b.name));
    let mut combinations: HashMap<&Vec<String>, Vec<usize>> = HashMap::new();
    for (set, mut method, undeclared) in combined {
        lossy.undeclared_scopes += usize::from(undeclared);
        method.name = unique(method.name, &mut taken);
        combinations.entry(set).or_default().push(methods.len());
        methods.push(method);
    }
    let methods_of = |requirement: &Requirement| -> &[usize] {
        let found = match requirement.as_slice() {
            [(key, _)] => singles.get(key.as_str()),
            _ => {
                let set: Vec<String> = requirement.iter().map(|(k, _)| k.clone()).collect();
                combinations.get(&set)
            }
        };
        found.map_or(&[], Vec::as_slice)
    };
    let anonymous = unique("anonymous".to_owned(), &mut taken);
    let mut anonymous_used = false;
    let mut endpoints = Vec::with_capacity(groups.len());
    for group in &groups {
        let mut endpoint = Endpoint {
            name: group.name.clone(),
            items: Vec::new(),
            notes: Vec::new(),
            origin: group.origin.clone(),
        };
        let used = items(
            group,
            &schemes,
            &methods_of,
            &methods,
            &anonymous,
            &mut endpoint,
        );
        anonymous_used |= used;
        lossy.undeclared_schemes += usize::from(!endpoint.notes.is_empty());
        notes(group, &mut endpoint, &mut lossy);
        endpoints.push(endpoint);
    }
    if anonymous_used || methods.is_empty() {
        let note = (!anonymous_used).then(|| {
            "declared because the spec has no security scheme (a connector needs a method)"
                .to_owned()
        });
        let origin = endpoints
            .iter()
            .find(|e: &&Endpoint| e.items.iter().any(|item| item.method == anonymous))
            .map(|e| e.origin.clone())
            .unwrap_or_default();
        methods.push(Method {
            name: anonymous,
            kind: AuthType::None,
            scheme: None,
            parts: Vec::new(),
            scopes: Vec::new(),
            note,
            origin,
        });
    }
    // Scopes as people count them (`kind2` before `kind10`).
    for method in &mut methods {
        method.scopes.sort_by(|a, b| natural_cmp(a, b));
    }
    for item in endpoints.iter_mut().flat_map(|e| &mut e.items) {
        item.scopes.sort_by(|a, b| natural_cmp(a, b));
    }
    Ok(Api {
        title,
        files: store.roots().map(|id| store.name(id).to_owned()).collect(),
        methods,
        endpoints,
        lossy,
    })
}

/// The operations of one endpoint: one verb and path, on one host (or on
/// any, when the files do not put it on several).
struct Group<'o> {
    name: String,
    origin: Origin,
    occurrences: Vec<&'o Occurrence>,
}

impl Group<'_> {
    /// Every alternative of every occurrence's requirements.
    fn requirements(&self) -> impl Iterator<Item = &Requirement> + '_ {
        self.occurrences
            .iter()
            .filter_map(|o| o.security.as_ref())
            .flatten()
    }
}

/// The operations grouped into endpoints, named and in endpoint order.
fn group(operations: &BTreeMap<(String, usize), Vec<Occurrence>>) -> Vec<Group<'_>> {
    let mut groups = Vec::new();
    let mut names = HashSet::new();
    for ((path, verb), occurrences) in operations {
        let verb = VERBS
            .get(*verb)
            .copied()
            .unwrap_or("get")
            .to_ascii_uppercase();
        let hosts: BTreeSet<Option<&str>> = occurrences.iter().map(|o| o.host.as_deref()).collect();
        let mut by_host: BTreeMap<Option<&str>, Vec<&Occurrence>> = BTreeMap::new();
        for occurrence in occurrences {
            let host = if hosts.len() > 1 {
                occurrence.host.as_deref()
            } else {
                None
            };
            by_host.entry(host).or_default().push(occurrence);
        }
        for (host, occurrences) in by_host {
            let name = clean(&format!("{verb} {}{path}", host.unwrap_or("")));
            groups.push(Group {
                name: unique(name, &mut names),
                origin: occurrences
                    .first()
                    .map(|o| o.origin.clone())
                    .unwrap_or_default(),
                occurrences,
            });
        }
    }
    groups
}

/// How the requirements use the declared schemes.
#[derive(Default)]
struct Usage<'s> {
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
    fn of(groups: &'s [Group<'s>], schemes: &BTreeMap<String, Scheme>) -> Self {
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
fn items<'m>(
    group: &Group<'_>,
    schemes: &BTreeMap<String, Scheme>,
    methods_of: &impl Fn(&Requirement) -> &'m [usize],
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
        for &method in methods_of(requirement) {
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

/// The notes on an endpoint for what the rules can't say beside the
/// undeclared schemes [`items`] notes: security that differs between
/// merged files, no security at all.
fn notes(group: &Group<'_>, endpoint: &mut Endpoint, lossy: &mut Lossy) {
    let distinct: BTreeSet<&Option<Vec<Requirement>>> =
        group.occurrences.iter().map(|o| &o.security).collect();
    if distinct.len() > 1 {
        lossy.merged += 1;
        let files: BTreeSet<&str> = group
            .occurrences
            .iter()
            .map(|o| o.origin.file.as_str())
            .collect();
        let files: Vec<String> = files.iter().map(|f| format!("`{f}`")).collect();
        endpoint.notes.push(format!(
            "merged: security differs in {}",
            crate::text::join(files.iter(), files.len(), "and")
        ));
    }
    if group.occurrences.iter().all(|o| o.security.is_none()) {
        lossy.no_security += 1;
        endpoint
            .notes
            .push("the spec gives no security requirement".to_owned());
    }
}

/// Whether the root document is Swagger 2 (`true`) or OpenAPI 3
/// (`false`); an error for anything else.
fn version(store: &Store, root: DocId, value: &Value) -> Result<bool, Error> {
    let name = store.name(root);
    let help = "give the root document of an OpenAPI 3.x or Swagger 2.0 spec (the file with \
                `openapi: 3...` or `swagger: \"2.0\"`); files it refers to are read through \
                its `$ref`s";
    let text = |key: &str| match value.get(key) {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    };
    if !value.is_object() {
        return Err(Error::file(
            name,
            format!("`{name}` is not an OpenAPI or Swagger document: it is not a mapping"),
            help,
        ));
    }
    match (text("openapi"), text("swagger")) {
        (Some(version), _) if version.starts_with("3.") => Ok(false),
        (_, Some(version)) if version == "2.0" || version == "2" => Ok(true),
        (Some(version), _) | (None, Some(version)) => Err(Error::file(
            name,
            format!("`{name}` has version `{version}`, which authgate does not read"),
            help,
        )),
        (None, None) => Err(Error::file(
            name,
            format!(
                "`{name}` is not an OpenAPI or Swagger document: it has no `openapi` or \
                 `swagger` version"
            ),
            help,
        )),
    }
}

/// The schemes a root document defines, added to `schemes` (a key
/// defined again differently keeps its first definition).
fn read_schemes(
    store: &Store,
    top: At<'_>,
    swagger: bool,
    schemes: &mut BTreeMap<String, Scheme>,
    lossy: &mut Lossy,
) -> Result<(), Error> {
    let pointer = if swagger {
        "#/securityDefinitions"
    } else {
        "#/components/securitySchemes"
    };
    let Some(found) = top.value.pointer(pointer.trim_start_matches('#')) else {
        return Ok(());
    };
    let found = store.deref(
        At {
            value: found,
            ..top
        },
        pointer,
    )?;
    let Some(map) = found.value.as_object() else {
        return Err(shape(
            store,
            top.doc,
            pointer,
            "a mapping of security schemes",
        ));
    };
    for (key, def) in map {
        let at = format!("{pointer}/{}", escape_segment(key));
        let def = store.deref(
            At {
                value: def,
                ..found
            },
            &at,
        )?;
        let mapped = schemes::map(key, def.value, swagger);
        match schemes.get_mut(key) {
            // The same scheme in several files (one per product, each
            // with its own scopes): its methods declare them all.
            Some(first) if same_methods(&first.mapped, &mapped) => {
                for ((_, _, scopes), (_, _, more)) in
                    first.mapped.methods.iter_mut().zip(mapped.methods)
                {
                    scopes.extend(more);
                    scopes.sort();
                    scopes.dedup();
                }
            }
            Some(_) => lossy.conflicting_schemes += 1,
            None => {
                let origin = Origin {
                    file: store.name(top.doc).to_owned(),
                    pointer: at,
                };
                schemes.insert(key.clone(), Scheme { mapped, origin });
            }
        }
    }
    Ok(())
}

/// Whether two definitions of a scheme give the same methods (names and
/// types; scopes may differ).
fn same_methods(a: &SchemeMethods, b: &SchemeMethods) -> bool {
    a.methods.len() == b.methods.len()
        && a.methods
            .iter()
            .zip(&b.methods)
            .all(|(a, b)| a.0 == b.0 && a.1 == b.1)
}

/// The operations of a root document, added to `operations`.
fn read_operations(
    store: &Store,
    top: At<'_>,
    swagger: bool,
    operations: &mut BTreeMap<(String, usize), Vec<Occurrence>>,
) -> Result<(), Error> {
    let file = store.name(top.doc).to_owned();
    let security = requirements(store, top, "#")?;
    let root_host = if swagger {
        top.value
            .get("host")
            .and_then(Value::as_str)
            .map(str::to_owned)
    } else {
        server_host(top.value)
    };
    let Some(paths) = top.value.get("paths") else {
        return Ok(());
    };
    let paths = store.deref(
        At {
            value: paths,
            ..top
        },
        "#/paths",
    )?;
    let Some(paths) = paths.value.as_object().map(|map| (map, paths.doc)) else {
        return Err(shape(store, top.doc, "#/paths", "a mapping of paths"));
    };
    let (paths, paths_doc) = paths;
    for (path, item) in paths {
        // OpenAPI 3.1 allows `x-` extensions among the paths.
        if path.starts_with("x-") {
            continue;
        }
        let item_pointer = format!("#/paths/{}", escape_segment(path));
        let item = store.deref(
            At {
                doc: paths_doc,
                value: item,
            },
            &item_pointer,
        )?;
        if !item.value.is_object() {
            return Err(shape(
                store,
                item.doc,
                &item_pointer,
                "a path item (a mapping)",
            ));
        }
        let path_host = if swagger {
            None
        } else {
            server_host(item.value)
        };
        for (index, verb) in VERBS.iter().enumerate() {
            let Some(operation) = item.value.get(*verb) else {
                continue;
            };
            let pointer = format!("{item_pointer}/{verb}");
            let operation = store.deref(
                At {
                    value: operation,
                    ..item
                },
                &pointer,
            )?;
            if !operation.value.is_object() {
                return Err(shape(
                    store,
                    operation.doc,
                    &pointer,
                    "an operation (a mapping)",
                ));
            }
            let own = requirements(store, operation, &pointer)?;
            let host = if swagger {
                None
            } else {
                server_host(operation.value)
            };
            operations
                .entry((path.clone(), index))
                .or_default()
                .push(Occurrence {
                    host: host
                        .or_else(|| path_host.clone())
                        .or_else(|| root_host.clone()),
                    security: own.or_else(|| security.clone()),
                    origin: Origin {
                        file: file.clone(),
                        pointer,
                    },
                });
        }
    }
    Ok(())
}

/// The `security` of an operation or document: `None` when absent.
fn requirements(
    store: &Store,
    at: At<'_>,
    pointer: &str,
) -> Result<Option<Vec<Requirement>>, Error> {
    let Some(security) = at.value.get("security") else {
        return Ok(None);
    };
    let where_ = format!("{pointer}/security");
    let bad = || shape(store, at.doc, &where_, "a list of security requirements");
    let list = security.as_array().ok_or_else(bad)?;
    let mut requirements = Vec::with_capacity(list.len());
    for requirement in list {
        let map = requirement.as_object().ok_or_else(bad)?;
        let mut schemes: Requirement = map
            .iter()
            .map(|(scheme, scopes)| {
                let mut scopes: Vec<String> = scopes
                    .as_array()
                    .map(|list| {
                        list.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                scopes.sort();
                scopes.dedup();
                (scheme.clone(), scopes)
            })
            .collect();
        schemes.sort();
        requirements.push(schemes);
    }
    Ok(Some(requirements))
}

/// The host of the first of a value's `servers`, when its URL has one
/// (`https://api.example.com/v1` → `api.example.com`; a relative URL has
/// none).
fn server_host(value: &Value) -> Option<String> {
    let url = value.pointer("/servers/0/url")?.as_str()?;
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest,
        None => url.strip_prefix("//")?,
    };
    let host = rest.split('/').next().unwrap_or(rest);
    (!host.is_empty()).then(|| host.to_owned())
}

/// An error for a value that does not have the shape the mapping needs.
fn shape(store: &Store, doc: DocId, pointer: &str, expected: &str) -> Error {
    let name = store.name(doc);
    Error::file(
        name,
        format!("`{name}` at `{pointer}`: expected {expected}"),
        "fix the spec: OpenAPI and Swagger define what each field holds",
    )
}

/// A name the language can write: quoted names hold no raw line break
/// and at least one character (a scheme keyed `""` is `(empty)`).
fn clean(name: &str) -> String {
    if name.is_empty() {
        return "(empty)".to_owned();
    }
    name.replace(['\n', '\r'], " ")
}

/// `name`, or `name #2`, `name #3`... when it is taken already.
fn unique(name: String, taken: &mut HashSet<String>) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let mut count = 2;
    loop {
        let candidate = format!("{name} #{count}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        count += 1;
    }
}
