//! The syntax tree: what a file says, with spans, before any name is
//! resolved. Comments are kept in [`File::comments`], in source order.

use crate::source::{FileId, Span};

/// One parsed rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Which file this is.
    pub file: FileId,
    /// The items, in source order.
    pub items: Vec<Item>,
    /// Every comment, in source order, with its text.
    pub comments: Vec<Comment>,
}

/// A `// line` or `/* block */` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Line or block.
    pub kind: CommentKind,
    /// The whole comment, delimiters included.
    pub text: String,
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
pub struct Name {
    /// The name, without quotes or escapes.
    pub text: String,
    /// Where it is written, quotes included.
    pub span: Span,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `connector NAME { ... }`
    Connector(Connector),
    /// `instance NAME of CONNECTOR < ... >`
    Instance(Instance),
    /// `flow NAME { ... }`
    Flow(Flow),
}

/// `connector NAME { MEMBER* }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connector {
    /// The connector's name.
    pub name: Name,
    /// Methods and endpoints, in source order.
    pub members: Vec<Member>,
    /// The whole item.
    pub span: Span,
}

/// A member of a connector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Member {
    /// `auth NAME: TYPE`
    Method(Method),
    /// `endpoint NAME < ... >`
    Endpoint(Endpoint),
}

/// `auth NAME: TYPE`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Method {
    /// The method's name.
    pub name: Name,
    /// The type as written; checked against the supported types later.
    pub kind: Name,
    /// The whole member.
    pub span: Span,
}

/// `endpoint NAME < auth: [...] >`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The endpoint's name.
    pub name: Name,
    /// The options block, if written.
    pub options: Option<Options>,
    /// The whole member.
    pub span: Span,
}

/// `instance NAME of CONNECTOR < auth: METHOD >`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The instance's name.
    pub name: Name,
    /// The connector it is an instance of.
    pub connector: Name,
    /// The options block, if written.
    pub options: Option<Options>,
    /// The whole item.
    pub span: Span,
}

/// `flow NAME { connection ... }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The flow's name.
    pub name: Name,
    /// Its connection shapes, in source order.
    pub connections: Vec<Connection>,
    /// The whole item.
    pub span: Span,
}

/// `connection INSTANCE -> ENDPOINT`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// The instance the shape picks.
    pub instance: Name,
    /// The endpoint the shape picks.
    pub endpoint: Name,
    /// The whole connection.
    pub span: Span,
}

/// `< key: value, ... >`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The entries, in source order (duplicates kept; the checker reports them).
    pub entries: Vec<OptionEntry>,
    /// The whole block, `<` to `>`.
    pub span: Span,
}

/// `key: value`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionEntry {
    /// The key.
    pub key: Name,
    /// The value.
    pub value: Value,
    /// The whole entry.
    pub span: Span,
}

/// An option value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A single name.
    Name(Name),
    /// `[name, ...]`
    List(List),
}

impl Value {
    /// Where the value is written.
    pub fn span(&self) -> Span {
        match self {
            Value::Name(name) => name.span,
            Value::List(list) => list.span,
        }
    }
}

/// `[name, ...]`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List {
    /// The names, in source order.
    pub items: Vec<Name>,
    /// The whole list, brackets included.
    pub span: Span,
}
