//! The compiled, immutable evaluator.
//!
//! A [`Policy`] is built once from a checked model that has no error. Names
//! are interned to dense ids; each endpoint's activated methods are a bit
//! set; each method's visible endpoints are precomputed. Deciding by ids is
//! a bit test, listing what a method sees returns a precomputed slice, and
//! deciding by names costs a few hash look-ups. Nothing on those paths
//! allocates; only describing a decision in words does.
//!
//! Unknown names never panic and are never available: they produce a
//! [`Decision`] whose [`Reason`] names the unknown thing.
//!
//! The code is split by when it runs. `build` runs once per rule set; it
//! allocates freely and walks every endpoint so that queries need not.
//! `query` runs on every request: no allocation, no panic, ids of another
//! policy are never available. `explain` runs only when someone reads the
//! answer, and may allocate and read every name of a kind. The types, and
//! the storage layout all three share, live here: one file, a little over
//! the usual length, because splitting the layout from the types that
//! index it would send every reader of `query` to two places.

mod build;
pub mod expect;
mod explain;
mod query;
pub mod request;
mod scopes;

pub use explain::{Answer, Explanation, Place, ReasonText, Visible, VisibleWithScopes};

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use crate::check::AuthType;
use crate::text::names::{NameIndex, NameRef, Names};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            /// The dense index of this id, `0..count`.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A connector of a [`Policy`].
    ConnectorId
);
id_type!(
    /// An auth method of a [`Policy`]; ids are global, not per connector.
    MethodId
);
id_type!(
    /// An endpoint of a [`Policy`]; ids are global, not per connector.
    EndpointId
);
id_type!(
    /// A declared instance of a [`Policy`].
    InstanceId
);
id_type!(
    /// An auth-list item that needs scopes, `METHOD(SCOPE, ...)`, of a
    /// [`Policy`]; [`Policy::item_text`] writes it as the rules do.
    ItemId
);

/// Where something is declared: file, 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location<'p> {
    /// The file's display name.
    pub file: &'p str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Clone, Copy, Debug)]
struct Loc {
    file: u32,
    line: u32,
    column: u32,
}

#[derive(Clone, Debug)]
struct ConnectorData {
    name: Box<str>,
    loc: Loc,
    methods: Range<u32>,
    endpoints: Range<u32>,
    /// Endpoint names to ids local to this connector.
    endpoint_index: NameIndex,
    /// Method names to ids local to this connector.
    method_index: NameIndex,
    /// For a connector whose endpoints activate methods beyond the 64th:
    /// where its endpoints' entries in `Policy::wide_offsets` start.
    wide_start: Option<u32>,
}

#[derive(Clone, Debug)]
struct MethodData {
    name: Box<str>,
    kind: AuthType,
    connector: ConnectorId,
    loc: Loc,
    /// Range of `Policy::visible` holding the endpoints this method sees.
    visible: Range<u32>,
    /// Range of `Policy::method_items` holding this method's items that
    /// need scopes, by endpoint.
    items: Range<u32>,
    /// Its name as an item writes it.
    written: Written,
    /// How a reason names a runtime instance of it: "a runtime instance
    /// of `C` authenticates with `M`".
    runtime: Written,
    /// Its connector's and its own name as an answer gives them back to a
    /// runtime request (`","connector":"C","auth":"M`), escaped.
    echo: Box<str>,
    /// The scopes it declares; a scope's id is its index.
    scopes: Box<[Box<str>]>,
    /// The same scopes as an item writes them.
    scopes_written: Box<[Written]>,
    /// Scope names to ids; empty for a method without scopes.
    scope_index: HashMap<Box<str>, u32, foldhash::fast::FixedState>,
}

/// A name as the rules write it (`oauth`, `"crm.objects.contacts.read"`)
/// and the same text escaped for a JSON string: an item is written from
/// these in every answer about scopes, so both are made once.
#[derive(Clone, Debug)]
struct Written {
    text: Box<str>,
    json: Box<str>,
}

impl Written {
    /// A name as the rules write it.
    fn new(name: &str) -> Written {
        Written::text(crate::syntax::QuotedName(name).to_string())
    }

    /// Any text, and the same escaped.
    fn text(text: String) -> Written {
        let mut json = Vec::with_capacity(text.len() + 4);
        request::write_body(&mut json, &text);
        Written {
            json: String::from_utf8(json).map_or_else(|_| Box::from(""), String::into_boxed_str),
            text: text.into_boxed_str(),
        }
    }

    fn heap_bytes(&self) -> usize {
        self.text.len() + self.json.len()
    }
}

/// A method's decision data: its connector's endpoint range and its bit.
#[derive(Clone, Copy, Debug)]
struct MethodHot {
    first_endpoint: u32,
    end_endpoint: u32,
    bit: u32,
    connector: ConnectorId,
}

#[derive(Clone, Debug)]
struct InstanceData {
    name: NameRef,
    loc: Loc,
    /// Range of `Policy::visible` holding what it sees: its method's own
    /// range unless the method has items that need scopes.
    visible: Range<u32>,
}

/// Activated-method bit sets of all endpoints, one element per endpoint,
/// in the narrowest width that holds every connector's first 64 methods:
/// the smaller the array, the more of it stays in cache.
#[derive(Clone, Debug)]
enum Bits {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Bits {
    fn for_methods(methods: usize, capacity: usize) -> Bits {
        match methods {
            0..=8 => Bits::U8(Vec::with_capacity(capacity)),
            9..=16 => Bits::U16(Vec::with_capacity(capacity)),
            17..=32 => Bits::U32(Vec::with_capacity(capacity)),
            _ => Bits::U64(Vec::with_capacity(capacity)),
        }
    }

    /// Appends words; bits beyond the width are never set (the width fits
    /// the widest connector), so the narrowing casts lose nothing.
    fn extend(&mut self, words: &[u64]) {
        match self {
            Bits::U8(bits) => bits.extend(words.iter().map(|&w| w as u8)),
            Bits::U16(bits) => bits.extend(words.iter().map(|&w| w as u16)),
            Bits::U32(bits) => bits.extend(words.iter().map(|&w| w as u32)),
            Bits::U64(bits) => bits.extend_from_slice(words),
        }
    }

    #[inline]
    fn test(&self, endpoint: usize, bit: u32) -> bool {
        let word = match self {
            Bits::U8(bits) => bits.get(endpoint).map(|&w| u64::from(w)),
            Bits::U16(bits) => bits.get(endpoint).map(|&w| u64::from(w)),
            Bits::U32(bits) => bits.get(endpoint).map(|&w| u64::from(w)),
            Bits::U64(bits) => bits.get(endpoint).copied(),
        };
        word.is_some_and(|word| bit < 64 && word >> bit & 1 == 1)
    }

    /// The whole word of `endpoint` (methods `0..64`).
    fn word(&self, endpoint: usize) -> u64 {
        match self {
            Bits::U8(bits) => bits.get(endpoint).map(|&w| u64::from(w)),
            Bits::U16(bits) => bits.get(endpoint).map(|&w| u64::from(w)),
            Bits::U32(bits) => bits.get(endpoint).map(|&w| u64::from(w)),
            Bits::U64(bits) => bits.get(endpoint).copied(),
        }
        .unwrap_or(0)
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Bits::U8(bits) => bits.capacity(),
            Bits::U16(bits) => bits.capacity() * 2,
            Bits::U32(bits) => bits.capacity() * 4,
            Bits::U64(bits) => bits.capacity() * 8,
        }
    }
}

/// The compiled policy: immutable, `Send + Sync`, cheap to query.
///
/// Endpoints are stored column-wise because a policy may hold millions of
/// them: a name range, a connector id, one bit-set word for the first 64
/// methods, and a line and column.
#[derive(Clone, Debug)]
pub struct Policy {
    files: Vec<Box<str>>,
    /// Endpoint and instance names.
    names: Names,
    connectors: Vec<ConnectorData>,
    connector_by_name: HashMap<Box<str>, ConnectorId, foldhash::fast::FixedState>,
    methods: Vec<MethodData>,
    /// What a decision needs of each method, packed (parallel to `methods`).
    hot: Vec<MethodHot>,
    /// Each instance's method and its decision data (parallel to
    /// `instances`).
    instance_methods: Vec<(MethodId, MethodHot)>,
    endpoint_names: Vec<NameRef>,
    /// Methods `0..64` each endpoint activates, as narrow as the widest
    /// connector allows.
    endpoint_bits: Bits,
    /// Methods `64..`, for connectors that have that many, as lists: an
    /// endpoint's are `wide_methods[wide_offsets[i]..wide_offsets[i + 1]]`
    /// (local method indices, ascending), where `i` is the connector's
    /// `wide_start` plus the endpoint's index in its connector. A wide
    /// connector activates few of its methods per endpoint: bit sets would
    /// grow as endpoints x methods.
    wide_offsets: Vec<u32>,
    wide_methods: Vec<u32>,
    /// Line and column of each endpoint's name (its file is its connector's).
    endpoint_loc: Vec<(u32, u32)>,
    instances: Vec<InstanceData>,
    instance_index: NameIndex,
    /// Each method's visible endpoints, concatenated method after method,
    /// then the lists of declared instances whose method has items that
    /// need scopes.
    visible: Vec<EndpointId>,
    /// The auth-list items that need scopes, ordered by endpoint then
    /// method (global ids). Empty in rules without scopes.
    scoped: Vec<ScopedEntry>,
    /// Where each endpoint's items start in `scoped` (one more entry, the
    /// end): a decision reads its endpoint's few items at once, then
    /// finds the method's among them. Empty in rules without scopes.
    item_starts: Vec<u32>,
    /// Indices into `scoped`, method after method, each method's by
    /// endpoint: what a visible list with scopes walks.
    method_items: Vec<u32>,
    /// The scopes each declared instance holds (parallel to `instances`;
    /// empty when no method declares scopes).
    instance_scopes: Vec<ScopeSet>,
    /// Whether no name of the rules holds a character a JSON string
    /// escapes: answers then copy names as they are.
    names_plain: bool,
}

/// An auth-list item `METHOD(SCOPE, ...)`: the scope ids it needs,
/// ascending, and for a method of at most 128 scopes the same set as a
/// mask, so that the common test is one AND.
#[derive(Clone, Debug)]
struct ScopedEntry {
    endpoint: u32,
    method: u32,
    mask: Option<u128>,
    scopes: Box<[u32]>,
}

/// The scopes an instance of one method holds, resolved to that method's
/// scope ids: a 128-bit mask for a method of at most 128 scopes, eight
/// words inline up to 512, an allocated bit vector beyond. Made by [`Policy::scope_set`] once per runtime instance,
/// then tested against items without further look-ups; a set used with
/// another method than its own holds nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeSet {
    method: MethodId,
    bits: ScopeBits,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ScopeBits {
    Narrow(u128),
    /// Up to 512 scopes (HubSpot declares 305): still no allocation.
    Inline([u64; 8]),
    Wide(Box<[u64]>),
}

/// What a subject holds, as a decision remembers it so that its reason
/// can name the scopes missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Held<'q> {
    /// A declared instance: the scopes its declaration gives it.
    Declared,
    /// A runtime instance holding the scopes named; names its method does
    /// not declare grant nothing.
    Named(&'q [&'q str]),
    /// A runtime instance holding a resolved set.
    Set(&'q ScopeSet),
}

/// Who is asking: a declared instance, or a runtime instance given as its
/// connector and auth method (instances usually live in a database).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal<'q> {
    /// An instance declared in the rules, by name; it holds the scopes
    /// its declaration gives it.
    Instance(&'q str),
    /// A runtime instance: a connector and one of its methods, by name. It
    /// holds no scope; [`Policy::decide_with_scopes`] asks for one that
    /// holds some.
    Runtime {
        /// The connector's name.
        connector: &'q str,
        /// The method's name.
        method: &'q str,
    },
}

/// A resolved principal: the method it authenticates with, and the
/// declared instance if there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The auth method (which also determines the connector).
    pub method: MethodId,
    /// The declared instance, `None` for a runtime instance.
    pub instance: Option<InstanceId>,
}

/// Why a decision came out as it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason<'q> {
    /// The subject's method is activated for the endpoint.
    Activated {
        /// Who asked.
        subject: Subject,
        /// The endpoint.
        endpoint: EndpointId,
    },
    /// The endpoint belongs to the subject's connector but does not activate
    /// its method, with or without scopes.
    NotActivated {
        /// Who asked.
        subject: Subject,
        /// The endpoint.
        endpoint: EndpointId,
    },
    /// The endpoint lists the subject's method only with scopes, and the
    /// subject holds every scope of `item`.
    ScopesHeld {
        /// Who asked.
        subject: Subject,
        /// The endpoint.
        endpoint: EndpointId,
        /// The first item (in the rules' order) whose scopes are held.
        item: ItemId,
    },
    /// The endpoint lists the subject's method only with scopes, and the
    /// subject lacks some scope of every such item.
    /// [`Policy::missing_scopes`] lists what `item` lacks.
    ScopesMissing {
        /// Who asked.
        subject: Subject,
        /// The endpoint.
        endpoint: EndpointId,
        /// The item that comes closest: the fewest scopes missing, the
        /// first in the rules' order among equals.
        item: ItemId,
        /// What the subject holds.
        held: Held<'q>,
    },
    /// The endpoint belongs to another connector than the subject's.
    OtherConnector {
        /// Who asked.
        subject: Subject,
        /// The endpoint.
        endpoint: EndpointId,
    },
    /// No declared instance has this name.
    UnknownInstance {
        /// The name asked for.
        name: &'q str,
    },
    /// No connector has this name.
    UnknownConnector {
        /// The name asked for.
        name: &'q str,
    },
    /// The connector has no method of this name.
    UnknownMethod {
        /// The connector searched.
        connector: ConnectorId,
        /// The name asked for.
        name: &'q str,
    },
    /// The subject's connector has no endpoint of this name.
    UnknownEndpoint {
        /// Who asked.
        subject: Subject,
        /// The name asked for.
        name: &'q str,
    },
}

/// A reason in words without the names behind its ids (those need the
/// policy: [`Policy::reason`] and [`Policy::describe`] say them).
impl std::fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Activated { .. } => f.write_str("the endpoint activates the method"),
            Reason::NotActivated { .. } => f.write_str("the endpoint does not activate the method"),
            Reason::ScopesHeld { .. } => {
                f.write_str("the instance holds the scopes the endpoint needs of the method")
            }
            Reason::ScopesMissing { .. } => {
                f.write_str("the instance lacks scopes the endpoint needs of the method")
            }
            Reason::OtherConnector { .. } => {
                f.write_str("the endpoint belongs to another connector")
            }
            Reason::UnknownInstance { name } => write!(f, "unknown instance `{name}`"),
            Reason::UnknownConnector { name } => write!(f, "unknown connector `{name}`"),
            Reason::UnknownMethod { name, .. } => write!(f, "unknown auth method `{name}`"),
            Reason::UnknownEndpoint { name, .. } => write!(f, "unknown endpoint `{name}`"),
        }
    }
}

/// An answer to "is this endpoint available to this instance?", with its
/// reason. Whether it is available is read off the reason, so the two
/// cannot disagree; decisions come from [`Policy::decide`] and
/// [`Policy::decide_ids`], or from an [`Unknown`] principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Decision<'q> {
    reason: Reason<'q>,
}

impl<'q> Decision<'q> {
    /// Whether the endpoint is available: exactly when the reason is
    /// [`Reason::Activated`] or [`Reason::ScopesHeld`].
    #[inline]
    pub fn available(&self) -> bool {
        matches!(
            self.reason,
            Reason::Activated { .. } | Reason::ScopesHeld { .. }
        )
    }

    /// Why.
    #[inline]
    pub fn reason(&self) -> Reason<'q> {
        self.reason
    }

    /// The subject of the decision, if the principal resolved.
    pub fn subject(&self) -> Option<Subject> {
        match self.reason {
            Reason::Activated { subject, .. }
            | Reason::NotActivated { subject, .. }
            | Reason::ScopesHeld { subject, .. }
            | Reason::ScopesMissing { subject, .. }
            | Reason::OtherConnector { subject, .. }
            | Reason::UnknownEndpoint { subject, .. } => Some(subject),
            _ => None,
        }
    }

    /// The endpoint of the decision, if it resolved.
    pub fn endpoint(&self) -> Option<EndpointId> {
        match self.reason {
            Reason::Activated { endpoint, .. }
            | Reason::NotActivated { endpoint, .. }
            | Reason::ScopesHeld { endpoint, .. }
            | Reason::ScopesMissing { endpoint, .. }
            | Reason::OtherConnector { endpoint, .. } => Some(endpoint),
            _ => None,
        }
    }
}

/// A principal that did not resolve; says which name is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unknown<'q> {
    /// No declared instance has this name.
    Instance(&'q str),
    /// No connector has this name.
    Connector(&'q str),
    /// The connector has no method of this name.
    Method(ConnectorId, &'q str),
}

impl std::fmt::Display for Unknown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unknown::Instance(name) => write!(f, "unknown instance `{name}`"),
            Unknown::Connector(name) => write!(f, "unknown connector `{name}`"),
            // The connector is an id: `Policy::describe` names it.
            Unknown::Method(_, name) => write!(f, "unknown auth method `{name}`"),
        }
    }
}

/// The decision [`Policy::decide`] gives, for any endpoint, when the
/// principal does not resolve: not available, naming the unknown name.
impl<'q> From<Unknown<'q>> for Decision<'q> {
    fn from(unknown: Unknown<'q>) -> Self {
        Decision {
            reason: unknown.into(),
        }
    }
}

impl<'q> From<Unknown<'q>> for Reason<'q> {
    fn from(unknown: Unknown<'q>) -> Self {
        match unknown {
            Unknown::Instance(name) => Reason::UnknownInstance { name },
            Unknown::Connector(name) => Reason::UnknownConnector { name },
            Unknown::Method(connector, name) => Reason::UnknownMethod { connector, name },
        }
    }
}

fn id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

impl Policy {
    /// Whether no name of the rules needs escaping in a JSON string:
    /// answers then copy names as they are.
    pub(crate) fn names_need_no_escaping(&self) -> bool {
        self.names_plain
    }

    /// `","connector":"C","auth":"M` for `method`, escaped: what an answer
    /// to a runtime request found by these names gives back.
    pub(crate) fn runtime_echo(&self, method: MethodId) -> Option<&str> {
        self.methods.get(method.index()).map(|m| &*m.echo)
    }

    /// Bytes of heap memory the policy holds (capacity, not length).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let connectors: usize = self
            .connectors
            .iter()
            .map(|c| c.name.len() + c.endpoint_index.heap_bytes() + c.method_index.heap_bytes())
            .sum();
        self.files.iter().map(|f| f.len()).sum::<usize>()
            + self.files.capacity() * size_of::<Box<str>>()
            + self.names.heap_bytes()
            + self.connectors.capacity() * size_of::<ConnectorData>()
            + connectors
            + self.connector_by_name.capacity()
                * (size_of::<Box<str>>() + size_of::<ConnectorId>() + 1)
            + self.methods.capacity() * size_of::<MethodData>()
            + self.hot.capacity() * size_of::<MethodHot>()
            + self.instance_methods.capacity() * size_of::<(MethodId, MethodHot)>()
            + self.methods.iter().map(|m| m.name.len()).sum::<usize>()
            + self.endpoint_names.capacity() * size_of::<NameRef>()
            + self.endpoint_bits.heap_bytes()
            + (self.wide_offsets.capacity() + self.wide_methods.capacity()) * size_of::<u32>()
            + self.endpoint_loc.capacity() * size_of::<(u32, u32)>()
            + self.instances.capacity() * size_of::<InstanceData>()
            + self.instance_index.heap_bytes()
            + self.visible.capacity() * size_of::<EndpointId>()
            + self.scoped.capacity() * size_of::<ScopedEntry>()
            + self
                .scoped
                .iter()
                .map(|s| s.scopes.len() * 4)
                .sum::<usize>()
            + self.method_items.capacity() * size_of::<u32>()
            + self.item_starts.capacity() * size_of::<u32>()
            + self.instance_scopes.capacity() * size_of::<ScopeSet>()
            + self
                .methods
                .iter()
                .map(|m| {
                    m.scopes.iter().map(|s| 2 * s.len() + 40).sum::<usize>()
                        + m.written.heap_bytes()
                        + m.runtime.heap_bytes()
                        + m.echo.len()
                        + m.scopes_written
                            .iter()
                            .map(|w| w.heap_bytes() + size_of::<Written>())
                            .sum::<usize>()
                        + m.scope_index.capacity() * 8
                })
                .sum::<usize>()
    }
}
