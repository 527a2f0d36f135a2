//! Completion in context. The text before the cursor is tokenized (it
//! rarely parses while being typed) and read for where the cursor is: in
//! which connector, flow or test, in whose options block or list, after
//! which keyword. The names offered come from the index of the whole rule
//! set: inside an endpoint's `auth: [...]` only its connector's methods,
//! after an instance's `auth:` only its connector's, after `->` only the
//! endpoints of the connection's instance's connector. Scopes are a
//! method's: after `METHOD(` in an auth list or a test's runtime subject,
//! and in an instance's `scopes: [...]`, the scopes that method declares
//! (less those the list already names); in a method's own `scopes: [...]`,
//! the scopes that items and instances name with it but it does not
//! declare yet.

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
    /// An auth method of a connector.
    Method { connector: String, method: String },
    /// An instance, of this connector.
    Instance { connector: String, name: String },
}

/// A method's scopes, less those the list or group at the cursor already
/// names.
struct ScopesOf {
    connector: String,
    method: String,
    written: Vec<String>,
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
    OptionKeys(&'static [&'static str]),
    /// The scopes a method declares.
    Scopes(ScopesOf),
    /// The scopes used with a method that it does not declare.
    Undeclared(ScopesOf),
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
    let mut offer = context(before, &all, &known)?;
    if let Offer::Scopes(of) | Offer::Undeclared(of) = &mut offer {
        of.written
            .extend(written_after(text.get(offset..).unwrap_or("")));
    }
    // A quote the editor closed by itself is part of the name replaced.
    let open_quote = typing.is_some_and(|t| {
        let written = t.text(text);
        t.kind == Kind::Quoted && (written.len() < 2 || !written.ends_with('"'))
    });
    let end = if open_quote && text.get(offset..).is_some_and(|rest| rest.starts_with('"')) {
        offset + 1
    } else {
        offset
    };
    let replace = analysis.range(
        crate::source::Span::new(file, typing.map_or(offset, |t| t.start), end),
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
        Offer::OptionKeys(keys) => {
            for key in keys {
                push(key, lsp::CompletionItemKind::PROPERTY, None);
            }
        }
        Offer::Scopes(of) => {
            let detail = format!("scope of {}", quote_name(&of.method));
            for scope in known.scopes(&of.connector, &of.method) {
                if !of.written.contains(&scope) {
                    push(&scope, SCOPE, Some(detail.clone()));
                }
            }
        }
        Offer::Undeclared(of) => {
            let detail = format!("used with {}, not declared", quote_name(&of.method));
            for scope in known.index.undeclared_scopes(&of.connector, &of.method) {
                if !of.written.iter().any(|w| **w == *scope) {
                    push(&scope, SCOPE, Some(detail.clone()));
                }
            }
        }
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

/// How a scope is shown in the list of items.
const SCOPE: lsp::CompletionItemKind = lsp::CompletionItemKind::VALUE;

/// The names after the cursor in the list or group it is in (up to its
/// `)`, `]` or `>`).
fn written_after(rest: &str) -> Vec<String> {
    let end = rest.find([')', ']', '>']).unwrap_or(rest.len());
    let group = rest.get(..end).unwrap_or("");
    tokens(group)
        .iter()
        .filter(|t| t.is_name())
        .map(|t| name_of(group, t))
        .collect()
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
            if !all.iter().any(|(name, _)| name == &instance.name) {
                all.push((instance.name.clone(), instance.connector.clone()));
            }
        }
        all
    }

    fn loose_instance(&self, instance: &str) -> Option<&LooseInstance> {
        self.instances.iter().find(|i| i.name == instance)
    }

    fn instance_connector(&self, instance: &str) -> Option<String> {
        self.index
            .instances
            .get(instance)
            .map(|i| i.connector.to_string())
            .or_else(|| self.loose_instance(instance).map(|i| i.connector.clone()))
    }

    /// The method an instance authenticates with.
    fn instance_method(&self, instance: &str) -> Option<String> {
        self.loose_instance(instance)
            .and_then(|i| i.method.clone())
            .or_else(|| {
                let facts = self.index.instances.get(instance)?;
                facts.method.as_deref().map(str::to_owned)
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
    fn scopes(&self, connector: &str, method: &str) -> Vec<String> {
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
