//! The evaluator against a reference model.
//!
//! The reference is the rule (an endpoint is available to an instance iff
//! it is in the instance's connector and some item of its list names the
//! instance's method with scopes the instance holds) written the obvious
//! way: strings and vectors, no ids, no bit sets, no indexes. Random rule
//! sets (several connectors, every auth type, endpoints with random activations including none,
//! instances, bare and quoted names with unicode, escapes and keyword
//! spellings, spread over several files in random order with random layout
//! and comments) are compiled through the real pipeline, and every decision
//! and every visible list must equal the reference's, for declared and
//! runtime instances, known and unknown names.
//!
//! With scopes the rule is: some item (the principal's method, S) of the
//! endpoint's list has S a subset of the scopes it holds; generated rules
//! declare scopes on methods (sometimes more than 128), give endpoints
//! items that need them and instances scopes that they hold, and runtime
//! principals hold none, every declared scope and an undeclared one, or
//! exactly an item's scopes (or all but one of them).
//!
//! `AUTHGATE_PROPTEST_CASES` sets the number of cases (default 2,000; the
//! long campaign of `docs/reliability.md` uses 1,000,000).

use authgate::{Principal, Reason, Sources, compile};
use proptest::prelude::*;

use crate::support::rules::{Connector, Rules, rules, scoped_rules, write};

impl Rules {
    fn connector(&self, name: &str) -> Option<&Connector> {
        self.connectors.iter().find(|c| c.name == name)
    }

    /// (connector, method, scopes held) of a principal, if every name is
    /// known.
    fn resolve(&self, principal: &Who) -> Option<(&Connector, String, Vec<String>)> {
        match principal {
            Who::Instance(name) => {
                let instance = self.instances.iter().find(|i| &i.name == name)?;
                Some((
                    self.connector(&instance.connector)?,
                    instance.method.clone(),
                    instance.scopes.clone(),
                ))
            }
            Who::Runtime(connector, method, scopes) => {
                let connector = self.connector(connector)?;
                connector
                    .methods
                    .iter()
                    .any(|(m, _)| m == method)
                    .then(|| (connector, method.clone(), scopes.clone()))
            }
        }
    }

    /// The rule, plainly: available iff the endpoint belongs to the
    /// principal's connector and some item (its method, S) of the
    /// endpoint's list has S a subset of the scopes it holds (a plain item
    /// needs none); everything else is denied.
    fn sees(connector: &Connector, index: usize, method: &str, held: &[String]) -> bool {
        connector.endpoints[index].1.iter().any(|m| m == method)
            || connector.items.get(index).is_some_and(|items| {
                items
                    .iter()
                    .any(|(m, needed)| m == method && needed.iter().all(|s| held.contains(s)))
            })
    }

    fn available(&self, principal: &Who, endpoint: &str) -> bool {
        let Some((connector, method, held)) = self.resolve(principal) else {
            return false;
        };
        (0..connector.endpoints.len()).any(|index| {
            connector.endpoints[index].0 == endpoint && Self::sees(connector, index, &method, &held)
        })
    }

    fn visible(&self, principal: &Who) -> Option<Vec<String>> {
        let (connector, method, held) = self.resolve(principal)?;
        Some(
            (0..connector.endpoints.len())
                .filter(|&index| Self::sees(connector, index, &method, &held))
                .map(|index| connector.endpoints[index].0.clone())
                .collect(),
        )
    }
}

/// A declared instance, or a runtime one holding the scopes named (some
/// may be undeclared: they grant nothing).
#[derive(Clone, Debug)]
enum Who {
    Instance(String),
    Runtime(String, String, Vec<String>),
}

impl Who {
    fn principal(&self) -> Principal<'_> {
        match self {
            Who::Instance(name) => Principal::Instance(name),
            Who::Runtime(connector, method, _) => Principal::Runtime { connector, method },
        }
    }

    fn scopes(&self) -> Vec<&str> {
        match self {
            Who::Instance(_) => Vec::new(),
            Who::Runtime(_, _, scopes) => scopes.iter().map(String::as_str).collect(),
        }
    }
}

// ---- generating rule sets -------------------------------------------------

fn cases() -> u32 {
    crate::support::proptest_cases(2_000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct("tests/library/reference.proptest-regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_decision_matches_the_reference(rules in prop_oneof![1 => rules().boxed(), 2 => scoped_rules().boxed()], seed in any::<u64>()) {
        let texts = write(&rules, seed);
        // `authgate fmt` keeps meaning: the formatted files must pass the
        // very same checks.
        let formatted: Vec<String> = texts
            .iter()
            .map(|text| {
                let mut sources = Sources::new();
                let id = sources.add("f.gate", text.clone());
                let file = sources.get(id).expect("added");
                let tree = authgate::syntax::parse(&sources, file).expect("generated files parse");
                authgate::syntax::format::format(&tree, file)
            })
            .collect();
        for texts in [&texts, &formatted] {
        let mut sources = Sources::new();
        for (index, text) in texts.iter().enumerate() {
            sources.add(format!("r{index}.gate"), text.clone());
        }
        let compiled = compile(&sources);
        prop_assert_eq!(compiled.summary.errors, 0, "{:?}\n{:?}", compiled.diagnostics, texts);
        let policy = compiled.policy.expect("no errors");

        // Every principal, known or not, and every endpoint name anywhere.
        let mut principals: Vec<Who> = rules.instances.iter().map(|i| Who::Instance(i.name.clone())).collect();
        principals.push(Who::Instance("no such instance".to_owned()));
        for connector in &rules.connectors {
            for (method, _) in &connector.methods {
                principals.push(Who::Runtime(connector.name.clone(), method.clone(), Vec::new()));
                let declared = connector.declared(method);
                if declared.is_empty() {
                    continue;
                }
                // Every scope, plus one no method declares.
                let mut all = declared.to_vec();
                all.push("no such scope".to_owned());
                principals.push(Who::Runtime(connector.name.clone(), method.clone(), all));
                // Exactly each item's scopes, and the first item's but one.
                let items = connector.items.iter().flatten().filter(|(m, _)| m == method);
                for (index, (_, needed)) in items.enumerate().take(3) {
                    principals.push(Who::Runtime(connector.name.clone(), method.clone(), needed.clone()));
                    if index == 0 && needed.len() > 1 {
                        principals.push(Who::Runtime(connector.name.clone(), method.clone(), needed[1..].to_vec()));
                    }
                }
            }
            principals.push(Who::Runtime(connector.name.clone(), "no such method".to_owned(), Vec::new()));
            // A method of another connector is unknown here.
            if let Some(other) = rules.connectors.iter().find(|c| c.name != connector.name) {
                principals.push(Who::Runtime(connector.name.clone(), other.methods[0].0.clone(), Vec::new()));
            }
        }
        principals.push(Who::Runtime("no such connector".to_owned(), "x".to_owned(), Vec::new()));
        let mut endpoints: Vec<String> = rules
            .connectors
            .iter()
            .flat_map(|c| c.endpoints.iter().map(|(e, _)| e.clone()))
            .collect();
        endpoints.push("no such endpoint".to_owned());

        for who in &principals {
            for endpoint in &endpoints {
                let scopes = who.scopes();
                let decision = policy.decide_with_scopes(who.principal(), &scopes, endpoint);
                prop_assert_eq!(
                    decision.available(),
                    rules.available(who, endpoint),
                    "{:?} -> {:?}: {}",
                    who,
                    endpoint,
                    policy.describe(&decision)
                );
                // Fail closed, with a reason that names the unknown thing.
                if rules.resolve(who).is_none() {
                    let named = match (&decision.reason(), who) {
                        (Reason::UnknownInstance { name }, Who::Instance(wanted)) => name == wanted,
                        (Reason::UnknownConnector { name }, Who::Runtime(wanted, _, _)) => name == wanted,
                        (Reason::UnknownMethod { name, .. }, Who::Runtime(_, wanted, _)) => name == wanted,
                        _ => false,
                    };
                    prop_assert!(named, "{:?}: {:?}", who, decision.reason());
                }
            }
            let visible = policy.subject(who.principal()).ok().map(|subject| {
                let seen = match subject.instance {
                    Some(_) => policy.visible_subject(subject).to_vec(),
                    None => policy.visible_with_scopes(subject.method, &policy.scope_set(subject.method, &who.scopes())),
                };
                seen
                    .iter()
                    .map(|&e| policy.endpoint_name(e).expect("of this policy").to_owned())
                    .collect::<Vec<_>>()
            });
            prop_assert_eq!(visible, rules.visible(who), "{:?}", who);
        }
        }
    }
}
