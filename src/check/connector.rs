//! Connectors as the parser streams them: each method and endpoint is
//! checked as it arrives, and the connector is closed (and linted) at its
//! `}`.
//!
//! An auth list is resolved on arrival when it can be: names of methods
//! declared further down wait in `pending` until the connector closes.

use super::confusables;
use super::duplicates::Repeats;
use super::options::{Key, OptionsOf};
use super::{Checker, ConnectorDef, Map, MethodDef};
use crate::check::AuthType;
use crate::diagnostics::Problem;
use crate::source::Span;
use crate::syntax::tree::{self, Name, Value};
use crate::text::list;

/// A connector whose members are arriving.
pub(super) struct OpenConnector<'s> {
    name: Name<'s>,
    def: ConnectorDef,
    /// Auth-list names that did not resolve when their endpoint arrived (a
    /// method declared further down, or an unknown name): resolved when
    /// the connector closes.
    pending: Vec<(usize, Name<'s>)>,
    /// Items `METHOD(SCOPE, ...)` whose method had not been declared when
    /// their endpoint arrived.
    pending_scoped: Vec<(usize, Name<'s>, tree::Scopes<'s>)>,
    /// Endpoints written with `auth: []`.
    empty: Vec<usize>,
    /// Whether some method or endpoint name is not plain ASCII, so that
    /// names may look alike.
    unusual_names: bool,
    /// Methods declared again, reported when the connector closes.
    method_repeats: Repeats,
    /// Endpoints declared again: compared with the first declaration
    /// once every auth list is resolved, when the connector closes.
    endpoint_repeats: Vec<EndpointRepeat<'s>>,
}

/// An endpoint declared again.
struct EndpointRepeat<'s> {
    /// The index of the first declaration.
    first: usize,
    name: Name<'s>,
    /// Its auth list, if it has one.
    auth: Option<Vec<Name<'s>>>,
}

impl<'s> OpenConnector<'s> {
    pub(super) fn new(name: Name<'s>) -> Self {
        OpenConnector {
            def: ConnectorDef::new(name.text.to_string(), name.span),
            name,
            pending: Vec::new(),
            pending_scoped: Vec::new(),
            empty: Vec::new(),
            unusual_names: false,
            method_repeats: Repeats::new("auth method"),
            endpoint_repeats: Vec::new(),
        }
    }
}

impl<'s> OpenConnector<'s> {
    /// The connector as declared so far.
    pub(super) fn def(&self) -> &ConnectorDef {
        &self.def
    }

    /// The connector as declared so far, to add to.
    pub(super) fn def_mut(&mut self) -> &mut ConnectorDef {
        &mut self.def
    }

    /// An auth-list item without scopes: activates its method now, or
    /// when the connector closes.
    pub(super) fn plain_item(&mut self, endpoint: usize, method: Name<'s>) {
        match self.def.method(&method.text) {
            Some(index) => self.def.activate(endpoint, index),
            None => self.pending.push((endpoint, method)),
        }
    }

    /// An item with scopes whose method is not declared yet.
    pub(super) fn pend_scoped(
        &mut self,
        endpoint: usize,
        method: Name<'s>,
        scopes: tree::Scopes<'s>,
    ) {
        self.pending_scoped.push((endpoint, method, scopes));
    }
}

impl<'s> Checker<'s> {
    pub(super) fn method(&mut self, open: &mut OpenConnector<'s>, method: &tree::Method<'s>) {
        let kind = AuthType::from_name(&method.kind.text);
        let options = self.options(method.options.as_ref(), OptionsOf::Method, &method.name);
        let (scopes, scope_index) =
            self.declared_scopes(&method.name, kind, options.list(Key::Scopes));
        let def = MethodDef {
            name: method.name.text.to_string(),
            span: method.name.span,
            kind,
            scopes,
            scope_index,
        };
        if let Err(first) = open.def.add_method(def) {
            let Some(first) = open.def.methods.get(first) else {
                return;
            };
            let (label, differs) = match first.kind {
                Some(kind) if kind.as_str() != method.kind.text => (
                    format!(
                        "declared again here, as `{}` (the first is `{kind}`)",
                        method.kind.text
                    ),
                    true,
                ),
                _ => ("declared again here".to_owned(), false),
            };
            open.method_repeats.add_labelled(
                &method.name.text,
                first.span,
                method.name.span,
                label,
                differs,
            );
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
                // Its options are not checked: only the first declaration
                // counts. Its auth list is kept to say how it differs.
                let auth = endpoint
                    .options
                    .iter()
                    .flat_map(|options| options.entries.iter())
                    .find(|entry| entry.key.text == Key::Auth.name())
                    .and_then(|entry| match &entry.value {
                        Value::List(list) => Some(list.items.clone()),
                        Value::Name(_) => None,
                    });
                open.endpoint_repeats.push(EndpointRepeat {
                    first,
                    name: name.clone(),
                    auth,
                });
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
            if !list.scopes.is_empty() {
                self.scoped_auth_list(open, id, list);
                if self.has_errors_since(errors_before) {
                    open.def.incomplete = true;
                }
                return;
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
        for (endpoint, name, scopes) in std::mem::take(&mut open.pending_scoped) {
            match open.def.method(&name.text) {
                Some(method) => {
                    self.add_scoped_item(&mut open.def, endpoint, (method, name.span), &scopes)
                }
                None => {
                    let diagnostic = self.unknown_method(&open.def, &name);
                    self.emit(diagnostic);
                }
            }
        }
        if self.has_errors_since(errors_before) {
            open.def.incomplete = true;
        }
        open.def.finish_activations();
        self.report_repeats(std::mem::replace(
            &mut open.method_repeats,
            Repeats::new("auth method"),
        ));
        let endpoints = self.endpoint_repeats(&open.def, &mut open.endpoint_repeats);
        self.report_repeats(endpoints);
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
            self.connector_repeats.add(&open.name.text, first, span);
        }
    }

    /// The endpoints of `def` declared again, each labelled with how its
    /// auth list compares with the first declaration's (`def` closed).
    /// Each repetition costs its own auth list and a few names of the
    /// first's, not the whole of the first's: one name's first list is
    /// counted once.
    fn endpoint_repeats(&self, def: &ConnectorDef, found: &mut [EndpointRepeat<'_>]) -> Repeats {
        let mut repeats = Repeats::new("endpoint");
        found.sort_by_key(|repeat| repeat.first);
        let file = def.span.file;
        let mut first_count = (usize::MAX, 0);
        for repeat in found.iter() {
            let Some(first) = def.endpoints.get(repeat.first) else {
                continue;
            };
            if first_count.0 != repeat.first {
                first_count = (repeat.first, def.activated(repeat.first).count());
            }
            let (label, differs) = match &repeat.auth {
                None => ("declared again here, without an auth list".to_owned(), true),
                Some(items) => {
                    let compared = compare(def, repeat.first, first_count.1, items);
                    let differs = compared.is_some();
                    let label = match compared {
                        None => "declared again here, with the same auth list".to_owned(),
                        Some(difference) => {
                            format!(
                                "declared again here; unlike the first, its auth list {difference}"
                            )
                        }
                    };
                    (label, differs)
                }
            };
            repeats.add_labelled(
                &repeat.name.text,
                first.span(file),
                repeat.name.span,
                label,
                differs,
            );
        }
        repeats
    }
}

/// How the auth list `items` differs from what endpoint `first` of `def`
/// activates (`activated` methods), e.g. "has `b` but lacks `c`"; `None`
/// when they name the same methods.
fn compare(
    def: &ConnectorDef,
    first: usize,
    activated: usize,
    items: &[Name<'_>],
) -> Option<String> {
    // The methods `items` names, and the names it has that `first` lacks,
    // each once.
    let mut named: Map<usize, ()> = Map::default();
    let mut seen: Map<&str, ()> = Map::default();
    let mut extra: Vec<&str> = Vec::new();
    let mut shared = 0;
    for item in items {
        if seen.insert(&item.text, ()).is_some() {
            continue;
        }
        match def.method(&item.text) {
            Some(method) if def.activates(first, method) => {
                named.insert(method, ());
                shared += 1;
            }
            _ => extra.push(&item.text),
        }
    }
    let lacking = activated.saturating_sub(shared);
    if extra.is_empty() && lacking == 0 {
        return None;
    }
    // Lazy: `list` reads a few of the lacking names, and the methods
    // passed over on the way are those `items` names.
    let lacks = def
        .activated(first)
        .filter(|method| !named.contains_key(method))
        .filter_map(|method| def.methods.get(method))
        .map(|method| method.name.as_str());
    let has = list(extra.iter().copied(), extra.len());
    Some(match (extra.is_empty(), lacking) {
        (false, 0) => format!("has {has}"),
        (true, _) => format!("lacks {}", list(lacks, lacking)),
        (false, _) => format!("has {has} but lacks {}", list(lacks, lacking)),
    })
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
