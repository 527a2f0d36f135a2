//! Every name of a rule set, where it is declared and where it is used:
//! what definition, references, rename, hover, completion and semantic
//! tokens ask. A scope is a name of its method: `"contacts.read"` of
//! `oauth` and of `key` are two symbols. Built from the syntax of the
//! files that parse (streamed by `stage`, what they declare kept in
//! `facts`), after every connector and instance is known, since a flow's
//! endpoint belongs to the connector of its instance, which may be
//! declared in another file.
//!
//! Built only when a request needs it, not on every keystroke: publishing
//! diagnostics does not read it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::source::{FileId, Sources, Span};

mod facts;
mod stage;

pub use facts::{ConnectorFacts, InstanceFacts};
use stage::Stage;

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
    /// A scope of an auth method: declared in the method's `scopes`, used
    /// in auth items, instances' `scopes` and tests' runtime subjects.
    /// The same name on two methods is two scopes.
    Scope {
        /// The connector's name.
        connector: Text,
        /// The method's name.
        method: Text,
        /// The scope's name.
        name: Text,
    },
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
            | Symbol::Endpoint { name, .. }
            | Symbol::Scope { name, .. } => name,
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
            Symbol::Scope {
                connector, method, ..
            } => Symbol::Scope {
                connector: connector.clone(),
                method: method.clone(),
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
            Symbol::Scope {
                connector,
                method,
                name,
            } => format!("scope `{name}` of method `{method}` of connector `{connector}`"),
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
            let mut stage = Stage::new(&mut index, file.text().len() / 24);
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

    /// The endpoints that `instance` sees: some item of each names its
    /// method with scopes it holds.
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
        let held = connector.granted(method, &facts.scopes);
        connector
            .endpoints
            .iter()
            .filter(|e| e.items.iter().any(|i| i.admits(method, &held)))
            .map(|e| &*e.name)
            .collect()
    }

    /// The scopes that items and instances name with `method` of
    /// `connector` but the method does not declare, each once, in the
    /// order first met: what its `scopes` list lacks.
    pub fn undeclared_scopes(&self, connector: &str, method: &str) -> Vec<Text> {
        let Some(facts) = self.connectors.get(connector) else {
            return Vec::new();
        };
        let declared = facts.method(method);
        let is_declared = |s: &str| declared.is_some_and(|m| m.declares(s));
        let mut seen = HashSet::new();
        let items = facts
            .endpoints
            .iter()
            .flat_map(|e| &e.items)
            .filter(|i| *i.method == *method)
            .flat_map(|i| i.scopes.iter());
        let held = self
            .instance_order
            .iter()
            .filter_map(|name| self.instances.get(name))
            .filter(|i| *i.connector == *connector && i.method.as_deref() == Some(method))
            .flat_map(|i| i.scopes.iter());
        items
            .chain(held)
            .filter(|s| !is_declared(s) && seen.insert(Arc::clone(s)))
            .cloned()
            .collect()
    }
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
