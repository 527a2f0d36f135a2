//! The checked model: every name resolved, every reference an index.
//! Built by the checker; [`crate::policy::Policy`] is compiled from it. Only
//! the tests written in rule files ([`TestDef`]) and [`AuthType`] are
//! public: the rest is the checker's and the compiler's business, and its
//! invariants (bit sets sized per connector, indices in range) are kept by
//! the methods here.
//!
//! The model is compact because a connector may have a million endpoints:
//! an endpoint is its name (in the shared [`Names`] arena), two spans and
//! one bit-set word.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use foldhash::fast::FixedState;

use crate::source::{FileId, Span};
use crate::text::names::{NameIndex, NameRef, Names};

/// The supported auth method types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthType {
    /// A public API, no credentials.
    None,
    /// HTTP basic authentication.
    Basic,
    /// A static token or API key.
    Token,
    /// OAuth 1.0a.
    OAuth1,
    /// OAuth 2 client-credentials grant.
    OAuth2ClientCredentials,
    /// OAuth 2 authorization-code grant.
    OAuth2AuthorizationCode,
}

impl AuthType {
    /// Every type, in the order the documentation lists them.
    pub const ALL: [AuthType; 6] = [
        AuthType::None,
        AuthType::Basic,
        AuthType::Token,
        AuthType::OAuth1,
        AuthType::OAuth2ClientCredentials,
        AuthType::OAuth2AuthorizationCode,
    ];

    /// The type as written in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthType::None => "none",
            AuthType::Basic => "basic",
            AuthType::Token => "token",
            AuthType::OAuth1 => "oauth1",
            AuthType::OAuth2ClientCredentials => "oauth2_client_credentials",
            AuthType::OAuth2AuthorizationCode => "oauth2_authorization_code",
        }
    }

    /// Parses the spelling used in rule files.
    pub fn from_name(name: &str) -> Option<AuthType> {
        AuthType::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for AuthType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a rule set declares, with references resolved.
#[derive(Clone, Debug, Default)]
pub(crate) struct Model {
    /// The names of all endpoints.
    pub(crate) names: Names,
    /// Connectors, in declaration order (first declaration of each name).
    pub(crate) connectors: Vec<ConnectorDef>,
    /// Connector names to indices into `connectors`.
    connector_index: HashMap<String, usize, FixedState>,
    /// Instances whose connector and method resolved.
    pub(crate) instances: Vec<InstanceDef>,
    /// How many instance names are declared, resolved or not.
    pub(crate) declared_instances: usize,
    /// How many flows are declared (each name once).
    pub(crate) flows: usize,
    /// Tests whose every name resolved (first declaration of each name).
    pub(crate) tests: Vec<TestDef>,
}

impl Model {
    /// The index of the connector called `name`.
    pub(crate) fn connector(&self, name: &str) -> Option<usize> {
        self.connector_index.get(name).copied()
    }

    /// Adds a closed connector, unless its name is taken: then returns the
    /// index of the connector that has it.
    pub(crate) fn add_connector(&mut self, def: ConnectorDef) -> Result<(), usize> {
        match self.connector_index.entry(def.name.clone()) {
            Entry::Occupied(first) => Err(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(self.connectors.len());
                self.connectors.push(def);
                Ok(())
            }
        }
    }

    /// Forgets the connectors from index `len` on.
    pub(crate) fn truncate_connectors(&mut self, len: usize) {
        self.connectors.truncate(len);
        self.connector_index.retain(|_, index| *index < len);
    }

    /// The index of `connector`'s endpoint called `name`.
    pub(crate) fn endpoint(&self, connector: &ConnectorDef, name: &str) -> Option<usize> {
        connector.endpoint(&self.names, name)
    }

    /// The name of an endpoint.
    pub(crate) fn endpoint_name(&self, endpoint: &EndpointDef) -> &str {
        self.names.get(endpoint.name)
    }
}

/// A connector.
#[derive(Clone, Debug)]
pub(crate) struct ConnectorDef {
    /// Its name.
    pub(crate) name: String,
    /// Where its name is written.
    pub(crate) span: Span,
    /// Auth methods, in declaration order.
    pub(crate) methods: Vec<MethodDef>,
    /// Each method's name packed into a word (see `names::pack`), for
    /// look-ups without hashing in the usual connector of a few methods.
    packed: Vec<u64>,
    /// Method names to their indices.
    pub(crate) method_index: NameIndex,
    /// Endpoints, in declaration order.
    pub(crate) endpoints: Vec<EndpointDef>,
    /// Endpoint names (in [`Model::names`]) to their indices.
    pub(crate) endpoint_index: NameIndex,
    /// Methods `0..64` each endpoint activates: one word per endpoint.
    bits: Vec<u64>,
    /// Activations of methods `64..` as they arrive: (endpoint, method).
    /// A wide connector activates few of its many methods per endpoint,
    /// so a bit set per endpoint would grow as endpoints x methods.
    wide_pairs: Vec<(u32, u32)>,
    /// Once the connector is closed ([`ConnectorDef::finish_activations`]):
    /// endpoint `e`'s methods `64..` are `wide_methods[wide_offsets[e]..
    /// wide_offsets[e + 1]]`, ascending. Empty when no endpoint activates
    /// a method beyond the 64th.
    wide_offsets: Vec<u32>,
    wide_methods: Vec<u32>,
    /// Which methods some endpoint activates, one bit each.
    used: Vec<u64>,
    /// Some endpoint's auth list had an error, so what its endpoints
    /// activate is not fully known.
    pub(crate) incomplete: bool,
    /// The items that need scopes, ordered by endpoint then method once
    /// the connector is closed.
    pub(crate) scoped: Vec<ScopedItem>,
    /// `used` counting only items without scopes; kept only when the
    /// connector has items with scopes.
    plainly_used: Vec<u64>,
}

/// Connectors with at most this many methods find a method by comparing
/// packed names rather than hashing.
const SHORT_LIST: usize = 16;

impl ConnectorDef {
    /// A connector called `name`, with no member yet.
    pub(crate) fn new(name: String, span: Span) -> Self {
        ConnectorDef {
            name,
            span,
            methods: Vec::new(),
            packed: Vec::new(),
            method_index: NameIndex::default(),
            endpoints: Vec::new(),
            endpoint_index: NameIndex::default(),
            bits: Vec::new(),
            wide_pairs: Vec::new(),
            wide_offsets: Vec::new(),
            wide_methods: Vec::new(),
            used: Vec::new(),
            incomplete: false,
            scoped: Vec::new(),
            plainly_used: Vec::new(),
        }
    }

    /// The index of the method called `name`. Connectors have a handful of
    /// methods, where comparing beats hashing; many use the index.
    #[inline]
    pub(crate) fn method(&self, name: &str) -> Option<usize> {
        let packed = crate::text::names::pack(name.as_bytes());
        if packed != crate::text::names::LONG && self.methods.len() <= SHORT_LIST {
            self.packed.iter().position(|&other| other == packed)
        } else {
            let methods = &self.methods;
            self.method_index
                .find(name, |id| {
                    methods
                        .get(id as usize)
                        .map_or(&[][..], |m| m.name.as_bytes())
                })
                .map(|id| id as usize)
        }
    }

    /// Adds a method, unless its name is taken: then returns the index of
    /// the method that has it.
    pub(crate) fn add_method(&mut self, method: MethodDef) -> Result<(), usize> {
        let id = u32::try_from(self.methods.len()).unwrap_or(u32::MAX);
        let methods = &self.methods;
        self.method_index
            .insert(id, &method.name, |id| {
                methods
                    .get(id as usize)
                    .map_or(&[][..], |m| m.name.as_bytes())
            })
            .map_err(|first| first as usize)?;
        self.packed
            .push(crate::text::names::pack(method.name.as_bytes()));
        self.methods.push(method);
        Ok(())
    }

    /// The index of the endpoint called `name`; `names` is the arena of
    /// the endpoints' names.
    pub(crate) fn endpoint(&self, names: &Names, name: &str) -> Option<usize> {
        self.endpoint_index
            .find(name, endpoint_name(names, &self.endpoints))
            .map(|id| id as usize)
    }

    /// Adds an endpoint called `name` (activating nothing yet), unless its
    /// name is taken: then returns the index of the endpoint that has it.
    pub(crate) fn add_endpoint(
        &mut self,
        names: &mut Names,
        name: &str,
        span: Span,
    ) -> Result<usize, usize> {
        let id = self.endpoints.len();
        // One look-up both finds a duplicate and adds the name: the new
        // id's name is never read by `insert` (only existing ids are).
        self.endpoint_index
            .insert(
                u32::try_from(id).unwrap_or(u32::MAX),
                name,
                endpoint_name(names, &self.endpoints),
            )
            .map_err(|first| first as usize)?;
        let name = names.push(name);
        self.endpoints.push(EndpointDef::new(name, span));
        self.bits.push(0);
        Ok(id)
    }

    /// Frees unused capacity, once the connector is closed.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.endpoint_index.shrink_to_fit();
        self.endpoints.shrink_to_fit();
        self.bits.shrink_to_fit();
    }

    /// Methods `0..64` each endpoint activates: one word per endpoint.
    pub(crate) fn bits(&self) -> &[u64] {
        &self.bits
    }

    /// Whether some endpoint activates a method beyond the 64th (once the
    /// connector is closed).
    pub(crate) fn has_wide(&self) -> bool {
        !self.wide_methods.is_empty()
    }

    /// The methods `64..` that `endpoint` activates, ascending (once the
    /// connector is closed).
    pub(crate) fn wide(&self, endpoint: usize) -> &[u32] {
        let start = self.wide_offsets.get(endpoint).copied().unwrap_or(0) as usize;
        let end = self.wide_offsets.get(endpoint + 1).copied().unwrap_or(0) as usize;
        self.wide_methods.get(start..end).unwrap_or_default()
    }

    /// Whether `endpoint` activates `method` (indices within this connector).
    pub(crate) fn activates(&self, endpoint: usize, method: usize) -> bool {
        if method < 64 {
            self.bits
                .get(endpoint)
                .is_some_and(|word| word >> method & 1 == 1)
        } else {
            self.wide(endpoint).binary_search(&id(method)).is_ok()
        }
    }

    /// Marks `method` as activated by `endpoint`. Activations of methods
    /// `64..` are read only once the connector is closed.
    pub(crate) fn activate(&mut self, endpoint: usize, method: usize) {
        if method < 64 {
            if let Some(word) = self.bits.get_mut(endpoint) {
                *word |= 1 << method;
            }
        } else {
            self.wide_pairs.push((id(endpoint), id(method)));
        }
    }

    /// Puts the activations of methods `64..` in their final order and
    /// notes which methods are used: once, when the connector closes.
    /// Costs the number of activations (and their sorting), not endpoints
    /// x methods.
    pub(crate) fn finish_activations(&mut self) {
        let mut pairs = std::mem::take(&mut self.wide_pairs);
        pairs.sort_unstable();
        pairs.dedup();
        self.used = vec![0; self.methods.len().div_ceil(64)];
        self.scoped.sort_unstable();
        self.scoped.dedup();
        let narrow = self.bits.iter().fold(0u64, |all, word| all | word);
        if let Some(word) = self.used.first_mut() {
            *word |= narrow;
        }
        if !pairs.is_empty() {
            self.wide_offsets = Vec::with_capacity(self.endpoints.len() + 1);
            self.wide_methods = Vec::with_capacity(pairs.len());
            let mut next = pairs.iter().peekable();
            for endpoint in 0..=self.endpoints.len() {
                self.wide_offsets.push(id(self.wide_methods.len()));
                while let Some(&(_, method)) = next.next_if(|(e, _)| *e as usize == endpoint) {
                    self.wide_methods.push(method);
                    if let Some(word) = self.used.get_mut(method as usize / 64) {
                        *word |= 1 << (method % 64);
                    }
                }
            }
        }
        if !self.scoped.is_empty() {
            self.plainly_used = self.used.clone();
            for item in &self.scoped {
                if let Some(word) = self.used.get_mut(item.method as usize / 64) {
                    *word |= 1 << (item.method % 64);
                }
            }
        }
    }

    /// Whether some endpoint lists `method` without scopes (once the
    /// connector is closed).
    pub(crate) fn is_plainly_used(&self, method: usize) -> bool {
        let used = if self.scoped.is_empty() {
            &self.used
        } else {
            &self.plainly_used
        };
        used.get(method / 64)
            .is_some_and(|word| word >> (method % 64) & 1 == 1)
    }

    /// The items of `endpoint` that need scopes of `method` (connector
    /// closed).
    pub(crate) fn scoped_items(&self, endpoint: usize, method: usize) -> &[ScopedItem] {
        let key = (id(endpoint), id(method));
        let start = self
            .scoped
            .partition_point(|item| (item.endpoint, item.method) < key);
        let end = self
            .scoped
            .partition_point(|item| (item.endpoint, item.method) <= key);
        self.scoped.get(start..end).unwrap_or_default()
    }

    /// Whether some endpoint activates `method`, with or without scopes
    /// (once the connector is closed).
    pub(crate) fn is_used(&self, method: usize) -> bool {
        self.used
            .get(method / 64)
            .is_some_and(|word| word >> (method % 64) & 1 == 1)
    }

    /// The methods `endpoint` activates, in declaration order (once the
    /// connector is closed): the length of the answer, not the number of
    /// methods.
    pub(crate) fn activated(&self, endpoint: usize) -> impl Iterator<Item = usize> + '_ {
        let mut narrow = self.bits.get(endpoint).copied().unwrap_or(0);
        let narrow = std::iter::from_fn(move || {
            (narrow != 0).then(|| {
                let method = narrow.trailing_zeros() as usize;
                narrow &= narrow - 1;
                method
            })
        });
        narrow.chain(self.wide(endpoint).iter().map(|&method| method as usize))
    }
}

/// An index as a `u32` (indices of names in files of at most 4 GiB fit).
fn id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// Whether ascending `needed` is a subset of ascending `held`: one merge
/// walk, linear in both.
pub(crate) fn is_subset(needed: &[u32], held: &[u32]) -> bool {
    let mut held = held.iter().peekable();
    needed.iter().all(|scope| {
        while held.next_if(|h| *h < scope).is_some() {}
        held.next_if_eq(&scope).is_some()
    })
}

/// The name of an endpoint by id, for [`NameIndex`].
fn endpoint_name<'m>(names: &'m Names, endpoints: &'m [EndpointDef]) -> impl Fn(u32) -> &'m [u8] {
    move |id| {
        endpoints
            .get(id as usize)
            .map_or(&[][..], |endpoint| names.bytes(endpoint.name))
    }
}

/// An auth method of a connector.
#[derive(Clone, Debug)]
pub(crate) struct MethodDef {
    /// Its name.
    pub(crate) name: String,
    /// Where its name is written.
    pub(crate) span: Span,
    /// Its type; `None` when the type was unknown (an error was reported).
    pub(crate) kind: Option<AuthType>,
    /// The scopes it declares, in declaration order (each once); a scope's
    /// id is its index here.
    pub(crate) scopes: Vec<String>,
    /// Scope names to ids.
    pub(crate) scope_index: HashMap<String, u32, FixedState>,
}

impl MethodDef {
    /// The id of the scope called `name`.
    pub(crate) fn scope(&self, name: &str) -> Option<u32> {
        self.scope_index.get(name).copied()
    }
}

/// An auth-list item that needs scopes: `METHOD(SCOPE, ...)` on an
/// endpoint. Items without scopes are the connector's bit sets.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ScopedItem {
    /// The endpoint's index in its connector.
    pub(crate) endpoint: u32,
    /// The method's index in its connector.
    pub(crate) method: u32,
    /// The scope ids it needs, ascending, each once.
    pub(crate) scopes: Box<[u32]>,
    /// Where it is written, `METHOD(...)`, as offsets in its connector's
    /// file.
    pub(crate) at: (u32, u32),
}

/// An endpoint of a connector: 24 bytes. Its spans are in its connector's
/// file, so only their offsets are kept.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EndpointDef {
    /// Its name, in [`Model::names`].
    pub(crate) name: NameRef,
    name_at: (u32, u32),
    /// `(0, 0)` when there is no auth list (a list is never empty text).
    auth_at: (u32, u32),
}

impl EndpointDef {
    /// An endpoint named `name`, written at `span`, without auth list yet.
    pub(crate) fn new(name: NameRef, span: Span) -> Self {
        EndpointDef {
            name,
            name_at: (span.start, span.end),
            auth_at: (0, 0),
        }
    }

    /// Records where the auth list is written.
    pub(crate) fn set_auth_span(&mut self, span: Span) {
        self.auth_at = (span.start, span.end);
    }

    /// Where its name is written, in `file` (its connector's).
    pub(crate) fn span(&self, file: FileId) -> Span {
        Span {
            file,
            start: self.name_at.0,
            end: self.name_at.1,
        }
    }

    /// Where its auth list is written, in `file` (its connector's).
    pub(crate) fn auth_span(&self, file: FileId) -> Option<Span> {
        (self.auth_at.1 > 0).then_some(Span {
            file,
            start: self.auth_at.0,
            end: self.auth_at.1,
        })
    }
}

/// A declared instance.
#[derive(Clone, Debug)]
pub(crate) struct InstanceDef {
    /// Its name.
    pub(crate) name: String,
    /// Where its name is written.
    pub(crate) span: Span,
    /// Index of its connector.
    pub(crate) connector: usize,
    /// Index of its method in that connector.
    pub(crate) method: usize,
    /// Where the method is written (`auth: METHOD`).
    pub(crate) method_span: Span,
    /// The scope ids it holds, ascending, each once.
    pub(crate) scopes: Vec<u32>,
    /// Where its `scopes` list is written, if it is.
    pub(crate) scopes_span: Option<Span>,
}

/// A test of the rules (`test NAME { expect ... }`), its names checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestDef {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub span: Span,
    /// Its expectations, in source order.
    pub expectations: Vec<ExpectationDef>,
}

/// One `expect ...` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectationDef {
    /// Where the expectation is written, for labels: all of it, but for
    /// `sees only` the words before the list (`expect i sees only`).
    pub span: Span,
    /// Who is asking.
    pub who: Who,
    /// What is expected.
    pub expect: Expected,
}

/// Who an expectation is about.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Who {
    /// A declared instance.
    Instance(String),
    /// A runtime instance: connector and method.
    Runtime(String, String),
    /// A runtime instance holding scopes: connector, method, scopes.
    RuntimeScoped(String, String, Vec<String>),
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Instance(name) => write!(f, "`{name}`"),
            Who::Runtime(connector, method) => write!(f, "`{connector}/{method}`"),
            Who::RuntimeScoped(connector, method, scopes) => {
                let scopes: Vec<String> = scopes.iter().map(|s| format!("{s:?}")).collect();
                write!(f, "`{connector}/{method}({})`", scopes.join(", "))
            }
        }
    }
}

/// What an expectation expects.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expected {
    /// `can see ENDPOINT`
    CanSee(String),
    /// `cannot see ENDPOINT`
    CannotSee(String),
    /// `sees only [ENDPOINT, ...]`
    SeesOnly(Vec<String>),
}
