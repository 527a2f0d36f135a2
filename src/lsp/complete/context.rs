//! Where the cursor is, read from the tokens before it: in which
//! connector, flow or test, in whose options block, in which entry, list
//! or `METHOD(` group, after which keyword; and so what may be written
//! there.

use super::known::{Known, name_of};
use crate::lsp::lex::{Kind, Token};

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
    /// An auth method of a connector.
    Method { connector: String, method: String },
    /// An instance, of this connector.
    Instance { connector: String, name: String },
}

/// A method's scopes, less those the list or group at the cursor already
/// names.
pub(super) struct ScopesOf {
    pub(super) connector: String,
    pub(super) method: String,
    pub(super) written: Vec<String>,
}

/// What may be written at the cursor.
pub(super) enum Offer {
    Keywords(&'static [&'static str]),
    Types,
    Connectors,
    Instances,
    /// Declared instances, and connectors for a runtime subject.
    Subjects,
    Methods(String),
    Endpoints(String),
    OptionKeys(&'static [&'static str]),
    /// The scopes a method declares.
    Scopes(ScopesOf),
    /// The scopes used with a method that it does not declare.
    Undeclared(ScopesOf),
}

/// What may be written after `tokens` (the text before the cursor, less
/// the name being typed).
pub(super) fn context(text: &str, tokens: &[Token], known: &Known<'_>) -> Option<Offer> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut options: Option<OptionsBlock> = None;
    // Inside `sees only [...]`.
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
                options = None;
            }
            Kind::Punct('}') => {
                blocks.pop();
                options = None;
                list = false;
            }
            Kind::Punct('<') => {
                let owner = match blocks.last() {
                    // `auth NAME: TYPE <`
                    Some(Block::Connector(connector))
                        if back(4).is_some_and(|t| t.is_word(text, "auth"))
                            && back(2).is_some_and(|t| t.kind == Kind::Punct(':')) =>
                    {
                        back(3).filter(|t| t.is_name()).map(|t| Owner::Method {
                            connector: connector.clone(),
                            method: name_of(text, t),
                        })
                    }
                    Some(Block::Connector(connector)) => Some(Owner::Endpoint(connector.clone())),
                    // `instance NAME of CONNECTOR <`
                    _ => back(1)
                        .filter(|t| t.is_name())
                        .filter(|_| back(2).is_some_and(|t| t.is_word(text, "of")))
                        .zip(back(3).filter(|t| t.is_name()))
                        .map(|(connector, name)| Owner::Instance {
                            connector: name_of(text, connector),
                            name: name_of(text, name),
                        }),
                };
                options = owner.map(OptionsBlock::new);
            }
            Kind::Punct('>') => options = None,
            _ => match &mut options {
                Some(block) => block.read(text, tokens, i),
                None if token.kind == Kind::Punct('[') => list = true,
                None if token.kind == Kind::Punct(']') => list = false,
                None => {}
            },
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
    if let Some(block) = options {
        return block.offer(text, tokens, punct(last), known);
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

/// Where the cursor is inside an options block `< ... >`.
struct OptionsBlock {
    owner: Owner,
    /// The key of the entry the cursor is in.
    key: Option<String>,
    /// Inside the entry's `[...]`.
    list: bool,
    /// Inside `METHOD(` of a list: the method.
    group: Option<String>,
    /// The first token of the innermost list or group.
    start: usize,
    /// The name of the `auth` entry read so far (an instance's method).
    auth: Option<String>,
}

impl OptionsBlock {
    fn new(owner: Owner) -> Self {
        OptionsBlock {
            owner,
            key: None,
            list: false,
            group: None,
            start: 0,
            auth: None,
        }
    }

    /// Reads token `i`, inside the block.
    fn read(&mut self, text: &str, tokens: &[Token], i: usize) {
        let back = |n: usize| i.checked_sub(n).and_then(|j| tokens.get(j));
        let Some(token) = tokens.get(i) else {
            return;
        };
        match token.kind {
            Kind::Punct(':') if !self.list => {
                self.key = back(1).filter(|t| t.is_name()).map(|t| name_of(text, t));
            }
            Kind::Punct('[') => {
                self.list = true;
                self.start = i + 1;
            }
            Kind::Punct(']') => {
                self.list = false;
                self.group = None;
            }
            Kind::Punct('(') if self.list => {
                self.group = back(1).filter(|t| t.is_name()).map(|t| name_of(text, t));
                self.start = i + 1;
            }
            Kind::Punct(')') => self.group = None,
            _ if token.is_name()
                && !self.list
                && self.key.as_deref() == Some("auth")
                && back(1).is_some_and(|t| t.kind == Kind::Punct(':')) =>
            {
                self.auth = Some(name_of(text, token));
            }
            _ => {}
        }
    }

    /// What may be written after the last token, `last` (punctuation).
    fn offer(
        self,
        text: &str,
        tokens: &[Token],
        last: Option<char>,
        known: &Known<'_>,
    ) -> Option<Offer> {
        let written = || -> Vec<String> {
            tokens
                .get(self.start..)
                .unwrap_or(&[])
                .iter()
                .filter(|t| t.is_name())
                .map(|t| name_of(text, t))
                .collect()
        };
        let separator = matches!(last, Some('[' | '(' | ','));
        let scopes_list = self.list && self.key.as_deref() == Some("scopes");
        match self.owner {
            Owner::Endpoint(connector) => match (self.group, last) {
                (Some(method), _) if separator => Some(Offer::Scopes(ScopesOf {
                    connector,
                    method,
                    written: written(),
                })),
                (Some(_), _) => None,
                (None, Some('[' | ',')) if self.list => Some(Offer::Methods(connector)),
                (None, Some('<' | ',')) if !self.list => Some(Offer::OptionKeys(&["auth"])),
                _ => None,
            },
            Owner::Method { connector, method } => match last {
                Some('[' | ',') if scopes_list => Some(Offer::Undeclared(ScopesOf {
                    connector,
                    method,
                    written: written(),
                })),
                Some('<' | ',') if !self.list => Some(Offer::OptionKeys(&["scopes"])),
                _ => None,
            },
            Owner::Instance { connector, name } => match last {
                Some('[' | ',') if scopes_list => {
                    let method = self.auth.or_else(|| known.instance_method(&name))?;
                    Some(Offer::Scopes(ScopesOf {
                        connector,
                        method,
                        written: written(),
                    }))
                }
                Some(':') if self.key.as_deref() == Some("auth") => Some(Offer::Methods(connector)),
                Some('<' | ',') if !self.list => Some(Offer::OptionKeys(&["auth", "scopes"])),
                _ => None,
            },
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
    // `CONNECTOR/METHOD(SCOPE, ...)`: the subject ends at `)`.
    let scoped = runtime && rest.get(3).is_some_and(|t| t.kind == Kind::Punct('('));
    let close = rest.iter().position(|t| t.kind == Kind::Punct(')'));
    if scoped && close.is_none() {
        if !last.is_some_and(|t| matches!(t.kind, Kind::Punct('(' | ','))) {
            return None;
        }
        let method = rest.get(2).filter(|t| t.is_name())?;
        return Some(Offer::Scopes(ScopesOf {
            connector: connector?,
            method: name_of(text, method),
            written: rest
                .get(4..)
                .unwrap_or(&[])
                .iter()
                .filter(|t| t.is_name())
                .map(|t| name_of(text, t))
                .collect(),
        }));
    }
    if last.is_some_and(|t| t.is_word(text, "see")) || list {
        if list && last.is_some_and(|t| t.kind == Kind::Punct(']')) {
            return Some(Offer::Keywords(&["expect"]));
        }
        return connector.map(Offer::Endpoints);
    }
    let subject_len = match close {
        Some(close) if scoped => close + 1,
        _ if runtime => 3,
        _ => 1,
    };
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
    use crate::lsp::index::Index;
    use crate::lsp::lex::tokens;
    use crate::syntax::KEYWORDS;

    /// The keywords completion offers, at every offset of a file that uses
    /// each construct, are the language's: none it does not know, none
    /// left out.
    #[test]
    fn the_keywords_offered_are_the_languages() {
        let text = "connector shop {\n    auth basic: basic\n    \
                    auth oauth: oauth2_authorization_code < scopes: [\"a.read\", b] >\n    \
                    endpoint orders < auth: [basic, oauth(\"a.read\", b)] >\n}\n\
                    instance i of shop < auth: basic >\n\
                    instance j of shop < auth: oauth, scopes: [b] >\n\
                    flow f {\n    connection i -> orders\n}\n\
                    test t {\n    expect i can see orders\n    expect i cannot see orders\n    \
                    expect shop/basic sees only [orders]\n    \
                    expect shop/oauth(b) cannot see orders\n}\n";
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
