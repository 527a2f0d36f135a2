//! Name resolution and every semantic check: from the syntax of all files
//! to the checked model, collecting every diagnostic on the way.
//!
//! The checker is a [`Visitor`]: connectors are checked member by member
//! as the parser streams them, so a connector with a million endpoints
//! never exists as a syntax tree. Instances, flows and tests (small, and
//! free to refer to connectors of later files) are kept until
//! `Checker::finish` resolves them.
//!
//! One file per concern:
//! - `connector`: methods and endpoints as they stream in, and closing a
//!   connector;
//! - `options`: options blocks, checked against each item kind's schema;
//! - `resolve`: instances, flows and tests, once every connector is known;
//! - `scopes`: scopes declared, held and needed, resolved to ids;
//! - `lints`: the warnings, and `confusables`: names that look alike;
//! - `messages`: diagnostics whose help is composed from what is declared;
//! - `model`: what the checks produce.
//!
//! This file holds the checker's state, the [`Visitor`] protocol (with
//! forgetting a file that turns out not to parse) and `Checker::finish`.

mod confusables;
mod connector;
mod duplicates;
pub mod levels;
mod lints;
mod messages;
mod model;
mod options;
mod resolve;
mod scopes;

use std::cell::Cell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use foldhash::fast::FixedState;

pub(crate) use messages::type_hint;
pub use model::{AuthType, ExpectationDef, Expected, TestDef, Who};
pub(crate) use model::{ConnectorDef, InstanceDef, MethodDef, Model};

use self::connector::OpenConnector;
use self::duplicates::Repeats;
use crate::diagnostics::{Builder, Diagnostic};
use crate::source::{FileId, Sources, Span};
use crate::syntax::Visitor;
use crate::syntax::tree::{self, Member, Name};
use crate::text::suggest::Budget;

type Map<K, V> = HashMap<K, V, FixedState>;

/// Checks rule files: feed it every file with [`crate::syntax::parse_into`],
/// then call [`Checker::finish`].
pub(crate) struct Checker<'s> {
    sources: &'s Sources,
    /// Files that could not be read as rules.
    broken: Vec<FileId>,
    diagnostics: Vec<Diagnostic>,
    model: Model,
    /// The connector being streamed.
    open: Option<OpenConnector<'s>>,
    instances: Vec<PendingInstance<'s>>,
    flows: Vec<tree::Flow<'s>>,
    tests: Vec<tree::Test<'s>>,
    /// Connectors declared again, reported once every file is read.
    connector_repeats: Repeats,
    /// What existed when the current file started, to forget a file that
    /// turns out not to parse.
    mark: Mark,
    /// What "did you mean" may still spend in this run.
    suggestions: Cell<Budget>,
}

/// An instance as declared, its options already checked: resolved in
/// [`Checker::finish`], when every connector is known.
struct PendingInstance<'s> {
    name: Name<'s>,
    connector: Name<'s>,
    /// The method as written, if `auth` names exactly one.
    method: Option<Name<'s>>,
    /// Its `scopes` list, if written.
    scopes: Option<tree::List<'s>>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Mark {
    diagnostics: usize,
    connectors: usize,
    instances: usize,
    flows: usize,
    tests: usize,
    connector_repeats: usize,
}

/// The names declared in one namespace (instances, flows, tests), each
/// with where it was first declared, in declaration order.
#[derive(Default)]
struct Declared<'a> {
    first: Map<&'a str, Span>,
    order: Vec<&'a str>,
}

impl<'a> Declared<'a> {
    fn with_capacity(capacity: usize) -> Self {
        Declared {
            first: Map::with_capacity_and_hasher(capacity, FixedState::default()),
            order: Vec::with_capacity(capacity),
        }
    }

    /// Declares `name`; `Err` with the first declaration's span if it is
    /// taken.
    fn declare(&mut self, name: &'a Name<'_>) -> Result<(), Span> {
        match self.first.entry(&name.text) {
            Entry::Occupied(first) => Err(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(name.span);
                self.order.push(&name.text);
                Ok(())
            }
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.first.contains_key(name)
    }

    /// The names, in declaration order (so that suggestions and lists are
    /// deterministic).
    fn names(&self) -> &[&'a str] {
        &self.order
    }

    fn len(&self) -> usize {
        self.order.len()
    }

    /// The names and where each is first declared, in declaration order.
    fn iter(&self) -> impl Iterator<Item = (&'a str, Span)> + Clone + '_ {
        self.order
            .iter()
            .filter_map(|&name| Some((name, *self.first.get(name)?)))
    }
}

impl<'s> Checker<'s> {
    /// A checker for files of `sources`.
    pub(crate) fn new(sources: &'s Sources) -> Self {
        Checker {
            sources,
            broken: Vec::new(),
            diagnostics: Vec::new(),
            model: Model::default(),
            open: None,
            instances: Vec::new(),
            flows: Vec::new(),
            tests: Vec::new(),
            connector_repeats: Repeats::new("connector"),
            mark: Mark::default(),
            suggestions: Cell::new(Budget::for_input(
                sources.iter().map(|file| file.text().len()).sum(),
            )),
        }
    }

    /// Notes that `file` could not be read as rules (a syntax or encoding
    /// error): diagnostics about unknown names then say the name may be
    /// declared there.
    pub(crate) fn broken_file(&mut self, file: FileId) {
        self.broken.push(file);
    }

    /// Resolves instances, flows and tests, runs the rule-set-wide lints,
    /// and returns the model and every diagnostic, sorted by file and place.
    pub(crate) fn finish(mut self) -> (Model, Vec<Diagnostic>) {
        let instances = std::mem::take(&mut self.instances);
        let flows = std::mem::take(&mut self.flows);
        let tests = std::mem::take(&mut self.tests);
        let connector_repeats =
            std::mem::replace(&mut self.connector_repeats, Repeats::new("connector"));
        self.report_repeats(connector_repeats);
        let known = self.resolve_instances(&instances);
        self.resolve_flows(&flows, &known);
        self.resolve_tests(&tests, &known);
        let connectors = std::mem::take(&mut self.model.connectors);
        self.confusables(
            "connector",
            connectors.iter().map(|c| (c.name.as_str(), c.span)),
        );
        self.model.connectors = connectors;
        self.model.declared_instances = known.declared.len();
        self.blind_instances();
        self.model.names.shrink_to_fit();
        crate::diagnostics::sort(&mut self.diagnostics);
        (self.model, self.diagnostics)
    }

    fn emit(&mut self, builder: Builder) {
        self.diagnostics.push(builder.finish(self.sources));
    }

    fn has_errors_since(&self, start: usize) -> bool {
        self.diagnostics
            .iter()
            .skip(start)
            .any(|d| d.severity() == crate::diagnostics::Severity::Error)
    }
}

impl<'s> Visitor<'s> for Checker<'s> {
    fn file_start(&mut self, _file: FileId) {
        self.mark = Mark {
            diagnostics: self.diagnostics.len(),
            connectors: self.model.connectors.len(),
            instances: self.instances.len(),
            flows: self.flows.len(),
            tests: self.tests.len(),
            connector_repeats: self.connector_repeats.len(),
        };
        self.open = None;
    }

    fn file_end(&mut self, complete: bool) {
        if complete {
            return;
        }
        // Forget what a file that does not parse said: a syntax error stops
        // its whole file.
        let mark = self.mark;
        self.open = None;
        self.diagnostics.truncate(mark.diagnostics);
        self.model.truncate_connectors(mark.connectors);
        self.instances.truncate(mark.instances);
        self.flows.truncate(mark.flows);
        self.tests.truncate(mark.tests);
        self.connector_repeats.truncate(mark.connector_repeats);
    }

    fn connector_start(&mut self, name: Name<'s>) {
        self.open = Some(OpenConnector::new(name));
    }

    fn member(&mut self, member: &Member<'s>) {
        let Some(mut open) = self.open.take() else {
            return;
        };
        match member {
            Member::Method(method) => self.method(&mut open, method),
            Member::Endpoint(endpoint) => self.endpoint(&mut open, endpoint),
        }
        self.open = Some(open);
    }

    fn connector_end(&mut self, _span: Span) {
        if let Some(open) = self.open.take() {
            self.close_connector(open);
        }
    }

    fn instance(&mut self, instance: &tree::Instance<'s>) {
        let (method, scopes) = self.instance_auth(instance);
        self.instances.push(PendingInstance {
            name: instance.name.clone(),
            connector: instance.connector.clone(),
            method,
            scopes,
        });
    }

    fn flow(&mut self, flow: &tree::Flow<'s>) {
        self.flows.push(flow.clone());
    }

    fn test(&mut self, test: &tree::Test<'s>) {
        self.tests.push(test.clone());
    }
}
