//! Every name of a rule set, where it is declared and where it is used:
//! what definition, references, rename, hover, completion and semantic
//! tokens ask. Built from the syntax trees of the files that parse (the
//! same trees `authgate fmt` prints), after every connector and instance is
//! known, since a flow's endpoint belongs to the connector of its
//! instance, which may be declared in another file.
//!
//! Built only when a request needs it, not on every keystroke: publishing
//! diagnostics does not read it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::source::{FileId, Sources, Span};
use crate::syntax::Visitor;
use crate::syntax::tree::{
    Endpoint, Expect, Flow, Instance, List, Member, Method, Name, Options, Subject, Test, Value,
};

/// A name, shared: each distinct name is allocated once per index, so
/// the tens of thousands of places a large rule set writes names cost a
/// reference count each, not a string.
pub type Text = Arc<str>;

/// What a name is: its namespace and its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbol {
    /// A connector (global).
    Connector(Text),
    /// An auth method of a connector.
    Method {
        /// The connector's name.
        connector: Text,
        /// The method's name.
        name: Text,
    },
    /// An endpoint of a connector.
    Endpoint {
        /// The connector's name.
        connector: Text,
        /// The endpoint's name.
        name: Text,
    },
    /// A declared instance (global).
    Instance(Text),
    /// A flow (global; declared only).
    Flow(Text),
    /// A test (global; declared only).
    Test(Text),
}

impl Symbol {
    /// The name itself.
    pub fn name(&self) -> &str {
        match self {
            Symbol::Connector(name)
            | Symbol::Instance(name)
            | Symbol::Flow(name)
            | Symbol::Test(name)
            | Symbol::Method { name, .. }
            | Symbol::Endpoint { name, .. } => name,
        }
    }

    /// The same kind of symbol, in the same namespace, named `name`.
    pub fn renamed(&self, name: &str) -> Symbol {
        let name: Text = Arc::from(name);
        match self {
            Symbol::Connector(_) => Symbol::Connector(name),
            Symbol::Instance(_) => Symbol::Instance(name),
            Symbol::Flow(_) => Symbol::Flow(name),
            Symbol::Test(_) => Symbol::Test(name),
            Symbol::Method { connector, .. } => Symbol::Method {
                connector: connector.clone(),
                name,
            },
            Symbol::Endpoint { connector, .. } => Symbol::Endpoint {
                connector: connector.clone(),
                name,
            },
        }
    }

    /// "method `oauth` of connector `shop`", for messages.
    pub fn describe(&self) -> String {
        match self {
            Symbol::Connector(name) => format!("connector `{name}`"),
            Symbol::Instance(name) => format!("instance `{name}`"),
            Symbol::Flow(name) => format!("flow `{name}`"),
            Symbol::Test(name) => format!("test `{name}`"),
            Symbol::Method { connector, name } => {
                format!("method `{name}` of connector `{connector}`")
            }
            Symbol::Endpoint { connector, name } => {
                format!("endpoint `{name}` of connector `{connector}`")
            }
        }
    }
}

/// One place a name is written.
#[derive(Clone, Debug)]
pub struct Occurrence {
    /// The name as written, quotes included.
    pub span: Span,
    /// What it names.
    pub symbol: Symbol,
    /// Whether this is where it is declared.
    pub declaration: bool,
}

/// A method as declared.
#[derive(Clone, Debug)]
pub struct MethodFacts {
    /// Its name.
    pub name: Text,
    /// Its type as written.
    pub kind: Text,
}

/// An endpoint as declared.
#[derive(Clone, Debug)]
pub struct EndpointFacts {
    /// Its name.
    pub name: Text,
    /// The methods its `auth` list names.
    pub activated: Vec<Text>,
    /// The `[...]` of its `auth` option, if written as a list.
    pub auth_list: Option<Span>,
}

/// What a connector declares, merged over its declarations.
#[derive(Clone, Debug, Default)]
pub struct ConnectorFacts {
    /// Its methods, in source order.
    pub methods: Vec<MethodFacts>,
    /// Its endpoints, in source order.
    pub endpoints: Vec<EndpointFacts>,
    /// The first declaration (the whole item).
    pub span: Option<Span>,
    /// The end of its last method member, where a new one goes.
    pub last_method: Option<Span>,
}

impl ConnectorFacts {
    /// The endpoint named `name`.
    pub fn endpoint(&self, name: &str) -> Option<&EndpointFacts> {
        self.endpoints.iter().find(|e| *e.name == *name)
    }

    /// The endpoints that activate `method`.
    pub fn activating<'a>(&'a self, method: &'a str) -> impl Iterator<Item = &'a EndpointFacts> {
        self.endpoints
            .iter()
            .filter(move |e| e.activated.iter().any(|m| **m == *method))
    }
}

/// A declared instance.
#[derive(Clone, Debug)]
pub struct InstanceFacts {
    /// Its connector, as written.
    pub connector: Text,
    /// Its method, if its `auth` option names one.
    pub method: Option<Text>,
}

/// The names of a rule set; see the module docs.
#[derive(Debug, Default)]
pub struct Index {
    /// Per file (by [`FileId::index`]): occurrences sorted by start.
    occurrences: Vec<Vec<Occurrence>>,
    /// Per file: where auth types are written, for semantic tokens.
    pub types: Vec<Vec<Span>>,
    /// Connectors by name.
    pub connectors: HashMap<Text, ConnectorFacts>,
    /// Instances by name (the first declaration), in no order.
    pub instances: HashMap<Text, InstanceFacts>,
    /// Declared instance names, in source order.
    pub instance_order: Vec<Text>,
    /// Every name met, for [`Index::intern`].
    interned: HashSet<Text>,
}

/// A reference to an endpoint whose connector is known only once every
/// instance is.
enum Pending {
    /// Through a declared instance.
    OfInstance(Text),
    /// A runtime subject's connector.
    Known(Text),
}

impl Index {
    /// Indexes every rules file of `sources` that parses, streaming each
    /// from the fast parser (no syntax tree is built).
    pub fn build(sources: &Sources) -> Index {
        let mut index = Index {
            occurrences: vec![Vec::new(); sources.len()],
            types: vec![Vec::new(); sources.len()],
            ..Index::default()
        };
        let mut pending: Vec<(Span, Text, Pending)> = Vec::new();
        for file in sources.iter().filter(|f| f.is_rules()) {
            let mut stage = Stage {
                index: &mut index,
                occurrences: Vec::with_capacity(file.text().len() / 24),
                types: Vec::new(),
                connectors: Vec::new(),
                instances: Vec::new(),
                pending: Vec::new(),
                open: None,
            };
            if crate::syntax::stream_fast(file, &mut stage) {
                let Stage {
                    occurrences,
                    types,
                    connectors,
                    instances,
                    pending: refs,
                    ..
                } = stage;
                index.commit(file.id(), occurrences, types, connectors, instances);
                pending.extend(refs);
            }
        }
        for (span, name, owner) in pending {
            let connector = match owner {
                Pending::Known(connector) => Some(connector),
                Pending::OfInstance(instance) => {
                    index.instances.get(&instance).map(|i| i.connector.clone())
                }
            };
            if let (Some(connector), Some(list)) =
                (connector, index.occurrences.get_mut(span.file.index()))
            {
                list.push(Occurrence {
                    span,
                    symbol: Symbol::Endpoint { connector, name },
                    declaration: false,
                });
            }
        }
        for list in &mut index.occurrences {
            list.sort_by_key(|o| o.span.start);
        }
        index
    }

    /// Adds what a file that parsed declares and uses.
    fn commit(
        &mut self,
        file: FileId,
        occurrences: Vec<Occurrence>,
        types: Vec<Span>,
        connectors: Vec<(Text, ConnectorFacts)>,
        instances: Vec<(Text, InstanceFacts)>,
    ) {
        if let Some(list) = self.occurrences.get_mut(file.index()) {
            *list = occurrences;
        }
        if let Some(list) = self.types.get_mut(file.index()) {
            *list = types;
        }
        for (name, facts) in connectors {
            match self.connectors.get_mut(&name) {
                // Declared again (an error of its own): merged.
                Some(known) => {
                    known.methods.extend(facts.methods);
                    known.endpoints.extend(facts.endpoints);
                    known.last_method = known.last_method.or(facts.last_method);
                }
                None => {
                    self.connectors.insert(name, facts);
                }
            }
        }
        for (name, facts) in instances {
            if !self.instances.contains_key(&name) {
                self.instance_order.push(Arc::clone(&name));
                self.instances.insert(name, facts);
            }
        }
    }

    /// The shared copy of `name`.
    fn intern(&mut self, name: &str) -> Text {
        if let Some(text) = self.interned.get(name) {
            return Arc::clone(text);
        }
        let text: Text = Arc::from(name);
        self.interned.insert(Arc::clone(&text));
        text
    }
}

/// One file's names, kept apart until the file has parsed: a file that
/// does not parse contributes nothing, as in the checker.
struct Stage<'i> {
    index: &'i mut Index,
    occurrences: Vec<Occurrence>,
    types: Vec<Span>,
    connectors: Vec<(Text, ConnectorFacts)>,
    instances: Vec<(Text, InstanceFacts)>,
    /// Endpoints used in flows and tests, resolved once every instance is
    /// known.
    pending: Vec<(Span, Text, Pending)>,
    /// The connector being streamed.
    open: Option<(Text, ConnectorFacts)>,
}

impl Stage<'_> {
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

    fn method(&mut self, connector: &Text, facts: &mut ConnectorFacts, method: &Method<'_>) {
        let name = self.intern(&method.name);
        let symbol = Symbol::Method {
            connector: Arc::clone(connector),
            name: Arc::clone(&name),
        };
        self.name(&method.name, symbol, true);
        self.types.push(method.kind.span);
        let kind = self.intern(&method.kind);
        facts.methods.push(MethodFacts { name, kind });
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
        let mut activated = Vec::with_capacity(list.map_or(0, |l| l.items.len()));
        for method in list.iter().flat_map(|l| &l.items) {
            let text = self.intern(method);
            activated.push(Arc::clone(&text));
            let symbol = Symbol::Method {
                connector: Arc::clone(connector),
                name: text,
            };
            self.name(method, symbol, false);
        }
        facts.endpoints.push(EndpointFacts {
            name,
            activated,
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
        self.instances
            .push((name, InstanceFacts { connector, method }));
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
                    connector, method, ..
                } => {
                    let text = self.intern(connector);
                    self.name(connector, Symbol::Connector(Arc::clone(&text)), false);
                    let symbol = Symbol::Method {
                        connector: Arc::clone(&text),
                        name: self.intern(method),
                    };
                    self.name(method, symbol, false);
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

impl Index {
    /// The occurrences in `file`, sorted by start.
    pub fn in_file(&self, file: FileId) -> &[Occurrence] {
        self.occurrences
            .get(file.index())
            .map_or(&[], Vec::as_slice)
    }

    /// The name written at byte `offset` of `file` (a cursor just after a
    /// name counts as on it).
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        let list = self.in_file(file);
        let after = list.partition_point(|o| (o.span.start as usize) <= offset);
        list.get(after.checked_sub(1)?)
            .filter(|o| offset <= o.span.end as usize)
    }

    /// Every occurrence of `symbol`, in every file.
    pub fn occurrences_of<'a>(
        &'a self,
        symbol: &'a Symbol,
    ) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences
            .iter()
            .flatten()
            .filter(move |o| &o.symbol == symbol)
    }

    /// Whether `symbol` is declared anywhere.
    pub fn is_declared(&self, symbol: &Symbol) -> bool {
        self.occurrences_of(symbol).any(|o| o.declaration)
    }

    /// The endpoints that `instance` sees.
    pub fn seen_by<'a>(&'a self, instance: &str) -> Vec<&'a str> {
        let Some(facts) = self.instances.get(instance) else {
            return Vec::new();
        };
        let (Some(connector), Some(method)) = (
            self.connectors.get(&facts.connector),
            facts.method.as_deref(),
        ) else {
            return Vec::new();
        };
        connector.activating(method).map(|e| &*e.name).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_does_not_parse_contributes_nothing() {
        let mut sources = Sources::new();
        let good = sources.add("a.gate", "connector shop { auth basic: basic endpoint e < auth: [basic] > }\nflow f { connection i -> e }\n");
        let broken = sources.add("b.gate", "connector half { auth m: basic endpoint x < auth: [m\ninstance i of shop < auth: basic >\n");
        let other = sources.add("c.gate", "instance i of shop < auth: basic >\n");
        let index = Index::build(&sources);
        assert!(index.in_file(broken).is_empty());
        assert!(!index.connectors.contains_key("half"));
        assert_eq!(index.instance_order, [Arc::from("i")]);
        // The flow's endpoint resolves through the instance of another file.
        let endpoint = Symbol::Endpoint {
            connector: Arc::from("shop"),
            name: Arc::from("e"),
        };
        let places: Vec<(FileId, bool)> = index
            .occurrences_of(&endpoint)
            .map(|o| (o.span.file, o.declaration))
            .collect();
        assert_eq!(places, [(good, true), (good, false)]);
        assert_eq!(index.in_file(other).len(), 3);
    }
}
