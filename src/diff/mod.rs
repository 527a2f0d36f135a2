//! Who gains or loses which endpoint between two compiled rule sets: what
//! a reviewer of a pull request needs to know (`docs/diff.md`).
//!
//! The subjects are every (connector, method) pair on either side (the
//! runtime instances a platform stores) and every declared instance on
//! either side. An endpoint is the same endpoint on both sides when its
//! connector and its name are the same; a subject or an endpoint present
//! on one side only sees nothing on the other.
//!
//! The two policies share no ids, so the diff works by names, but only
//! once per name: per connector on both sides, each OLD endpoint is
//! looked up once in NEW (a hash look-up), which gives a table from OLD
//! endpoint ids to NEW ones. A subject's visible lists (endpoint ids,
//! ascending) are then compared by merging: OLD's translated and sorted,
//! NEW's as they are. The whole diff is linear in the two rule sets (plus
//! the sort of each translated list, already sorted unless endpoints were
//! reordered), never endpoints × methods; declared instances reuse the
//! comparison of their (OLD method, NEW method) pair, so only the report
//! (each changed instance lists its endpoints) grows with instances ×
//! endpoints.
//!
//! With scopes, a declared instance is judged with the scopes it holds,
//! and a (connector, method) subject holding every scope its method
//! declares: its widest view, so that it shows what the method can reach
//! at all. An endpoint whose requirement of a method changed (which
//! scopes an instance must hold) is listed under `requirements`, judged
//! widened, narrowed or changed by who it admits, not by how it is
//! written (its own module, `requirements.rs`).

use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::policy::Location;

mod compare;
mod lists;
mod requirements;

pub use compare::diff;

/// The difference between two rule sets, OLD and NEW.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diff {
    /// Counts over every subject.
    pub summary: DiffSummary,
    /// The (connector, method) subjects whose visible endpoints changed,
    /// sorted by connector then method name ([`crate::text::natural_cmp`]).
    pub methods: Vec<MethodChange>,
    /// The declared instances whose visible endpoints changed, sorted by
    /// name (naturally: `tenant 4` before `tenant 12`).
    pub instances: Vec<InstanceChange>,
    /// The endpoints whose requirement of a method changed, where either
    /// side names scopes: sorted by connector, then in NEW's order of
    /// endpoints and methods. Not in the JSON when empty (rules without
    /// scopes have none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<RequirementChange>,
    /// Connectors, methods, endpoints and instances added or removed, and
    /// instances whose method changed; sorted by connector, kind, name
    /// (names naturally).
    pub structure: Vec<StructureChange>,
}

/// Counts of a [`Diff`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct DiffSummary {
    /// Subjects (methods and instances together) that gained or lost.
    pub subjects_changed: usize,
    /// (subject, endpoint) pairs gained, methods and instances together.
    pub gained: usize,
    /// (subject, endpoint) pairs lost.
    pub lost: usize,
}

/// Whether something is on NEW only, on OLD only, or on both and
/// different.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// In NEW only.
    Added,
    /// In OLD only.
    Removed,
    /// In both, different.
    Changed,
}

impl Status {
    /// `added`, `removed`, `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        }
    }

    fn of(old: bool, new: bool) -> Self {
        match (old, new) {
            (false, _) => Status::Added,
            (_, false) => Status::Removed,
            _ => Status::Changed,
        }
    }
}

/// Whether a subject gained or lost an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gain {
    /// Seen in NEW, not in OLD.
    Gained,
    /// Seen in OLD, not in NEW.
    Lost,
}

/// One (subject, endpoint) change and where it comes from: the endpoint's
/// declaration (with its activation list), in NEW for a gain, in OLD for
/// a loss.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// The endpoint's name.
    pub endpoint: String,
    /// The file of its declaration.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Gained or lost.
    pub change: Gain,
}

/// A (connector, method) subject whose visible endpoints changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MethodChange {
    /// The connector.
    pub connector: String,
    /// The method.
    pub method: String,
    /// Added (the method is in NEW only), removed or changed.
    pub status: Status,
    /// Endpoints seen in NEW and not in OLD, in NEW's declaration order.
    pub gained: Arc<[String]>,
    /// Endpoints seen in OLD and not in NEW.
    pub lost: Arc<[String]>,
    /// Each of them with its place: the endpoint's activation list.
    pub changes: Arc<[Change]>,
}

/// A declared instance whose visible endpoints changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InstanceChange {
    /// The instance.
    pub instance: String,
    /// Its connector (NEW's, when it is in NEW).
    pub connector: String,
    /// Its method in OLD; `None` when it is in NEW only.
    pub method_old: Option<String>,
    /// Its method in NEW; `None` when it is in OLD only.
    pub method_new: Option<String>,
    /// Added, removed or changed.
    pub status: Status,
    /// Scopes it holds in NEW and not in OLD (by name), when it is on
    /// both sides; not in the JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes_gained: Vec<String>,
    /// Scopes it holds in OLD and not in NEW.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes_lost: Vec<String>,
    /// Endpoints seen in NEW and not in OLD. Instances whose methods and
    /// scopes are the same on both sides share one list.
    pub gained: Arc<[String]>,
    /// Endpoints seen in OLD and not in NEW.
    pub lost: Arc<[String]>,
    /// Each of them with the place that caused it.
    pub changes: InstanceChanges,
}

/// A place in a rule file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Place {
    /// The file's display name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Place {
    fn of(location: Option<Location<'_>>) -> Place {
        Place {
            file: location.map(|l| l.file.to_owned()).unwrap_or_default(),
            line: location.map_or(0, |l| l.line),
            column: location.map_or(0, |l| l.column),
        }
    }
}

/// The gained and lost endpoints of an instance, each with the place that
/// caused it: the instance's declaration when the instance itself changed
/// (added, removed, or its method changed), on the side where it is;
/// otherwise the endpoint's activation list, as for its method. When only
/// its scopes changed, the declaration caused a gain that its OLD scopes
/// would not see in NEW and a loss that its NEW scopes would not see in
/// OLD (the scopes alone made the change); the other changes come from
/// activation lists. Made on demand from lists that
/// instances of the same methods and scopes share, so ten thousand
/// instances of one method cost one list, not ten thousand. Serialises as
/// a list of [`Change`]s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceChanges {
    activations: Arc<[Change]>,
    /// The instance's declaration in (NEW, OLD), when it caused them.
    declared: Option<(Option<Place>, Option<Place>)>,
    /// Which of `activations` the declaration caused, when only some did
    /// (its scopes changed); `None`: all of them, if `declared` is given.
    caused: Option<Arc<[bool]>>,
}

impl InstanceChanges {
    /// How many (endpoint, change) entries there are.
    pub fn len(&self) -> usize {
        self.activations.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.activations.is_empty()
    }

    /// The instance's declaration (in NEW, else in OLD) when the instance
    /// itself changed and so caused every change; `None` when the changes
    /// come from activation lists.
    pub fn declaration(&self) -> Option<&Place> {
        let (new, old) = self.declared.as_ref()?;
        new.as_ref().or(old.as_ref())
    }

    /// Each gained or lost endpoint with its place.
    pub fn iter(&self) -> impl Iterator<Item = Change> + '_ {
        self.views().map(|view| Change {
            endpoint: view.endpoint.to_owned(),
            file: view.file.to_owned(),
            line: view.line,
            column: view.column,
            change: view.change,
        })
    }

    fn views(&self) -> impl Iterator<Item = ChangeView<'_>> + '_ {
        self.activations.iter().enumerate().map(|(at, change)| {
            let caused = self
                .caused
                .as_ref()
                .is_none_or(|caused| caused.get(at).copied().unwrap_or(false));
            let declared = self
                .declared
                .as_ref()
                .filter(|_| caused)
                .and_then(|(new, old)| match change.change {
                    Gain::Gained => new.as_ref(),
                    Gain::Lost => old.as_ref(),
                });
            let (file, line, column) = match declared {
                Some(place) => (place.file.as_str(), place.line, place.column),
                None => (change.file.as_str(), change.line, change.column),
            };
            ChangeView {
                endpoint: &change.endpoint,
                file,
                line,
                column,
                change: change.change,
            }
        })
    }
}

impl Serialize for InstanceChanges {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.views())
    }
}

/// A [`Change`] borrowed from the shared lists, for writing.
#[derive(Serialize)]
struct ChangeView<'a> {
    endpoint: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    change: Gain,
}

/// What a [`StructureChange`] is about (more kinds may come: flows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Kind {
    /// A connector.
    Connector,
    /// An auth method.
    Method,
    /// An endpoint.
    Endpoint,
    /// A declared instance.
    Instance,
}

impl Kind {
    /// `connector`, `method`, `endpoint`, `instance`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Connector => "connector",
            Kind::Method => "method",
            Kind::Endpoint => "endpoint",
            Kind::Instance => "instance",
        }
    }
}

/// A declaration added or removed, or an instance whose method changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StructureChange {
    /// What is declared.
    pub kind: Kind,
    /// Its connector (for a connector, itself; for an instance, NEW's
    /// when it is in NEW).
    pub connector: String,
    /// Its name.
    pub name: String,
    /// Added, removed or changed (an instance's method or scopes).
    pub status: Status,
    /// For an instance whose method changed, its method in OLD (not in
    /// the JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method_old: Option<String>,
    /// For an instance whose method changed, its method in NEW.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method_new: Option<String>,
    /// For an instance whose scopes changed, those it holds in NEW only
    /// (not in the JSON when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes_gained: Vec<String>,
    /// For an instance whose scopes changed, those it holds in OLD only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes_lost: Vec<String>,
    /// Its declaration: in NEW when added or changed, in OLD when removed.
    #[serde(flatten)]
    pub place: Place,
}

impl Diff {
    /// Lists a declaration added, removed or changed, at `location`.
    fn declared(
        &mut self,
        kind: Kind,
        connector: &str,
        name: &str,
        status: Status,
        location: Option<Location<'_>>,
    ) {
        self.structure.push(StructureChange {
            kind,
            connector: connector.to_owned(),
            name: name.to_owned(),
            status,
            method_old: None,
            method_new: None,
            scopes_gained: Vec::new(),
            scopes_lost: Vec::new(),
            place: Place::of(location),
        });
    }

    /// Lists an instance on both sides whose method (`Some((OLD, NEW))`)
    /// or scopes changed, at its declaration in NEW.
    fn instance_changed(
        &mut self,
        connector: &str,
        name: &str,
        methods: Option<(&str, &str)>,
        (scopes_gained, scopes_lost): (Vec<String>, Vec<String>),
        location: Option<Location<'_>>,
    ) {
        self.structure.push(StructureChange {
            kind: Kind::Instance,
            connector: connector.to_owned(),
            name: name.to_owned(),
            status: Status::Changed,
            method_old: methods.map(|(old, _)| old.to_owned()),
            method_new: methods.map(|(_, new)| new.to_owned()),
            scopes_gained,
            scopes_lost,
            place: Place::of(location),
        });
    }

    /// Whether nothing changed: visibility, requirements or structure.
    pub fn is_empty(&self) -> bool {
        self.methods.is_empty()
            && self.instances.is_empty()
            && self.requirements.is_empty()
            && self.structure.is_empty()
    }

    /// Whether some subject gained an endpoint, or some requirement now
    /// admits an instance it did not ([`Shift::Widened`] or
    /// [`Shift::Changed`]): what `--fail-on widen` fails on.
    pub fn widens(&self) -> bool {
        self.summary.gained > 0
            || self
                .requirements
                .iter()
                .any(|r| r.change != Shift::Narrowed)
    }
}

/// How a requirement changed, judged by the instances it admits (an
/// instance of the method holding some scopes), not by how it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shift {
    /// NEW admits every instance OLD admits, and more: a scope set that
    /// OLD asked more of, or an item added.
    Widened,
    /// OLD admits every instance NEW admits, and more.
    Narrowed,
    /// Each admits an instance the other does not (`oauth("a")` became
    /// `oauth("b")`).
    Changed,
}

impl Shift {
    /// `widened`, `narrowed`, `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Shift::Widened => "widened",
            Shift::Narrowed => "narrowed",
            Shift::Changed => "changed",
        }
    }
}

/// An endpoint whose requirement of a method changed: which scopes an
/// instance of the method must hold to see it. Listed when the endpoint
/// and the method are on both sides, either side names scopes for them
/// and the two admit different instances.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RequirementChange {
    /// The connector.
    pub connector: String,
    /// The endpoint.
    pub endpoint: String,
    /// The method.
    pub method: String,
    /// OLD's requirement: one scope list per item of the endpoint's list
    /// that names the method (an empty list for the plain item, first;
    /// then the items with scopes in the rules' order, each item's scopes
    /// in the order its method declares them). Empty: the endpoint did
    /// not list the method.
    pub old: Vec<Vec<String>>,
    /// NEW's requirement, written the same way.
    pub new: Vec<Vec<String>>,
    /// Widened, narrowed or changed.
    pub change: Shift,
    /// The endpoint's declaration (its auth list) in NEW.
    #[serde(flatten)]
    pub place: Place,
}
