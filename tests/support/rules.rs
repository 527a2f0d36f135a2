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
    /// The scopes each method declares (parallel to `methods`; a missing
    /// or empty entry declares none).
    pub method_scopes: Vec<Vec<String>>,
    /// Each endpoint's items that need scopes, `(method, scopes)`
    /// (parallel to `endpoints`; a missing entry has none).
    pub items: Vec<Vec<(String, Vec<String>)>>,
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    pub connector: String,
    pub method: String,
    /// The scopes it holds (written only when not empty).
    pub scopes: Vec<String>,
}

impl Connector {
    /// The scopes `method` declares.
    pub fn declared(&self, method: &str) -> &[String] {
        self.methods
            .iter()
            .position(|(m, _)| m == method)
            .and_then(|at| self.method_scopes.get(at))
            .map_or(&[][..], |s| &s[..])
    }
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
    // methods beyond the 64th are stored apart.
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
                method_scopes: Vec::new(),
                items: Vec::new(),
            }
        })
}

/// A scope name: mostly from a small pool, so that items and instances
/// share scopes; sometimes any name.
fn scope_name() -> impl Strategy<Value = String> {
    prop_oneof![6 => "[abc]{1,2}", 1 => name()]
}

/// A connector whose methods may declare scopes (sometimes more than 128
/// or 512, the paths of wider sets) and whose endpoints carry items that
/// need them.
pub fn scoped_connector() -> impl Strategy<Value = Connector> {
    (
        connector(),
        prop::collection::vec(scope_name(), 1..6),
        prop_oneof![6 => Just(0), 1 => Just(130), 1 => Just(520)],
        prop::collection::vec(prop::collection::vec(any::<u16>(), 0..5), 0..8),
        prop::collection::vec(
            prop::collection::vec(
                (any::<u16>(), prop::collection::vec(any::<u16>(), 1..4)),
                0..4,
            ),
            0..8,
        ),
    )
        .prop_map(|(mut connector, pool, wide, declares, items)| {
            let pool = if wide > 0 {
                (0..wide).map(|i| format!("s{i}")).collect()
            } else {
                unique(pool)
            };
            connector.method_scopes = connector
                .methods
                .iter()
                .enumerate()
                .map(|(index, (_, kind))| {
                    let picks = declares.get(index % declares.len().max(1));
                    match picks {
                        Some(picks) if *kind != "none" && !picks.is_empty() => {
                            if wide > 0 {
                                pool.clone()
                            } else {
                                let mut declared: Vec<String> = Vec::new();
                                for &pick in picks {
                                    let scope = &pool[usize::from(pick) % pool.len()];
                                    if !declared.contains(scope) {
                                        declared.push(scope.clone());
                                    }
                                }
                                declared
                            }
                        }
                        _ => Vec::new(),
                    }
                })
                .collect();
            let scoped: Vec<usize> = (0..connector.methods.len())
                .filter(|&m| !connector.method_scopes[m].is_empty())
                .collect();
            connector.items = (0..connector.endpoints.len())
                .map(|endpoint| {
                    if scoped.is_empty() {
                        return Vec::new();
                    }
                    items
                        .get(endpoint)
                        .map(|items| {
                            items
                                .iter()
                                .map(|(method, picks)| {
                                    let method = scoped[usize::from(*method) % scoped.len()];
                                    let declared = &connector.method_scopes[method];
                                    let scopes = picks
                                        .iter()
                                        .map(|&p| declared[usize::from(p) % declared.len()].clone())
                                        .collect();
                                    (connector.methods[method].0.clone(), scopes)
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect();
            connector
        })
}

pub fn rules() -> impl Strategy<Value = Rules> {
    rules_of(connector().boxed())
}

/// Rule sets with scopes: methods that declare them, items that need
/// them, instances that hold some.
pub fn scoped_rules() -> impl Strategy<Value = Rules> {
    (
        rules_of(scoped_connector().boxed()),
        prop::collection::vec(prop::collection::vec(any::<u16>(), 0..5), 8),
    )
        .prop_map(|(mut rules, picks)| {
            for (instance, picks) in rules.instances.iter_mut().zip(picks) {
                let Some(connector) = rules
                    .connectors
                    .iter()
                    .find(|c| c.name == instance.connector)
                else {
                    continue;
                };
                let declared = connector.declared(&instance.method);
                if declared.is_empty() {
                    continue;
                }
                // Sometimes every scope; otherwise a few, repeats allowed.
                instance.scopes = if picks.len() == 4 {
                    declared.to_vec()
                } else {
                    picks
                        .iter()
                        .map(|&p| declared[usize::from(p) % declared.len()].clone())
                        .collect()
                };
            }
            rules
        })
}

fn rules_of(connector: BoxedStrategy<Connector>) -> impl Strategy<Value = Rules> {
    (
        prop::collection::vec(connector, 1..4),
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
                        scopes: Vec::new(),
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
        for (index, (method, kind)) in connector.methods.iter().enumerate() {
            let declared = connector
                .method_scopes
                .get(index)
                .map_or(&[][..], |s| &s[..]);
            let scopes = if declared.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = declared.iter().map(|s| layout.name(s)).collect();
                format!(
                    "{}< scopes:{}[{}] >",
                    layout.space(),
                    layout.space(),
                    names.join(", ")
                )
            };
            methods.push(format!(
                "auth{}{}{}:{}{kind}{scopes}",
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
        for (index, (endpoint, activated)) in connector.endpoints.iter().enumerate() {
            let mut list: Vec<String> = activated.iter().map(|m| layout.name(m)).collect();
            // Items with scopes anywhere among the plain ones.
            for (method, scopes) in connector.items.get(index).map_or(&[][..], |i| &i[..]) {
                let scopes: Vec<String> = scopes.iter().map(|s| layout.name(s)).collect();
                let item = format!(
                    "{}({})",
                    layout.name(method),
                    scopes.join(&format!(",{}", layout.space()))
                );
                let at = (layout.next() as usize) % (list.len() + 1);
                list.insert(at, item);
            }
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
        let scopes = if instance.scopes.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = instance.scopes.iter().map(|s| layout.name(s)).collect();
            format!(",{}scopes: [{}]", layout.space(), names.join(", "))
        };
        items.push(format!(
            "instance{}{}{}of{}{}{}<{}auth{}:{}{}{scopes}{}>",
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
