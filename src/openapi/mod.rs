//! OpenAPI and Swagger specs as connectors: the library side
//! of `authgate import openapi` and `authgate drift`.
//!
//! A feature built on the pipeline, which never calls it: [`read()`] parses
//! the spec files (Swagger 2.0, OpenAPI 3.0 and 3.1, JSON or YAML),
//! follows `$ref`s across files (with cycle detection) and maps them to a
//! neutral [`Api`]: methods and endpoints with what each endpoint
//! activates, and notes for what the language can't say. [`render`]
//! writes an `Api` as a rule file in the canonical `fmt` layout;
//! [`drift()`] compares a connector in checked rules with an `Api` and
//! reports the differences as ordinary diagnostics.
//!
//! Split by concern: `read` (files and `$ref`s), `json` and `yaml` (text
//! to the JSON value model), `schemes`, `mapping` and `alternatives` (the
//! mapping itself: schemes, operations, requirements; `gathered` holds what
//! they pass between them), `render`, `drift`, `error`.
//!
//! No general OpenAPI model is built: the mapping needs schemes,
//! requirements, operations and `$ref`s, and reads just those from the
//! parsed values, so a spec that a strict model would reject for an
//! unrelated mistake (a bad schema) still imports.

mod alternatives;
mod drift;
mod error;
mod gathered;
mod json;
mod mapping;
mod read;
mod render;
mod schemes;
mod yaml;

use std::path::PathBuf;

pub use drift::{DriftOptions, UnknownConnector, drift};
pub use error::Error;
pub use render::{connector_name, render};

use crate::check::AuthType;

/// An API as the mapping sees it: the methods and endpoints of one
/// connector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Api {
    /// The first root document's `info.title`.
    pub title: Option<String>,
    /// The root files, as named.
    pub files: Vec<String>,
    /// One method per security scheme used on its own or not at all (two
    /// for an OAuth 2 scheme with flows of both families), sorted by
    /// scheme key; then one per combination of schemes a requirement
    /// names together, sorted by name; then `anonymous` when used.
    pub methods: Vec<Method>,
    /// One endpoint per operation, sorted by path, then verb, then host.
    pub endpoints: Vec<Endpoint>,
    /// How much of the spec the rules can't say.
    pub lossy: Lossy,
}

/// An auth method the spec implies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Method {
    /// Its name: the scheme's key (with the flow family when split), or
    /// its parts' names joined with ` + ` for a combination.
    pub name: String,
    /// Its type.
    pub kind: AuthType,
    /// The scheme's key; `None` for `anonymous` and for a combination.
    pub scheme: Option<String>,
    /// A combination's scheme keys, in the order of its name; empty for
    /// a method of one scheme.
    pub parts: Vec<String>,
    /// The scopes it declares: its scheme's (OAuth 2 flows' or Swagger 2
    /// `scopes`), then those that requirements name and the scheme does
    /// not declare; a combination's are its parts' together. Sorted as
    /// people count (`kind2` before `kind10`).
    pub scopes: Vec<String>,
    /// What the language can't say about it (where an API key goes, the
    /// parts of a combination, scopes the scheme does not declare).
    pub note: Option<String>,
    /// Where the scheme is defined; for a combination, the first
    /// operation that requires it.
    pub origin: Origin,
}

/// An endpoint the spec implies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint {
    /// `VERB /path`, or `VERB host/path` when the files put the same verb
    /// and path on different hosts.
    pub name: String,
    /// Its auth list: one item per alternative of the requirements,
    /// sorted by method (in the order of [`Api::methods`]) then scopes,
    /// without an item that another implies.
    pub items: Vec<Item>,
    /// What the language can't say (undeclared schemes, a merge, no
    /// security at all).
    pub notes: Vec<String>,
    /// The operation (the first one, when merged).
    pub origin: Origin,
}

impl Endpoint {
    /// The methods its items name, each once, in item order.
    pub fn methods(&self) -> impl Iterator<Item = &str> + '_ {
        // Items are sorted by method: a method's items are adjacent.
        let mut last: Option<&str> = None;
        self.items.iter().filter_map(move |item| {
            let method = item.method.as_str();
            (last != Some(method)).then(|| {
                last = Some(method);
                method
            })
        })
    }
}

/// An item of an endpoint's auth list: a method, and the scopes an
/// instance of it must hold (all of them; none when empty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct Item {
    /// The method's name.
    pub method: String,
    /// The scopes, sorted as in [`Method::scopes`].
    pub scopes: Vec<String>,
}

/// Where something is in a spec: a root file and a JSON pointer into it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Origin {
    /// The root file, as named.
    pub file: String,
    /// The JSON pointer, e.g. `#/paths/~1orders/get`.
    pub pointer: String,
}

/// Counts of what the rules can't say, per kind (the summary `import`
/// prints).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lossy {
    /// API keys whose location (header, query, cookie) is a comment.
    pub key_locations: usize,
    /// Methods declaring scopes that requirements name and their scheme
    /// does not declare (said in a comment).
    pub undeclared_scopes: usize,
    /// Endpoints with no security requirement anywhere (`auth: []`).
    pub no_security: usize,
    /// Endpoints merged from operations whose security differs between
    /// files.
    pub merged: usize,
    /// Endpoints whose requirements name a scheme that is not defined.
    pub undeclared_schemes: usize,
    /// Schemes of a type OpenAPI does not define (mapped to `token`).
    pub unknown_types: usize,
    /// Scheme keys defined differently in several files (first kept).
    pub conflicting_schemes: usize,
}

impl Lossy {
    /// Each kind with its count and a description, for a summary.
    pub fn kinds(&self) -> [(usize, &'static str); 7] {
        [
            (self.key_locations, "API key locations"),
            (
                self.undeclared_scopes,
                "methods with scopes their scheme does not declare",
            ),
            (
                self.no_security,
                "endpoints with no security requirement (auth: [])",
            ),
            (
                self.merged,
                "endpoints merged from files with different security",
            ),
            (
                self.undeclared_schemes,
                "endpoints naming undeclared schemes",
            ),
            (self.unknown_types, "schemes of unknown type (as token)"),
            (
                self.conflicting_schemes,
                "schemes defined differently in several files (first kept)",
            ),
        ]
    }
}

/// Reads the root spec files `paths` (and every file their `$ref`s
/// name) and maps them; `limit` is the size limit of one file in bytes.
pub fn read(paths: &[PathBuf], limit: u64) -> Result<Api, Error> {
    let store = read::Store::read(paths, limit)?;
    mapping::map(&store)
}
