#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

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

use std::collections::HashSet;

use authgate::{Principal, Reason, Sources, compile};
use proptest::prelude::*;
use support::Rng;

mod support;

const TYPES: [&str; 6] = [
    "none",
    "basic",
    "token",
    "oauth1",
    "oauth2_client_credentials",
    "oauth2_authorization_code",
];

/// The reference model: what the rules say, plainly.
#[derive(Clone, Debug)]
struct Rules {
    connectors: Vec<Connector>,
    instances: Vec<Instance>,
}

#[derive(Clone, Debug)]
struct Connector {
    name: String,
    methods: Vec<(String, &'static str)>,
    endpoints: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug)]
struct Instance {
    name: String,
    connector: String,
    method: String,
}

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

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z_][a-z0-9_]{0,6}",
        1 => prop::sample::select(vec![
            "connector", "auth", "endpoint", "instance", "of", "flow", "connection", "test",
            "basic", "none", "token",
        ])
        .prop_map(str::to_owned),
        2 => "[a-zA-Z0-9 _\"\\\\éß✓-]{1,8}",
        1 => "[\u{0100}-\u{024F}\u{4E00}-\u{4E20}]{1,4}",
        // Hostile: escape sequences, bell, bidi override, zero-width
        // space, a mid-name byte-order mark, a tab, Cyrillic look-alikes.
        1 => "[ma\u{1b}\u{7}\u{202e}\u{200b}\u{feff}\t\u{430}\u{435}]{1,6}",
    ]
}

/// Makes names unique by suffixing repeats (the reference needs no
/// duplicates: those are errors, checked elsewhere).
fn unique(names: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    names
        .into_iter()
        .enumerate()
        .map(|(index, name)| {
            if seen.insert(name.clone()) {
                return name;
            }
            // The renamed name may itself be taken: keep going until not.
            let mut renamed = format!("{name}_{index}");
            while !seen.insert(renamed.clone()) {
                renamed.push('_');
            }
            renamed
        })
        .collect()
}

fn connector() -> impl Strategy<Value = Connector> {
    // Mostly a handful of methods; sometimes a wide connector, whose
    // methods beyond the 64th are stored apart (issue 9).
    let method_count = prop_oneof![4 => 1..6usize, 1 => 60..140usize];
    (
        name(),
        method_count.prop_flat_map(|n| prop::collection::vec((name(), 0..TYPES.len()), n)),
        prop::collection::vec((name(), prop::collection::vec(any::<u16>(), 0..7)), 0..8),
    )
        .prop_map(|(name, methods, endpoints)| {
            let method_names = unique(methods.iter().map(|(n, _)| n.clone()).collect());
            let methods: Vec<(String, &'static str)> = method_names
                .into_iter()
                .zip(methods.iter().map(|&(_, t)| TYPES[t]))
                .collect();
            let endpoint_names = unique(endpoints.iter().map(|(n, _)| n.clone()).collect());
            let endpoints = endpoint_names
                .into_iter()
                .zip(endpoints.iter().map(|(_, picks)| picks.clone()))
                .map(|(endpoint, picks)| {
                    // Each pick activates a method, in the order picked.
                    let mut activated: Vec<String> = Vec::new();
                    for pick in picks {
                        let (method, _) = &methods[usize::from(pick) % methods.len()];
                        if !activated.contains(method) {
                            activated.push(method.clone());
                        }
                    }
                    (endpoint, activated)
                })
                .collect();
            Connector {
                name,
                methods,
                endpoints,
            }
        })
}

fn rules() -> impl Strategy<Value = Rules> {
    (
        prop::collection::vec(connector(), 1..4),
        prop::collection::vec(
            (
                name(),
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
            ),
            0..8,
        ),
    )
        .prop_map(|(mut connectors, instances)| {
            let names = unique(connectors.iter().map(|c| c.name.clone()).collect());
            for (connector, name) in connectors.iter_mut().zip(names) {
                connector.name = name;
            }
            let instance_names = unique(instances.iter().map(|(n, _, _)| n.clone()).collect());
            let instances = instance_names
                .into_iter()
                .zip(&instances)
                .map(|(name, (_, c, m))| {
                    let connector = c.get(&connectors);
                    Instance {
                        name,
                        connector: connector.name.clone(),
                        method: m.get(&connector.methods).0.clone(),
                    }
                })
                .collect();
            Rules {
                connectors,
                instances,
            }
        })
}

// ---- writing them as rule files ---------------------------------------------

/// How to lay a rule set out: random whitespace, comments, quoting and
/// files, drawn from this seed.
struct Layout(Rng);

impl Layout {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn space(&mut self) -> &'static str {
        [
            " ",
            "  ",
            "\n",
            "\t",
            " /* c */ ",
            " // c\n",
            "\r\n",
            "\n\n    ",
        ][(self.next() % 8) as usize]
    }

    fn name(&mut self, name: &str) -> String {
        let bare = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if bare && self.next().is_multiple_of(2) {
            name.to_owned()
        } else {
            format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
        }
    }
}

fn write(rules: &Rules, seed: u64) -> Vec<String> {
    let mut layout = Layout(Rng::new(seed));
    let mut items: Vec<String> = Vec::new();
    for connector in &rules.connectors {
        let mut methods: Vec<String> = Vec::new();
        for (method, kind) in &connector.methods {
            methods.push(format!(
                "auth{}{}{}:{}{kind}",
                layout.space(),
                layout.name(method),
                if layout.next().is_multiple_of(2) {
                    ""
                } else {
                    " "
                },
                layout.space()
            ));
        }
        let mut members: Vec<String> = Vec::new();
        for (endpoint, activated) in &connector.endpoints {
            let list: Vec<String> = activated.iter().map(|m| layout.name(m)).collect();
            let trailing = if !list.is_empty() && layout.next().is_multiple_of(3) {
                ","
            } else {
                ""
            };
            members.push(format!(
                "endpoint{}{}{}<{}auth{}:{}[{}{trailing}]{}>",
                layout.space(),
                layout.name(endpoint),
                layout.space(),
                layout.space(),
                layout.space(),
                layout.space(),
                list.join(&format!(",{}", layout.space())),
                layout.space()
            ));
        }
        // Methods anywhere, even after the endpoints that use them; the
        // endpoints keep their order (it is the order `visible` lists).
        for method in methods {
            let at = (layout.next() as usize) % (members.len() + 1);
            members.insert(at, method);
        }
        items.push(format!(
            "connector{}{}{}{{{}{}}}",
            layout.space(),
            layout.name(&connector.name),
            layout.space(),
            layout.space(),
            members
                .iter()
                .map(|m| format!("{m}{}", layout.space()))
                .collect::<String>()
        ));
    }
    for instance in &rules.instances {
        items.push(format!(
            "instance{}{}{}of{}{}{}<{}auth{}:{}{}{}>",
            layout.space(),
            layout.name(&instance.name),
            layout.space(),
            layout.space(),
            layout.name(&instance.connector),
            layout.space(),
            layout.space(),
            layout.space(),
            layout.space(),
            layout.name(&instance.method),
            layout.space()
        ));
    }
    // Items in any order, over one to three files.
    let files = 1 + (layout.next() % 3) as usize;
    let mut texts = vec![String::new(); files];
    let mut order: Vec<usize> = (0..items.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, (layout.next() as usize) % (i + 1));
    }
    for index in order {
        let file = (layout.next() as usize) % files;
        texts[file].push_str(&items[index]);
        texts[file].push_str(layout.space());
    }
    texts
}

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
            proptest::test_runner::FileFailurePersistence::Direct("tests/reference.proptest-regressions"),
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
                authgate::format::format(&tree, file)
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
