//! The catalogue of diagnostic codes, as one table.
//!
//! Each code is one entry below: the [`Problem`] variant with its message
//! and fields, and for its [`Code`] the `authgate::<name>`, the severity, a
//! one-sentence summary and generic help (SARIF rules carry those two). One
//! macro generates both enums and every look-up from the table, so a new
//! code is one entry, and the parts of a code can't drift apart the way
//! separate hand-kept `match`es did. No entry may leave anything out: in
//! particular there is no default severity, so a new warning can't
//! silently become an error.
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

/// Generates [`Code`], [`Problem`] and the look-ups between them from the
/// table below. Each entry is a `Problem` variant as it would be written in
/// the enum (docs, `#[error]` message, fields), then `=>` and the code's
/// `name`, `severity`, `summary` and `help`, all four required, in that
/// order. The `Code` variant has the same name and the summary as its docs.
macro_rules! catalogue {
    ($(
        $(#[$attr:meta])*
        $variant:ident $({ $($(#[$field_attr:meta])* $field:ident: $type:ty),* $(,)? })?
        => {
            name: $name:literal,
            severity: $severity:ident,
            summary: $summary:literal,
            help: $help:literal $(,)?
        }
    )*) => {
        /// The stable code of a diagnostic, rendered as `authgate::<name>`.
        ///
        /// Releases may add codes, so a `match` on it outside authgate needs
        /// a wildcard arm.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in catalogue order. A slice, not an array, so
            /// that a new code does not change its type.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The short name, as in `authgate::<name>`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The severity every diagnostic with this code has.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// When the diagnostic is reported, in one sentence (the
            /// catalogue's words; SARIF rules carry it).
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }

            /// How to fix diagnostics of this code, in general (each
            /// diagnostic's own help is more specific).
            pub fn help(self) -> &'static str {
                match self {
                    $(Code::$variant => $help,)*
                }
            }
        }

        /// What a diagnostic is about: its code and the one-line message.
        ///
        /// Each variant documents an input that triggers it.
        #[derive(Clone, Debug, PartialEq, Eq, Error)]
        #[non_exhaustive]
        pub enum Problem {
            $(
                $(#[$attr])*
                $variant $({ $($(#[$field_attr])* $field: $type),* })?,
            )*
        }

        impl Problem {
            /// The stable code of this problem.
            pub fn code(&self) -> Code {
                match self {
                    $(Problem::$variant $({ $($field: _),* })? => Code::$variant,)*
                }
            }
        }
    };
}

/// "twice", "3 times": how many times a name is declared.
fn times(count: usize) -> String {
    if count == 2 {
        "twice".to_owned()
    } else {
        format!("{count} times")
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "authgate::{}", self.name())
    }
}

catalogue! {
    /// `connector shop { auth basic basic }`: the file does not parse. The
    /// message says what was expected, in words.
    #[error("{message}")]
    Syntax {
        /// For example ``expected `:`, found `basic` ``.
        message: String,
    } => {
        name: "syntax",
        severity: Error,
        summary: "The file does not parse.",
        help: "Fix the file at the place shown; the message says what was expected.",
    }

    /// A file with bytes that are not UTF-8.
    #[error("file is not valid UTF-8")]
    Encoding => {
        name: "encoding",
        severity: Error,
        summary: "The file is not UTF-8 text.",
        help: "Save the file as UTF-8.",
    }

    /// `auth x: oauth3`
    #[error("unknown auth type `{name}`")]
    UnknownType {
        /// The type as written.
        name: String,
    } => {
        name: "unknown_type",
        severity: Error,
        summary: "An auth method has a type that is not supported.",
        help: "Use one of none, basic, token, oauth1, oauth2_client_credentials, oauth2_authorization_code.",
    }

    /// `endpoint orders < auth: [basci] >`, or `instance i of shop < auth: basci >`
    #[error("unknown auth method `{name}` in connector `{connector}`")]
    UnknownMethod {
        /// The method as written.
        name: String,
        /// The connector that was searched.
        connector: String,
    } => {
        name: "unknown_method",
        severity: Error,
        summary: "An endpoint's auth list, or an instance, names a method its connector does not define.",
        help: "Declare the method in the connector with `auth NAME: TYPE`, or fix its spelling.",
    }

    /// `instance i of shpo < auth: basic >`
    #[error("unknown connector `{name}`")]
    UnknownConnector {
        /// The connector as written.
        name: String,
    } => {
        name: "unknown_connector",
        severity: Error,
        summary: "An instance names a connector that is not declared.",
        help: "Declare the connector, or fix the name.",
    }

    /// `connection nope -> orders`
    #[error("unknown instance `{name}`")]
    UnknownInstance {
        /// The instance as written.
        name: String,
    } => {
        name: "unknown_instance",
        severity: Error,
        summary: "A flow connection names an instance that is not declared.",
        help: "Declare the instance, or fix the name.",
    }

    /// `connection "instance 1" -> ordres`
    #[error("unknown endpoint `{name}` in connector `{connector}`")]
    UnknownEndpoint {
        /// The endpoint as written.
        name: String,
        /// The connector of the connection's instance.
        connector: String,
    } => {
        name: "unknown_endpoint",
        severity: Error,
        summary: "A flow connection names an endpoint that the instance's connector does not have.",
        help: "Use an endpoint of the instance's connector, or fix the name.",
    }

    /// `endpoint orders < auht: [basic] >`
    #[error("unknown option `{key}` for {item}")]
    UnknownOption {
        /// The key as written.
        key: String,
        /// The kind of item, e.g. `an endpoint`.
        item: &'static str,
    } => {
        name: "unknown_option",
        severity: Error,
        summary: "An options block has a key its item does not know.",
        help: "Remove the key or fix its spelling; endpoints and instances know `auth`.",
    }

    /// `endpoint orders < auth: basic >` (a name where a list is expected)
    #[error("option `{key}` of {item} takes {expected}")]
    OptionValue {
        /// The option key.
        key: String,
        /// The kind of item, e.g. `an endpoint`.
        item: &'static str,
        /// What the value must be, e.g. `a list of auth methods`.
        expected: &'static str,
    } => {
        name: "option_value",
        severity: Error,
        summary: "An option's value has the wrong shape (a name for a list, or a list for a name).",
        help: "Endpoints take `auth: [METHOD, ...]`; instances take `auth: METHOD`.",
    }

    /// `endpoint orders` with no `< auth: [...] >`
    #[error("{item} `{name}` has no `{key}` option")]
    MissingOption {
        /// The kind of item, e.g. `endpoint`.
        item: &'static str,
        /// The item's name.
        name: String,
        /// The missing key.
        key: &'static str,
    } => {
        name: "missing_option",
        severity: Error,
        summary: "An endpoint or instance has no `auth` option.",
        help: "Add `< auth: [...] >` to an endpoint, `< auth: METHOD >` to an instance.",
    }

    /// Two connectors called `shop`, or `< auth: [a], auth: [b] >`. A name
    /// declared many times is one diagnostic, e.g. ``endpoint `orders` is
    /// declared 30 times``.
    #[error("{what} `{name}` is declared {}", times(*.count))]
    Duplicate {
        /// What kind of name, e.g. `connector` or `option`.
        what: &'static str,
        /// The name.
        name: String,
        /// How many times it is declared (at least two).
        count: usize,
    } => {
        name: "duplicate",
        severity: Error,
        summary: "A name is declared twice in its namespace, or an option key is given twice.",
        help: "Rename or remove one of the two.",
    }

    /// `connector shop { endpoint orders < auth: [] > }`
    #[error("connector `{name}` has no auth method")]
    NoMethods {
        /// The connector.
        name: String,
    } => {
        name: "no_methods",
        severity: Error,
        summary: "A connector defines no auth method, so it can't be used.",
        help: "Add an auth method, e.g. `auth basic: basic`.",
    }

    /// `connection "instance 2" -> orders` where `orders` does not activate
    /// the method of `instance 2`.
    #[error("endpoint `{endpoint}` is not available to instance `{instance}`")]
    UnactivatedMethod {
        /// The connection's instance.
        instance: String,
        /// The connection's endpoint.
        endpoint: String,
    } => {
        name: "unactivated_method",
        severity: Error,
        summary: "A flow connection picks an endpoint that is not available to its instance.",
        help: "Activate the instance's method for the endpoint, or use an instance with an activated method.",
    }

    /// `auth legacy: basic` that no endpoint lists.
    #[error("auth method `{method}` of connector `{connector}` is never activated")]
    NeverActivated {
        /// The method.
        method: String,
        /// Its connector.
        connector: String,
    } => {
        name: "never_activated",
        severity: Warning,
        summary: "No endpoint activates this auth method: instances using it see nothing.",
        help: "Activate the method on the endpoints it may call, or remove it.",
    }

    /// `endpoint orders < auth: [] >`
    #[error("endpoint `{endpoint}` of connector `{connector}` activates no auth method")]
    NeverAvailable {
        /// The endpoint.
        endpoint: String,
        /// Its connector.
        connector: String,
    } => {
        name: "never_available",
        severity: Warning,
        summary: "An endpoint activates no auth method: no instance can see it.",
        help: "List the auth methods that may call the endpoint.",
    }

    /// An instance whose method no endpoint activates.
    #[error("instance `{instance}` sees no endpoint")]
    BlindInstance {
        /// The instance.
        instance: String,
    } => {
        name: "blind_instance",
        severity: Warning,
        summary: "A declared instance sees no endpoint.",
        help: "Activate its method on some endpoint, or configure it with another method.",
    }

    /// `endpoint orders < auth: [basic, basic] >`
    #[error("auth method `{method}` is listed twice")]
    RepeatedMethod {
        /// The method.
        method: String,
    } => {
        name: "repeated_method",
        severity: Warning,
        summary: "An auth list names the same method twice.",
        help: "Remove the repetition.",
    }

    /// `expect shop/basic sees only [orders, orders]`
    #[error("endpoint `{endpoint}` is listed twice")]
    RepeatedEndpoint {
        /// The endpoint.
        endpoint: String,
    } => {
        name: "repeated_endpoint",
        severity: Warning,
        summary: "A `sees only` list names the same endpoint twice.",
        help: "Remove the repetition.",
    }

    /// `endpoint e < auth: [oauth("contacts.raed")] >` where `oauth`
    /// declares `scopes: ["contacts.read"]`, or an instance holding it.
    #[error("unknown scope `{scope}` of auth method `{method}`")]
    UnknownScope {
        /// The scope as written.
        scope: String,
        /// The method it was asked of.
        method: String,
    } => {
        name: "unknown_scope",
        severity: Error,
        summary: "An auth-list item or an instance names a scope its method does not declare.",
        help: "Use a scope the method declares, or add it to the method's `scopes`.",
    }

    /// `auth open: none < scopes: ["a"] >`, or an instance of such a method
    /// holding scopes.
    #[error("{what} can't hold scopes")]
    ScopesNotAllowed {
        /// What was given scopes, e.g. "auth method `open` of type `none`".
        what: String,
    } => {
        name: "scopes_not_allowed",
        severity: Error,
        summary: "Scopes are given to a `none` method or an instance of one, or inside a scope list.",
        help: "Remove the scopes: a method without credentials grants none.",
    }

    /// `connection acme -> "POST /contacts"` where the endpoint needs
    /// `oauth("contacts.write")` and `acme` holds only `contacts.read`.
    #[error("instance `{instance}` lacks the scopes endpoint `{endpoint}` needs")]
    MissingScope {
        /// The connection's instance.
        instance: String,
        /// The connection's endpoint.
        endpoint: String,
    } => {
        name: "missing_scope",
        severity: Error,
        summary: "A flow connection picks an endpoint whose auth list needs scopes its instance does not hold.",
        help: "Grant the instance the missing scopes, or use an instance that holds them.",
    }

    /// `scopes: ["a", "a"]`, or `oauth("a", "a")`.
    #[error("scope `{scope}` is listed twice")]
    RepeatedScope {
        /// The scope.
        scope: String,
    } => {
        name: "repeated_scope",
        severity: Warning,
        summary: "A list of scopes names the same scope twice.",
        help: "Remove the repetition.",
    }

    /// `auth: [oauth, oauth("a")]` or `auth: [oauth("a"), oauth("a", "b")]`:
    /// the second item never decides anything.
    #[error("auth item `{item}` is implied by `{by}`")]
    RedundantAlternative {
        /// The redundant item, as written canonically.
        item: String,
        /// The item that implies it.
        by: String,
    } => {
        name: "redundant_alternative",
        severity: Warning,
        summary: "An auth-list item is implied by another item of the same list.",
        help: "Remove the item that needs more scopes; the other already grants the endpoint.",
    }

    /// `endpoint "café"` (NFC) beside `endpoint "café"` (NFD), Cyrillic `а`
    /// in `mаster` beside `master`, or a name with a zero-width space.
    #[error("{what} `{name}` {why}")]
    ConfusableName {
        /// What kind of name: `endpoint`, `instance`...
        what: &'static str,
        /// The name.
        name: String,
        /// What is wrong with it, e.g. ``"looks like `master`"``.
        why: String,
    } => {
        name: "confusable_name",
        severity: Warning,
        summary: "A name looks like another name of its namespace, or hides characters or mixes scripts.",
        help: "Rename it so that people reading the rules can tell the names apart.",
    }

    /// `connector shop { auth basic: basic }`
    #[error("connector `{name}` has no endpoint")]
    NoEndpoints {
        /// The connector.
        name: String,
    } => {
        name: "no_endpoints",
        severity: Warning,
        summary: "A connector has no endpoint.",
        help: "Add endpoints, or remove the connector.",
    }

    /// `authgate.toml` that is not TOML, or holds a key or value authgate
    /// does not know.
    #[error("invalid `authgate.toml`: {message}")]
    Config {
        /// What is wrong, as the TOML reader says it.
        message: String,
    } => {
        name: "config",
        severity: Error,
        summary: "The project's `authgate.toml` can't be read.",
        help: "Fix the file: `rules = [\"PATH\", ...]` and a `[lints]` table of `NAME = \"allow\" | \"warn\" | \"deny\"`.",
    }

    /// `never_actived = "allow"` in `[lints]`, or `// authgate: allow(nope)`.
    #[error("{what}")]
    UnknownLint {
        /// What is wrong, e.g. ``"unknown lint `never_actived`"``.
        what: String,
    } => {
        name: "unknown_lint",
        severity: Warning,
        summary: "A lint level or `allow` directive names no warning authgate has.",
        help: "Use the name of a warning code (`authgate check --format json` shows codes); errors can't be allowed.",
    }

    /// `// authgate: allow(never_activated)` above an item with no such
    /// warning.
    #[error("`allow({lint})` suppresses nothing")]
    UnusedAllow {
        /// The lint allowed.
        lint: String,
    } => {
        name: "unused_allow",
        severity: Warning,
        summary: "An `allow` directive suppresses no warning.",
        help: "Remove the directive, or move it to the line above the item the warning is about.",
    }

    /// `authgate drift`: `endpoint "GET /orders" < auth: [basic] >` where
    /// the spec accepts only `oauth` for `GET /orders` (an error: requests
    /// would be rejected), or accepts `basic` and `oauth` (a warning: the
    /// rules leave `oauth` off).
    #[error("{message}")]
    DriftActivation {
        /// What differs, naming the spec file and the operation's pointer.
        message: String,
    } => {
        name: "drift_activation",
        severity: Error,
        summary: "An endpoint activates a method the spec does not accept for its operation (error), or leaves off one it accepts (warning).",
        help: "Make the endpoint's auth list what the spec accepts, or re-import the connector.",
    }

    /// `authgate drift`: an operation of the spec with no endpoint in the
    /// connector, or an endpoint with no operation.
    #[error("{message}")]
    DriftEndpoint {
        /// What differs, naming the spec file and the operation's pointer.
        message: String,
    } => {
        name: "drift_endpoint",
        severity: Warning,
        summary: "An operation of the spec has no endpoint in the connector, or an endpoint has no operation.",
        help: "Add the endpoint (named `VERB /path`), remove it, or re-import the connector.",
    }

    /// `authgate drift`: a security scheme with no method (a warning), a
    /// method with no scheme or whose type differs from the scheme's (an
    /// error).
    #[error("{message}")]
    DriftMethod {
        /// What differs, naming the spec file and the scheme's pointer.
        message: String,
    } => {
        name: "drift_method",
        severity: Error,
        summary: "A method has no security scheme in the spec or another type (error), or a scheme has no method (warning).",
        help: "Declare one method per scheme, named as its key, of the type the mapping gives.",
    }

    /// `authgate drift`: `endpoint "GET /issue" < auth: [oauth] >` where
    /// the spec requires `oauth: [read:jira-work]` for the operation (an
    /// error: the API refuses instances the rules offer it to), or
    /// `oauth("read:jira-work", "write:jira-work")` where it requires only
    /// `read:jira-work` (a warning: the rules hide the endpoint from
    /// instances the API would serve).
    #[error("{message}")]
    DriftScope {
        /// What differs, naming the spec file and the operation's pointer.
        message: String,
    } => {
        name: "drift_scope",
        severity: Error,
        summary: "An endpoint requires fewer scopes of a method than the spec for its operation (error), or more (warning).",
        help: "Make the endpoint's items carry the scopes the spec requires, or re-import the connector.",
    }

    /// `expect "instance 2" can see orders` when it can't (reported by
    /// `authgate test`, not by checking).
    #[error("test `{test}` failed: expected {expectation}")]
    TestFailed {
        /// The test's name.
        test: String,
        /// The expectation, e.g. ``"`instance 2` can see `orders`"``.
        expectation: String,
    } => {
        name: "test_failed",
        severity: Error,
        summary: "An expectation of a test in the rules does not hold.",
        help: "Change the rules, or the expectation if the rules are right.",
    }
}
