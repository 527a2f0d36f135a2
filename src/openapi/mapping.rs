//! The documents of one API to the neutral model [`Api`]: the mapping that
//! `docs/openapi.md` describes, shared by `import` (which
//! writes it) and `drift` (which compares rules with it).
//!
//! Operations are gathered from every root document (following `$ref`s
//! to path items and to whole operations in other files), then grouped by
//! verb and path: occurrences on different hosts become endpoints named
//! with their host, occurrences on the same host are merged (the union of
//! what they accept). What their requirements make of methods and items
//! is [`super::alternatives`]'s. Everything is sorted, so the model does
//! not depend on the order of keys in the files, nor on how the JSON
//! reader keeps them; the one order kept, the order in which a
//! requirement names schemes together, names a combined method.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;

use super::alternatives::{self, Usage};
use super::error::Error;
use super::gathered::{Group, Occurrence, Requirement, Scheme, clean, unique};
use super::read::{At, DocId, Store, escape_segment};
use super::schemes::{self, SchemeMethods};
use super::{Api, Endpoint, Lossy, Method, Origin};
use crate::check::AuthType;
use crate::text::natural_cmp;

/// The HTTP verbs of an operation, in the order endpoints of one path are
/// listed.
const VERBS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

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
    let (mut methods, index) =
        alternatives::methods(&schemes, &usage, store, &mut taken, &mut lossy);
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
        let used =
            alternatives::items(group, &schemes, &index, &methods, &anonymous, &mut endpoint);
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

/// The notes on an endpoint for what the rules can't say beside the
/// undeclared schemes `alternatives::items` notes: security that differs between
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
