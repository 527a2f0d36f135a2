//! Every name of a rule set, where it is declared and where it is used:
//! what definition, references, rename, hover, completion and semantic
//! tokens ask. Built from the syntax trees of the files that parse (the
//! same trees `authgate fmt` prints), after every connector and instance is
//! known, since a flow's endpoint belongs to the connector of its
//! instance, which may be declared in another file.
//!
//! Built only when a request needs it, not on every keystroke: publishing
//! diagnostics does not read it.

use std::collections::HashMap;

use crate::source::{FileId, Sources, Span};
use crate::syntax::tree::{Expect, File, Item, List, Member, Name, Options, Subject, Value};

/// What a name is: its namespace and its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbol {
    /// A connector (global).
    Connector(String),
    /// An auth method of a connector.
    Method {
        /// The connector's name.
        connector: String,
        /// The method's name.
        name: String,
    },
    /// An endpoint of a connector.
    Endpoint {
        /// The connector's name.
        connector: String,
        /// The endpoint's name.
        name: String,
    },
    /// A declared instance (global).
    Instance(String),
    /// A flow (global; declared only).
    Flow(String),
    /// A test (global; declared only).
    Test(String),
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
        let name = name.to_owned();
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
    pub name: String,
    /// Its type as written.
    pub kind: String,
}

/// An endpoint as declared.
#[derive(Clone, Debug)]
pub struct EndpointFacts {
    /// Its name.
    pub name: String,
    /// The methods its `auth` list names.
    pub activated: Vec<String>,
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
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// The endpoints that activate `method`.
    pub fn activating<'a>(&'a self, method: &'a str) -> impl Iterator<Item = &'a EndpointFacts> {
        self.endpoints
            .iter()
            .filter(move |e| e.activated.iter().any(|m| m == method))
    }
}

/// A declared instance.
#[derive(Clone, Debug)]
pub struct InstanceFacts {
    /// Its connector, as written.
    pub connector: String,
    /// Its method, if its `auth` option names one.
    pub method: Option<String>,
}

/// The names of a rule set; see the module docs.
#[derive(Debug, Default)]
pub struct Index {
    /// Per file (by [`FileId::index`]): occurrences sorted by start.
    occurrences: Vec<Vec<Occurrence>>,
    /// Per file: where auth types are written, for semantic tokens.
    pub types: Vec<Vec<Span>>,
    /// Connectors by name.
    pub connectors: HashMap<String, ConnectorFacts>,
    /// Instances by name (the first declaration), in no order.
    pub instances: HashMap<String, InstanceFacts>,
    /// Declared instance names, in source order.
    pub instance_order: Vec<String>,
}

/// A reference to an endpoint whose connector is known only once every
/// instance is.
enum Pending {
    /// Through a declared instance.
    OfInstance(String),
    /// A runtime subject's connector.
    Known(String),
}

impl Index {
    /// Indexes every rules file of `sources` that parses.
    pub fn build(sources: &Sources) -> Index {
        let mut index = Index {
            occurrences: vec![Vec::new(); sources.len()],
            types: vec![Vec::new(); sources.len()],
            ..Index::default()
        };
        let trees: Vec<File<'_>> = sources
            .iter()
            .filter(|f| f.is_rules())
            .filter_map(crate::syntax::parse_fast)
            .collect();
        let mut pending: Vec<(FileId, Span, String, Pending)> = Vec::new();
        for tree in &trees {
            for item in &tree.items {
                index.item(item, &mut pending);
            }
        }
        for (file, span, name, owner) in pending {
            let connector = match owner {
                Pending::Known(connector) => Some(connector),
                Pending::OfInstance(instance) => {
                    index.instances.get(&instance).map(|i| i.connector.clone())
                }
            };
            if let Some(connector) = connector {
                index.push(file, span, Symbol::Endpoint { connector, name }, false);
            }
        }
        for list in &mut index.occurrences {
            list.sort_by_key(|o| o.span.start);
        }
        index
    }

    fn push(&mut self, file: FileId, span: Span, symbol: Symbol, declaration: bool) {
        if let Some(list) = self.occurrences.get_mut(file.index()) {
            list.push(Occurrence {
                span,
                symbol,
                declaration,
            });
        }
    }

    fn name(&mut self, name: &Name<'_>, symbol: Symbol, declaration: bool) {
        self.push(name.span.file, name.span, symbol, declaration);
    }

    fn item(&mut self, item: &Item<'_>, pending: &mut Vec<(FileId, Span, String, Pending)>) {
        match item {
            Item::Connector(connector) => {
                let owner = connector.name.text.to_string();
                self.name(&connector.name, Symbol::Connector(owner.clone()), true);
                let mut facts = self.connectors.remove(&owner).unwrap_or_default();
                facts.span.get_or_insert(connector.span);
                for member in &connector.members {
                    match member {
                        Member::Method(method) => {
                            let symbol = Symbol::Method {
                                connector: owner.clone(),
                                name: method.name.text.to_string(),
                            };
                            self.name(&method.name, symbol, true);
                            if let Some(types) = self.types.get_mut(method.kind.span.file.index()) {
                                types.push(method.kind.span);
                            }
                            facts.methods.push(MethodFacts {
                                name: method.name.text.to_string(),
                                kind: method.kind.text.to_string(),
                            });
                            facts.last_method = Some(method.span);
                        }
                        Member::Endpoint(endpoint) => {
                            let name = endpoint.name.text.to_string();
                            let symbol = Symbol::Endpoint {
                                connector: owner.clone(),
                                name: name.clone(),
                            };
                            self.name(&endpoint.name, symbol, true);
                            let list = auth_list(endpoint.options.as_ref());
                            let mut activated = Vec::new();
                            for method in list.iter().flat_map(|l| &l.items) {
                                activated.push(method.text.to_string());
                                let symbol = Symbol::Method {
                                    connector: owner.clone(),
                                    name: method.text.to_string(),
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
                }
                self.connectors.insert(owner, facts);
            }
            Item::Instance(instance) => {
                let name = instance.name.text.to_string();
                let connector = instance.connector.text.to_string();
                self.name(&instance.name, Symbol::Instance(name.clone()), true);
                self.name(
                    &instance.connector,
                    Symbol::Connector(connector.clone()),
                    false,
                );
                let method = auth_name(instance.options.as_ref());
                if let Some(method) = method {
                    let symbol = Symbol::Method {
                        connector: connector.clone(),
                        name: method.text.to_string(),
                    };
                    self.name(method, symbol, false);
                }
                if !self.instances.contains_key(&name) {
                    self.instance_order.push(name.clone());
                    self.instances.insert(
                        name,
                        InstanceFacts {
                            connector,
                            method: method.map(|m| m.text.to_string()),
                        },
                    );
                }
            }
            Item::Flow(flow) => {
                self.name(&flow.name, Symbol::Flow(flow.name.text.to_string()), true);
                for connection in &flow.connections {
                    let instance = connection.instance.text.to_string();
                    self.name(
                        &connection.instance,
                        Symbol::Instance(instance.clone()),
                        false,
                    );
                    pending.push(endpoint_ref(
                        &connection.endpoint,
                        Pending::OfInstance(instance),
                    ));
                }
            }
            Item::Test(test) => {
                self.name(&test.name, Symbol::Test(test.name.text.to_string()), true);
                for expectation in &test.expectations {
                    let owner = match &expectation.subject {
                        Subject::Instance(instance) => {
                            let text = instance.text.to_string();
                            self.name(instance, Symbol::Instance(text.clone()), false);
                            Pending::OfInstance(text)
                        }
                        Subject::Runtime { connector, method } => {
                            let text = connector.text.to_string();
                            self.name(connector, Symbol::Connector(text.clone()), false);
                            let symbol = Symbol::Method {
                                connector: text.clone(),
                                name: method.text.to_string(),
                            };
                            self.name(method, symbol, false);
                            Pending::Known(text)
                        }
                    };
                    let endpoints: Vec<&Name<'_>> = match &expectation.expect {
                        Expect::CanSee(e) | Expect::CannotSee(e) => vec![e],
                        Expect::SeesOnly(list) => list.items.iter().collect(),
                    };
                    for endpoint in endpoints {
                        let owner = match &owner {
                            Pending::OfInstance(i) => Pending::OfInstance(i.clone()),
                            Pending::Known(c) => Pending::Known(c.clone()),
                        };
                        pending.push(endpoint_ref(endpoint, owner));
                    }
                }
            }
        }
    }

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
        connector
            .activating(method)
            .map(|e| e.name.as_str())
            .collect()
    }
}

fn endpoint_ref(name: &Name<'_>, owner: Pending) -> (FileId, Span, String, Pending) {
    (name.span.file, name.span, name.text.to_string(), owner)
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
