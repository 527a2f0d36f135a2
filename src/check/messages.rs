//! Diagnostics whose help is composed from what the rules declare: "did
//! you mean", the names that are defined, the instance that would work.
//! Lists are cut by [`text::list`], so help stays a few lines at any size.

use super::{Checker, ConnectorDef, InstanceDef};
use crate::check::AuthType;
use crate::diagnostics::{Builder, Diagnostic, Problem};
use crate::source::Span;
use crate::syntax::quote_name;
use crate::syntax::tree::Name;
use crate::text::list;
use crate::text::suggest;

impl Checker<'_> {
    /// "Did you mean": the closest of `candidates` to `wanted`, within
    /// what is left of this run's budget.
    pub(super) fn closest<'a>(
        &self,
        wanted: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        let mut budget = self.suggestions.get();
        let close = suggest::closest_within(wanted, candidates, &mut budget);
        self.suggestions.set(budget);
        close
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

    pub(super) fn unknown_type(&mut self, kind: &Name<'_>) {
        let names = AuthType::ALL.map(AuthType::as_str);
        let supported = list(names.iter().copied(), names.len());
        let help = match self.closest(&kind.text, names) {
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

    pub(super) fn unknown_method(&self, def: &ConnectorDef, method: &Name<'_>) -> Builder {
        let names = def.methods.iter().map(|m| m.name.as_str());
        let help = if def.methods.is_empty() {
            format!(
                "`{}` defines no auth method; declare one with `auth {}: TYPE`",
                def.name,
                quote_name(&method.text)
            )
        } else {
            let defined = list(names.clone(), def.methods.len());
            let close = self.closest(&method.text, names);
            let typed = type_hint(
                &def.name,
                &method.text,
                close.is_none(),
                def.methods.iter().map(|m| (m.name.as_str(), m.kind)),
            );
            let mut help = close
                .map(|close| format!("did you mean `{close}`? "))
                .unwrap_or_default();
            if let Some(typed) = typed {
                help.push_str(&format!("{typed}; "));
            }
            help.push_str(&format!("`{}` defines {defined}", def.name));
            help
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

    pub(super) fn unknown_connector(&mut self, name: &Name<'_>) {
        let connectors = &self.model.connectors;
        let names = connectors.iter().map(|c| c.name.as_str());
        let help = match self.closest(&name.text, names.clone()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if connectors.is_empty() => format!(
                "no connector is declared; declare it with `connector {} {{ ... }}`",
                quote_name(&name.text)
            ),
            None => format!(
                "the declared connectors are {}",
                list(names, connectors.len())
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

    /// `unknown_instance`; `names` are the declared instances, in order.
    pub(super) fn unknown_instance(&mut self, name: &Name<'_>, names: &[&str]) {
        let help = match self.closest(&name.text, names.iter().copied()) {
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

    /// `unknown_endpoint`: `name` is not an endpoint of `def`, asked for by
    /// a declared `instance`, or by a runtime instance written at
    /// `runtime`.
    pub(super) fn unknown_endpoint(
        &self,
        def: &ConnectorDef,
        instance: Option<&InstanceDef>,
        runtime: Option<Span>,
        name: &Name<'_>,
    ) -> Builder {
        let endpoint_names = def.endpoints.iter().map(|e| self.model.endpoint_name(e));
        let mut help = match self.closest(&name.text, endpoint_names.clone()) {
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
            .filter(|other| {
                other.name != def.name && self.model.endpoint(other, &name.text).is_some()
            })
            .map(|other| other.name.as_str())
            .collect();
        if !elsewhere.is_empty() {
            let whose = match instance {
                Some(instance) => format!("`{}` is an instance of `{}`", instance.name, def.name),
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
        match (instance, runtime) {
            (Some(instance), _) => builder
                .label(instance.span, format!("an instance of `{}`", def.name))
                .help(self.unknown_help(help)),
            (None, Some(subject)) => builder
                .help(self.unknown_help(help))
                .label(subject, format!("a runtime instance of `{}`", def.name)),
            (None, None) => builder.help(self.unknown_help(help)),
        }
    }

    /// `unactivated_method`: a flow's `connection` picks `endpoint`, which
    /// does not activate `instance`'s method.
    pub(super) fn unactivated(
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
        let endpoint_name = self.model.endpoint_name(data);
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
        // Rule text to write, not a list for people: never cut.
        let auth_list = activated
            .iter()
            .copied()
            .chain(std::iter::once(method))
            .map(quote_name)
            .collect::<Vec<_>>()
            .join(", ");
        let mut help = format!("activate `{method}` for `{endpoint_name}` (`auth: [{auth_list}]`)");
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
}

/// When an unknown method name `wanted` is an auth type (or, if
/// `or_close`, looks like one): which methods of `connector` have that
/// type, e.g. ``"`basic` is an auth type; `jira`'s methods of type basic:
/// `basicAuth`"``. `methods` are the connector's methods and their types.
pub(crate) fn type_hint<'a>(
    connector: &str,
    wanted: &str,
    or_close: bool,
    methods: impl Iterator<Item = (&'a str, Option<AuthType>)>,
) -> Option<String> {
    let (kind, intro) = match AuthType::from_name(wanted) {
        Some(kind) => (kind, format!("`{wanted}` is an auth type")),
        None if or_close => {
            let names = AuthType::ALL.map(AuthType::as_str);
            let kind = AuthType::from_name(suggest::closest(wanted, names)?)?;
            (
                kind,
                format!("`{wanted}` looks like the auth type `{kind}`"),
            )
        }
        None => return None,
    };
    let of_type: Vec<&str> = methods
        .filter(|&(_, method)| method == Some(kind))
        .map(|(name, _)| name)
        .collect();
    Some(if of_type.is_empty() {
        format!("{intro}, and no method of `{connector}` has it")
    } else {
        format!(
            "{intro}; `{connector}`'s methods of type {kind}: {}",
            list(of_type.iter().copied(), of_type.len())
        )
    })
}
