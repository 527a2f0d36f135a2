//! The fast parser: a recursive-descent parser over [`super::lexer`] that
//! accepts exactly the language of `grammar/authgate.pest` and streams it to
//! a [`Visitor`] without building whole connectors.
//!
//! It says nothing about *why* a file does not parse: on any error it
//! stops, and [`super::parse_into`] asks the pest grammar, whose errors are
//! translated into words. The two parsers are checked against each other in
//! the tests (same tree, or both reject).

use std::borrow::Cow;

use super::keywords::KEYWORDS;
use super::lexer::{Kind, LexError, Lexer, Token};
use super::tree::{
    Comment, Connection, Endpoint, Expect, Expectation, Flow, Instance, List, Member, Method, Name,
    OptionEntry, Options, Scoped, Scopes, Subject, Test, Value,
};
use super::visit::Visitor;
use crate::source::{FileId, SourceFile, Span};

/// The file does not parse (the fast parser does not say why).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rejected;

impl From<LexError> for Rejected {
    fn from(_: LexError) -> Self {
        Rejected
    }
}

/// Parses `file`, streaming its items to `visitor`. On `Err` the visitor
/// has seen part of the file; the caller tells it to forget the file.
pub(crate) fn parse<'s, V: Visitor<'s>>(
    file: &'s SourceFile,
    visitor: &mut V,
) -> Result<(), Rejected> {
    let mut parser = Parser {
        text: file.text(),
        file: file.id(),
        lexer: Lexer::new(file.text(), file.id()),
        peeked: None,
        visitor,
        spare_entries: Vec::new(),
        spare_lists: Vec::new(),
        spare_scoped: Vec::new(),
    };
    parser.file()
}

struct Parser<'s, 'v, V> {
    text: &'s str,
    file: FileId,
    lexer: Lexer<'s>,
    peeked: Option<Token>,
    visitor: &'v mut V,
    /// Buffers of option blocks already handed to the visitor, reused so
    /// that a connector's endpoints cost no allocation each.
    spare_entries: Vec<OptionEntry<'s>>,
    spare_lists: Vec<Vec<Name<'s>>>,
    spare_scoped: Vec<Scoped<'s>>,
}

impl<'s, V: Visitor<'s>> Parser<'s, '_, V> {
    fn peek(&mut self) -> Result<Token, Rejected> {
        if let Some(token) = self.peeked {
            return Ok(token);
        }
        let visitor = &mut *self.visitor;
        let token = self
            .lexer
            .next(&mut |comment: Comment<'s>| visitor.comment(comment))?;
        self.peeked = Some(token);
        Ok(token)
    }

    fn bump(&mut self) -> Result<Token, Rejected> {
        let token = self.peek()?;
        self.peeked = None;
        Ok(token)
    }

    fn expect(&mut self, kind: Kind) -> Result<Token, Rejected> {
        let token = self.bump()?;
        if token.kind == kind {
            Ok(token)
        } else {
            Err(Rejected)
        }
    }

    fn text(&self, token: Token) -> &'s str {
        self.text
            .get(token.start as usize..token.end as usize)
            .unwrap_or_default()
    }

    fn span(&self, start: u32, end: u32) -> Span {
        Span {
            file: self.file,
            start,
            end,
        }
    }

    /// Whether `token` is the bare word `word`, a keyword (compared inline:
    /// these words decide what is parsed next, at every item and member).
    fn is_word(&self, token: Token, word: &str) -> bool {
        debug_assert!(KEYWORDS.contains(&word), "`{word}` is not in `KEYWORDS`");
        token.kind == Kind::Ident
            && crate::text::names::same(self.text(token).as_bytes(), word.as_bytes())
    }

    /// The keyword `word` (one of [`KEYWORDS`], which a debug build checks).
    fn keyword(&mut self, word: &str) -> Result<Token, Rejected> {
        debug_assert!(KEYWORDS.contains(&word), "`{word}` is not in `KEYWORDS`");
        let token = self.expect(Kind::Ident)?;
        if self.text(token) == word {
            Ok(token)
        } else {
            Err(Rejected)
        }
    }

    fn file(&mut self) -> Result<(), Rejected> {
        loop {
            let token = self.peek()?;
            let word = |word: &str| self.is_word(token, word);
            match () {
                () if token.kind == Kind::Eof => return Ok(()),
                () if word("connector") => self.connector()?,
                () if word("instance") => {
                    let instance = self.instance()?;
                    self.visitor.instance(&instance);
                    self.recycle(instance.options);
                }
                () if word("flow") => {
                    let flow = self.flow()?;
                    self.visitor.flow(&flow);
                }
                () if word("test") => {
                    let test = self.test()?;
                    self.visitor.test(&test);
                }
                _ => return Err(Rejected),
            }
        }
    }

    fn name(&mut self) -> Result<Name<'s>, Rejected> {
        let token = self.bump()?;
        let text = match token.kind {
            Kind::Ident => Cow::Borrowed(self.text(token)),
            Kind::Quoted { escaped } => {
                let inner = self
                    .text
                    .get(token.start as usize + 1..token.end as usize - 1)
                    .unwrap_or_default();
                if escaped {
                    Cow::Owned(super::unescape(inner))
                } else {
                    Cow::Borrowed(inner)
                }
            }
            _ => return Err(Rejected),
        };
        Ok(Name {
            text,
            span: self.span(token.start, token.end),
        })
    }

    fn connector(&mut self) -> Result<(), Rejected> {
        let keyword = self.keyword("connector")?;
        let name = self.name()?;
        self.expect(Kind::LBrace)?;
        self.visitor.connector_start(name);
        loop {
            let token = self.peek()?;
            let word = |word: &str| self.is_word(token, word);
            match () {
                () if token.kind == Kind::RBrace => {
                    self.bump()?;
                    let span = self.span(keyword.start, token.end);
                    self.visitor.connector_end(span);
                    return Ok(());
                }
                () if word("auth") => {
                    let member = Member::Method(self.method()?);
                    self.visitor.member(&member);
                    if let Member::Method(method) = member {
                        self.recycle(method.options);
                    }
                }
                () if word("endpoint") => {
                    let member = Member::Endpoint(self.endpoint()?);
                    self.visitor.member(&member);
                    if let Member::Endpoint(endpoint) = member {
                        self.recycle(endpoint.options);
                    }
                }
                _ => return Err(Rejected),
            }
        }
    }

    fn method(&mut self) -> Result<Method<'s>, Rejected> {
        let keyword = self.keyword("auth")?;
        let name = self.name()?;
        self.expect(Kind::Colon)?;
        let kind = self.name()?;
        let options = self.options()?;
        let end = options.as_ref().map_or(kind.span.end, |o| o.span.end);
        let span = self.span(keyword.start, end);
        Ok(Method {
            name,
            kind,
            options,
            span,
        })
    }

    fn endpoint(&mut self) -> Result<Endpoint<'s>, Rejected> {
        let keyword = self.keyword("endpoint")?;
        let name = self.name()?;
        let options = self.options()?;
        let end = options.as_ref().map_or(name.span.end, |o| o.span.end);
        let span = self.span(keyword.start, end);
        Ok(Endpoint {
            name,
            options,
            span,
        })
    }

    fn instance(&mut self) -> Result<Instance<'s>, Rejected> {
        let keyword = self.keyword("instance")?;
        let name = self.name()?;
        self.keyword("of")?;
        let connector = self.name()?;
        let options = self.options()?;
        let end = options.as_ref().map_or(connector.span.end, |o| o.span.end);
        let span = self.span(keyword.start, end);
        Ok(Instance {
            name,
            connector,
            options,
            span,
        })
    }

    fn flow(&mut self) -> Result<Flow<'s>, Rejected> {
        let keyword = self.keyword("flow")?;
        let name = self.name()?;
        self.expect(Kind::LBrace)?;
        let mut connections = Vec::new();
        loop {
            if self.peek()?.kind == Kind::RBrace {
                let close = self.bump()?;
                let span = self.span(keyword.start, close.end);
                return Ok(Flow {
                    name,
                    connections,
                    span,
                });
            }
            let start = self.keyword("connection")?;
            let instance = self.name()?;
            self.expect(Kind::Arrow)?;
            let endpoint = self.name()?;
            let span = self.span(start.start, endpoint.span.end);
            connections.push(Connection {
                instance,
                endpoint,
                span,
            });
        }
    }

    fn test(&mut self) -> Result<Test<'s>, Rejected> {
        let keyword = self.keyword("test")?;
        let name = self.name()?;
        self.expect(Kind::LBrace)?;
        let mut expectations = Vec::new();
        loop {
            if self.peek()?.kind == Kind::RBrace {
                let close = self.bump()?;
                return Ok(Test {
                    name,
                    expectations,
                    span: self.span(keyword.start, close.end),
                });
            }
            expectations.push(self.expectation()?);
        }
    }

    fn expectation(&mut self) -> Result<Expectation<'s>, Rejected> {
        let keyword = self.keyword("expect")?;
        let first = self.name()?;
        let subject = if self.peek()?.kind == Kind::Slash {
            self.bump()?;
            let method = self.name()?;
            let scopes = if self.peek()?.kind == Kind::LParen {
                Some(self.scopes()?)
            } else {
                None
            };
            Subject::Runtime {
                connector: first,
                method,
                scopes,
            }
        } else {
            Subject::Instance(first)
        };
        let token = self.peek()?;
        let word = |word: &str| self.is_word(token, word);
        let expect = match () {
            () if word("can") => {
                self.keyword("can")?;
                self.keyword("see")?;
                Expect::CanSee(self.name()?)
            }
            () if word("cannot") => {
                self.keyword("cannot")?;
                self.keyword("see")?;
                Expect::CannotSee(self.name()?)
            }
            () if word("sees") => {
                self.keyword("sees")?;
                self.keyword("only")?;
                Expect::SeesOnly(self.list(false)?)
            }
            _ => return Err(Rejected),
        };
        let end = match &expect {
            Expect::CanSee(name) | Expect::CannotSee(name) => name.span.end,
            Expect::SeesOnly(list) => list.span.end,
        };
        Ok(Expectation {
            subject,
            expect,
            span: self.span(keyword.start, end),
        })
    }

    /// `< key: value, ... >` if the next token is `<`.
    fn options(&mut self) -> Result<Option<Options<'s>>, Rejected> {
        if self.peek()?.kind != Kind::LAngle {
            return Ok(None);
        }
        let open = self.bump()?;
        let mut entries = std::mem::take(&mut self.spare_entries);
        entries.clear();
        loop {
            if self.peek()?.kind == Kind::RAngle {
                break;
            }
            let key = self.name()?;
            self.expect(Kind::Colon)?;
            let value = if self.peek()?.kind == Kind::LBracket {
                Value::List(self.list(true)?)
            } else {
                Value::Name(self.name()?)
            };
            let span = self.span(key.span.start, value.span().end);
            entries.push(OptionEntry { key, value, span });
            if self.peek()?.kind == Kind::Comma {
                self.bump()?;
            } else {
                break;
            }
        }
        let close = self.expect(Kind::RAngle)?;
        Ok(Some(Options {
            entries,
            span: self.span(open.start, close.end),
        }))
    }

    /// Takes back the buffers of an options block the visitor has seen.
    fn recycle(&mut self, options: Option<Options<'s>>) {
        let Some(options) = options else {
            return;
        };
        let mut entries = options.entries;
        for entry in entries.drain(..) {
            if let Value::List(list) = entry.value {
                self.spare_lists.push(list.items);
                if list.scopes.capacity() > self.spare_scoped.capacity() {
                    self.spare_scoped = list.scopes;
                }
            }
        }
        if entries.capacity() > self.spare_entries.capacity() {
            self.spare_entries = entries;
        }
    }

    /// `[NAME, ...]`; with `scoped`, a name may be followed by
    /// `(SCOPE, ...)` (option values; not the endpoints of `sees only`).
    fn list(&mut self, scoped: bool) -> Result<List<'s>, Rejected> {
        let open = self.expect(Kind::LBracket)?;
        let mut items = self.spare_lists.pop().unwrap_or_default();
        items.clear();
        let mut scopes = Vec::new();
        if scoped {
            scopes = std::mem::take(&mut self.spare_scoped);
            scopes.clear();
        }
        loop {
            if self.peek()?.kind == Kind::RBracket {
                break;
            }
            items.push(self.name()?);
            if scoped && self.peek()?.kind == Kind::LParen {
                scopes.push(Scoped {
                    item: items.len().saturating_sub(1),
                    scopes: self.scopes()?,
                });
            }
            if self.peek()?.kind == Kind::Comma {
                self.bump()?;
            } else {
                break;
            }
        }
        let close = self.expect(Kind::RBracket)?;
        Ok(List {
            items,
            scopes,
            span: self.span(open.start, close.end),
        })
    }

    /// `(SCOPE, ...)`: at least one name, trailing comma allowed.
    fn scopes(&mut self) -> Result<Scopes<'s>, Rejected> {
        let open = self.expect(Kind::LParen)?;
        let mut names = vec![self.name()?];
        loop {
            if self.peek()?.kind == Kind::Comma {
                self.bump()?;
            } else {
                break;
            }
            if self.peek()?.kind == Kind::RParen {
                break;
            }
            names.push(self.name()?);
        }
        let close = self.expect(Kind::RParen)?;
        Ok(Scopes {
            names,
            span: self.span(open.start, close.end),
        })
    }
}
