//! The rule-set generator of the reference-model tests
//! (`library/reference.rs`, `library/diff_reference.rs`): random rule sets as
//! plain data, and a writer that lays them out in random files, spacing,
//! quoting and order.

use std::collections::HashSet;

use proptest::prelude::*;

use super::Rng;

pub const TYPES: [&str; 6] = [
    "none",
    "basic",
    "token",
    "oauth1",
    "oauth2_client_credentials",
    "oauth2_authorization_code",
];

/// The reference model: what the rules say, plainly.
#[derive(Clone, Debug)]
pub struct Rules {
    pub connectors: Vec<Connector>,
    pub instances: Vec<Instance>,
}

#[derive(Clone, Debug)]
pub struct Connector {
    pub name: String,
    pub methods: Vec<(String, &'static str)>,
    pub endpoints: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    pub connector: String,
    pub method: String,
}

// ---- generating rule sets -------------------------------------------------

pub fn name() -> impl Strategy<Value = String> {
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
pub fn unique(names: Vec<String>) -> Vec<String> {
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

pub fn connector() -> impl Strategy<Value = Connector> {
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

pub fn rules() -> impl Strategy<Value = Rules> {
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
pub struct Layout(pub Rng);

impl Layout {
    pub fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    pub fn space(&mut self) -> &'static str {
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

    pub fn name(&mut self, name: &str) -> String {
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

pub fn write(rules: &Rules, seed: u64) -> Vec<String> {
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
