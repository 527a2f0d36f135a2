//! The evaluator against a reference model (issue 4).
//!
//! The reference is DESIGN §3 written the obvious way: strings and vectors,
//! no ids, no bit sets, no indexes. Random rule sets (several connectors,
//! every auth type, endpoints with random activations including none,
//! instances, bare and quoted names with unicode, escapes and keyword
//! spellings, spread over several files in random order with random layout
//! and comments) are compiled through the real pipeline, and every decision
//! and every visible list must equal the reference's, for declared and
//! runtime instances, known and unknown names.
//!
//! `AUTHGATE_PROPTEST_CASES` sets the number of cases (default 2,000; the
//! long campaign of the README uses 1,000,000).

use authgate::{Principal, Reason, Sources, compile};
use proptest::prelude::*;

use crate::support::rules::{Connector, Rules, rules, write};

impl Rules {
    fn connector(&self, name: &str) -> Option<&Connector> {
        self.connectors.iter().find(|c| c.name == name)
    }

    /// (connector, method) of a principal, if every name is known.
    fn resolve(&self, principal: &Who) -> Option<(&Connector, String)> {
        match principal {
            Who::Instance(name) => {
                let instance = self.instances.iter().find(|i| &i.name == name)?;
                Some((
                    self.connector(&instance.connector)?,
                    instance.method.clone(),
                ))
            }
            Who::Runtime(connector, method) => {
                let connector = self.connector(connector)?;
                connector
                    .methods
                    .iter()
                    .any(|(m, _)| m == method)
                    .then(|| (connector, method.clone()))
            }
        }
    }

    /// DESIGN §3: available iff the endpoint belongs to the principal's
    /// connector and activates its method; everything else is denied.
    fn available(&self, principal: &Who, endpoint: &str) -> bool {
        let Some((connector, method)) = self.resolve(principal) else {
            return false;
        };
        connector
            .endpoints
            .iter()
            .any(|(name, activated)| name == endpoint && activated.contains(&method))
    }

    fn visible(&self, principal: &Who) -> Option<Vec<String>> {
        let (connector, method) = self.resolve(principal)?;
        Some(
            connector
                .endpoints
                .iter()
                .filter(|(_, activated)| activated.contains(&method))
                .map(|(name, _)| name.clone())
                .collect(),
        )
    }
}

#[derive(Clone, Debug)]
enum Who {
    Instance(String),
    Runtime(String, String),
}

impl Who {
    fn principal(&self) -> Principal<'_> {
        match self {
            Who::Instance(name) => Principal::Instance(name),
            Who::Runtime(connector, method) => Principal::Runtime { connector, method },
        }
    }
}

// ---- generating rule sets -------------------------------------------------

fn cases() -> u32 {
    std::env::var("AUTHGATE_PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(2_000)
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
    fn every_decision_matches_the_reference(rules in rules(), seed in any::<u64>()) {
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
                principals.push(Who::Runtime(connector.name.clone(), method.clone()));
            }
            principals.push(Who::Runtime(connector.name.clone(), "no such method".to_owned()));
            // A method of another connector is unknown here.
            if let Some(other) = rules.connectors.iter().find(|c| c.name != connector.name) {
                principals.push(Who::Runtime(connector.name.clone(), other.methods[0].0.clone()));
            }
        }
        principals.push(Who::Runtime("no such connector".to_owned(), "x".to_owned()));
        let mut endpoints: Vec<String> = rules
            .connectors
            .iter()
            .flat_map(|c| c.endpoints.iter().map(|(e, _)| e.clone()))
            .collect();
        endpoints.push("no such endpoint".to_owned());

        for who in &principals {
            for endpoint in &endpoints {
                let decision = policy.decide(who.principal(), endpoint);
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
                        (Reason::UnknownConnector { name }, Who::Runtime(wanted, _)) => name == wanted,
                        (Reason::UnknownMethod { name, .. }, Who::Runtime(_, wanted)) => name == wanted,
                        _ => false,
                    };
                    prop_assert!(named, "{:?}: {:?}", who, decision.reason());
                }
            }
            let visible = policy.subject(who.principal()).ok().map(|subject| {
                policy
                    .visible(subject.method)
                    .iter()
                    .map(|&e| policy.endpoint_name(e).expect("of this policy").to_owned())
                    .collect::<Vec<_>>()
            });
            prop_assert_eq!(visible, rules.visible(who), "{:?}", who);
        }
        }
    }
}
