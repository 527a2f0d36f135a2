//! Completion in context. The text before the cursor is tokenized (it
//! rarely parses while being typed) and read for where the cursor is: in
//! which connector, flow or test, in whose options block or list, after
//! which keyword. The names offered come from the index of the whole rule
//! set: inside an endpoint's `auth: [...]` only its connector's methods,
//! after an instance's `auth:` only its connector's, after `->` only the
//! endpoints of the connection's instance's connector.

use lsp_types as lsp;

use super::index::Index;
use super::lex::{Kind, Token, tokens};
use super::positions::Encoding;
use super::workspace::Analysis;
use crate::syntax::{name_text, quote_name};

/// The six auth types, for `auth NAME: `.
const TYPES: [&str; 6] = [
    "none",
    "basic",
    "token",
    "oauth1",
    "oauth2_client_credentials",
    "oauth2_authorization_code",
];

/// Where a block or options block is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Block {
    Connector(String),
    Flow,
    Test,
}

/// Whose options block the cursor is in.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Owner {
    /// An endpoint of this connector.
    Endpoint(String),
    /// An instance of this connector.
    Instance(String),
}

/// What may be written at the cursor.
enum Offer {
    Keywords(&'static [&'static str]),
    Types,
    Connectors,
    Instances,
    /// Declared instances, and connectors for a runtime subject.
    Subjects,
    Methods(String),
    Endpoints(String),
    OptionKeys,
}

/// The completion items at the cursor.
pub fn completion(
    analysis: &Analysis,
    encoding: Encoding,
    at: &lsp::TextDocumentPositionParams,
) -> Option<lsp::CompletionResponse> {
    let (file, offset) = analysis.at(at, encoding)?;
    let text = analysis.text(file);
    let before = text.get(..offset)?;
    let mut all = tokens(before);
    // A name being typed is replaced by the item chosen.
    let typing = all
        .last()
        .copied()
        .filter(|t| t.is_name() && t.end == offset);
    if typing.is_some() {
        all.pop();
    }
    let known = Known::new(analysis.index(), text);
    let offer = context(before, &all, &known)?;
    let replace = analysis.range(
        crate::source::Span::new(file, typing.map_or(offset, |t| t.start), offset),
        encoding,
    )?;
    let mut items = Vec::new();
    let mut push = |label: &str, kind: lsp::CompletionItemKind, detail: Option<String>| {
        let written = if kind == lsp::CompletionItemKind::KEYWORD {
            label.to_owned()
        } else {
            quote_name(label)
        };
        items.push(lsp::CompletionItem {
            label: label.to_owned(),
            kind: Some(kind),
            detail,
            filter_text: Some(written.clone()),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                replace, written,
            ))),
            ..lsp::CompletionItem::default()
        });
    };
    match offer {
        Offer::Keywords(words) => {
            for word in words {
                push(word, lsp::CompletionItemKind::KEYWORD, None);
            }
        }
        Offer::Types => {
            for kind in TYPES {
                push(
                    kind,
                    lsp::CompletionItemKind::TYPE_PARAMETER,
                    Some("auth type".to_owned()),
                );
            }
        }
        Offer::OptionKeys => push("auth", lsp::CompletionItemKind::PROPERTY, None),
        Offer::Connectors => connectors(&known, &mut push),
        Offer::Instances => instances(&known, &mut push),
        Offer::Subjects => {
            instances(&known, &mut push);
            connectors(&known, &mut push);
        }
        Offer::Methods(connector) => {
            for (name, kind) in known.methods(&connector) {
                push(&name, lsp::CompletionItemKind::ENUM_MEMBER, Some(kind));
            }
        }
        Offer::Endpoints(connector) => {
            for name in known.endpoints(&connector) {
                push(&name, lsp::CompletionItemKind::FUNCTION, None);
            }
        }
    }
    Some(lsp::CompletionResponse::Array(items))
}

fn connectors(
    known: &Known<'_>,
    push: &mut impl FnMut(&str, lsp::CompletionItemKind, Option<String>),
) {
    for name in known.connectors() {
        push(
            &name,
            lsp::CompletionItemKind::CLASS,
            Some("connector".to_owned()),
        );
    }
}

fn instances(
    known: &Known<'_>,
    push: &mut impl FnMut(&str, lsp::CompletionItemKind, Option<String>),
) {
    for (name, connector) in known.instances() {
        push(
            &name,
            lsp::CompletionItemKind::VARIABLE,
            Some(format!("of {connector}")),
        );
    }
}

/// The names declared in the rule set (the index, from the files that
/// parse) and in the document being typed (read loosely from its tokens:
/// it rarely parses mid-edit).
struct Known<'a> {
    index: &'a Index,
    /// The document's connectors.
    connectors: Vec<Loose>,
    /// The document's instances and their connectors.
    instances: Vec<(String, String)>,
}

/// A connector of the document being typed.
struct Loose {
    name: String,
    /// Methods: name and type.
    methods: Vec<(String, String)>,
    endpoints: Vec<String>,
}

impl<'a> Known<'a> {
    fn new(index: &'a Index, text: &str) -> Self {
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
                                known.instances.push((name, name_of(text, connector)));
                            }
                        }
                        "auth" if depth == 1 && colon => {
                            let kind = at(i + 3)
                                .filter(|t| t.kind == Kind::Word)
                                .map_or("", |t| t.text(text));
                            if let Some(last) = known.connectors.last_mut() {
                                last.methods.push((name, kind.to_owned()));
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

    fn connectors(&self) -> Vec<String> {
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

    fn instances(&self) -> Vec<(String, String)> {
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
            if !all.iter().any(|(name, _)| name == &instance.0) {
                all.push(instance.clone());
            }
        }
        all
    }

    fn instance_connector(&self, instance: &str) -> Option<String> {
        self.index
            .instances
            .get(instance)
            .map(|i| i.connector.to_string())
            .or_else(|| {
                self.instances
                    .iter()
                    .find(|i| i.0 == instance)
                    .map(|i| i.1.clone())
            })
    }

    fn methods(&self, connector: &str) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .index
            .connectors
            .get(connector)
            .iter()
            .flat_map(|c| &c.methods)
            .map(|m| (m.name.to_string(), m.kind.to_string()))
            .collect();
        for loose in self.connectors.iter().filter(|c| c.name == connector) {
            for method in &loose.methods {
                if !all.iter().any(|(name, _)| name == &method.0) {
                    all.push(method.clone());
                }
            }
        }
        all
    }

    fn endpoints(&self, connector: &str) -> Vec<String> {
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

/// The text of a name token (an unterminated quoted name too).
fn name_of(text: &str, token: &Token) -> String {
    let written = token.text(text);
    match token.kind {
        Kind::Quoted if !written.ends_with('"') || written.len() < 2 => {
            written.trim_start_matches('"').to_owned()
        }
        _ => name_text(written).into_owned(),
    }
}

/// What may be written after `tokens` (the text before the cursor, less
/// the name being typed).
fn context(text: &str, tokens: &[Token], known: &Known<'_>) -> Option<Offer> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut owner: Option<Owner> = None;
    let mut list = false;
    for (i, token) in tokens.iter().enumerate() {
        let back = |n: usize| i.checked_sub(n).and_then(|j| tokens.get(j));
        match token.kind {
            Kind::Punct('{') => {
                let keyword = back(2)
                    .filter(|t| t.kind == Kind::Word)
                    .map(|t| t.text(text));
                let name = back(1).filter(|t| t.is_name()).map(|t| name_of(text, t));
                blocks.push(match (keyword, name) {
                    (Some("connector"), Some(name)) => Block::Connector(name),
                    (Some("flow"), _) => Block::Flow,
                    _ => Block::Test,
                });
            }
            Kind::Punct('}') => {
                blocks.pop();
                owner = None;
                list = false;
            }
            Kind::Punct('<') => {
                owner = match blocks.last() {
                    Some(Block::Connector(connector)) => Some(Owner::Endpoint(connector.clone())),
                    _ => back(1)
                        .filter(|t| t.is_name())
                        .filter(|_| back(2).is_some_and(|t| t.is_word(text, "of")))
                        .map(|t| Owner::Instance(name_of(text, t))),
                };
            }
            Kind::Punct('>') => {
                owner = None;
                list = false;
            }
            Kind::Punct('[') => list = true,
            Kind::Punct(']') => list = false,
            _ => {}
        }
    }
    let last = tokens.last();
    let word = |n: usize| {
        tokens
            .len()
            .checked_sub(n)
            .and_then(|j| tokens.get(j))
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text(text))
    };
    let punct = |t: Option<&Token>| match t.map(|t| t.kind) {
        Some(Kind::Punct(c)) => Some(c),
        _ => None,
    };
    if let Some(owner) = owner {
        let connector = match &owner {
            Owner::Endpoint(c) | Owner::Instance(c) => c.clone(),
        };
        return match punct(last) {
            Some('[' | ',') if list => Some(Offer::Methods(connector)),
            Some(':') if matches!(owner, Owner::Instance(_)) => Some(Offer::Methods(connector)),
            Some('<' | ',') => Some(Offer::OptionKeys),
            _ => None,
        };
    }
    match blocks.last() {
        Some(Block::Connector(_)) => match (punct(last), word(3)) {
            (Some(':'), Some("auth")) => Some(Offer::Types),
            (Some('{' | '>'), _) => Some(Offer::Keywords(&["auth", "endpoint"])),
            // After `auth NAME: TYPE`.
            (None, _)
                if punct(tokens.len().checked_sub(2).and_then(|j| tokens.get(j))) == Some(':') =>
            {
                Some(Offer::Keywords(&["auth", "endpoint"]))
            }
            _ => None,
        },
        Some(Block::Flow) => {
            if word(1) == Some("connection") {
                return Some(Offer::Instances);
            }
            if last.is_some_and(|t| t.kind == Kind::Arrow) {
                let instance = tokens.len().checked_sub(2).and_then(|j| tokens.get(j))?;
                let connector = known.instance_connector(&name_of(text, instance))?;
                return Some(Offer::Endpoints(connector));
            }
            let after_connection = tokens
                .len()
                .checked_sub(2)
                .and_then(|j| tokens.get(j))
                .is_some_and(|t| t.kind == Kind::Arrow);
            (punct(last) == Some('{') || after_connection)
                .then_some(Offer::Keywords(&["connection"]))
        }
        Some(Block::Test) => test_context(text, tokens, known, list),
        None => {
            if word(1) == Some("of") && word(3) == Some("instance") {
                return Some(Offer::Connectors);
            }
            if word(2) == Some("instance") {
                return Some(Offer::Keywords(&["of"]));
            }
            (last.is_none() || matches!(punct(last), Some('}' | '>')))
                .then_some(Offer::Keywords(&["connector", "instance", "flow", "test"]))
        }
    }
}

/// Completion inside a `test` block: subjects after `expect`, methods
/// after `CONNECTOR/`, the subject's connector's endpoints after `see` or
/// in `sees only [...]`.
fn test_context(text: &str, tokens: &[Token], known: &Known<'_>, list: bool) -> Option<Offer> {
    let expect = tokens.iter().rposition(|t| t.is_word(text, "expect"));
    let Some(expect) = expect else {
        return Some(Offer::Keywords(&["expect"]));
    };
    let rest = tokens.get(expect + 1..).unwrap_or(&[]);
    let subject = rest
        .first()
        .filter(|t| t.is_name())
        .map(|t| name_of(text, t));
    let runtime = rest.get(1).is_some_and(|t| t.kind == Kind::Punct('/'));
    let connector = if runtime {
        subject.clone()
    } else {
        subject.as_deref().and_then(|s| known.instance_connector(s))
    };
    let last = rest.last();
    match rest.len() {
        0 => return Some(Offer::Subjects),
        2 if runtime => return connector.map(Offer::Methods),
        _ => {}
    }
    if last.is_some_and(|t| t.is_word(text, "see")) || list {
        if list && last.is_some_and(|t| t.kind == Kind::Punct(']')) {
            return Some(Offer::Keywords(&["expect"]));
        }
        return connector.map(Offer::Endpoints);
    }
    let subject_len = if runtime { 3 } else { 1 };
    if rest.len() == subject_len {
        return Some(Offer::Keywords(&["can", "cannot", "sees"]));
    }
    match last.map(|t| t.text(text)) {
        Some("can" | "cannot") => Some(Offer::Keywords(&["see"])),
        Some("sees") => Some(Offer::Keywords(&["only"])),
        // After a whole expectation (`... see E`): the next one.
        _ => Some(Offer::Keywords(&["expect"])),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::syntax::KEYWORDS;

    /// The keywords completion offers, at every offset of a file that uses
    /// each construct, are the language's: none it does not know, none
    /// left out.
    #[test]
    fn the_keywords_offered_are_the_languages() {
        let text = "connector shop {\n    auth basic: basic\n    endpoint orders < auth: [basic] >\n}\n\
                    instance i of shop < auth: basic >\n\
                    flow f {\n    connection i -> orders\n}\n\
                    test t {\n    expect i can see orders\n    expect i cannot see orders\n    \
                    expect shop/basic sees only [orders]\n}\n";
        let index = Index::default();
        let known = Known::new(&index, text);
        let mut offered = BTreeSet::new();
        for offset in 0..=text.len() {
            let Some(before) = text.get(..offset) else {
                continue;
            };
            let mut all = tokens(before);
            if all.last().is_some_and(|t| t.is_name() && t.end == offset) {
                all.pop();
            }
            if let Some(Offer::Keywords(words)) = context(before, &all, &known) {
                offered.extend(words.iter().copied());
            }
        }
        let keywords: BTreeSet<&str> = KEYWORDS.iter().copied().collect();
        let unknown: Vec<_> = offered.difference(&keywords).collect();
        let missing: Vec<_> = keywords.difference(&offered).collect();
        assert!(
            unknown.is_empty() && missing.is_empty(),
            "completion offers {unknown:?}, not in `KEYWORDS`, and never offers {missing:?}"
        );
    }
}
