//! What the mapping gathers from the documents and passes between its
//! stages: a requirement, an operation as one file declares it, a scheme
//! with its methods, the operations that become one endpoint; and the two
//! rules that make names the language can write.
//!
//! Kept apart so that [`super::mapping`] (documents and operations) and
//! [`super::alternatives`] (what requirements make of methods and items)
//! share them without importing each other.

use std::collections::HashSet;

use super::Origin;
use super::schemes::SchemeMethods;

/// One requirement: schemes required together, each with its scopes.
pub(super) type Requirement = Vec<(String, Vec<String>)>;

/// An operation as one file declares it.
#[derive(Debug)]
pub(super) struct Occurrence {
    pub(super) host: Option<String>,
    /// `None`: no `security` on the operation nor at the top level.
    pub(super) security: Option<Vec<Requirement>>,
    pub(super) origin: Origin,
}

/// A scheme's methods and where it is defined.
pub(super) struct Scheme {
    pub(super) mapped: SchemeMethods,
    pub(super) origin: Origin,
}

/// The operations of one endpoint: one verb and path, on one host (or on
/// any, when the files do not put it on several).
pub(super) struct Group<'o> {
    pub(super) name: String,
    pub(super) origin: Origin,
    pub(super) occurrences: Vec<&'o Occurrence>,
}

impl Group<'_> {
    /// Every alternative of every occurrence's requirements.
    pub(super) fn requirements(&self) -> impl Iterator<Item = &Requirement> + '_ {
        self.occurrences
            .iter()
            .filter_map(|o| o.security.as_ref())
            .flatten()
    }
}

/// A name the language can write: quoted names hold no raw line break
/// and at least one character (a scheme keyed `""` is `(empty)`).
pub(super) fn clean(name: &str) -> String {
    if name.is_empty() {
        return "(empty)".to_owned();
    }
    name.replace(['\n', '\r'], " ")
}

/// `name`, or `name #2`, `name #3`... when it is taken already.
pub(super) fn unique(name: String, taken: &mut HashSet<String>) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let mut count = 2;
    loop {
        let candidate = format!("{name} #{count}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        count += 1;
    }
}
