//! The checks that find something suspicious rather than wrong: rules
//! that compile but probably don't say what was meant. `no_methods` is
//! here too (an error), because it is found where the connector's other
//! lints are.

use super::connector::repetitions;
use super::model::{ScopedItem, is_subset};
use super::{Checker, ConnectorDef, Map};
use crate::diagnostics::{Builder, Diagnostic, Problem};
use crate::syntax::quote_name;
use crate::syntax::tree::Name;

impl Checker<'_> {
    /// Reports each later repetition in a list of names (`repeated_method`
    /// in an auth list, `repeated_endpoint` in a `sees only` list, as
    /// `problem` makes it) and returns the positions of the repetitions.
    pub(super) fn repeated(
        &mut self,
        items: &[Name<'_>],
        problem: impl Fn(String) -> Problem,
    ) -> Vec<usize> {
        let repeated = repetitions(items);
        for &(position, first) in &repeated {
            let Some(item) = items.get(position) else {
                continue;
            };
            self.emit(
                Diagnostic::build(
                    problem(item.text.to_string()),
                    item.span,
                    "listed again here",
                )
                .label(first, "first listed here")
                .help("remove the repetition; it changes nothing"),
            );
        }
        repeated.into_iter().map(|(position, _)| position).collect()
    }

    /// The lints of a closed connector: `never_available` for the
    /// endpoints in `empty` (written `auth: []`), `no_methods`,
    /// `no_endpoints` and `never_activated`.
    pub(super) fn connector_lints(&mut self, def: &ConnectorDef, empty: &[usize]) {
        let mut found = Vec::new();
        // Examples in help name a method that exists.
        let example = def.methods.first().map(|m| quote_name(&m.name));
        // With no method at all, `no_methods` already says it all.
        if let Some(example) = &example {
            for &endpoint in empty {
                let Some(endpoint) = def.endpoints.get(endpoint) else {
                    continue;
                };
                found.push(
                    Diagnostic::build(
                        Problem::NeverAvailable {
                            endpoint: self.model.endpoint_name(endpoint).to_owned(),
                            connector: def.name.clone(),
                        },
                        endpoint
                            .auth_span(def.span.file)
                            .unwrap_or(endpoint.span(def.span.file)),
                        "no method is activated",
                    )
                    .label(
                        endpoint.span(def.span.file),
                        "no instance can see this endpoint",
                    )
                    .help(format!(
                        "list the auth methods that may call it, e.g. `auth: [{example}]`"
                    )),
                );
            }
        }
        if def.methods.is_empty() {
            found.push(
                Diagnostic::build(
                    Problem::NoMethods {
                        name: def.name.clone(),
                    },
                    def.span,
                    "this connector defines no auth method",
                )
                .help(
                    "add one, e.g. `auth basic: basic`; a connector can't be used before it has \
                     an auth method",
                ),
            );
        }
        if def.endpoints.is_empty() {
            found.push(
                Diagnostic::build(
                    Problem::NoEndpoints {
                        name: def.name.clone(),
                    },
                    def.span,
                    "this connector defines no endpoint",
                )
                .help(format!(
                    "add one, e.g. `endpoint orders < auth: [{}] >`, or remove the connector",
                    example.as_deref().unwrap_or("METHOD")
                )),
            );
        } else if !def.incomplete {
            // An endpoint whose auth list has an error may be meant to
            // activate any method: warning about them would be noise.
            found.extend(never_activated(def));
        }
        for builder in found {
            self.emit(builder);
        }
    }

    /// `blind_instance` for each declared instance that sees no endpoint.
    /// An instance whose method some endpoint lists only with scopes sees
    /// something when it holds every scope of one such item.
    pub(super) fn blind_instances(&mut self) {
        let mut found = Vec::new();
        // Per connector with scoped items, on first need: its items by
        // method, so that each instance reads only its method's.
        let mut by_method: Map<usize, Map<u32, Vec<&ScopedItem>>> = Map::default();
        for instance in &self.model.instances {
            let Some(def) = self.model.connectors.get(instance.connector) else {
                continue;
            };
            if def.incomplete {
                continue;
            }
            if def.is_plainly_used(instance.method) {
                continue;
            }
            if def.is_used(instance.method) {
                let items = by_method.entry(instance.connector).or_insert_with(|| {
                    let mut items: Map<u32, Vec<&ScopedItem>> = Map::default();
                    for item in &def.scoped {
                        items.entry(item.method).or_default().push(item);
                    }
                    items
                });
                let sees = items
                    .get(&u32::try_from(instance.method).unwrap_or(u32::MAX))
                    .is_some_and(|items| {
                        items
                            .iter()
                            .any(|item| is_subset(&item.scopes, &instance.scopes))
                    });
                if sees {
                    continue;
                }
            }
            let method = def
                .methods
                .get(instance.method)
                .map_or("", |m| m.name.as_str());
            found.push(
                Diagnostic::build(
                    Problem::BlindInstance {
                        instance: instance.name.clone(),
                    },
                    instance.span,
                    "this instance sees no endpoint",
                )
                .label(
                    instance.method_span,
                    format!("no endpoint of `{}` activates `{method}`", def.name),
                )
                .help(format!(
                    "activate `{method}` for the endpoints this instance should use, or \
                     configure it with another method of `{}`",
                    def.name
                )),
            );
        }
        for builder in found {
            self.emit(builder);
        }
    }
}

/// Warnings for the methods of `def` that no endpoint activates.
fn never_activated(def: &ConnectorDef) -> Vec<Builder> {
    def.methods
        .iter()
        .enumerate()
        .filter(|&(index, _)| !def.is_used(index))
        .map(|(_, method)| {
            Diagnostic::build(
                Problem::NeverActivated {
                    method: method.name.clone(),
                    connector: def.name.clone(),
                },
                method.span,
                "no endpoint activates this method",
            )
            .help(format!(
                "instances that use `{}` see no endpoint; add it to the `auth` list of the \
                 endpoints it may call, or remove it",
                method.name
            ))
        })
        .collect()
}
