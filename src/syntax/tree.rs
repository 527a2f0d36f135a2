//! The syntax tree: what a file says, with spans, before any name is
//! resolved. Comments are kept in [`File::comments`], in source order.
//!
//! Names borrow from the source text (`'s`) unless they had escapes, so
//! building a tree copies little.

use std::borrow::Cow;

use crate::source::{FileId, Span};

/// One parsed rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File<'s> {
    /// Which file this is.
    pub file: FileId,
    /// The items, in source order.
    pub items: Vec<Item<'s>>,
    /// Every comment, in source order, with its text.
    pub comments: Vec<Comment<'s>>,
}

/// A `// line` or `/* block */` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment<'s> {
    /// Line or block.
    pub kind: CommentKind,
    /// The whole comment, delimiters included.
    pub text: &'s str,
    /// Where it is.
    pub span: Span,
}

/// The two spellings of a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    /// `// ...` to the end of the line.
    Line,
    /// `/* ... */`.
    Block,
}

/// A name, bare or quoted; `text` is the name itself, escapes resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name<'s> {
    /// The name, without quotes or escapes.
    pub text: Cow<'s, str>,
    /// Where it is written, quotes included.
    pub span: Span,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item<'s> {
    /// `connector NAME { ... }`
    Connector(Connector<'s>),
    /// `instance NAME of CONNECTOR < ... >`
    Instance(Instance<'s>),
    /// `flow NAME { ... }`
    Flow(Flow<'s>),
    /// `test NAME { ... }`
    Test(Test<'s>),
}

/// `connector NAME { MEMBER* }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connector<'s> {
    /// The connector's name.
    pub name: Name<'s>,
    /// Methods and endpoints, in source order.
    pub members: Vec<Member<'s>>,
    /// The whole item.
    pub span: Span,
}

/// A member of a connector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Member<'s> {
    /// `auth NAME: TYPE`
    Method(Method<'s>),
    /// `endpoint NAME < ... >`
    Endpoint(Endpoint<'s>),
}

/// `auth NAME: TYPE < ... >`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Method<'s> {
    /// The method's name.
    pub name: Name<'s>,
    /// The type as written; checked against the supported types later.
    pub kind: Name<'s>,
    /// The options block (`< scopes: [...] >`), if written.
    pub options: Option<Options<'s>>,
    /// The whole member.
    pub span: Span,
}

/// `endpoint NAME < auth: [...] >`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint<'s> {
    /// The endpoint's name.
    pub name: Name<'s>,
    /// The options block, if written.
    pub options: Option<Options<'s>>,
    /// The whole member.
    pub span: Span,
}

/// `instance NAME of CONNECTOR < auth: METHOD >`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance<'s> {
    /// The instance's name.
    pub name: Name<'s>,
    /// The connector it is an instance of.
    pub connector: Name<'s>,
    /// The options block, if written.
    pub options: Option<Options<'s>>,
    /// The whole item.
    pub span: Span,
}

/// `flow NAME { connection ... }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow<'s> {
    /// The flow's name.
    pub name: Name<'s>,
    /// Its connection shapes, in source order.
    pub connections: Vec<Connection<'s>>,
    /// The whole item.
    pub span: Span,
}

/// `connection INSTANCE -> ENDPOINT`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection<'s> {
    /// The instance the shape picks.
    pub instance: Name<'s>,
    /// The endpoint the shape picks.
    pub endpoint: Name<'s>,
    /// The whole connection.
    pub span: Span,
}

/// `< key: value, ... >`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options<'s> {
    /// The entries, in source order (duplicates kept; the checker reports them).
    pub entries: Vec<OptionEntry<'s>>,
    /// The whole block, `<` to `>`.
    pub span: Span,
}

/// `key: value`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionEntry<'s> {
    /// The key.
    pub key: Name<'s>,
    /// The value.
    pub value: Value<'s>,
    /// The whole entry.
    pub span: Span,
}

/// An option value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value<'s> {
    /// A single name.
    Name(Name<'s>),
    /// `[name, ...]`
    List(List<'s>),
}

impl Value<'_> {
    /// Where the value is written.
    pub fn span(&self) -> Span {
        match self {
            Value::Name(name) => name.span,
            Value::List(list) => list.span,
        }
    }
}

/// `[name, ...]`, where in an option's value a name may carry scopes:
/// `[oauth("a", "b"), key]`.
///
/// The scopes sit beside the names rather than inside them, so that code
/// reading a list as names (the endpoints of `sees only`, the methods of an
/// auth list) reads it unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List<'s> {
    /// The names, in source order.
    pub items: Vec<Name<'s>>,
    /// The scopes written after some of the names, ordered by `item`.
    pub scopes: Vec<Scoped<'s>>,
    /// The whole list, brackets included.
    pub span: Span,
}

impl<'s> List<'s> {
    /// The scopes written after item `index`, if any.
    pub fn scopes_of(&self, index: usize) -> Option<&Scopes<'s>> {
        self.scopes
            .binary_search_by_key(&index, |scoped| scoped.item)
            .ok()
            .and_then(|found| self.scopes.get(found))
            .map(|scoped| &scoped.scopes)
    }
}

/// The scopes written after one name of a [`List`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scoped<'s> {
    /// The index of the name in [`List::items`].
    pub item: usize,
    /// The scopes.
    pub scopes: Scopes<'s>,
}

/// `(SCOPE, ...)`: at least one scope, trailing comma allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scopes<'s> {
    /// The scope names, in source order.
    pub names: Vec<Name<'s>>,
    /// The whole group, parentheses included.
    pub span: Span,
}

/// `test NAME { expect ... }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Test<'s> {
    /// The test's name.
    pub name: Name<'s>,
    /// Its expectations, in source order.
    pub expectations: Vec<Expectation<'s>>,
    /// The whole item.
    pub span: Span,
}

/// `expect SUBJECT ...`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation<'s> {
    /// Who is asking.
    pub subject: Subject<'s>,
    /// What is expected.
    pub expect: Expect<'s>,
    /// The whole expectation.
    pub span: Span,
}

/// Who an expectation is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject<'s> {
    /// A declared instance.
    Instance(Name<'s>),
    /// A runtime instance, `CONNECTOR/METHOD` or `CONNECTOR/METHOD(SCOPE, ...)`.
    Runtime {
        /// The connector.
        connector: Name<'s>,
        /// The method.
        method: Name<'s>,
        /// The scopes it holds, if written (none written: none held).
        scopes: Option<Scopes<'s>>,
    },
}

impl Subject<'_> {
    /// Where the subject is written.
    pub fn span(&self) -> Span {
        match self {
            Subject::Instance(name) => name.span,
            Subject::Runtime {
                connector,
                method,
                scopes,
            } => connector
                .span
                .to(scopes.as_ref().map_or(method.span, |scopes| scopes.span)),
        }
    }
}

/// What an expectation expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect<'s> {
    /// `can see ENDPOINT`
    CanSee(Name<'s>),
    /// `cannot see ENDPOINT`
    CannotSee(Name<'s>),
    /// `sees only [ENDPOINT, ...]`
    SeesOnly(List<'s>),
}
