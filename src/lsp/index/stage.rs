//! Streaming one file's syntax into the index: each name written becomes
//! an occurrence of its symbol, and what connectors and instances declare
//! becomes their facts. A file is staged apart and committed only when it
//! parsed, as the checker drops a file that does not.

use std::sync::Arc;

use super::facts::{ConnectorFacts, EndpointFacts, InstanceFacts, Item, MethodFacts, ScopesHome};
use super::{Index, Occurrence, Pending, Symbol, Text};
use crate::source::Span;
use crate::syntax::Visitor;
use crate::syntax::tree::{
    Endpoint, Expect, Flow, Instance, List, Member, Method, Name, Options, Subject, Test, Value,
};

/// One file's names, kept apart until the file has parsed.
pub(super) struct Stage<'i> {
    pub(super) index: &'i mut Index,
    pub(super) occurrences: Vec<Occurrence>,
    pub(super) types: Vec<Span>,
    pub(super) connectors: Vec<(Text, ConnectorFacts)>,
    pub(super) instances: Vec<(Text, InstanceFacts)>,
    /// Endpoints used in flows and tests, resolved once every instance is
    /// known.
    pub(super) pending: Vec<(Span, Text, Pending)>,
    /// The connector being streamed.
    pub(super) open: Option<(Text, ConnectorFacts)>,
}

impl<'i> Stage<'i> {
    pub(super) fn new(index: &'i mut Index, capacity: usize) -> Self {
        Stage {
            index,
            occurrences: Vec::with_capacity(capacity),
            types: Vec::new(),
            connectors: Vec::new(),
            instances: Vec::new(),
            pending: Vec::new(),
            open: None,
        }
    }

    fn name(&mut self, name: &Name<'_>, symbol: Symbol, declaration: bool) {
        self.occurrences.push(Occurrence {
            span: name.span,
            symbol,
            declaration,
        });
    }

    fn intern(&mut self, name: &Name<'_>) -> Text {
        self.index.intern(&name.text)
    }

    fn endpoint(&mut self, name: &Name<'_>, owner: Pending) {
        let text = self.intern(name);
        self.pending.push((name.span, text, owner));
    }

    /// Each scope of `names`, as a scope of `method` of `connector`: one
    /// occurrence each, and their texts.
    fn scopes(
        &mut self,
        connector: &Text,
        method: &Text,
        names: &[Name<'_>],
        declaration: bool,
    ) -> Vec<Text> {
        let mut texts = Vec::with_capacity(names.len());
        for scope in names {
            let name = self.intern(scope);
            let symbol = Symbol::Scope {
                connector: Arc::clone(connector),
                method: Arc::clone(method),
                name: Arc::clone(&name),
            };
            self.name(scope, symbol, declaration);
            texts.push(name);
        }
        texts
    }

    fn method(&mut self, connector: &Text, facts: &mut ConnectorFacts, method: &Method<'_>) {
        let name = self.intern(&method.name);
        let symbol = Symbol::Method {
            connector: Arc::clone(connector),
            name: Arc::clone(&name),
        };
        self.name(&method.name, symbol, true);
        self.types.push(method.kind.span);
        let kind = self.intern(&method.kind);
        let (list, home) = scopes_option(method.options.as_ref(), method.span);
        let mut scopes = match list {
            Some(list) => self.scopes(connector, &name, &list.items, true),
            None => Vec::new(),
        };
        // Declared twice is `repeated_scope`; the scope is one.
        let mut seen = std::collections::HashSet::with_capacity(scopes.len());
        scopes.retain(|s| seen.insert(Arc::clone(s)));
        facts.methods.push(MethodFacts {
            name,
            kind,
            scopes,
            home,
        });
        facts.last_method = Some(method.span);
    }

    fn endpoint_member(
        &mut self,
        connector: &Text,
        facts: &mut ConnectorFacts,
        endpoint: &Endpoint<'_>,
    ) {
        let name = self.intern(&endpoint.name);
        let symbol = Symbol::Endpoint {
            connector: Arc::clone(connector),
            name: Arc::clone(&name),
        };
        self.name(&endpoint.name, symbol, true);
        let list = auth_list(endpoint.options.as_ref());
        let mut items = Vec::with_capacity(list.map_or(0, |l| l.items.len()));
        for (position, method) in list.iter().flat_map(|l| l.items.iter().enumerate()) {
            let text = self.intern(method);
            let symbol = Symbol::Method {
                connector: Arc::clone(connector),
                name: Arc::clone(&text),
            };
            self.name(method, symbol, false);
            let scopes = match list.and_then(|l| l.scopes_of(position)) {
                Some(scopes) => self.scopes(connector, &text, &scopes.names, false),
                None => Vec::new(),
            };
            items.push(Item {
                method: text,
                scopes: scopes.into_boxed_slice(),
            });
        }
        facts.endpoints.push(EndpointFacts {
            name,
            items,
            auth_list: list.map(|l| l.span),
        });
    }
}

impl<'s> Visitor<'s> for Stage<'_> {
    fn connector_start(&mut self, name: Name<'s>) {
        let owner = self.intern(&name);
        self.name(&name, Symbol::Connector(Arc::clone(&owner)), true);
        self.open = Some((owner, ConnectorFacts::default()));
    }

    fn member(&mut self, member: &Member<'s>) {
        let Some((owner, mut facts)) = self.open.take() else {
            return;
        };
        match member {
            Member::Method(method) => self.method(&owner, &mut facts, method),
            Member::Endpoint(endpoint) => self.endpoint_member(&owner, &mut facts, endpoint),
        }
        self.open = Some((owner, facts));
    }

    fn connector_end(&mut self, span: Span) {
        if let Some((owner, mut facts)) = self.open.take() {
            facts.span = Some(span);
            self.connectors.push((owner, facts));
        }
    }

    fn instance(&mut self, instance: &Instance<'s>) {
        let name = self.intern(&instance.name);
        let connector = self.intern(&instance.connector);
        self.name(&instance.name, Symbol::Instance(Arc::clone(&name)), true);
        self.name(
            &instance.connector,
            Symbol::Connector(Arc::clone(&connector)),
            false,
        );
        let method = auth_name(instance.options.as_ref()).map(|method| {
            let text = self.intern(method);
            let symbol = Symbol::Method {
                connector: Arc::clone(&connector),
                name: Arc::clone(&text),
            };
            self.name(method, symbol, false);
            text
        });
        let (list, home) = scopes_option(instance.options.as_ref(), instance.span);
        // Scopes belong to a method: without one, they name nothing.
        let scopes = match (list, &method) {
            (Some(list), Some(method)) => self.scopes(&connector, method, &list.items, false),
            _ => Vec::new(),
        };
        self.instances.push((
            name,
            InstanceFacts {
                connector,
                method,
                scopes,
                home,
            },
        ));
    }

    fn flow(&mut self, flow: &Flow<'s>) {
        let name = self.intern(&flow.name);
        self.name(&flow.name, Symbol::Flow(name), true);
        for connection in &flow.connections {
            let instance = self.intern(&connection.instance);
            self.name(
                &connection.instance,
                Symbol::Instance(Arc::clone(&instance)),
                false,
            );
            self.endpoint(&connection.endpoint, Pending::OfInstance(instance));
        }
    }

    fn test(&mut self, test: &Test<'s>) {
        let name = self.intern(&test.name);
        self.name(&test.name, Symbol::Test(name), true);
        for expectation in &test.expectations {
            let owner = match &expectation.subject {
                Subject::Instance(instance) => {
                    let text = self.intern(instance);
                    self.name(instance, Symbol::Instance(Arc::clone(&text)), false);
                    Pending::OfInstance(text)
                }
                Subject::Runtime {
                    connector,
                    method,
                    scopes,
                } => {
                    let text = self.intern(connector);
                    self.name(connector, Symbol::Connector(Arc::clone(&text)), false);
                    let method_text = self.intern(method);
                    let symbol = Symbol::Method {
                        connector: Arc::clone(&text),
                        name: Arc::clone(&method_text),
                    };
                    self.name(method, symbol, false);
                    if let Some(scopes) = scopes {
                        self.scopes(&text, &method_text, &scopes.names, false);
                    }
                    Pending::Known(text)
                }
            };
            let endpoints: &[Name<'s>] = match &expectation.expect {
                Expect::CanSee(e) | Expect::CannotSee(e) => std::slice::from_ref(e),
                Expect::SeesOnly(list) => &list.items,
            };
            for endpoint in endpoints {
                let owner = match &owner {
                    Pending::OfInstance(i) => Pending::OfInstance(Arc::clone(i)),
                    Pending::Known(c) => Pending::Known(Arc::clone(c)),
                };
                self.endpoint(endpoint, owner);
            }
        }
    }
}

/// The list value of the `auth` option.
fn auth_list<'a, 's>(options: Option<&'a Options<'s>>) -> Option<&'a List<'s>> {
    options?
        .entries
        .iter()
        .filter(|e| e.key.text == "auth")
        .find_map(|e| match &e.value {
            Value::List(list) => Some(list),
            Value::Name(_) => None,
        })
}

/// The single name value of the `auth` option.
fn auth_name<'a, 's>(options: Option<&'a Options<'s>>) -> Option<&'a Name<'s>> {
    options?
        .entries
        .iter()
        .filter(|e| e.key.text == "auth")
        .find_map(|e| match &e.value {
            Value::Name(name) => Some(name),
            Value::List(_) => None,
        })
}

/// The list of the `scopes` option (the first, if given twice), and where
/// the scopes of the item or member `owner` are or would go.
fn scopes_option<'a, 's>(
    options: Option<&'a Options<'s>>,
    owner: Span,
) -> (Option<&'a List<'s>>, ScopesHome) {
    let entry = options.and_then(|o| o.entries.iter().find(|e| e.key.text == "scopes"));
    let list = entry.and_then(|e| match &e.value {
        Value::List(list) => Some(list),
        Value::Name(_) => None,
    });
    let last_name = list.and_then(|list| {
        let last = list.items.len().checked_sub(1)?;
        let name = list.items.get(last)?;
        Some(list.scopes_of(last).map_or(name.span, |s| s.span))
    });
    let home = ScopesHome {
        owner,
        options: options.map(|o| (o.span, o.entries.last().map(|e| e.span))),
        list: list.map(|l| (l.span, last_name)),
        not_a_list: entry.is_some() && list.is_none(),
    };
    (list, home)
}
