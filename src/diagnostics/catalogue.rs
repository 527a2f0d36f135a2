//! The catalogue of diagnostic codes: for each [`Code`], its name, its
//! severity, its summary and its generic help, and the [`Problem`] that
//! carries it.
//!
//! Kept apart from the [`Diagnostic`](super::Diagnostic) type because it
//! changes for a different reason: a new check adds a code here, while the
//! diagnostic type changes only with how findings are rendered.

use std::fmt;

use serde::Serialize;
use thiserror::Error;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The rule set does not compile.
    Error,
    /// Suspicious, but decisions are not affected.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// The stable code of a diagnostic, rendered as `authgate::<name>`.
///
/// Releases may add codes, so a `match` on it outside authgate needs a
/// wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Code {
    /// The file does not parse.
    Syntax,
    /// The file is not UTF-8 text.
    Encoding,
    /// `auth x: oauth3`: not a supported auth type.
    UnknownType,
    /// A method that the connector does not define.
    UnknownMethod,
    /// `instance i of nope`: no such connector.
    UnknownConnector,
    /// A flow connection names no declared instance.
    UnknownInstance,
    /// A flow connection names an endpoint the connector does not have.
    UnknownEndpoint,
    /// An option key the item does not know.
    UnknownOption,
    /// An option whose value has the wrong shape (a name for a list, say).
    OptionValue,
    /// An endpoint or instance without `auth`.
    MissingOption,
    /// A name declared twice, or an option key given twice.
    Duplicate,
    /// A connector without auth methods.
    NoMethods,
    /// A flow connection picks an endpoint its instance may not use.
    UnactivatedMethod,
    /// A method that no endpoint activates.
    NeverActivated,
    /// An endpoint with `auth: []`.
    NeverAvailable,
    /// A declared instance that sees no endpoint.
    BlindInstance,
    /// A method listed twice in one auth list.
    RepeatedMethod,
    /// A connector without endpoints.
    NoEndpoints,
    /// An expectation of a `test` block does not hold (`authgate test`).
    TestFailed,
}

impl Code {
    /// Every code, in catalogue order. A slice, not an array, so that a new
    /// code does not change its type.
    pub const ALL: &'static [Code] = &[
        Code::Syntax,
        Code::Encoding,
        Code::UnknownType,
        Code::UnknownMethod,
        Code::UnknownConnector,
        Code::UnknownInstance,
        Code::UnknownEndpoint,
        Code::UnknownOption,
        Code::OptionValue,
        Code::MissingOption,
        Code::Duplicate,
        Code::NoMethods,
        Code::UnactivatedMethod,
        Code::NeverActivated,
        Code::NeverAvailable,
        Code::BlindInstance,
        Code::RepeatedMethod,
        Code::NoEndpoints,
        Code::TestFailed,
    ];

    /// The short name, as in `authgate::<name>`.
    pub fn name(self) -> &'static str {
        match self {
            Code::Syntax => "syntax",
            Code::Encoding => "encoding",
            Code::UnknownType => "unknown_type",
            Code::UnknownMethod => "unknown_method",
            Code::UnknownConnector => "unknown_connector",
            Code::UnknownInstance => "unknown_instance",
            Code::UnknownEndpoint => "unknown_endpoint",
            Code::UnknownOption => "unknown_option",
            Code::OptionValue => "option_value",
            Code::MissingOption => "missing_option",
            Code::Duplicate => "duplicate",
            Code::NoMethods => "no_methods",
            Code::UnactivatedMethod => "unactivated_method",
            Code::NeverActivated => "never_activated",
            Code::NeverAvailable => "never_available",
            Code::BlindInstance => "blind_instance",
            Code::RepeatedMethod => "repeated_method",
            Code::NoEndpoints => "no_endpoints",
            Code::TestFailed => "test_failed",
        }
    }

    /// The severity every diagnostic with this code has.
    pub fn severity(self) -> Severity {
        match self {
            Code::NeverActivated
            | Code::NeverAvailable
            | Code::BlindInstance
            | Code::RepeatedMethod
            | Code::NoEndpoints => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "authgate::{}", self.name())
    }
}

/// What a diagnostic is about: its code and the one-line message.
///
/// Each variant documents an input that triggers it.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Problem {
    /// `connector shop { auth basic basic }`: the file does not parse. The
    /// message says what was expected, in words.
    #[error("{message}")]
    Syntax {
        /// For example ``expected `:`, found `basic` ``.
        message: String,
    },
    /// A file with bytes that are not UTF-8.
    #[error("file is not valid UTF-8")]
    Encoding,
    /// `auth x: oauth3`
    #[error("unknown auth type `{name}`")]
    UnknownType {
        /// The type as written.
        name: String,
    },
    /// `endpoint orders < auth: [basci] >`, or `instance i of shop < auth: basci >`
    #[error("unknown auth method `{name}` in connector `{connector}`")]
    UnknownMethod {
        /// The method as written.
        name: String,
        /// The connector that was searched.
        connector: String,
    },
    /// `instance i of shpo < auth: basic >`
    #[error("unknown connector `{name}`")]
    UnknownConnector {
        /// The connector as written.
        name: String,
    },
    /// `connection nope -> orders`
    #[error("unknown instance `{name}`")]
    UnknownInstance {
        /// The instance as written.
        name: String,
    },
    /// `connection "instance 1" -> ordres`
    #[error("unknown endpoint `{name}` in connector `{connector}`")]
    UnknownEndpoint {
        /// The endpoint as written.
        name: String,
        /// The connector of the connection's instance.
        connector: String,
    },
    /// `endpoint orders < auht: [basic] >`
    #[error("unknown option `{key}` for {item}")]
    UnknownOption {
        /// The key as written.
        key: String,
        /// The kind of item, e.g. `an endpoint`.
        item: &'static str,
    },
    /// `endpoint orders < auth: basic >` (a name where a list is expected)
    #[error("option `{key}` of {item} takes {expected}")]
    OptionValue {
        /// The option key.
        key: String,
        /// The kind of item, e.g. `an endpoint`.
        item: &'static str,
        /// What the value must be, e.g. `a list of auth methods`.
        expected: &'static str,
    },
    /// `endpoint orders` with no `< auth: [...] >`
    #[error("{item} `{name}` has no `{key}` option")]
    MissingOption {
        /// The kind of item, e.g. `endpoint`.
        item: &'static str,
        /// The item's name.
        name: String,
        /// The missing key.
        key: &'static str,
    },
    /// Two connectors called `shop`, or `< auth: [a], auth: [b] >`.
    #[error("{what} `{name}` is declared twice")]
    Duplicate {
        /// What kind of name, e.g. `connector` or `option`.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// `connector shop { endpoint orders < auth: [] > }`
    #[error("connector `{name}` has no auth method")]
    NoMethods {
        /// The connector.
        name: String,
    },
    /// `connection "instance 2" -> orders` where `orders` does not activate
    /// the method of `instance 2`.
    #[error("endpoint `{endpoint}` is not available to instance `{instance}`")]
    UnactivatedMethod {
        /// The connection's instance.
        instance: String,
        /// The connection's endpoint.
        endpoint: String,
    },
    /// `auth legacy: basic` that no endpoint lists.
    #[error("auth method `{method}` of connector `{connector}` is never activated")]
    NeverActivated {
        /// The method.
        method: String,
        /// Its connector.
        connector: String,
    },
    /// `endpoint orders < auth: [] >`
    #[error("endpoint `{endpoint}` of connector `{connector}` activates no auth method")]
    NeverAvailable {
        /// The endpoint.
        endpoint: String,
        /// Its connector.
        connector: String,
    },
    /// An instance whose method no endpoint activates.
    #[error("instance `{instance}` sees no endpoint")]
    BlindInstance {
        /// The instance.
        instance: String,
    },
    /// `endpoint orders < auth: [basic, basic] >`
    #[error("auth method `{method}` is listed twice")]
    RepeatedMethod {
        /// The method.
        method: String,
    },
    /// `connector shop { auth basic: basic }`
    #[error("connector `{name}` has no endpoint")]
    NoEndpoints {
        /// The connector.
        name: String,
    },
    /// `expect "instance 2" can see orders` when it can't (reported by
    /// `authgate test`, not by checking).
    #[error("test `{test}` failed: expected {expectation}")]
    TestFailed {
        /// The test's name.
        test: String,
        /// The expectation, e.g. ``"`instance 2` can see `orders`"``.
        expectation: String,
    },
}

impl Problem {
    /// The stable code of this problem.
    pub fn code(&self) -> Code {
        match self {
            Problem::Syntax { .. } => Code::Syntax,
            Problem::Encoding => Code::Encoding,
            Problem::UnknownType { .. } => Code::UnknownType,
            Problem::UnknownMethod { .. } => Code::UnknownMethod,
            Problem::UnknownConnector { .. } => Code::UnknownConnector,
            Problem::UnknownInstance { .. } => Code::UnknownInstance,
            Problem::UnknownEndpoint { .. } => Code::UnknownEndpoint,
            Problem::UnknownOption { .. } => Code::UnknownOption,
            Problem::OptionValue { .. } => Code::OptionValue,
            Problem::MissingOption { .. } => Code::MissingOption,
            Problem::Duplicate { .. } => Code::Duplicate,
            Problem::NoMethods { .. } => Code::NoMethods,
            Problem::UnactivatedMethod { .. } => Code::UnactivatedMethod,
            Problem::NeverActivated { .. } => Code::NeverActivated,
            Problem::NeverAvailable { .. } => Code::NeverAvailable,
            Problem::BlindInstance { .. } => Code::BlindInstance,
            Problem::RepeatedMethod { .. } => Code::RepeatedMethod,
            Problem::NoEndpoints { .. } => Code::NoEndpoints,
            Problem::TestFailed { .. } => Code::TestFailed,
        }
    }
}

impl Code {
    /// When the diagnostic is reported, in one sentence (the catalogue's
    /// words; SARIF rules carry it).
    pub fn summary(self) -> &'static str {
        match self {
            Code::Syntax => "The file does not parse.",
            Code::Encoding => "The file is not UTF-8 text.",
            Code::UnknownType => "An auth method has a type that is not supported.",
            Code::UnknownMethod => {
                "An endpoint's auth list, or an instance, names a method its connector does not define."
            }
            Code::UnknownConnector => "An instance names a connector that is not declared.",
            Code::UnknownInstance => "A flow connection names an instance that is not declared.",
            Code::UnknownEndpoint => {
                "A flow connection names an endpoint that the instance's connector does not have."
            }
            Code::UnknownOption => "An options block has a key its item does not know.",
            Code::OptionValue => {
                "An option's value has the wrong shape (a name for a list, or a list for a name)."
            }
            Code::MissingOption => "An endpoint or instance has no `auth` option.",
            Code::Duplicate => {
                "A name is declared twice in its namespace, or an option key is given twice."
            }
            Code::NoMethods => "A connector defines no auth method, so it can't be used.",
            Code::UnactivatedMethod => {
                "A flow connection picks an endpoint that is not available to its instance."
            }
            Code::NeverActivated => {
                "No endpoint activates this auth method: instances using it see nothing."
            }
            Code::NeverAvailable => "An endpoint activates no auth method: no instance can see it.",
            Code::BlindInstance => "A declared instance sees no endpoint.",
            Code::RepeatedMethod => "An auth list names the same method twice.",
            Code::NoEndpoints => "A connector has no endpoint.",
            Code::TestFailed => "An expectation of a test in the rules does not hold.",
        }
    }

    /// How to fix diagnostics of this code, in general (each diagnostic's
    /// own help is more specific).
    pub fn help(self) -> &'static str {
        match self {
            Code::Syntax => "Fix the file at the place shown; the message says what was expected.",
            Code::Encoding => "Save the file as UTF-8.",
            Code::UnknownType => {
                "Use one of none, basic, token, oauth1, oauth2_client_credentials, oauth2_authorization_code."
            }
            Code::UnknownMethod => {
                "Declare the method in the connector with `auth NAME: TYPE`, or fix its spelling."
            }
            Code::UnknownConnector => "Declare the connector, or fix the name.",
            Code::UnknownInstance => "Declare the instance, or fix the name.",
            Code::UnknownEndpoint => {
                "Use an endpoint of the instance's connector, or fix the name."
            }
            Code::UnknownOption => {
                "Remove the key or fix its spelling; endpoints and instances know `auth`."
            }
            Code::OptionValue => {
                "Endpoints take `auth: [METHOD, ...]`; instances take `auth: METHOD`."
            }
            Code::MissingOption => {
                "Add `< auth: [...] >` to an endpoint, `< auth: METHOD >` to an instance."
            }
            Code::Duplicate => "Rename or remove one of the two.",
            Code::NoMethods => "Add an auth method, e.g. `auth basic: basic`.",
            Code::UnactivatedMethod => {
                "Activate the instance's method for the endpoint, or use an instance with an activated method."
            }
            Code::NeverActivated => {
                "Activate the method on the endpoints it may call, or remove it."
            }
            Code::NeverAvailable => "List the auth methods that may call the endpoint.",
            Code::BlindInstance => {
                "Activate its method on some endpoint, or configure it with another method."
            }
            Code::RepeatedMethod => "Remove the repetition.",
            Code::NoEndpoints => "Add endpoints, or remove the connector.",
            Code::TestFailed => "Change the rules, or the expectation if the rules are right.",
        }
    }
}
