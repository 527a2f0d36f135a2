//! Name resolution and every semantic check: from syntax trees to the
//! checked [`Model`], collecting every diagnostic on the way.

pub mod model;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

pub use model::{AuthType, ConnectorDef, EndpointDef, FlowDef, InstanceDef, MethodDef, Model};

use crate::diagnostics::{Builder, Diagnostic, Problem};
use crate::source::{FileId, Sources, Span};
use crate::suggest;
use crate::syntax::tree::{self, Item, Member, Name, Options, Value};

/// Checks the syntax trees of all files of a rule set together.
///
/// `broken` lists files that did not parse: names they declare are unknown
/// here, and diagnostics about unknown names say so. Returns the model (with
/// whatever resolved) and every diagnostic, sorted by place.
pub fn check(
    sources: &Sources,
    files: &[tree::File],
    broken: &[FileId],
) -> (Model, Vec<Diagnostic>) {
    let mut checker = Checker {
        sources,
        broken,
        diagnostics: Vec::new(),
        model: Model::default(),
        connector_index: HashMap::new(),
        endpoint_index: Vec::new(),
    };
    let items = || files.iter().flat_map(|file| file.items.iter());
    for item in items() {
        if let Item::Connector(connector) = item {
            checker.connector(connector);
        }
    }
    let mut instance_index: HashMap<&str, usize> = HashMap::new();
    let mut instance_spans: HashMap<&str, Span> = HashMap::new();
    // Declaration order, so that suggestions and lists are deterministic.
    let mut instance_order: Vec<&str> = Vec::new();
    for item in items() {
        if let Item::Instance(instance) = item {
            match instance_spans.entry(&instance.name.text) {
                Entry::Occupied(first) => {
                    checker.duplicate("instance", &instance.name, *first.get());
                    continue;
                }
                Entry::Vacant(slot) => {
                    slot.insert(instance.name.span);
                    instance_order.push(&instance.name.text);
                }
            }
            if let Some(def) = checker.instance(instance) {
                instance_index.insert(&instance.name.text, checker.model.instances.len());
                checker.model.instances.push(def);
            }
        }
    }
    let mut flow_spans: HashMap<&str, Span> = HashMap::new();
    for item in items() {
        if let Item::Flow(flow) = item {
            match flow_spans.entry(&flow.name.text) {
                Entry::Occupied(first) => checker.duplicate("flow", &flow.name, *first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(flow.name.span);
                    checker.model.flows.push(FlowDef {
                        name: flow.name.text.clone(),
                        span: flow.name.span,
                        connections: flow.connections.len(),
                    });
                }
            }
            checker.flow(flow, &instance_index, &instance_spans, &instance_order);
        }
    }
    checker.model.declared_instances = instance_spans.len();
    checker.blind_instances();
    let Checker {
        mut diagnostics,
        model,
        ..
    } = checker;
    crate::diagnostics::sort(&mut diagnostics);
    (model, diagnostics)
}

struct Checker<'a> {
    sources: &'a Sources,
    broken: &'a [FileId],
    diagnostics: Vec<Diagnostic>,
    model: Model,
    /// Connector names to indices into `model.connectors`.
    connector_index: HashMap<&'a str, usize>,
    /// Per connector (parallel to `model.connectors`): endpoint names to
    /// indices into its endpoints.
    endpoint_index: Vec<HashMap<&'a str, usize>>,
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

impl<'a> Checker<'a> {
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

    fn duplicate(&mut self, what: &'static str, name: &Name, first: Span) {
        self.emit(
            Diagnostic::build(
                Problem::Duplicate {
                    what,
                    name: name.text.clone(),
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

    fn connector(&mut self, connector: &'a tree::Connector) {
        let mut def = ConnectorDef {
            name: connector.name.text.clone(),
            span: connector.name.span,
            methods: Vec::new(),
            endpoints: Vec::new(),
            incomplete: false,
        };
        // Methods first: an endpoint may name a method declared below it.
        let mut method_index: HashMap<&str, usize> = HashMap::new();
        for member in &connector.members {
            if let Member::Method(method) = member {
                if let Some(&first) = method_index.get(method.name.text.as_str()) {
                    let first = def.methods.get(first).map_or(method.name.span, |m| m.span);
                    self.duplicate("auth method", &method.name, first);
                    continue;
                }
                let kind = AuthType::from_name(&method.kind.text);
                if kind.is_none() {
                    self.unknown_type(&method.kind);
                }
                method_index.insert(&method.name.text, def.methods.len());
                def.methods.push(MethodDef {
                    name: method.name.text.clone(),
                    span: method.name.span,
                    kind,
                });
            }
        }
        let mut endpoint_index: HashMap<&'a str, usize> = HashMap::new();
        for member in &connector.members {
            if let Member::Endpoint(endpoint) = member {
                if let Some(&first) = endpoint_index.get(endpoint.name.text.as_str()) {
                    let first = def
                        .endpoints
                        .get(first)
                        .map_or(endpoint.name.span, |e| e.span);
                    self.duplicate("endpoint", &endpoint.name, first);
                    continue;
                }
                endpoint_index.insert(&endpoint.name.text, def.endpoints.len());
                let (def_endpoint, broken) = self.endpoint(&def, &method_index, endpoint);
                def.incomplete |= broken;
                def.endpoints.push(def_endpoint);
            }
        }
        if def.methods.is_empty() {
            self.emit(
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
            self.emit(
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
            self.never_activated(&def);
        }
        match self.connector_index.get(connector.name.text.as_str()) {
            Some(&first) => {
                let first = self
                    .model
                    .connectors
                    .get(first)
                    .map_or(def.span, |c| c.span);
                self.duplicate("connector", &connector.name, first);
            }
            None => {
                self.connector_index
                    .insert(&connector.name.text, self.model.connectors.len());
                self.model.connectors.push(def);
                self.endpoint_index.push(endpoint_index);
            }
        }
    }

    fn unknown_type(&mut self, kind: &Name) {
        let names = AuthType::ALL.map(AuthType::as_str);
        let mut builder = Diagnostic::build(
            Problem::UnknownType {
                name: kind.text.clone(),
            },
            kind.span,
            "not a supported auth type",
        );
        let supported = list(names.iter().copied(), names.len());
        builder = builder.help(match suggest::closest(&kind.text, names) {
            Some(close) => format!("did you mean `{close}`? the supported types are {supported}"),
            None => format!("the supported types are {supported}"),
        });
        self.emit(builder);
    }

    fn never_activated(&mut self, def: &ConnectorDef) {
        for (index, method) in def.methods.iter().enumerate() {
            let activated = def
                .endpoints
                .iter()
                .any(|endpoint| endpoint.activated.contains(&index));
            if !activated {
                self.emit(
                    Diagnostic::build(
                        Problem::NeverActivated {
                            method: method.name.clone(),
                            connector: def.name.clone(),
                        },
                        method.span,
                        "no endpoint activates this method",
                    )
                    .help(format!(
                        "instances that use `{}` see no endpoint; add it to the `auth` list of \
                         the endpoints it may call, or remove it",
                        method.name
                    )),
                );
            }
        }
    }

    /// Finds the `auth` option in a block, reporting unknown, repeated and
    /// missing keys.
    fn auth_option<'t>(
        &mut self,
        options: Option<&'t Options>,
        of: OptionsOf,
        name: &Name,
    ) -> Option<&'t Value> {
        let mut found: Option<&tree::OptionEntry> = None;
        for entry in options.iter().flat_map(|options| options.entries.iter()) {
            if !KNOWN_KEYS.contains(&entry.key.text.as_str()) {
                let mut builder = Diagnostic::build(
                    Problem::UnknownOption {
                        key: entry.key.text.clone(),
                        item: of.with_article(),
                    },
                    entry.key.span,
                    "unknown option",
                );
                let known = list(KNOWN_KEYS.iter().copied(), KNOWN_KEYS.len());
                builder = builder.help(match suggest::closest(&entry.key.text, KNOWN_KEYS) {
                    Some(close) => format!(
                        "did you mean `{close}`? {} knows {known}",
                        of.with_article()
                    ),
                    None => format!("{} knows {known}", of.with_article()),
                });
                self.emit(builder);
                continue;
            }
            match found {
                Some(first) => self.emit(
                    Diagnostic::build(
                        Problem::Duplicate {
                            what: "option",
                            name: entry.key.text.clone(),
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
                        name: name.text.clone(),
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

    fn option_value(&mut self, value: &Value, of: OptionsOf, expected: &'static str, help: String) {
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

    fn unknown_method(&self, def: &ConnectorDef, method: &Name) -> Builder {
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
                name: method.text.clone(),
                connector: def.name.clone(),
            },
            method.span,
            format!("not a method of `{}`", def.name),
        )
        .label(def.span, "connector declared here")
        .help(self.unknown_help(help))
    }

    fn endpoint(
        &mut self,
        def: &ConnectorDef,
        method_index: &HashMap<&str, usize>,
        endpoint: &tree::Endpoint,
    ) -> (EndpointDef, bool) {
        let errors_before = self.diagnostics.len();
        let mut activated: Vec<usize> = Vec::new();
        let mut auth_span = None;
        match self.auth_option(
            endpoint.options.as_ref(),
            OptionsOf::Endpoint,
            &endpoint.name,
        ) {
            Some(Value::List(list)) => {
                auth_span = Some(list.span);
                let mut seen: HashMap<&str, Span> = HashMap::new();
                for method in &list.items {
                    if let Some(&first) = seen.get(method.text.as_str()) {
                        self.emit(
                            Diagnostic::build(
                                Problem::RepeatedMethod {
                                    method: method.text.clone(),
                                },
                                method.span,
                                "listed again here",
                            )
                            .label(first, "first listed here")
                            .help("remove the repetition; it changes nothing"),
                        );
                        continue;
                    }
                    seen.insert(&method.text, method.span);
                    match method_index.get(method.text.as_str()) {
                        Some(&index) => activated.push(index),
                        None => {
                            let diagnostic = self.unknown_method(def, method);
                            self.emit(diagnostic);
                        }
                    }
                }
                // With no method at all, `no_methods` already says it all.
                if list.items.is_empty() && !def.methods.is_empty() {
                    self.emit(
                        Diagnostic::build(
                            Problem::NeverAvailable {
                                endpoint: endpoint.name.text.clone(),
                                connector: def.name.clone(),
                            },
                            list.span,
                            "no method is activated",
                        )
                        .label(endpoint.name.span, "no instance can see this endpoint")
                        .help("list the auth methods that may call it, e.g. `auth: [basic]`"),
                    );
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
        let broken = self
            .diagnostics
            .iter()
            .skip(errors_before)
            .any(|d| d.severity() == crate::Severity::Error);
        let def = EndpointDef {
            name: endpoint.name.text.clone(),
            span: endpoint.name.span,
            activated,
            auth_span,
        };
        (def, broken)
    }

    fn instance(&mut self, instance: &tree::Instance) -> Option<InstanceDef> {
        let value = self.auth_option(
            instance.options.as_ref(),
            OptionsOf::Instance,
            &instance.name,
        );
        let connector = match self.connector_index.get(instance.connector.text.as_str()) {
            Some(&index) => Some(index),
            None => {
                self.unknown_connector(&instance.connector);
                None
            }
        };
        let method =
            match value? {
                Value::Name(method) => method,
                value @ Value::List(list) => {
                    let help = match list.items.as_slice() {
                    [one] => format!(
                        "an instance authenticates with exactly one method: write `auth: {}`",
                        quote_name(&one.text)
                    ),
                    _ => "an instance authenticates with exactly one method: write `auth: METHOD`; \
                          declare one instance per method"
                        .to_owned(),
                };
                    self.option_value(value, OptionsOf::Instance, "one auth method", help);
                    return None;
                }
            };
        let connector = connector?;
        let def = self.model.connectors.get(connector)?;
        let index = def.methods.iter().position(|m| m.name == method.text);
        let Some(index) = index else {
            let diagnostic = self.unknown_method(def, method);
            self.emit(diagnostic);
            return None;
        };
        Some(InstanceDef {
            name: instance.name.text.clone(),
            span: instance.name.span,
            connector,
            method: index,
            method_span: method.span,
        })
    }

    fn unknown_connector(&mut self, name: &Name) {
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
                    name: name.text.clone(),
                },
                name.span,
                "no connector has this name",
            )
            .help(help),
        );
    }

    fn flow(
        &mut self,
        flow: &tree::Flow,
        instances: &HashMap<&str, usize>,
        declared: &HashMap<&str, Span>,
        order: &[&str],
    ) {
        for connection in &flow.connections {
            let Some(&index) = instances.get(connection.instance.text.as_str()) else {
                // An instance that is declared but did not resolve already
                // has its error; don't pile on.
                if !declared.contains_key(connection.instance.text.as_str()) {
                    self.unknown_instance(&connection.instance, order);
                }
                continue;
            };
            let Some(instance) = self.model.instances.get(index).cloned() else {
                continue;
            };
            let Some(def) = self.model.connectors.get(instance.connector) else {
                continue;
            };
            let endpoint = self
                .endpoint_index
                .get(instance.connector)
                .and_then(|index| index.get(connection.endpoint.text.as_str()))
                .and_then(|&index| def.endpoints.get(index));
            let Some(endpoint) = endpoint else {
                let diagnostic = self.unknown_endpoint(def, &instance, &connection.endpoint);
                self.emit(diagnostic);
                continue;
            };
            if endpoint.activated.contains(&instance.method) {
                continue;
            }
            let method = def
                .methods
                .get(instance.method)
                .map_or("", |m| m.name.as_str());
            let activated: Vec<&str> = endpoint
                .activated
                .iter()
                .filter_map(|&i| def.methods.get(i))
                .map(|m| m.name.as_str())
                .collect();
            let alternatives: Vec<&str> = self
                .model
                .instances
                .iter()
                .filter(|other| {
                    other.connector == instance.connector
                        && endpoint.activated.contains(&other.method)
                })
                .map(|other| other.name.as_str())
                .collect();
            let mut help = format!(
                "activate `{method}` for `{}` (`auth: [{}]`)",
                endpoint.name,
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
            let mut builder = Diagnostic::build(
                Problem::UnactivatedMethod {
                    instance: instance.name.clone(),
                    endpoint: endpoint.name.clone(),
                },
                connection.span,
                "this connection needs the endpoint",
            )
            .label(
                instance.method_span,
                format!("`{}` authenticates with `{method}`", instance.name),
            );
            let activated_label = if activated.is_empty() {
                format!("`{}` activates no method", endpoint.name)
            } else {
                format!(
                    "`{}` activates only {}",
                    endpoint.name,
                    list(activated.iter().copied(), activated.len())
                )
            };
            builder = match endpoint.auth_span {
                Some(span) => builder.label(span, activated_label),
                None => builder.label(endpoint.span, activated_label),
            };
            self.emit(builder.help(help));
        }
    }

    fn unknown_instance(&mut self, name: &Name, names: &[&str]) {
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
                    name: name.text.clone(),
                },
                name.span,
                "no instance has this name",
            )
            .help(help),
        );
    }

    fn unknown_endpoint(&self, def: &ConnectorDef, instance: &InstanceDef, name: &Name) -> Builder {
        let names = def.endpoints.iter().map(|e| e.name.as_str());
        let mut help = match suggest::closest(&name.text, names.clone()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if def.endpoints.is_empty() => format!("`{}` has no endpoint", def.name),
            None => format!("`{}` has {}", def.name, list(names, def.endpoints.len())),
        };
        let elsewhere: Vec<&str> = self
            .model
            .connectors
            .iter()
            .zip(&self.endpoint_index)
            .filter(|(other, index)| {
                other.name != def.name && index.contains_key(name.text.as_str())
            })
            .map(|(other, _)| other.name.as_str())
            .collect();
        if !elsewhere.is_empty() {
            help.push_str(&format!(
                "\n`{}` is an endpoint of {}; `{}` is an instance of `{}`",
                name.text,
                list(elsewhere.iter().copied(), elsewhere.len()),
                instance.name,
                def.name
            ));
        }
        Diagnostic::build(
            Problem::UnknownEndpoint {
                name: name.text.clone(),
                connector: def.name.clone(),
            },
            name.span,
            format!("not an endpoint of `{}`", def.name),
        )
        .label(instance.span, format!("an instance of `{}`", def.name))
        .help(self.unknown_help(help))
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
            let sees_any = def
                .endpoints
                .iter()
                .any(|endpoint| endpoint.activated.contains(&instance.method));
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
