//! Connectors as the parser streams them: each method and endpoint is
//! checked as it arrives, and the connector is closed (and linted) at its
//! `}`.
//!
//! An auth list is resolved on arrival when it can be: names of methods
//! declared further down wait in `pending` until the connector closes.

use super::confusables;
use super::options::{Key, OptionsOf};
use super::{Checker, ConnectorDef, MethodDef};
use crate::check::AuthType;
use crate::diagnostics::Problem;
use crate::source::Span;
use crate::syntax::tree::{self, Name};

/// A connector whose members are arriving.
pub(super) struct OpenConnector<'s> {
    name: Name<'s>,
    def: ConnectorDef,
    /// Auth-list names that did not resolve when their endpoint arrived (a
    /// method declared further down, or an unknown name): resolved when
    /// the connector closes.
    pending: Vec<(usize, Name<'s>)>,
    /// Endpoints written with `auth: []`.
    empty: Vec<usize>,
    /// Whether some method or endpoint name is not plain ASCII, so that
    /// names may look alike.
    unusual_names: bool,
}

impl<'s> OpenConnector<'s> {
    pub(super) fn new(name: Name<'s>) -> Self {
        OpenConnector {
            def: ConnectorDef::new(name.text.to_string(), name.span),
            name,
            pending: Vec::new(),
            empty: Vec::new(),
            unusual_names: false,
        }
    }
}

impl<'s> Checker<'s> {
    pub(super) fn method(&mut self, open: &mut OpenConnector<'s>, method: &tree::Method<'s>) {
        let kind = AuthType::from_name(&method.kind.text);
        let def = MethodDef {
            name: method.name.text.to_string(),
            span: method.name.span,
            kind,
        };
        if let Err(first) = open.def.add_method(def) {
            let first = open
                .def
                .methods
                .get(first)
                .map_or(method.name.span, |m| m.span);
            self.duplicate("auth method", &method.name, first);
            return;
        }
        open.unusual_names |= confusables::is_unusual(&method.name.text);
        if kind.is_none() {
            self.unknown_type(&method.kind);
        }
    }

    pub(super) fn endpoint(&mut self, open: &mut OpenConnector<'s>, endpoint: &tree::Endpoint<'s>) {
        let name = &endpoint.name;
        let id = match open
            .def
            .add_endpoint(&mut self.model.names, &name.text, name.span)
        {
            Ok(id) => id,
            Err(first) => {
                let first = open
                    .def
                    .endpoints
                    .get(first)
                    .map_or(name.span, |e| e.span(name.span.file));
                self.duplicate("endpoint", name, first);
                return;
            }
        };
        open.unusual_names |= confusables::is_unusual(&name.text);
        let errors_before = self.diagnostics.len();
        let options = self.options(endpoint.options.as_ref(), OptionsOf::Endpoint, name);
        if let Some(list) = options.list(Key::Auth) {
            if let Some(def) = open.def.endpoints.last_mut() {
                def.set_auth_span(list.span);
            }
            if list.items.is_empty() {
                open.empty.push(id);
            }
            let repeated = self.repeated(&list.items, |method| Problem::RepeatedMethod { method });
            // Positions come ascending: walk them along the list.
            let mut repeated = repeated.into_iter().peekable();
            for (position, method) in list.items.iter().enumerate() {
                if repeated.next_if_eq(&position).is_some() {
                    continue;
                }
                match open.def.method(&method.text) {
                    Some(index) => open.def.activate(id, index),
                    None => open.pending.push((id, method.clone())),
                }
            }
        }
        if self.has_errors_since(errors_before) {
            open.def.incomplete = true;
        }
    }

    pub(super) fn close_connector(&mut self, mut open: OpenConnector<'s>) {
        // Names that did not resolve on arrival.
        let errors_before = self.diagnostics.len();
        for (endpoint, name) in &open.pending {
            match open.def.method(&name.text) {
                Some(method) => open.def.activate(*endpoint, method),
                None => {
                    let diagnostic = self.unknown_method(&open.def, name);
                    self.emit(diagnostic);
                }
            }
        }
        if self.has_errors_since(errors_before) {
            open.def.incomplete = true;
        }
        open.def.finish_activations();
        self.connector_lints(&open.def, &open.empty);
        if open.unusual_names {
            let def = &open.def;
            self.confusables(
                "auth method",
                def.methods.iter().map(|m| (m.name.as_str(), m.span)),
            );
            let names = &self.model.names;
            let endpoints = def
                .endpoints
                .iter()
                .map(|e| (names.get(e.name), e.span(def.span.file)));
            for builder in confusables::find("endpoint", endpoints) {
                self.emit(builder);
            }
        }
        open.def.shrink_to_fit();
        let span = open.def.span;
        if let Err(first) = self.model.add_connector(open.def) {
            let first = self.model.connectors.get(first).map_or(span, |c| c.span);
            self.duplicate("connector", &open.name, first);
        }
    }
}

/// For each later repetition in a list of names: its position and the span
/// of the first occurrence.
pub(super) fn repetitions(items: &[Name<'_>]) -> Vec<(usize, Span)> {
    /// A list this long is checked with a hash set rather than pairwise.
    const SHORT_LIST: usize = 16;
    let mut found = Vec::new();
    if items.len() <= SHORT_LIST {
        for (position, item) in items.iter().enumerate() {
            if let Some(first) = items
                .iter()
                .take(position)
                .find(|earlier| earlier.text == item.text)
            {
                found.push((position, first.span));
            }
        }
    } else {
        let mut seen: super::Map<&str, Span> = super::Map::default();
        for (position, item) in items.iter().enumerate() {
            match seen.entry(&item.text) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    found.push((position, *first.get()));
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(item.span);
                }
            }
        }
    }
    found
}
