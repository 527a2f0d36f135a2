//! The checked model: every name resolved, every reference an index.
//! Built by [`super::check`]; [`crate::policy::Policy`] is compiled from it.

use std::fmt;

use crate::source::Span;

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
    /// Connectors, in declaration order (first declaration of each name).
    pub connectors: Vec<ConnectorDef>,
    /// Instances whose connector and method resolved.
    pub instances: Vec<InstanceDef>,
    /// How many instance names are declared, resolved or not.
    pub declared_instances: usize,
    /// Flows.
    pub flows: Vec<FlowDef>,
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
    /// Some endpoint's auth list had an error, so what its endpoints
    /// activate is not fully known.
    pub incomplete: bool,
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

/// An endpoint of a connector.
#[derive(Clone, Debug)]
pub struct EndpointDef {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub span: Span,
    /// Indices into the connector's methods, without repetition.
    pub activated: Vec<usize>,
    /// Where the auth list is written, if it is.
    pub auth_span: Option<Span>,
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
