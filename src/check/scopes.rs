//! Scopes: what a method can grant, what an instance holds, and what an
//! auth-list item `METHOD(SCOPE, ...)` needs.
//!
//! Scope names are resolved to per-method ids here, once, so that the
//! model (and the compiled policy after it) compares sets of small
//! integers. Hostile sizes are the design point: a method may declare
//! 100,000 scopes and an endpoint list 10,000 items of one method, so
//! every check is a hash look-up per written scope, never a comparison of
//! every item with every other.
//!
//! `redundant_alternative`, which compares the items of one list by the
//! names written, is in [`redundant`].

use super::connector::OpenConnector;
use super::model::{ScopedItem, is_subset};
use super::{Checker, ConnectorDef, InstanceDef, Map};
use crate::check::AuthType;
use crate::diagnostics::{Diagnostic, Problem};
use crate::source::Span;
use crate::syntax::quote_name;
use crate::syntax::tree::{List, Name, Scopes};
use crate::text::list;

mod redundant;

impl<'s> Checker<'s> {
    /// The scopes a method declares (`scopes: [...]` of type `kind`),
    /// each once, in declaration order; reports repeats and scopes on a
    /// `none` method.
    pub(super) fn declared_scopes(
        &mut self,
        method: &Name<'_>,
        kind: Option<AuthType>,
        scopes: Option<&List<'_>>,
    ) -> (Vec<String>, Map<String, u32>) {
        let mut names = Vec::new();
        let mut index = Map::default();
        let Some(scopes) = scopes else {
            return (names, index);
        };
        if kind == Some(AuthType::None) {
            self.scopes_not_allowed(
                format!("auth method `{}` of type `none`", method.text),
                scopes.span,
                "a method without credentials grants no scope",
            );
            return (names, index);
        }
        self.scope_list_shape(scopes);
        self.repeated(&scopes.items, |scope| Problem::RepeatedScope { scope });
        for scope in &scopes.items {
            if !index.contains_key(scope.text.as_ref()) {
                index.insert(scope.text.to_string(), id(names.len()));
                names.push(scope.text.to_string());
            }
        }
        (names, index)
    }

    /// A list of scopes whose names carry scopes of their own.
    fn scope_list_shape(&mut self, scopes: &List<'_>) {
        for scoped in &scopes.scopes {
            if let Some(scope) = scopes.items.get(scoped.item) {
                self.scopes_not_allowed(
                    format!("scope `{}`", scope.text),
                    scoped.scopes.span,
                    "a scope is a name, not an item",
                );
            }
        }
    }

    fn scopes_not_allowed(&mut self, what: String, span: Span, label: &str) {
        self.emit(
            Diagnostic::build(Problem::ScopesNotAllowed { what }, span, label)
                .help("remove the scopes"),
        );
    }

    /// Resolves the scopes an instance of `method` holds: ascending ids,
    /// each once. Unknown scopes are reported and left out.
    pub(super) fn held_scopes(
        &mut self,
        def: &ConnectorDef,
        method: usize,
        instance: &Name<'_>,
        scopes: &List<'_>,
    ) -> Vec<u32> {
        let Some(method_def) = def.methods.get(method) else {
            return Vec::new();
        };
        if method_def.kind == Some(AuthType::None) {
            self.scopes_not_allowed(
                format!(
                    "instance `{}` of `none` method `{}`",
                    instance.text, method_def.name
                ),
                scopes.span,
                "an instance without credentials holds no scope",
            );
            return Vec::new();
        }
        self.scope_list_shape(scopes);
        self.repeated(&scopes.items, |scope| Problem::RepeatedScope { scope });
        let mut held: Vec<u32> = scopes
            .items
            .iter()
            .filter_map(|scope| self.scope_id(def, method, scope))
            .collect();
        held.sort_unstable();
        held.dedup();
        held
    }

    /// The id of `scope` of `method`, or `unknown_scope`.
    fn scope_id(&mut self, def: &ConnectorDef, method: usize, scope: &Name<'_>) -> Option<u32> {
        let method_def = def.methods.get(method)?;
        if let Some(found) = method_def.scope(&scope.text) {
            return Some(found);
        }
        let help = if method_def.scopes.is_empty() {
            format!(
                "`{}` declares no scopes: add `< scopes: [{}] >` to it",
                method_def.name,
                quote_name(&scope.text)
            )
        } else {
            let declared = list(
                method_def.scopes.iter().map(String::as_str),
                method_def.scopes.len(),
            );
            match self.closest(&scope.text, method_def.scopes.iter().map(String::as_str)) {
                Some(close) => format!(
                    "did you mean `{close}`? `{}` declares {declared}",
                    method_def.name
                ),
                None => format!("`{}` declares {declared}", method_def.name),
            }
        };
        self.emit(
            Diagnostic::build(
                Problem::UnknownScope {
                    scope: scope.text.to_string(),
                    method: method_def.name.clone(),
                },
                scope.span,
                "not a scope of this method",
            )
            .label(method_def.span, "method declared here")
            .help(help),
        );
        None
    }

    /// The items of an auth list that carry scopes (`list.scopes` is not
    /// empty): repeats among the plain items, redundant items, and each
    /// item resolved (or kept for the connector's close when its method
    /// is declared further down).
    pub(super) fn scoped_auth_list(
        &mut self,
        open: &mut OpenConnector<'s>,
        endpoint: usize,
        auth: &List<'s>,
    ) {
        // Plain items: as before scopes, repeats are `repeated_method`.
        let plain: Vec<Name<'s>> = auth
            .items
            .iter()
            .enumerate()
            .filter(|(index, _)| auth.scopes_of(*index).is_none())
            .map(|(_, name)| name.clone())
            .collect();
        let repeated = self.repeated(&plain, |method| Problem::RepeatedMethod { method });
        for (position, method) in plain.iter().enumerate() {
            if repeated.contains(&position) {
                continue;
            }
            open.plain_item(endpoint, method.clone());
        }
        self.redundant_items(auth);
        for scoped in &auth.scopes {
            let Some(method) = auth.items.get(scoped.item) else {
                continue;
            };
            self.repeated(&scoped.scopes.names, |scope| Problem::RepeatedScope {
                scope,
            });
            match open.def().method(&method.text) {
                Some(index) => self.add_scoped_item(
                    open.def_mut(),
                    endpoint,
                    (index, method.span),
                    &scoped.scopes,
                ),
                None => open.pend_scoped(endpoint, method.clone(), scoped.scopes.clone()),
            }
        }
    }

    /// Resolves an item `METHOD(SCOPE, ...)` of `endpoint`, whose method's
    /// name is written at `name`, and adds it.
    pub(super) fn add_scoped_item(
        &mut self,
        def: &mut ConnectorDef,
        endpoint: usize,
        (method, name): (usize, Span),
        scopes: &Scopes<'_>,
    ) {
        if def.methods.get(method).and_then(|m| m.kind) == Some(AuthType::None) {
            let name = def.methods.get(method).map_or("", |m| m.name.as_str());
            self.scopes_not_allowed(
                format!("auth method `{name}` of type `none`"),
                scopes.span,
                "a method without credentials grants no scope",
            );
            def.incomplete = true;
            return;
        }
        let mut ids = Vec::with_capacity(scopes.names.len());
        let mut known = true;
        for scope in &scopes.names {
            match self.scope_id(def, method, scope) {
                Some(found) => ids.push(found),
                None => known = false,
            }
        }
        if !known {
            def.incomplete = true;
            return;
        }
        ids.sort_unstable();
        ids.dedup();
        def.scoped.push(ScopedItem {
            endpoint: id(endpoint),
            method: id(method),
            scopes: ids.into_boxed_slice(),
            at: (name.start, scopes.span.end),
        });
    }

    /// A connection whose instance has a method the endpoint lists only
    /// with scopes: `missing_scope` when no item is held whole. `None` when
    /// the endpoint has no scoped item of the method (not a scope matter).
    pub(super) fn missing_scope(
        &mut self,
        def: &ConnectorDef,
        instance: &InstanceDef,
        endpoint: usize,
        connection: Span,
    ) -> Option<bool> {
        let items = def.scoped_items(endpoint, instance.method);
        if items.is_empty() {
            return None;
        }
        if items
            .iter()
            .any(|item| is_subset(&item.scopes, &instance.scopes))
        {
            return Some(true);
        }
        let method = def.methods.get(instance.method)?;
        // The closest item: the fewest scopes missing.
        let missing_of = |item: &ScopedItem| -> Vec<u32> {
            item.scopes
                .iter()
                .copied()
                .filter(|scope| instance.scopes.binary_search(scope).is_err())
                .collect()
        };
        let closest = items.iter().min_by_key(|item| missing_of(item).len())?;
        let missing = missing_of(closest);
        let names = |ids: &[u32]| -> Vec<&str> {
            ids.iter()
                .filter_map(|&scope| method.scopes.get(scope as usize))
                .map(String::as_str)
                .collect()
        };
        let missing_names = names(&missing);
        let needed = names(&closest.scopes);
        let endpoint_def = def.endpoints.get(endpoint)?;
        let endpoint_name = self.model.endpoint_name(endpoint_def).to_owned();
        let file = def.span.file;
        let held_label = if instance.scopes.is_empty() {
            format!("`{}` holds no scope", instance.name)
        } else {
            format!(
                "`{}` holds {}",
                instance.name,
                list(names(&instance.scopes).into_iter(), instance.scopes.len())
            )
        };
        let needed_text: Vec<String> = needed.iter().map(|s| quote_name(s)).collect();
        let mut builder = Diagnostic::build(
            Problem::MissingScope {
                instance: instance.name.clone(),
                endpoint: endpoint_name.clone(),
            },
            connection,
            format!("`{endpoint_name}` is not available to `{}`", instance.name),
        )
        .label(
            instance.scopes_span.unwrap_or(instance.method_span),
            held_label,
        );
        builder = builder.label(
            Span {
                file,
                start: closest.at.0,
                end: closest.at.1,
            },
            format!(
                "comes closest: `{}({})`",
                quote_name(&method.name),
                needed_text.join(", ")
            ),
        );
        self.emit(builder.help(format!(
            "grant `{}` {} as well, or use an instance that holds them",
            instance.name,
            list(missing_names.into_iter(), missing.len())
        )));
        Some(false)
    }
}

fn id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}
