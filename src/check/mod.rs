//! Name resolution and every semantic check: from the syntax of all files
//! to the checked [`Model`], collecting every diagnostic on the way.
//!
//! The [`Checker`] is a [`Visitor`]: connectors are checked member by
//! member as the parser streams them, so a connector with a million
//! endpoints never exists as a syntax tree. Instances and flows (small, and
//! free to refer to connectors of later files) are kept until
//! [`Checker::finish`].

pub mod model;

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use foldhash::fast::FixedState;
pub use model::{
    AuthType, ConnectorDef, EndpointDef, ExpectationDef, Expected, FlowDef, InstanceDef, MethodDef,
    Model, TestDef, Who,
};

use crate::diagnostics::{Builder, Diagnostic, Problem};
use crate::names::{NameIndex, Names};
use crate::source::{FileId, Sources, Span};
use crate::suggest;
use crate::syntax::tree::{self, Member, Name, Options, Value};
use crate::syntax::{self as syntax, Visitor};

type Map<K, V> = HashMap<K, V, FixedState>;

/// Checks rule files: feed it every file with [`crate::syntax::parse_into`],
/// then call [`Checker::finish`].
pub struct Checker<'s> {
    sources: &'s Sources,
    broken: Vec<FileId>,
    diagnostics: Vec<Diagnostic>,
    model: Model,
    /// Connector names to indices into `model.connectors`.
    connector_index: Map<String, usize>,
    /// Per connector (parallel to `model.connectors`): endpoint names to
    /// indices into its endpoints.
    endpoint_index: Vec<NameIndex>,
    /// The connector being streamed.
    open: Option<OpenConnector<'s>>,
    instances: Vec<PendingInstance<'s>>,
    flows: Vec<tree::Flow<'s>>,
    tests: Vec<tree::Test<'s>>,
    /// What existed when the current file started, to forget a file that
    /// turns out not to parse.
    mark: Mark,
}

/// An instance as declared, its options already checked: resolved in
/// [`Checker::finish`], when every connector is known.
struct PendingInstance<'s> {
    name: Name<'s>,
    connector: Name<'s>,
    /// The method as written, if `auth` names exactly one.
    method: Option<Name<'s>>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Mark {
    diagnostics: usize,
    connectors: usize,
    instances: usize,
    flows: usize,
    tests: usize,
}

/// A connector whose members are arriving.
struct OpenConnector<'s> {
    name: Name<'s>,
    def: ConnectorDef,
    methods: Map<Cow<'s, str>, usize>,
    /// Each method's name packed into a word (see `names::pack`), for
    /// look-ups without comparing strings.
    packed: Vec<u64>,
    endpoints: NameIndex,
    /// Auth-list names that did not resolve when their endpoint arrived (a
    /// method declared further down, a method beyond the 64th, or an
    /// unknown name): resolved when the connector closes.
    pending: Vec<(u32, Span)>,
    /// Endpoints written with `auth: []`.
    empty: Vec<u32>,
}

impl OpenConnector<'_> {
    /// The index of the method called `name`. Connectors have a handful of
    /// methods, where comparing beats hashing; many use the map.
    #[inline]
    fn method(&self, name: &str) -> Option<usize> {
        let packed = crate::names::pack(name.as_bytes());
        if packed != crate::names::LONG && self.def.methods.len() <= SHORT_LIST {
            self.packed.iter().position(|&other| other == packed)
        } else {
            self.methods.get(name).copied()
        }
    }
}

/// The kinds of item that carry an options block.
#[derive(Clone, Copy)]
enum OptionsOf {
    Endpoint,
    Instance,
}

impl OptionsOf {
    fn noun(self) -> &'static str {
        match self {
            OptionsOf::Endpoint => "endpoint",
            OptionsOf::Instance => "instance",
        }
    }

    fn with_article(self) -> &'static str {
        match self {
            OptionsOf::Endpoint => "an endpoint",
            OptionsOf::Instance => "an instance",
        }
    }

    /// How `auth` is written on this kind of item.
    fn auth_example(self) -> &'static str {
        match self {
            OptionsOf::Endpoint => "< auth: [METHOD, ...] >",
            OptionsOf::Instance => "< auth: METHOD >",
        }
    }
}

/// The option keys items know. Both endpoints and instances know only
/// `auth` today; the options block is where the language will grow.
const KNOWN_KEYS: [&str; 1] = ["auth"];

/// An auth list this long is checked for repetitions with a hash set
/// rather than pairwise.
const SHORT_LIST: usize = 16;

fn endpoint_name<'m>(names: &'m Names, def: &'m ConnectorDef) -> impl Fn(u32) -> &'m [u8] {
    move |id| {
        def.endpoints
            .get(id as usize)
            .map_or(&[][..], |endpoint| names.bytes(endpoint.name))
    }
}

impl<'s> Checker<'s> {
    /// A checker for files of `sources`.
    pub fn new(sources: &'s Sources) -> Self {
        Checker {
            sources,
            broken: Vec::new(),
            diagnostics: Vec::new(),
            model: Model::default(),
            connector_index: Map::default(),
            endpoint_index: Vec::new(),
            open: None,
            instances: Vec::new(),
            flows: Vec::new(),
            tests: Vec::new(),
            mark: Mark::default(),
        }
    }

    /// Notes that `file` could not be read as rules (a syntax or encoding
    /// error): diagnostics about unknown names then say the name may be
    /// declared there.
    pub fn broken_file(&mut self, file: FileId) {
        self.broken.push(file);
    }

    /// Resolves instances and flows and returns the model and every
    /// diagnostic, sorted by file and place.
    pub fn finish(mut self) -> (Model, Vec<Diagnostic>) {
        let instances = std::mem::take(&mut self.instances);
        let flows = std::mem::take(&mut self.flows);
        let mut resolved: Map<&str, usize> =
            Map::with_capacity_and_hasher(instances.len(), FixedState::default());
        let mut declared: Map<&str, Span> =
            Map::with_capacity_and_hasher(instances.len(), FixedState::default());
        // Declaration order, so that suggestions and lists are deterministic.
        let mut order: Vec<&str> = Vec::with_capacity(instances.len());
        for instance in &instances {
            match declared.entry(&instance.name.text) {
                Entry::Occupied(first) => {
                    self.duplicate("instance", &instance.name, *first.get());
                    continue;
                }
                Entry::Vacant(slot) => {
                    slot.insert(instance.name.span);
                    order.push(&instance.name.text);
                }
            }
            if let Some(def) = self.instance(instance) {
                resolved.insert(&instance.name.text, self.model.instances.len());
                self.model.instances.push(def);
            }
        }
        let mut flow_names: Map<&str, Span> = Map::default();
        for flow in &flows {
            match flow_names.entry(&flow.name.text) {
                Entry::Occupied(first) => self.duplicate("flow", &flow.name, *first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(flow.name.span);
                    self.model.flows.push(FlowDef {
                        name: flow.name.text.to_string(),
                        span: flow.name.span,
                        connections: flow.connections.len(),
                    });
                }
            }
            self.flow(flow, &resolved, &declared, &order);
        }
        let tests = std::mem::take(&mut self.tests);
        let mut test_names: Map<&str, Span> = Map::default();
        for test in &tests {
            let first = test_names.get(test.name.text.as_ref()).copied();
            if let Some(first) = first {
                self.duplicate("test", &test.name, first);
            } else {
                test_names.insert(&test.name.text, test.name.span);
            }
            let resolved = self.test(test, &resolved, &declared, &order);
            if let (Some(def), None) = (resolved, first) {
                self.model.tests.push(def);
            }
        }
        self.model.declared_instances = declared.len();
        self.blind_instances();
        self.model.names.shrink_to_fit();
        self.model.endpoint_index = std::mem::take(&mut self.endpoint_index);
        crate::diagnostics::sort(&mut self.diagnostics);
        (self.model, self.diagnostics)
    }

    fn emit(&mut self, builder: Builder) {
        self.diagnostics.push(builder.finish(self.sources));
    }

    /// `help` for an unknown name, with a note when some file did not parse
    /// (the name may be declared there).
    fn unknown_help(&self, help: String) -> String {
        let broken: Vec<&str> = self
            .broken
            .iter()
            .filter_map(|id| self.sources.get(*id))
            .map(|file| file.name())
            .collect();
        if broken.is_empty() {
            help
        } else {
            format!(
                "{help}\nnote: {} did not parse; names declared there are not known",
                list(broken.iter().copied(), broken.len())
            )
        }
    }

    fn duplicate(&mut self, what: &'static str, name: &Name<'_>, first: Span) {
        self.emit(
            Diagnostic::build(
                Problem::Duplicate {
                    what,
                    name: name.text.to_string(),
                },
                name.span,
                "declared again here",
            )
            .label(first, "first declared here")
            .help(format!(
                "rename or remove one of the two; {what} names must be unique"
            )),
        );
    }

    // ---- connectors, streamed ---------------------------------------------

    fn method(&mut self, open: &mut OpenConnector<'s>, method: &tree::Method<'s>) {
        if let Some(&first) = open.methods.get(method.name.text.as_ref()) {
            let first = open
                .def
                .methods
                .get(first)
                .map_or(method.name.span, |m| m.span);
            self.duplicate("auth method", &method.name, first);
            return;
        }
        let kind = AuthType::from_name(&method.kind.text);
        if kind.is_none() {
            self.unknown_type(&method.kind);
        }
        open.methods
            .insert(method.name.text.clone(), open.def.methods.len());
        open.packed
            .push(crate::names::pack(method.name.text.as_bytes()));
        open.def.methods.push(MethodDef {
            name: method.name.text.to_string(),
            span: method.name.span,
            kind,
        });
    }

    fn unknown_type(&mut self, kind: &Name<'_>) {
        let names = AuthType::ALL.map(AuthType::as_str);
        let supported = list(names.iter().copied(), names.len());
        let help = match suggest::closest(&kind.text, names) {
            Some(close) => format!("did you mean `{close}`? the supported types are {supported}"),
            None => format!("the supported types are {supported}"),
        };
        self.emit(
            Diagnostic::build(
                Problem::UnknownType {
                    name: kind.text.to_string(),
                },
                kind.span,
                "not a supported auth type",
            )
            .help(help),
        );
    }

    fn endpoint(&mut self, open: &mut OpenConnector<'s>, endpoint: &tree::Endpoint<'s>) {
        let id = u32::try_from(open.def.endpoints.len()).unwrap_or(u32::MAX);
        // One look-up both finds a duplicate and adds the name: the new id's
        // name is never read by `insert` (only existing ids are compared).
        let names = &self.model.names;
        if let Err(first) =
            open.endpoints
                .insert(id, &endpoint.name.text, endpoint_name(names, &open.def))
        {
            let first = open
                .def
                .endpoints
                .get(first as usize)
                .map_or(endpoint.name.span, |e| e.span(endpoint.name.span.file));
            self.duplicate("endpoint", &endpoint.name, first);
            return;
        }
        let name = self.model.names.push(&endpoint.name.text);
        open.def
            .endpoints
            .push(EndpointDef::new(name, endpoint.name.span));
        open.def.bits.push(0);

        let errors_before = self.diagnostics.len();
        match self.auth_option(
            endpoint.options.as_ref(),
            OptionsOf::Endpoint,
            &endpoint.name,
        ) {
            Some(Value::List(list)) => {
                if let Some(def) = open.def.endpoints.last_mut() {
                    def.set_auth_span(list.span);
                }
                if list.items.is_empty() {
                    open.empty.push(id);
                }
                let repeated = repetitions(&list.items);
                for (position, method) in list.items.iter().enumerate() {
                    if let Some(&(_, first)) = repeated.iter().find(|(at, _)| *at == position) {
                        self.emit(
                            Diagnostic::build(
                                Problem::RepeatedMethod {
                                    method: method.text.to_string(),
                                },
                                method.span,
                                "listed again here",
                            )
                            .label(first, "first listed here")
                            .help("remove the repetition; it changes nothing"),
                        );
                        continue;
                    }
                    match open.method(&method.text) {
                        Some(index) if index < 64 => open.def.activate(id as usize, index),
                        _ => open.pending.push((id, method.span)),
                    }
                }
            }
            Some(value @ Value::Name(name)) => {
                let help = format!(
                    "an endpoint activates a list of methods: write `auth: [{}]`",
                    quote_name(&name.text)
                );
                self.option_value(value, OptionsOf::Endpoint, "a list of auth methods", help);
            }
            None => {}
        }
        if self.has_errors_since(errors_before) {
            open.def.incomplete = true;
        }
    }

    fn has_errors_since(&self, start: usize) -> bool {
        self.diagnostics
            .iter()
            .skip(start)
            .any(|d| d.severity() == crate::Severity::Error)
    }

    fn close_connector(&mut self, mut open: OpenConnector<'s>) {
        open.def.size_wide_bits();
        // Names that did not resolve on arrival.
        let errors_before = self.diagnostics.len();
        for &(endpoint, span) in &open.pending {
            let written = self.sources.get(span.file).map_or("", |f| f.slice(span));
            let text = syntax::name_text(written);
            match open.method(&text) {
                Some(method) => open.def.activate(endpoint as usize, method),
                None => {
                    let name = Name { text, span };
                    let diagnostic = self.unknown_method(&open.def, &name);
                    self.emit(diagnostic);
                }
            }
        }
        if self.has_errors_since(errors_before) {
            open.def.incomplete = true;
        }
        let def = &open.def;
        let mut found = Vec::new();
        // With no method at all, `no_methods` already says it all.
        if !def.methods.is_empty() {
            for &endpoint in &open.empty {
                let Some(endpoint) = def.endpoints.get(endpoint as usize) else {
                    continue;
                };
                found.push(
                    Diagnostic::build(
                        Problem::NeverAvailable {
                            endpoint: self.model.names.get(endpoint.name).to_owned(),
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
                    .help("list the auth methods that may call it, e.g. `auth: [basic]`"),
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
                .help(
                    "add one, e.g. `endpoint orders < auth: [METHOD] >`, or remove the connector",
                ),
            );
        } else if !def.incomplete {
            // An endpoint whose auth list has an error may be meant to
            // activate any method: warning about them would be noise.
            found.extend(never_activated(def));
        }
        for builder in found {
            self.emit(builder);
        }
        match self.connector_index.get(open.def.name.as_str()) {
            Some(&first) => {
                let first = self
                    .model
                    .connectors
                    .get(first)
                    .map_or(open.def.span, |c| c.span);
                self.duplicate("connector", &open.name, first);
            }
            None => {
                open.endpoints.shrink_to_fit();
                open.def.endpoints.shrink_to_fit();
                open.def.bits.shrink_to_fit();
                self.connector_index
                    .insert(open.def.name.clone(), self.model.connectors.len());
                self.model.connectors.push(open.def);
                self.endpoint_index.push(open.endpoints);
            }
        }
    }

    /// Finds the `auth` option in a block, reporting unknown, repeated and
    /// missing keys.
    fn auth_option<'t>(
        &mut self,
        options: Option<&'t Options<'s>>,
        of: OptionsOf,
        name: &Name<'_>,
    ) -> Option<&'t Value<'s>> {
        let mut found: Option<&tree::OptionEntry<'s>> = None;
        for entry in options.iter().flat_map(|options| options.entries.iter()) {
            if !KNOWN_KEYS.contains(&entry.key.text.as_ref()) {
                let known = list(KNOWN_KEYS.iter().copied(), KNOWN_KEYS.len());
                let help = match suggest::closest(&entry.key.text, KNOWN_KEYS) {
                    Some(close) => format!(
                        "did you mean `{close}`? {} knows {known}",
                        of.with_article()
                    ),
                    None => format!("{} knows {known}", of.with_article()),
                };
                self.emit(
                    Diagnostic::build(
                        Problem::UnknownOption {
                            key: entry.key.text.to_string(),
                            item: of.with_article(),
                        },
                        entry.key.span,
                        "unknown option",
                    )
                    .help(help),
                );
                continue;
            }
            match found {
                Some(first) => self.emit(
                    Diagnostic::build(
                        Problem::Duplicate {
                            what: "option",
                            name: entry.key.text.to_string(),
                        },
                        entry.key.span,
                        "given again here",
                    )
                    .label(first.key.span, "first given here")
                    .help(format!("give `{}` once", entry.key.text)),
                ),
                None => found = Some(entry),
            }
        }
        if found.is_none() {
            self.emit(
                Diagnostic::build(
                    Problem::MissingOption {
                        item: of.noun(),
                        name: name.text.to_string(),
                        key: "auth",
                    },
                    name.span,
                    format!("this {} has no `auth`", of.noun()),
                )
                .help(format!(
                    "add its auth {}: `{} {} {}`",
                    match of {
                        OptionsOf::Endpoint => "methods",
                        OptionsOf::Instance => "method",
                    },
                    of.noun(),
                    quote_name(&name.text),
                    of.auth_example()
                )),
            );
        }
        found.map(|entry| &entry.value)
    }

    fn option_value(
        &mut self,
        value: &Value<'_>,
        of: OptionsOf,
        expected: &'static str,
        help: String,
    ) {
        self.emit(
            Diagnostic::build(
                Problem::OptionValue {
                    key: "auth".to_owned(),
                    item: of.with_article(),
                    expected,
                },
                value.span(),
                format!("expected {expected}"),
            )
            .help(help),
        );
    }

    fn unknown_method(&self, def: &ConnectorDef, method: &Name<'_>) -> Builder {
        let names = def.methods.iter().map(|m| m.name.as_str());
        let help = if def.methods.is_empty() {
            format!(
                "`{}` defines no auth method; declare one with `auth {}: TYPE`",
                def.name,
                quote_name(&method.text)
            )
        } else {
            let defined = list(names.clone(), def.methods.len());
            match suggest::closest(&method.text, names) {
                Some(close) => format!("did you mean `{close}`? `{}` defines {defined}", def.name),
                None => format!("`{}` defines {defined}", def.name),
            }
        };
        Diagnostic::build(
            Problem::UnknownMethod {
                name: method.text.to_string(),
                connector: def.name.clone(),
            },
            method.span,
            format!("not a method of `{}`", def.name),
        )
        .label(def.span, "connector declared here")
        .help(self.unknown_help(help))
    }

    // ---- instances and flows, once every connector is known ---------------

    /// Checks an instance's options as it arrives and returns its method
    /// as written, if it names exactly one.
    fn instance_auth(&mut self, instance: &tree::Instance<'s>) -> Option<Name<'s>> {
        let value = self.auth_option(
            instance.options.as_ref(),
            OptionsOf::Instance,
            &instance.name,
        );
        match value? {
            Value::Name(method) => Some(method.clone()),
            value @ Value::List(list) => {
                let help = match list.items.as_slice() {
                    [one] => format!(
                        "an instance authenticates with exactly one method: write `auth: {}`",
                        quote_name(&one.text)
                    ),
                    _ => {
                        "an instance authenticates with exactly one method: write `auth: METHOD`; \
                          declare one instance per method"
                            .to_owned()
                    }
                };
                self.option_value(value, OptionsOf::Instance, "one auth method", help);
                None
            }
        }
    }

    /// Resolves an instance's connector and method, once every connector
    /// is known.
    fn instance(&mut self, instance: &PendingInstance<'s>) -> Option<InstanceDef> {
        let connector = match self.connector_index.get(instance.connector.text.as_ref()) {
            Some(&index) => Some(index),
            None => {
                self.unknown_connector(&instance.connector);
                None
            }
        };
        let method = instance.method.as_ref()?;
        let connector = connector?;
        let def = self.model.connectors.get(connector)?;
        let same = |m: &MethodDef| crate::names::same(m.name.as_bytes(), method.text.as_bytes());
        let Some(index) = def.methods.iter().position(same) else {
            let diagnostic = self.unknown_method(def, method);
            self.emit(diagnostic);
            return None;
        };
        Some(InstanceDef {
            name: instance.name.text.to_string(),
            span: instance.name.span,
            connector,
            method: index,
            method_span: method.span,
        })
    }

    fn unknown_connector(&mut self, name: &Name<'_>) {
        let names = self.model.connectors.iter().map(|c| c.name.as_str());
        let help = match suggest::closest(&name.text, names.clone()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if self.model.connectors.is_empty() => format!(
                "no connector is declared; declare it with `connector {} {{ ... }}`",
                quote_name(&name.text)
            ),
            None => format!(
                "the declared connectors are {}",
                list(names, self.model.connectors.len())
            ),
        };
        let help = self.unknown_help(help);
        self.emit(
            Diagnostic::build(
                Problem::UnknownConnector {
                    name: name.text.to_string(),
                },
                name.span,
                "no connector has this name",
            )
            .help(help),
        );
    }

    fn flow(
        &mut self,
        flow: &tree::Flow<'s>,
        instances: &Map<&str, usize>,
        declared: &Map<&str, Span>,
        order: &[&str],
    ) {
        for connection in &flow.connections {
            let Some(&index) = instances.get(connection.instance.text.as_ref()) else {
                // An instance that is declared but did not resolve already
                // has its error; don't pile on.
                if !declared.contains_key(connection.instance.text.as_ref()) {
                    self.unknown_instance(&connection.instance, order);
                }
                continue;
            };
            let Some(instance) = self.model.instances.get(index) else {
                continue;
            };
            let Some(def) = self.model.connectors.get(instance.connector) else {
                continue;
            };
            let names = &self.model.names;
            let endpoint = self
                .endpoint_index
                .get(instance.connector)
                .and_then(|index| index.find(&connection.endpoint.text, endpoint_name(names, def)));
            let Some(endpoint) = endpoint else {
                let diagnostic = self.unknown_endpoint(def, instance, &connection.endpoint);
                self.emit(diagnostic);
                continue;
            };
            let endpoint = endpoint as usize;
            if def.activates(endpoint, instance.method) {
                continue;
            }
            let diagnostic = self.unactivated(def, instance, endpoint, connection.span);
            self.emit(diagnostic);
        }
    }

    /// Checks a test's names; returns it when every name resolved.
    fn test(
        &mut self,
        test: &tree::Test<'s>,
        instances: &Map<&str, usize>,
        declared: &Map<&str, Span>,
        order: &[&str],
    ) -> Option<TestDef> {
        let mut expectations = Vec::with_capacity(test.expectations.len());
        let mut complete = true;
        for expectation in &test.expectations {
            // The connector the subject belongs to, and how to name it.
            let (connector, who, instance) = match &expectation.subject {
                tree::Subject::Instance(name) => {
                    let Some(&index) = instances.get(name.text.as_ref()) else {
                        if !declared.contains_key(name.text.as_ref()) {
                            self.unknown_instance(name, order);
                        }
                        complete = false;
                        continue;
                    };
                    let Some(instance) = self.model.instances.get(index) else {
                        complete = false;
                        continue;
                    };
                    (
                        instance.connector,
                        Who::Instance(name.text.to_string()),
                        Some(index),
                    )
                }
                tree::Subject::Runtime { connector, method } => {
                    let Some(&index) = self.connector_index.get(connector.text.as_ref()) else {
                        self.unknown_connector(connector);
                        complete = false;
                        continue;
                    };
                    let Some(def) = self.model.connectors.get(index) else {
                        complete = false;
                        continue;
                    };
                    if !def.methods.iter().any(|m| m.name == method.text) {
                        let diagnostic = self.unknown_method(def, method);
                        self.emit(diagnostic);
                        complete = false;
                        continue;
                    }
                    (
                        index,
                        Who::Runtime(connector.text.to_string(), method.text.to_string()),
                        None,
                    )
                }
            };
            let endpoints: Vec<&Name<'s>> = match &expectation.expect {
                tree::Expect::CanSee(name) | tree::Expect::CannotSee(name) => vec![name],
                tree::Expect::SeesOnly(list) => list.items.iter().collect(),
            };
            let mut known = true;
            for endpoint in endpoints {
                let Some(def) = self.model.connectors.get(connector) else {
                    continue;
                };
                let names = &self.model.names;
                let found = self
                    .endpoint_index
                    .get(connector)
                    .and_then(|index| index.find(&endpoint.text, endpoint_name(names, def)));
                if found.is_none() {
                    let diagnostic = self.unknown_endpoint_for(
                        def,
                        instance,
                        expectation.subject.span(),
                        endpoint,
                    );
                    self.emit(diagnostic);
                    known = false;
                }
            }
            if !known {
                complete = false;
                continue;
            }
            let expect = match &expectation.expect {
                tree::Expect::CanSee(name) => Expected::CanSee(name.text.to_string()),
                tree::Expect::CannotSee(name) => Expected::CannotSee(name.text.to_string()),
                tree::Expect::SeesOnly(list) => {
                    Expected::SeesOnly(list.items.iter().map(|n| n.text.to_string()).collect())
                }
            };
            expectations.push(ExpectationDef {
                span: expectation.span,
                who,
                expect,
            });
        }
        complete.then(|| TestDef {
            name: test.name.text.to_string(),
            span: test.name.span,
            expectations,
        })
    }

    fn unactivated(
        &self,
        def: &ConnectorDef,
        instance: &InstanceDef,
        endpoint: usize,
        connection: Span,
    ) -> Builder {
        let Some(data) = def.endpoints.get(endpoint) else {
            return Diagnostic::build(
                Problem::UnactivatedMethod {
                    instance: instance.name.clone(),
                    endpoint: String::new(),
                },
                connection,
                "",
            );
        };
        let endpoint_name = self.model.names.get(data.name);
        let method = def
            .methods
            .get(instance.method)
            .map_or("", |m| m.name.as_str());
        let activated: Vec<&str> = def
            .activated(endpoint)
            .filter_map(|i| def.methods.get(i))
            .map(|m| m.name.as_str())
            .collect();
        let alternatives: Vec<&str> = self
            .model
            .instances
            .iter()
            .filter(|other| {
                other.connector == instance.connector && def.activates(endpoint, other.method)
            })
            .map(|other| other.name.as_str())
            .collect();
        let mut help = format!(
            "activate `{method}` for `{endpoint_name}` (`auth: [{}]`)",
            activated
                .iter()
                .copied()
                .chain(std::iter::once(method))
                .map(quote_name)
                .collect::<Vec<_>>()
                .join(", ")
        );
        if activated.is_empty() {
            help.push_str(", or pick another endpoint");
        } else if alternatives.is_empty() {
            help.push_str(&format!(
                ", or use an instance that authenticates with {}",
                list(activated.iter().copied(), activated.len())
            ));
        } else {
            help.push_str(&format!(
                ", or use an instance with an activated method, e.g. {}",
                list(alternatives.iter().copied(), alternatives.len())
            ));
        }
        let activated_label = if activated.is_empty() {
            format!("`{endpoint_name}` activates no method")
        } else {
            format!(
                "`{endpoint_name}` activates only {}",
                list(activated.iter().copied(), activated.len())
            )
        };
        Diagnostic::build(
            Problem::UnactivatedMethod {
                instance: instance.name.clone(),
                endpoint: endpoint_name.to_owned(),
            },
            connection,
            "this connection needs the endpoint",
        )
        .label(
            instance.method_span,
            format!("`{}` authenticates with `{method}`", instance.name),
        )
        .label(
            data.auth_span(def.span.file)
                .unwrap_or(data.span(def.span.file)),
            activated_label,
        )
        .help(help)
    }

    fn unknown_instance(&mut self, name: &Name<'_>, names: &[&str]) {
        let help = match suggest::closest(&name.text, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if names.is_empty() => format!(
                "no instance is declared; declare it with `instance {} of CONNECTOR < auth: METHOD >`",
                quote_name(&name.text)
            ),
            None => format!(
                "the declared instances are {}",
                list(names.iter().copied(), names.len())
            ),
        };
        let help = self.unknown_help(help);
        self.emit(
            Diagnostic::build(
                Problem::UnknownInstance {
                    name: name.text.to_string(),
                },
                name.span,
                "no instance has this name",
            )
            .help(help),
        );
    }

    fn unknown_endpoint(
        &self,
        def: &ConnectorDef,
        instance: &InstanceDef,
        name: &Name<'_>,
    ) -> Builder {
        self.unknown_endpoint_with(def, Some((&instance.name, instance.span)), name)
    }

    /// `unknown_endpoint` for a test's subject: a declared instance (by its
    /// index) or a runtime one (labelled where it is written).
    fn unknown_endpoint_for(
        &self,
        def: &ConnectorDef,
        instance: Option<usize>,
        subject: Span,
        name: &Name<'_>,
    ) -> Builder {
        match instance.and_then(|index| self.model.instances.get(index)) {
            Some(instance) => self.unknown_endpoint(def, instance, name),
            None => self
                .unknown_endpoint_with(def, None, name)
                .label(subject, format!("a runtime instance of `{}`", def.name)),
        }
    }

    fn unknown_endpoint_with(
        &self,
        def: &ConnectorDef,
        instance: Option<(&String, Span)>,
        name: &Name<'_>,
    ) -> Builder {
        let names = &self.model.names;
        let endpoint_names = def.endpoints.iter().map(|e| names.get(e.name));
        let mut help = match suggest::closest(&name.text, endpoint_names.clone()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if def.endpoints.is_empty() => format!("`{}` has no endpoint", def.name),
            None => format!(
                "`{}` has {}",
                def.name,
                list(endpoint_names, def.endpoints.len())
            ),
        };
        let elsewhere: Vec<&str> = self
            .model
            .connectors
            .iter()
            .zip(&self.endpoint_index)
            .filter(|(other, index)| {
                other.name != def.name
                    && index
                        .find(&name.text, endpoint_name(names, other))
                        .is_some()
            })
            .map(|(other, _)| other.name.as_str())
            .collect();
        if !elsewhere.is_empty() {
            let whose = match instance {
                Some((instance, _)) => format!("`{instance}` is an instance of `{}`", def.name),
                None => format!("this runtime instance is of `{}`", def.name),
            };
            help.push_str(&format!(
                "\n`{}` is an endpoint of {}; {whose}",
                name.text,
                list(elsewhere.iter().copied(), elsewhere.len()),
            ));
        }
        let builder = Diagnostic::build(
            Problem::UnknownEndpoint {
                name: name.text.to_string(),
                connector: def.name.clone(),
            },
            name.span,
            format!("not an endpoint of `{}`", def.name),
        );
        let builder = match instance {
            Some((_, span)) => builder.label(span, format!("an instance of `{}`", def.name)),
            None => builder,
        };
        builder.help(self.unknown_help(help))
    }

    fn blind_instances(&mut self) {
        let mut found = Vec::new();
        for instance in &self.model.instances {
            let Some(def) = self.model.connectors.get(instance.connector) else {
                continue;
            };
            if def.incomplete {
                continue;
            }
            let sees_any = (0..def.endpoints.len()).any(|e| def.activates(e, instance.method));
            if !sees_any {
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
        }
        for builder in found {
            self.emit(builder);
        }
    }
}

/// Warnings for the methods of `def` that no endpoint activates.
fn never_activated(def: &ConnectorDef) -> Vec<Builder> {
    let narrow = def.bits.iter().fold(0u64, |all, word| all | word);
    def.methods
        .iter()
        .enumerate()
        .filter(|&(index, _)| {
            if index < 64 {
                narrow >> index & 1 == 0
            } else {
                !(0..def.endpoints.len()).any(|e| def.activates(e, index))
            }
        })
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

/// For each later repetition in an auth list: its position and the span of
/// the first occurrence.
fn repetitions(items: &[Name<'_>]) -> Vec<(usize, Span)> {
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
        let mut seen: Map<&str, Span> = Map::default();
        for (position, item) in items.iter().enumerate() {
            match seen.entry(&item.text) {
                Entry::Occupied(first) => found.push((position, *first.get())),
                Entry::Vacant(slot) => {
                    slot.insert(item.span);
                }
            }
        }
    }
    found
}

impl<'s> Visitor<'s> for Checker<'s> {
    fn file_start(&mut self, _file: FileId) {
        self.mark = Mark {
            diagnostics: self.diagnostics.len(),
            connectors: self.model.connectors.len(),
            instances: self.instances.len(),
            flows: self.flows.len(),
            tests: self.tests.len(),
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
        self.model.connectors.truncate(mark.connectors);
        self.endpoint_index.truncate(mark.connectors);
        self.connector_index
            .retain(|_, index| *index < mark.connectors);
        self.instances.truncate(mark.instances);
        self.flows.truncate(mark.flows);
        self.tests.truncate(mark.tests);
    }

    fn connector_start(&mut self, name: Name<'s>) {
        self.open = Some(OpenConnector {
            def: ConnectorDef {
                name: name.text.to_string(),
                span: name.span,
                methods: Vec::new(),
                endpoints: Vec::new(),
                bits: Vec::new(),
                wide: Vec::new(),
                incomplete: false,
            },
            name,
            methods: Map::default(),
            packed: Vec::new(),
            endpoints: NameIndex::default(),
            pending: Vec::new(),
            empty: Vec::new(),
        });
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
        let method = self.instance_auth(instance);
        self.instances.push(PendingInstance {
            name: instance.name.clone(),
            connector: instance.connector.clone(),
            method,
        });
    }

    fn flow(&mut self, flow: &tree::Flow<'s>) {
        self.flows.push(flow.clone());
    }

    fn test(&mut self, test: &tree::Test<'s>) {
        self.tests.push(test.clone());
    }
}

/// A name as it must be written in a rule file: bare if it can be, else
/// quoted with escapes.
pub fn quote_name(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// "`a`, `b` and `c`", at most eight names, then "and N more".
fn list<'n>(names: impl Iterator<Item = &'n str>, count: usize) -> String {
    const SHOWN: usize = 8;
    let shown: Vec<String> = names.take(SHOWN).map(|name| format!("`{name}`")).collect();
    match shown.as_slice() {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [init @ .., last] if count <= SHOWN => format!("{} and {last}", init.join(", ")),
        all => format!("{} and {} more", all.join(", "), count - all.len()),
    }
}
