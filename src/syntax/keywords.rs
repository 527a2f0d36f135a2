//! The language's keywords, in one list. The fast parser and the language
//! server take them from here; the grammar files that cannot (the pest
//! grammar, the VS Code TextMate grammar) are held to it by a test.

/// Every keyword of authgate rule files, in the order the grammar
/// (`grammar/authgate.pest`) declares them:
///
/// | keyword | what it starts |
/// |---|---|
/// | `connector` | `connector NAME { ... }`: a connector, with its methods and endpoints |
/// | `auth` | `auth NAME: TYPE`: an auth method of the connector |
/// | `endpoint` | `endpoint NAME < auth: [METHOD, ...] >`: an endpoint of the connector |
/// | `instance`, `of` | `instance NAME of CONNECTOR < auth: METHOD >`: an instance |
/// | `flow` | `flow NAME { ... }`: a flow of connections |
/// | `connection` | `connection INSTANCE -> ENDPOINT`, in a flow |
/// | `test` | `test NAME { ... }`: expectations that `authgate test` checks |
/// | `expect` | `expect SUBJECT ...`, in a test |
/// | `can`, `cannot`, `see` | `can see ENDPOINT`, `cannot see ENDPOINT`, after a subject |
/// | `sees`, `only` | `sees only [ENDPOINT, ...]`, after a subject |
///
/// Keywords are contextual: a word is a keyword only where the grammar
/// expects one (where an item, a member or an expectation starts, and
/// `of`, `see` or `only` after the word before), and a name everywhere
/// else. None is reserved: `auth auth: basic` declares a method called
/// `auth`, and [`quote_name`](super::quote_name) never quotes a name for
/// being spelled like a keyword.
pub const KEYWORDS: &[&str] = &[
    "connector",
    "auth",
    "endpoint",
    "instance",
    "of",
    "flow",
    "connection",
    "test",
    "expect",
    "can",
    "cannot",
    "see",
    "sees",
    "only",
];
