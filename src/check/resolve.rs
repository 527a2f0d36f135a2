//! Instances, flows and tests: resolved once every connector is known
//! (they may refer to connectors of later files).

use super::duplicates::Repeats;
use super::options::{Key, OptionsOf};
use super::{
    Checker, Declared, ExpectationDef, Expected, InstanceDef, Map, PendingInstance, TestDef, Who,
};
use crate::diagnostics::Problem;
use crate::source::Span;
use crate::syntax::tree::{self, Name};

/// The declared instances: every name (resolved or not) and the ones that
/// resolved, by name, as indices into the model's instances.
pub(super) struct Instances<'a> {
    pub(super) declared: Declared<'a>,
    resolved: Map<&'a str, usize>,
}

impl<'s> Checker<'s> {
    /// Checks an instance's options as it arrives and returns its method
    /// as written, if it names exactly one.
    /// Also returns its `scopes` list, if written.
    pub(super) fn instance_auth(
        &mut self,
        instance: &tree::Instance<'s>,
    ) -> (Option<Name<'s>>, Option<tree::List<'s>>) {
        let options = self.options(
            instance.options.as_ref(),
            OptionsOf::Instance,
            &instance.name,
        );
        (
            options.name(Key::Auth).cloned(),
            options.list(Key::Scopes).cloned(),
        )
    }

    /// Declares and resolves every instance, in declaration order.
    pub(super) fn resolve_instances<'a>(
        &mut self,
        instances: &'a [PendingInstance<'s>],
    ) -> Instances<'a> {
        let mut known = Instances {
            declared: Declared::with_capacity(instances.len()),
            resolved: Map::with_capacity_and_hasher(instances.len(), Default::default()),
        };
        let mut repeats = Repeats::new("instance");
        for instance in instances {
            if let Err(first) = known.declared.declare(&instance.name) {
                repeats.add(&instance.name.text, first, instance.name.span);
                continue;
            }
            if let Some(def) = self.instance(instance) {
                known
                    .resolved
                    .insert(&instance.name.text, self.model.instances.len());
                self.model.instances.push(def);
            }
        }
        self.report_repeats(repeats);
        self.confusables("instance", known.declared.iter());
        known
    }

    /// Resolves an instance's connector and method.
    fn instance(&mut self, instance: &PendingInstance<'s>) -> Option<InstanceDef> {
        let connector = self.model.connector(&instance.connector.text);
        if connector.is_none() {
            self.unknown_connector(&instance.connector);
        }
        let method = instance.method.as_ref()?;
        let connector = connector?;
        let def = self.model.connectors.get(connector)?;
        let Some(index) = def.method(&method.text) else {
            let diagnostic = self.unknown_method(def, method);
            self.emit(diagnostic);
            return None;
        };
        let scopes = match &instance.scopes {
            Some(list) => {
                // Lent out while the checker reports on them (cheap: a move).
                let connectors = std::mem::take(&mut self.model.connectors);
                let held = connectors
                    .get(connector)
                    .map(|def| self.held_scopes(def, index, &instance.name, list))
                    .unwrap_or_default();
                self.model.connectors = connectors;
                held
            }
            None => Vec::new(),
        };
        Some(InstanceDef {
            name: instance.name.text.to_string(),
            span: instance.name.span,
            connector,
            method: index,
            method_span: method.span,
            scopes,
            scopes_span: instance.scopes.as_ref().map(|list| list.span),
        })
    }

    /// Declares every flow and checks its connections.
    pub(super) fn resolve_flows(&mut self, flows: &[tree::Flow<'s>], instances: &Instances<'_>) {
        let mut declared = Declared::default();
        let mut repeats = Repeats::new("flow");
        for flow in flows {
            match declared.declare(&flow.name) {
                Err(first) => repeats.add(&flow.name.text, first, flow.name.span),
                Ok(()) => self.model.flows += 1,
            }
            for connection in &flow.connections {
                self.connection(connection, instances);
            }
        }
        self.report_repeats(repeats);
        self.confusables("flow", declared.iter());
    }

    fn connection(&mut self, connection: &tree::Connection<'s>, instances: &Instances<'_>) {
        let Some(&index) = instances.resolved.get(connection.instance.text.as_ref()) else {
            // An instance that is declared but did not resolve already has
            // its error; don't pile on.
            if !instances.declared.contains(&connection.instance.text) {
                self.unknown_instance(&connection.instance, instances.declared.names());
            }
            return;
        };
        let Some(instance) = self.model.instances.get(index) else {
            return;
        };
        let Some(def) = self.model.connectors.get(instance.connector) else {
            return;
        };
        let Some(endpoint) = self.model.endpoint(def, &connection.endpoint.text) else {
            let diagnostic = self.unknown_endpoint(def, Some(instance), None, &connection.endpoint);
            self.emit(diagnostic);
            return;
        };
        if def.activates(endpoint, instance.method) {
            return;
        }
        let connector = instance.connector;
        let instance = instance.clone();
        // Lent out while the checker reports on them (cheap: a move).
        let connectors = std::mem::take(&mut self.model.connectors);
        if let Some(def) = connectors.get(connector)
            && self
                .missing_scope(def, &instance, endpoint, connection.span)
                .is_none()
        {
            let diagnostic = self.unactivated(def, &instance, endpoint, connection.span);
            self.emit(diagnostic);
        }
        self.model.connectors = connectors;
    }

    /// Declares every test and checks its names; keeps the tests whose
    /// names all resolved.
    pub(super) fn resolve_tests(&mut self, tests: &[tree::Test<'s>], instances: &Instances<'_>) {
        let mut declared = Declared::default();
        let mut repeats = Repeats::new("test");
        for test in tests {
            let first = declared.declare(&test.name).err();
            if let Some(first) = first {
                repeats.add(&test.name.text, first, test.name.span);
            }
            let resolved = self.test(test, instances);
            if let (Some(def), None) = (resolved, first) {
                self.model.tests.push(def);
            }
        }
        self.report_repeats(repeats);
        self.confusables("test", declared.iter());
    }

    /// Checks a test's names; returns it when every name resolved.
    fn test(&mut self, test: &tree::Test<'s>, instances: &Instances<'_>) -> Option<TestDef> {
        let mut expectations = Vec::with_capacity(test.expectations.len());
        let mut complete = true;
        for expectation in &test.expectations {
            match self.expectation(expectation, instances) {
                Some(def) => expectations.push(def),
                None => complete = false,
            }
        }
        complete.then(|| TestDef {
            name: test.name.text.to_string(),
            span: test.name.span,
            expectations,
        })
    }

    /// Checks one `expect` line's names; returns it when they all resolved.
    fn expectation(
        &mut self,
        expectation: &tree::Expectation<'s>,
        instances: &Instances<'_>,
    ) -> Option<ExpectationDef> {
        // The connector the subject belongs to, and how to name it.
        let (connector, who, instance) = match &expectation.subject {
            tree::Subject::Instance(name) => {
                let Some(&index) = instances.resolved.get(name.text.as_ref()) else {
                    if !instances.declared.contains(&name.text) {
                        self.unknown_instance(name, instances.declared.names());
                    }
                    return None;
                };
                let instance = self.model.instances.get(index)?;
                (
                    instance.connector,
                    Who::Instance(name.text.to_string()),
                    Some(index),
                )
            }
            tree::Subject::Runtime {
                connector,
                method,
                scopes,
            } => {
                let Some(index) = self.model.connector(&connector.text) else {
                    self.unknown_connector(connector);
                    return None;
                };
                let def = self.model.connectors.get(index)?;
                if def.method(&method.text).is_none() {
                    let diagnostic = self.unknown_method(def, method);
                    self.emit(diagnostic);
                    return None;
                }
                // A scope the method does not declare grants nothing, as
                // in any runtime query: it is kept, not reported.
                let who = match scopes {
                    Some(scopes) => Who::RuntimeScoped(
                        connector.text.to_string(),
                        method.text.to_string(),
                        scopes.names.iter().map(|n| n.text.to_string()).collect(),
                    ),
                    None => Who::Runtime(connector.text.to_string(), method.text.to_string()),
                };
                (index, who, None)
            }
        };
        if let tree::Expect::SeesOnly(list) = &expectation.expect {
            self.repeated(&list.items, |endpoint| Problem::RepeatedEndpoint {
                endpoint,
            });
        }
        let endpoints: &[Name<'s>] = match &expectation.expect {
            tree::Expect::CanSee(name) | tree::Expect::CannotSee(name) => {
                std::slice::from_ref(name)
            }
            tree::Expect::SeesOnly(list) => &list.items,
        };
        let mut known = true;
        for endpoint in endpoints {
            let Some(def) = self.model.connectors.get(connector) else {
                continue;
            };
            if self.model.endpoint(def, &endpoint.text).is_none() {
                let instance = instance.and_then(|index| self.model.instances.get(index));
                let subject = expectation.subject.span();
                let diagnostic = self.unknown_endpoint(def, instance, Some(subject), endpoint);
                self.emit(diagnostic);
                known = false;
            }
        }
        if !known {
            return None;
        }
        let expect = match &expectation.expect {
            tree::Expect::CanSee(name) => Expected::CanSee(name.text.to_string()),
            tree::Expect::CannotSee(name) => Expected::CannotSee(name.text.to_string()),
            tree::Expect::SeesOnly(list) => {
                Expected::SeesOnly(list.items.iter().map(|n| n.text.to_string()).collect())
            }
        };
        Some(ExpectationDef {
            span: self.expectation_span(expectation),
            who,
            expect,
        })
    }

    /// Where an expectation is labelled: all of it, but a `sees only` list
    /// (which may name thousands of endpoints) is left out.
    fn expectation_span(&self, expectation: &tree::Expectation<'_>) -> Span {
        let whole = expectation.span;
        let tree::Expect::SeesOnly(list) = &expectation.expect else {
            return whole;
        };
        // Up to the last word before the list.
        let before = self
            .sources
            .get(whole.file)
            .and_then(|file| {
                file.text()
                    .get(whole.start as usize..list.span.start as usize)
            })
            .map_or(0, |text| text.trim_end().len());
        let end = whole.start + u32::try_from(before).unwrap_or(0);
        if end > whole.start {
            Span { end, ..whole }
        } else {
            whole
        }
    }
}
