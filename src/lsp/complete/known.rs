//! The names completion may offer: those of the rule set (the index, from
//! the files that parse) and those of the document being typed, read
//! loosely from its tokens, since it rarely parses mid-edit.

use crate::lsp::index::Index;
use crate::lsp::lex::{Kind, Token, tokens};
use crate::syntax::name_text;

/// The names declared in the rule set (the index, from the files that
/// parse) and in the document being typed (read loosely from its tokens:
/// it rarely parses mid-edit).
pub(super) struct Known<'a> {
    pub(super) index: &'a Index,
    /// The document's connectors.
    connectors: Vec<Loose>,
    /// The document's instances.
    instances: Vec<LooseInstance>,
}

/// A connector of the document being typed.
struct Loose {
    name: String,
    /// Methods: name, type and declared scopes.
    methods: Vec<(String, String, Vec<String>)>,
    endpoints: Vec<String>,
}

/// An instance of the document being typed.
#[derive(Clone)]
struct LooseInstance {
    name: String,
    connector: String,
    /// The method its `auth` option names.
    method: Option<String>,
}

impl<'a> Known<'a> {
    pub(super) fn new(index: &'a Index, text: &str) -> Self {
        let mut known = Known {
            index,
            connectors: Vec::new(),
            instances: Vec::new(),
        };
        let all = tokens(text);
        let mut depth = 0usize;
        let mut angle = false;
        let at = |i: usize| all.get(i);
        for (i, token) in all.iter().enumerate() {
            match token.kind {
                // A brace ends an options block left open mid-edit.
                Kind::Punct('{') => {
                    depth += 1;
                    angle = false;
                }
                Kind::Punct('}') => {
                    depth = depth.saturating_sub(1);
                    angle = false;
                }
                Kind::Punct('<') => angle = true,
                Kind::Punct('>') => angle = false,
                Kind::Word if !angle => {
                    let next = at(i + 1).filter(|t| t.is_name());
                    let Some(name) = next.map(|t| name_of(text, t)) else {
                        continue;
                    };
                    let colon = at(i + 2).is_some_and(|t| t.kind == Kind::Punct(':'));
                    match token.text(text) {
                        "connector" if depth == 0 => {
                            known.connectors.push(Loose {
                                name,
                                methods: Vec::new(),
                                endpoints: Vec::new(),
                            });
                        }
                        "instance" if depth == 0 => {
                            let of = at(i + 2).is_some_and(|t| t.is_word(text, "of"));
                            if let Some(connector) = at(i + 3).filter(|t| of && t.is_name()) {
                                let method = loose_option(text, &all, i + 4, "auth")
                                    .and_then(|names| names.into_iter().next());
                                known.instances.push(LooseInstance {
                                    name,
                                    connector: name_of(text, connector),
                                    method,
                                });
                            }
                        }
                        "auth" if depth == 1 && colon => {
                            let kind = at(i + 3)
                                .filter(|t| t.kind == Kind::Word)
                                .map_or("", |t| t.text(text));
                            let scopes =
                                loose_option(text, &all, i + 4, "scopes").unwrap_or_default();
                            if let Some(last) = known.connectors.last_mut() {
                                last.methods.push((name, kind.to_owned(), scopes));
                            }
                        }
                        "endpoint" if depth == 1 => {
                            if let Some(last) = known.connectors.last_mut() {
                                last.endpoints.push(name);
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        known
    }

    pub(super) fn connectors(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .index
            .connectors
            .keys()
            .map(|k| k.to_string())
            .collect();
        names.extend(self.connectors.iter().map(|c| c.name.clone()));
        names.sort_by(|a, b| crate::text::natural_cmp(a, b));
        names.dedup();
        names
    }

    pub(super) fn instances(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .index
            .instance_order
            .iter()
            .filter_map(|name| {
                let connector = &self.index.instances.get(name)?.connector;
                Some((name.to_string(), connector.to_string()))
            })
            .collect();
        for instance in &self.instances {
            if !all.iter().any(|(name, _)| name == &instance.name) {
                all.push((instance.name.clone(), instance.connector.clone()));
            }
        }
        all
    }

    fn loose_instance(&self, instance: &str) -> Option<&LooseInstance> {
        self.instances.iter().find(|i| i.name == instance)
    }

    pub(super) fn instance_connector(&self, instance: &str) -> Option<String> {
        self.index
            .instances
            .get(instance)
            .map(|i| i.connector.to_string())
            .or_else(|| self.loose_instance(instance).map(|i| i.connector.clone()))
    }

    /// The method an instance authenticates with.
    pub(super) fn instance_method(&self, instance: &str) -> Option<String> {
        self.loose_instance(instance)
            .and_then(|i| i.method.clone())
            .or_else(|| {
                let facts = self.index.instances.get(instance)?;
                facts.method.as_deref().map(str::to_owned)
            })
    }

    pub(super) fn methods(&self, connector: &str) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .index
            .connectors
            .get(connector)
            .iter()
            .flat_map(|c| &c.methods)
            .map(|m| (m.name.to_string(), m.kind.to_string()))
            .collect();
        for loose in self.connectors.iter().filter(|c| c.name == connector) {
            for (name, kind, _) in &loose.methods {
                if !all.iter().any(|(known, _)| known == name) {
                    all.push((name.clone(), kind.clone()));
                }
            }
        }
        all
    }

    /// The scopes `method` of `connector` declares: in the rule set, and
    /// as the document being typed declares them.
    pub(super) fn scopes(&self, connector: &str, method: &str) -> Vec<String> {
        let mut all: Vec<String> = self
            .index
            .connectors
            .get(connector)
            .and_then(|c| c.method(method))
            .iter()
            .flat_map(|m| &m.scopes)
            .map(|s| s.to_string())
            .collect();
        let mut seen: std::collections::HashSet<String> = all.iter().cloned().collect();
        let loose = self
            .connectors
            .iter()
            .filter(|c| c.name == connector)
            .flat_map(|c| &c.methods)
            .filter(|m| m.0 == method)
            .flat_map(|m| &m.2);
        for scope in loose {
            if seen.insert(scope.clone()) {
                all.push(scope.clone());
            }
        }
        all
    }

    pub(super) fn endpoints(&self, connector: &str) -> Vec<String> {
        let mut all: Vec<String> = self
            .index
            .connectors
            .get(connector)
            .iter()
            .flat_map(|c| &c.endpoints)
            .map(|e| e.name.to_string())
            .collect();
        let indexed: std::collections::HashSet<String> = all.iter().cloned().collect();
        for loose in self.connectors.iter().filter(|c| c.name == connector) {
            all.extend(
                loose
                    .endpoints
                    .iter()
                    .filter(|e| !indexed.contains(*e))
                    .cloned(),
            );
        }
        all
    }
}

/// The names of option `key` in the options block that starts at token
/// `open` (`<`), read loosely: a name, or the names of a list (scopes
/// after a name in it skipped). `None` when there is no such block or key.
fn loose_option(text: &str, all: &[Token], open: usize, key: &str) -> Option<Vec<String>> {
    if all.get(open)?.kind != Kind::Punct('<') {
        return None;
    }
    let mut i = open + 1;
    while let Some(token) = all.get(i) {
        match token.kind {
            Kind::Punct('>' | '{' | '}') => return None,
            _ if token.is_name()
                && name_of(text, token) == key
                && all.get(i + 1)?.kind == Kind::Punct(':') =>
            {
                let value = all.get(i + 2)?;
                if value.is_name() {
                    return Some(vec![name_of(text, value)]);
                }
                if value.kind != Kind::Punct('[') {
                    return None;
                }
                let mut names = Vec::new();
                let mut parens = 0usize;
                for t in all.get(i + 3..).unwrap_or(&[]) {
                    match t.kind {
                        Kind::Punct(']' | '>' | '{' | '}') => break,
                        Kind::Punct('(') => parens += 1,
                        Kind::Punct(')') => parens = parens.saturating_sub(1),
                        _ if parens == 0 && t.is_name() => names.push(name_of(text, t)),
                        _ => {}
                    }
                }
                return Some(names);
            }
            _ => i += 1,
        }
    }
    None
}

/// The text of a name token (an unterminated quoted name too).
pub(super) fn name_of(text: &str, token: &Token) -> String {
    let written = token.text(text);
    match token.kind {
        Kind::Quoted if !written.ends_with('"') || written.len() < 2 => {
            written.trim_start_matches('"').to_owned()
        }
        _ => name_text(written).into_owned(),
    }
}
