//! The checked model: every name resolved, every reference an index.
//! Built by [`super::Checker`]; [`crate::policy::Policy`] is compiled from it.
//!
//! The model is compact because a connector may have a million endpoints:
//! an endpoint is its name (in the shared [`Names`] arena), two spans and
//! one bit-set word.

use std::fmt;

use crate::names::{NameIndex, NameRef, Names};
use crate::source::{FileId, Span};

/// The supported auth method types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
pub struct Model {
    /// The names of all endpoints.
    pub names: Names,
    /// Connectors, in declaration order (first declaration of each name).
    pub connectors: Vec<ConnectorDef>,
    /// Per connector: its endpoints' names to their indices.
    pub endpoint_index: Vec<NameIndex>,
    /// Instances whose connector and method resolved.
    pub instances: Vec<InstanceDef>,
    /// How many instance names are declared, resolved or not.
    pub declared_instances: usize,
    /// Flows (first declaration of each name).
    pub flows: Vec<FlowDef>,
    /// Tests whose every name resolved (first declaration of each name).
    pub tests: Vec<TestDef>,
}

/// A connector.
#[derive(Clone, Debug)]
pub struct ConnectorDef {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub span: Span,
    /// Auth methods, in declaration order.
    pub methods: Vec<MethodDef>,
    /// Endpoints, in declaration order.
    pub endpoints: Vec<EndpointDef>,
    /// Methods `0..64` each endpoint activates: one word per endpoint.
    pub bits: Vec<u64>,
    /// Methods `64..` for connectors with more than 64 methods:
    /// [`ConnectorDef::wide_words`] words per endpoint.
    pub wide: Vec<u64>,
    /// Some endpoint's auth list had an error, so what its endpoints
    /// activate is not fully known.
    pub incomplete: bool,
}

impl ConnectorDef {
    /// Words of [`ConnectorDef::wide`] per endpoint.
    pub fn wide_words(&self) -> usize {
        self.methods.len().div_ceil(64).saturating_sub(1)
    }

    /// Whether `endpoint` activates `method` (indices within this connector).
    pub fn activates(&self, endpoint: usize, method: usize) -> bool {
        let word = if method < 64 {
            self.bits.get(endpoint)
        } else {
            self.wide
                .get(endpoint * self.wide_words() + (method / 64 - 1))
        };
        word.is_some_and(|word| word >> (method % 64) & 1 == 1)
    }

    /// Marks `method` as activated by `endpoint`; the bit sets must be
    /// sized for them (see [`ConnectorDef::size_wide_bits`]).
    pub fn activate(&mut self, endpoint: usize, method: usize) {
        let stride = self.wide_words();
        let word = if method < 64 {
            self.bits.get_mut(endpoint)
        } else {
            self.wide.get_mut(endpoint * stride + (method / 64 - 1))
        };
        if let Some(word) = word {
            *word |= 1 << (method % 64);
        }
    }

    /// Sizes the bit sets of methods `64..` once all methods are known.
    pub fn size_wide_bits(&mut self) {
        self.wide = vec![0; self.endpoints.len() * self.wide_words()];
    }

    /// The methods `endpoint` activates, in declaration order.
    pub fn activated(&self, endpoint: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.methods.len()).filter(move |&method| self.activates(endpoint, method))
    }
}

/// An auth method of a connector.
#[derive(Clone, Debug)]
pub struct MethodDef {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub span: Span,
    /// Its type; `None` when the type was unknown (an error was reported).
    pub kind: Option<AuthType>,
}

/// An endpoint of a connector: 24 bytes. Its spans are in its connector's
/// file, so only their offsets are kept.
#[derive(Clone, Copy, Debug)]
pub struct EndpointDef {
    /// Its name, in [`Model::names`].
    pub name: NameRef,
    name_at: (u32, u32),
    /// `(0, 0)` when there is no auth list (a list is never empty text).
    auth_at: (u32, u32),
}

impl EndpointDef {
    /// An endpoint named `name`, written at `span`, without auth list yet.
    pub fn new(name: NameRef, span: Span) -> Self {
        EndpointDef {
            name,
            name_at: (span.start, span.end),
            auth_at: (0, 0),
        }
    }

    /// Records where the auth list is written.
    pub fn set_auth_span(&mut self, span: Span) {
        self.auth_at = (span.start, span.end);
    }

    /// Where its name is written, in `file` (its connector's).
    pub fn span(&self, file: FileId) -> Span {
        Span {
            file,
            start: self.name_at.0,
            end: self.name_at.1,
        }
    }

    /// Where its auth list is written, in `file` (its connector's).
    pub fn auth_span(&self, file: FileId) -> Option<Span> {
        (self.auth_at.1 > 0).then_some(Span {
            file,
            start: self.auth_at.0,
            end: self.auth_at.1,
        })
    }
}

/// A declared instance.
#[derive(Clone, Debug)]
pub struct InstanceDef {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub span: Span,
    /// Index of its connector.
    pub connector: usize,
    /// Index of its method in that connector.
    pub method: usize,
    /// Where the method is written (`auth: METHOD`).
    pub method_span: Span,
}

/// A process flow.
#[derive(Clone, Debug)]
pub struct FlowDef {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub span: Span,
    /// How many connection shapes it has.
    pub connections: usize,
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
    /// The whole expectation.
    pub span: Span,
    /// Who is asking.
    pub who: Who,
    /// What is expected.
    pub expect: Expected,
}

/// Who an expectation is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// A declared instance.
    Instance(String),
    /// A runtime instance: connector and method.
    Runtime(String, String),
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Instance(name) => write!(f, "`{name}`"),
            Who::Runtime(connector, method) => write!(f, "`{connector}/{method}`"),
        }
    }
}

/// What an expectation expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// `can see ENDPOINT`
    CanSee(String),
    /// `cannot see ENDPOINT`
    CannotSee(String),
    /// `sees only [ENDPOINT, ...]`
    SeesOnly(Vec<String>),
}
