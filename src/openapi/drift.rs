//! A connector in the rules against an [`Api`]: `authgate drift`.
//!
//! The connector is read from the syntax trees of the rule files (which
//! have been checked: it is declared once), so that every label points at
//! the token it is about: a method's name or type, a name in an auth
//! list, the auth list, the connector's name for what is missing. Each
//! message names the spec file and the JSON pointer of the operation or
//! scheme.
//!
//! The rule of severities: what the rules claim and the spec rejects is an
//! error (requests would fail); what the spec offers and the rules leave
//! out is a warning. A method with no scheme is reported once, not again
//! on every endpoint that activates it; a scheme with no method likewise.
//!
//! Scopes are compared per method and endpoint as sets of alternatives:
//! an item of the rules that no item of the spec implies (the spec asks
//! for scopes it lacks) lets instances through that the API refuses, an
//! error on that item; an item of the spec that no item of the rules
//! implies (the rules ask for more) hides the endpoint from instances the
//! API serves, a warning. Items equal as sets have no drift, whatever
//! their order.
//!
//! One piece: every drift code walks the same pairing of rules and spec
//! (methods to schemes, endpoints to operations, items to alternatives),
//! and splitting the codes apart would split that walk.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use super::Api;
use super::render::item_text;
use crate::diagnostics::{self, Diagnostic, Problem};
use crate::source::Sources;
use crate::source::Span;
use crate::syntax::quote_name;
use crate::syntax::tree::{self, Item, Member};
use crate::text;

/// No connector of that name in the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownConnector {
    /// The name asked for.
    pub name: String,
    /// The closest declared name, if one is close.
    pub closest: Option<String>,
}

impl fmt::Display for UnknownConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no connector `{}` in the rules", self.name)?;
        if let Some(closest) = &self.closest {
            write!(f, "; did you mean `{closest}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownConnector {}

/// How [`drift()`] compares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DriftOptions {
    /// The connector uses only part of the API: what the spec offers and
    /// the rules leave out (an operation with no endpoint, a scheme with
    /// no method, an accepted method not activated, an alternative hidden
    /// by more scopes) is not reported; what the rules claim and the spec
    /// does not have or accept still is.
    pub subset: bool,
}

impl DriftOptions {
    /// Sets [`DriftOptions::subset`].
    pub fn subset(mut self, subset: bool) -> Self {
        self.subset = subset;
        self
    }
}

/// A method of the connector as written.
struct RuleMethod {
    name_span: Span,
    kind: String,
    kind_span: Span,
}

/// An endpoint of the connector as written.
struct RuleEndpoint<'s> {
    name: String,
    name_span: Span,
    /// The auth list's span (or the endpoint's, without one) and items.
    list_span: Span,
    items: Vec<RuleItem<'s>>,
}

/// An item of an auth list as written: `oauth` or `oauth("a", "b")`.
struct RuleItem<'s> {
    method: Cow<'s, str>,
    /// The method's name.
    span: Span,
    /// The whole item, scopes included.
    item_span: Span,
    /// The scopes, sorted and without repetition.
    scopes: Vec<Cow<'s, str>>,
}

/// Compares `connector` in the rule files of `sources` (checked, with no
/// error) with `api`; returns the drift diagnostics, sorted.
pub fn drift(
    api: &Api,
    connector: &str,
    sources: &Sources,
    options: DriftOptions,
) -> Result<Vec<Diagnostic>, UnknownConnector> {
    let trees: Vec<tree::File<'_>> = sources
        .iter()
        .filter(|file| file.is_rules())
        .filter_map(|file| crate::syntax::parse(sources, file).ok())
        .collect();
    let found = find_connector(&trees, connector)?;
    let rules = Rules::of(found);
    let compare = Compare {
        api,
        connector,
        at: found.name.span,
        sources,
        options,
        spec: match api.files.as_slice() {
            [one] => format!("`{one}`"),
            files => format!("the {} spec files", files.len()),
        },
        rule_methods: rules.methods.iter().map(|(n, m)| (*n, m)).collect(),
        spec_methods: api.methods.iter().map(|m| (m.name.as_str(), m)).collect(),
    };
    let mut out = Vec::new();
    compare.methods(&rules.methods, &mut out);
    compare.endpoints(&rules.endpoints, &mut out);
    diagnostics::sort(&mut out);
    Ok(out)
}

/// The connector named `connector` in `trees`, or which name was probably
/// meant.
fn find_connector<'t, 's>(
    trees: &'t [tree::File<'s>],
    connector: &str,
) -> Result<&'t tree::Connector<'s>, UnknownConnector> {
    let found = trees
        .iter()
        .flat_map(|t| &t.items)
        .find_map(|item| match item {
            Item::Connector(c) if c.name.text == connector => Some(c),
            _ => None,
        });
    found.ok_or_else(|| {
        let names: Vec<&str> = trees
            .iter()
            .flat_map(|t| &t.items)
            .filter_map(|item| match item {
                Item::Connector(c) => Some(c.name.text.as_ref()),
                _ => None,
            })
            .collect();
        UnknownConnector {
            name: connector.to_owned(),
            closest: crate::text::suggest::closest(connector, names.iter().copied())
                .map(str::to_owned),
        }
    })
}

/// The connector's methods and endpoints as written, in source order.
struct Rules<'t, 's> {
    methods: Vec<(&'t str, RuleMethod)>,
    endpoints: Vec<RuleEndpoint<'s>>,
}

impl<'t, 's> Rules<'t, 's> {
    fn of(found: &'t tree::Connector<'s>) -> Self {
        let mut methods = Vec::new();
        let mut endpoints = Vec::new();
        for member in &found.members {
            match member {
                Member::Method(m) => methods.push((
                    m.name.text.as_ref(),
                    RuleMethod {
                        name_span: m.name.span,
                        kind: m.kind.text.to_string(),
                        kind_span: m.kind.span,
                    },
                )),
                Member::Endpoint(e) => endpoints.push(rule_endpoint(e)),
            }
        }
        Rules { methods, endpoints }
    }
}

/// What both phases of the comparison (methods, then endpoints and what
/// they activate) look at.
struct Compare<'a> {
    api: &'a Api,
    connector: &'a str,
    /// The connector's name in the rules: where what is missing is
    /// reported.
    at: Span,
    sources: &'a Sources,
    options: DriftOptions,
    /// The spec for people: its file, or how many files.
    spec: String,
    /// The connector's methods by name.
    rule_methods: HashMap<&'a str, &'a RuleMethod>,
    /// The spec's methods (its schemes under the mapping) by name.
    spec_methods: HashMap<&'a str, &'a super::Method>,
}

fn build(problem: Problem, span: Span, label: String, help: String) -> diagnostics::Builder {
    Diagnostic::build(problem, span, label).help(help)
}

impl Compare<'_> {
    /// Methods: a scheme with no method, a type that differs, a method
    /// with no scheme.
    fn methods(&self, methods: &[(&str, RuleMethod)], out: &mut Vec<Diagnostic>) {
        let Compare {
            api,
            connector,
            sources,
            options,
            spec,
            ..
        } = self;
        for method in &api.methods {
            let place = origin(&method.origin.file, &method.origin.pointer);
            let what = match (&method.scheme, method.parts.as_slice()) {
                (Some(key), _) => format!("scheme `{key}`"),
                (None, []) => "requests without credentials".to_owned(),
                (None, parts) => format!(
                    "schemes {} required together",
                    text::list(parts.iter().map(String::as_str), parts.len())
                ),
            };
            match self.rule_methods.get(method.name.as_str()) {
                None if options.subset => {}
                None => {
                    let message = if method.scheme.is_none() && method.parts.is_empty() {
                        format!(
                            "the spec accepts {what}{place}, but connector `{connector}` has no \
                             method `{}`",
                            method.name
                        )
                    } else {
                        let has = if method.parts.is_empty() {
                            "has"
                        } else {
                            "have"
                        };
                        format!(
                            "{what}{place} {has} no method `{}` in connector `{connector}`",
                            method.name
                        )
                    };
                    let mut d = build(
                        Problem::DriftMethod { message },
                        self.at,
                        format!("no method `{}` here", method.name),
                        format!("declare `{}`", method_line(method)),
                    )
                    .finish(sources);
                    d.soften();
                    out.push(d);
                }
                Some(rule) if rule.kind != method.kind.as_str() => {
                    let message = format!(
                        "method `{}` is `{}`, but {what}{place} maps to `{}`",
                        method.name, rule.kind, method.kind
                    );
                    out.push(
                        build(
                            Problem::DriftMethod { message },
                            rule.kind_span,
                            format!("the spec says `{}`", method.kind),
                            format!("make the type `{}`", method.kind),
                        )
                        .finish(sources),
                    );
                }
                Some(_) => {}
            }
        }
        for (name, rule) in methods {
            if self.spec_methods.contains_key(name) {
                continue;
            }
            // A scheme the spec requires only together with others.
            let combined: Vec<&str> = api
                .methods
                .iter()
                .filter(|m| m.parts.iter().any(|part| part == name))
                .map(|m| m.name.as_str())
                .collect();
            let (message, label, help) = if combined.is_empty() {
                (
                    format!(
                        "method `{name}` of connector `{connector}` has no security scheme in {spec}"
                    ),
                    "no scheme in the spec".to_owned(),
                    "remove the method, or name it as the scheme's key".to_owned(),
                )
            } else {
                let names = text::list(combined.iter().copied(), combined.len());
                (
                    format!(
                        "method `{name}` of connector `{connector}` is a scheme that {spec} \
                         requires only together with others"
                    ),
                    "never accepted on its own".to_owned(),
                    format!(
                        "an instance holding only `{name}` is refused; use {names}, which hold \
                         the schemes together"
                    ),
                )
            };
            out.push(
                build(
                    Problem::DriftMethod { message },
                    rule.name_span,
                    label,
                    help,
                )
                .finish(sources),
            );
        }
    }

    /// Endpoints and what they activate: an operation with no endpoint,
    /// a method activated that the spec does not accept or accepted and
    /// left off, scopes that differ, an endpoint with no operation.
    fn endpoints(&self, endpoints: &[RuleEndpoint<'_>], out: &mut Vec<Diagnostic>) {
        let Compare {
            api,
            connector,
            sources,
            options,
            spec,
            ..
        } = self;
        let rule_endpoints: HashMap<&str, &RuleEndpoint<'_>> =
            endpoints.iter().map(|e| (e.name.as_str(), e)).collect();
        let spec_endpoints: HashSet<&str> = api.endpoints.iter().map(|e| e.name.as_str()).collect();
        for endpoint in &api.endpoints {
            let place = origin(&endpoint.origin.file, &endpoint.origin.pointer);
            let Some(rule) = rule_endpoints.get(endpoint.name.as_str()) else {
                if options.subset {
                    continue;
                }
                let message = format!(
                    "operation `{}`{place} has no endpoint in connector `{connector}`",
                    endpoint.name
                );
                let list: Vec<String> = endpoint
                    .items
                    .iter()
                    .map(|item| item_text(&item.method, &item.scopes))
                    .collect();
                out.push(
                    build(
                        Problem::DriftEndpoint { message },
                        self.at,
                        format!("no endpoint `{}` here", endpoint.name),
                        format!(
                            "add `endpoint {} < auth: [{}] >`",
                            quote_name(&endpoint.name),
                            list.join(", ")
                        ),
                    )
                    .finish(sources),
                );
                continue;
            };
            self.activation(endpoint, rule, &place, out);
            self.scopes(endpoint, rule, &place, out);
        }
        for rule in endpoints {
            if !spec_endpoints.contains(rule.name.as_str()) {
                let message = format!(
                    "endpoint `{}` of connector `{connector}` has no operation in {spec}",
                    rule.name
                );
                out.push(
                    build(
                        Problem::DriftEndpoint { message },
                        rule.name_span,
                        "no such operation in the spec".to_owned(),
                        "endpoints are named `VERB /path` as in the spec; remove or rename it"
                            .to_owned(),
                    )
                    .finish(sources),
                );
            }
        }
    }

    /// Methods an endpoint activates that the spec does not accept for
    /// its operation, and methods the spec accepts that it leaves off.
    fn activation(
        &self,
        endpoint: &super::Endpoint,
        rule: &RuleEndpoint<'_>,
        place: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let accepted: Vec<&str> = endpoint.methods().collect();
        let accepted_list = text::list(accepted.iter().copied(), accepted.len());
        for item in &rule.items {
            let method = item.method.as_ref();
            // A method with no scheme is reported once, by `methods`.
            if accepted.contains(&method) || !self.spec_methods.contains_key(method) {
                continue;
            }
            let message = format!(
                "endpoint `{}` activates `{method}`, which the spec does not accept for the \
                 operation{place}",
                endpoint.name
            );
            out.push(
                build(
                    Problem::DriftActivation { message },
                    item.span,
                    "not accepted by the spec".to_owned(),
                    format!("remove `{method}`; the spec accepts {accepted_list}"),
                )
                .finish(self.sources),
            );
        }
        let missing: Vec<&str> = accepted
            .iter()
            .copied()
            .filter(|m| {
                !rule.items.iter().any(|item| item.method == *m)
                    && self.rule_methods.contains_key(m)
            })
            .collect();
        if !missing.is_empty() && !self.options.subset {
            let names = text::list(missing.iter().copied(), missing.len());
            let message = format!(
                "endpoint `{}` leaves off {names}, which the spec accepts for the operation{place}",
                endpoint.name
            );
            let mut d = build(
                Problem::DriftActivation { message },
                rule.list_span,
                format!("{names} not activated"),
                format!("add {names} to the auth list, or leave it off on purpose"),
            )
            .finish(self.sources);
            d.soften();
            out.push(d);
        }
    }

    /// For each method both the rules and the spec activate on an
    /// endpoint: an item of the rules no item of the spec implies (fewer
    /// scopes: an error), an item of the spec no item of the rules
    /// implies (more scopes: a warning).
    fn scopes(
        &self,
        endpoint: &super::Endpoint,
        rule: &RuleEndpoint<'_>,
        place: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let implies = |needs: &[String], held: &[Cow<'_, str>]| {
            needs
                .iter()
                .all(|scope| held.iter().any(|h| h.as_ref() == scope.as_str()))
        };
        for method in endpoint.methods() {
            let spec_items: Vec<&super::Item> = endpoint
                .items
                .iter()
                .filter(|item| item.method == method)
                .collect();
            let rule_items: Vec<&RuleItem<'_>> = rule
                .items
                .iter()
                .filter(|item| item.method == method)
                .collect();
            if rule_items.is_empty() {
                continue;
            }
            let spec_list: Vec<String> = spec_items
                .iter()
                .map(|item| format!("`{}`", item_text(&item.method, &item.scopes)))
                .collect();
            let spec_text = text::join(spec_list.iter(), spec_list.len(), "or");
            for item in &rule_items {
                if spec_items
                    .iter()
                    .any(|spec_item| implies(&spec_item.scopes, &item.scopes))
                {
                    continue;
                }
                let written = item_text(&item.method, &item.scopes);
                let message = format!(
                    "endpoint `{}` admits `{written}` with fewer scopes than the spec requires \
                     for the operation{place}",
                    endpoint.name
                );
                out.push(
                    build(
                        Problem::DriftScope { message },
                        item.item_span,
                        "the API refuses instances holding only these scopes".to_owned(),
                        if spec_list.len() == 1 {
                            format!("require the scopes the spec does: {spec_text}")
                        } else {
                            format!(
                                "require the scopes of one of the spec's alternatives: {spec_text}"
                            )
                        },
                    )
                    .finish(self.sources),
                );
            }
            if self.options.subset {
                continue;
            }
            for spec_item in &spec_items {
                if rule_items.iter().any(|item| {
                    let needs: Vec<String> =
                        item.scopes.iter().map(|s| s.as_ref().to_owned()).collect();
                    let held: Vec<Cow<'_, str>> = spec_item
                        .scopes
                        .iter()
                        .map(|s| Cow::Borrowed(s.as_str()))
                        .collect();
                    implies(&needs, &held)
                }) {
                    continue;
                }
                let written = item_text(&spec_item.method, &spec_item.scopes);
                let message = format!(
                    "endpoint `{}` requires more scopes of `{method}` than the spec, which \
                     accepts `{written}` for the operation{place}",
                    endpoint.name
                );
                let span = rule_items
                    .first()
                    .map_or(rule.list_span, |item| item.item_span);
                let mut d = build(
                    Problem::DriftScope { message },
                    span,
                    format!("instances holding only what `{written}` needs can't see it"),
                    format!("add `{written}` to the auth list, or require more on purpose"),
                )
                .finish(self.sources);
                d.soften();
                out.push(d);
            }
        }
    }
}

/// A method's declaration as the import writes it.
fn method_line(method: &super::Method) -> String {
    let mut line = format!("auth {}: {}", quote_name(&method.name), method.kind);
    if !method.scopes.is_empty() {
        let scopes: Vec<String> = method.scopes.iter().map(|s| quote_name(s)).collect();
        line.push_str(&format!(" < scopes: [{}] >", scopes.join(", ")));
    }
    line
}

/// ` (`FILE#POINTER`)`, or nothing without a pointer.
fn origin(file: &str, pointer: &str) -> String {
    if pointer.is_empty() {
        String::new()
    } else {
        format!(" (`{file}{pointer}`)")
    }
}

fn rule_endpoint<'s>(endpoint: &tree::Endpoint<'s>) -> RuleEndpoint<'s> {
    let list = endpoint.options.as_ref().and_then(|options| {
        options.entries.iter().find_map(|entry| match &entry.value {
            tree::Value::List(list) if entry.key.text == "auth" => Some(list),
            _ => None,
        })
    });
    let items = list
        .map(|list| {
            list.items
                .iter()
                .enumerate()
                .map(|(at, name)| {
                    let written = list.scopes_of(at);
                    let mut scopes: Vec<Cow<'s, str>> = written
                        .map(|w| w.names.iter().map(|n| n.text.clone()).collect())
                        .unwrap_or_default();
                    scopes.sort();
                    scopes.dedup();
                    RuleItem {
                        method: name.text.clone(),
                        span: name.span,
                        item_span: written.map_or(name.span, |w| name.span.to(w.span)),
                        scopes,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    RuleEndpoint {
        name: endpoint.name.text.to_string(),
        name_span: endpoint.name.span,
        list_span: list.map_or(endpoint.span, |list| list.span),
        items,
    }
}
