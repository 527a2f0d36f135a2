//! What the names of a rule set declare, as the language server needs it:
//! methods with their types and scopes, endpoints with their auth items,
//! instances with their method and scopes, and where a scope list is (or
//! would go) for the quick fixes that add to one.
//!
//! Availability here is the language's rule read from the text: endpoint
//! E is available to instance I when some item of E names I's method with
//! scopes that I holds, every one of them declared by the method (a name
//! the method does not declare grants nothing).

use std::collections::HashSet;

use super::Text;
use crate::source::Span;

/// A method as declared.
#[derive(Clone, Debug)]
pub struct MethodFacts {
    /// Its name.
    pub name: Text,
    /// Its type as written.
    pub kind: Text,
    /// The scopes it declares, each once, in declaration order.
    pub scopes: Vec<Text>,
    /// Where its `scopes` list is or would go.
    pub home: ScopesHome,
}

impl MethodFacts {
    /// Whether it declares `scope`.
    pub fn declares(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| **s == *scope)
    }
}

/// An item of an auth list: `METHOD`, or `METHOD(SCOPE, ...)`.
#[derive(Clone, Debug)]
pub struct Item {
    /// The method it names.
    pub method: Text,
    /// The scopes it needs, as written (none for a plain item).
    pub scopes: Box<[Text]>,
}

impl Item {
    /// How it is written canonically: `oauth("a", "b")`.
    pub fn text(&self) -> String {
        let method = crate::syntax::quote_name(&self.method);
        if self.scopes.is_empty() {
            return method;
        }
        let scopes: Vec<String> = self
            .scopes
            .iter()
            .map(|s| crate::syntax::quote_name(s))
            .collect();
        format!("{method}({})", scopes.join(", "))
    }

    /// Whether an instance of `method` holding `held` (scopes its method
    /// declares) passes this item.
    pub fn admits(&self, method: &str, held: &HashSet<&str>) -> bool {
        *self.method == *method && self.scopes.iter().all(|s| held.contains(&**s))
    }
}

/// An endpoint as declared.
#[derive(Clone, Debug)]
pub struct EndpointFacts {
    /// Its name.
    pub name: Text,
    /// The items of its `auth` list, in source order.
    pub items: Vec<Item>,
    /// The `[...]` of its `auth` option, if written as a list.
    pub auth_list: Option<Span>,
}

impl EndpointFacts {
    /// Whether an item names `method` (with or without scopes).
    pub fn activates(&self, method: &str) -> bool {
        self.items.iter().any(|i| *i.method == *method)
    }

    /// Whether it has an item that names `scope` of `method`.
    pub fn needs(&self, method: &str, scope: &str) -> bool {
        self.items
            .iter()
            .any(|i| *i.method == *method && i.scopes.iter().any(|s| **s == *scope))
    }
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

    /// The method named `name` (its first declaration).
    pub fn method(&self, name: &str) -> Option<&MethodFacts> {
        self.methods.iter().find(|m| *m.name == *name)
    }

    /// The endpoints that activate `method`, with or without scopes.
    pub fn activating<'a>(&'a self, method: &'a str) -> impl Iterator<Item = &'a EndpointFacts> {
        self.endpoints.iter().filter(move |e| e.activates(method))
    }

    /// The scopes of `held` that `method` declares: what an instance of
    /// it holding `held` really holds.
    pub fn granted<'a>(&self, method: &str, held: &'a [Text]) -> HashSet<&'a str> {
        let declared = self.method(method);
        held.iter()
            .map(|s| &**s)
            .filter(|s| declared.is_some_and(|m| m.declares(s)))
            .collect()
    }
}

/// A declared instance.
#[derive(Clone, Debug)]
pub struct InstanceFacts {
    /// Its connector, as written.
    pub connector: Text,
    /// Its method, if its `auth` option names one.
    pub method: Option<Text>,
    /// The scopes its `scopes` option lists, as written.
    pub scopes: Vec<Text>,
    /// Where its `scopes` list is or would go.
    pub home: ScopesHome,
}

/// Where a `scopes: [...]` list is written on a method or an instance, or
/// where one would go: what a fix that grants or declares scopes edits.
#[derive(Clone, Copy, Debug)]
pub struct ScopesHome {
    /// The whole method member or instance item.
    pub owner: Span,
    /// Its options block, and the end of its last entry.
    pub options: Option<(Span, Option<Span>)>,
    /// The `[...]` of its `scopes` option, and the end of its last name.
    pub list: Option<(Span, Option<Span>)>,
    /// Whether `scopes` is given as something other than a list (an
    /// error of its own): no fix adds to it.
    pub not_a_list: bool,
}

impl ScopesHome {
    /// The edit that adds `scopes` (names, written as the language
    /// requires): to the list, or a new `scopes` entry, or a new options
    /// block. `None` when `scopes` is written but is not a list.
    pub fn add(&self, scopes: &[&str]) -> Option<(Span, String)> {
        if self.not_a_list {
            return None;
        }
        let written: Vec<String> = scopes
            .iter()
            .map(|s| crate::syntax::quote_name(s))
            .collect();
        let written = written.join(", ");
        let at = |span: Span| Span::new(span.file, span.end as usize, span.end as usize);
        Some(match (self.list, self.options) {
            (Some((_, Some(last))), _) => (at(last), format!(", {written}")),
            (Some((list, None)), _) => {
                let start = list.start as usize + 1;
                (Span::new(list.file, start, start), written)
            }
            (None, Some((_, Some(last)))) => (at(last), format!(", scopes: [{written}]")),
            (None, Some((options, None))) => (options, format!("< scopes: [{written}] >")),
            (None, None) => (at(self.owner), format!(" < scopes: [{written}] >")),
        })
    }
}
