//! Decisions in words.
//!
//! Kept apart from the query path because words are only needed when
//! someone reads them. [`Policy::reason`] writes its pieces without
//! allocating, since batch evaluation prints one reason per request;
//! [`Policy::describe`] allocates, and for an unknown name reads every name
//! of its kind to suggest a close one.

use std::fmt;

use super::{Decision, Location, Policy, Principal, Reason, ScopeSet, Subject};
use crate::text::{Words, suggest};

impl Policy {
    /// The reason of a decision in words, one line, e.g. ``instance
    /// `instance 2` authenticates with `oauth`, which `orders` does not
    /// activate``. Writing it allocates nothing for a reason without
    /// scopes: this is what batch evaluation prints. [`Policy::describe`]
    /// says more.
    pub fn reason<'p, 'q>(&'p self, decision: &Decision<'q>) -> ReasonText<'p, 'q> {
        ReasonText {
            policy: self,
            reason: decision.reason,
        }
    }

    /// The reason of a decision in words, with the endpoint's activated
    /// methods, and for an unknown name the closest known one, if one is
    /// close, e.g. ``unknown endpoint `ordres` in connector `shop`; did you
    /// mean `orders`?``. Looking for a close name reads every name of its
    /// kind, so this is for explaining one decision, not for batches.
    pub fn describe(&self, decision: &Decision<'_>) -> String {
        let mut text = self.reason(decision).to_string();
        let close = match decision.reason {
            // The item is named in the reason already.
            Reason::ScopesHeld { .. } | Reason::ScopesMissing { .. } => None,
            Reason::Activated { endpoint, .. } | Reason::NotActivated { endpoint, .. } => {
                // Cut after a few: a wide connector's endpoint may activate
                // thousands of methods.
                // Methods listed plainly, then the items that need scopes.
                let items: Vec<String> = self
                    .endpoint_items(endpoint)
                    .map(|item| self.item_text(item))
                    .collect();
                let names: Vec<&str> = self
                    .activated(endpoint)
                    .filter_map(|m| self.method_name(m))
                    .chain(items.iter().map(String::as_str))
                    .collect();
                let names = if names.is_empty() {
                    "no method".to_owned()
                } else {
                    crate::text::list(names.iter().copied(), names.len())
                };
                text.push_str(&format!(" (activated: {names})"));
                None
            }
            Reason::OtherConnector { .. } => None,
            Reason::UnknownInstance { name } => {
                suggest::closest(name, self.instances.iter().map(|i| self.names.get(i.name)))
            }
            Reason::UnknownConnector { name } => {
                suggest::closest(name, self.connectors.iter().map(|c| &*c.name))
            }
            Reason::UnknownMethod { connector, name } => {
                let close = suggest::closest(
                    name,
                    self.methods(connector).filter_map(|m| self.method_name(m)),
                );
                // `--auth basic`: a type given for a method's name.
                let typed = crate::check::type_hint(
                    self.connector_name(connector).unwrap_or_default(),
                    name,
                    close.is_none(),
                    self.methods(connector)
                        .filter_map(|m| Some((self.method_name(m)?, self.method_type(m)))),
                );
                if let Some(typed) = typed {
                    if let Some(close) = close {
                        text.push_str(&format!("; did you mean `{close}`?"));
                    }
                    text.push_str(&format!("; {typed}"));
                    return text;
                }
                close
            }
            Reason::UnknownEndpoint { subject, name } => suggest::closest(
                name,
                self.method_connector(subject.method)
                    .into_iter()
                    .flat_map(|connector| self.endpoints(connector))
                    .filter_map(|e| self.endpoint_name(e)),
            ),
        };
        if let Some(close) = close {
            text.push_str(&format!("; did you mean `{close}`?"));
        }
        text
    }
}

/// A decision's reason in words; see [`Policy::reason`].
#[derive(Clone, Copy, Debug)]
pub struct ReasonText<'p, 'q> {
    policy: &'p Policy,
    reason: Reason<'q>,
}

impl fmt::Display for ReasonText<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_words(f)
    }
}

impl ReasonText<'_, '_> {
    /// Writes the reason into `f`: a formatter, or straight into the JSON
    /// string of an answer ([`Words`]). Pieces are written one by one, not
    /// with `write!`: batch evaluation writes one reason per request, and
    /// the formatting machinery would be a good part of its cost.
    pub(crate) fn write_words<W: Words>(&self, f: &mut W) -> fmt::Result {
        // The reason's own words, then a name of the rules, then its own
        // words again, and so on: its own words need no escaping, and are
        // copied as they are. A name the request gave that the rules do
        // not know (`unknown instance ...`) is written as `words`.
        macro_rules! say {
            ($fixed:literal $(, $name:expr, $more:literal)*) => {{
                f.fixed($fixed)?;
                $(
                    f.name($name)?;
                    f.fixed($more)?;
                )*
            }};
        }
        let policy = self.policy;
        // A reason from another policy's decision may hold ids this policy
        // does not know: their names are left empty rather than a panic.
        let connector_name = |id| policy.connector_name(id).unwrap_or_default();
        let connector_of_method = |id| policy.method_connector(id).map_or("", connector_name);
        let endpoint_name = |id| policy.endpoint_name(id).unwrap_or_default();
        let subject = match self.reason {
            Reason::Activated { subject, .. }
            | Reason::NotActivated { subject, .. }
            | Reason::ScopesHeld { subject, .. }
            | Reason::ScopesMissing { subject, .. } => Some(subject),
            _ => None,
        };
        if let Some(subject) = subject {
            let method = policy.method_name(subject.method).unwrap_or_default();
            match subject.instance {
                Some(instance) => say!(
                    "instance `",
                    policy.instance_name(instance).unwrap_or_default(),
                    "` authenticates with `",
                    method,
                    "`"
                ),
                // Made once per method: every runtime answer says it.
                None => match policy.methods.get(subject.method.index()) {
                    Some(data) => f.written(&data.runtime.text, &data.runtime.json)?,
                    None => say!(
                        "a runtime instance of `",
                        connector_of_method(subject.method),
                        "` authenticates with `",
                        method,
                        "`"
                    ),
                },
            }
        }
        match self.reason {
            Reason::Activated { endpoint, .. } => {
                say!(", which `", endpoint_name(endpoint), "` activates");
            }
            Reason::NotActivated { endpoint, .. } => {
                say!(", which `", endpoint_name(endpoint), "` does not activate");
            }
            Reason::ScopesHeld { endpoint, item, .. } => {
                say!(", which `", endpoint_name(endpoint), "` activates as `");
                f.item_begins();
                policy.write_item(item, f)?;
                f.item_ends();
                say!("`, and it holds those scopes");
            }
            Reason::ScopesMissing { endpoint, item, .. } => {
                say!(
                    ", which `",
                    endpoint_name(endpoint),
                    "` activates only with scopes: it lacks "
                );
                // One pass: the names a list shows, and how many there are.
                let mut shown = [""; crate::text::SHOWN];
                let mut count = 0;
                for name in policy.missing_scope_names(&self.reason) {
                    if let Some(slot) = shown.get_mut(count) {
                        *slot = name;
                    }
                    count += 1;
                }
                let shown = shown.get(..count).unwrap_or(&shown);
                crate::text::write_list(f, shown.iter().copied(), count)?;
                say!(" of `");
                f.item_begins();
                policy.write_item(item, f)?;
                f.item_ends();
                say!("`");
            }
            Reason::OtherConnector { subject, endpoint } => say!(
                "`",
                endpoint_name(endpoint),
                "` is an endpoint of `",
                policy
                    .endpoint_connector(endpoint)
                    .map_or("", connector_name),
                "`, not of `",
                connector_of_method(subject.method),
                "`, the connector of the asking instance"
            ),
            Reason::UnknownInstance { name } => {
                say!("unknown instance `");
                f.words(name)?;
                say!("`");
            }
            Reason::UnknownConnector { name } => {
                say!("unknown connector `");
                f.words(name)?;
                say!("`");
            }
            Reason::UnknownMethod { connector, name } => {
                say!("unknown auth method `");
                f.words(name)?;
                say!("` in connector `", connector_name(connector), "`");
            }
            Reason::UnknownEndpoint { subject, name } => {
                say!("unknown endpoint `");
                f.words(name)?;
                say!("` in connector `", connector_of_method(subject.method), "`");
            }
        }
        Ok(())
    }
}

/// A reason serialises as its words (the reason of `eval`'s answers).
impl serde::Serialize for ReasonText<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A decision as `authgate eval` answers it, and as a service would log or
/// return it: `{"available", "reason", "instance"}` for a declared
/// instance, `{"available", "reason", "connector", "auth"}` for a runtime
/// one, then `"endpoint"`; the names as asked. A decision by scopes adds
/// `"item"`, the item that granted the endpoint or came closest (e.g.
/// `oauth("contacts.write")`), and when refused `"missing_scopes"`, the
/// scopes missing from it. A [`Decision`] holds ids:
/// it serialises through the policy that made it, with [`Policy::answer`].
#[derive(Clone, Copy, Debug)]
pub struct Answer<'p, 'q> {
    policy: &'p Policy,
    decision: &'p Decision<'q>,
    principal: Principal<'q>,
    endpoint: &'q str,
}

impl Policy {
    /// The serialisable answer to `decision`, which this policy made for
    /// `principal` and `endpoint`.
    pub fn answer<'p, 'q>(
        &'p self,
        decision: &'p Decision<'q>,
        principal: Principal<'q>,
        endpoint: &'q str,
    ) -> Answer<'p, 'q> {
        Answer {
            policy: self,
            decision,
            principal,
            endpoint,
        }
    }
}

impl serde::Serialize for Answer<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let scoped = self.policy.scoped_parts(self.decision);
        let fields = match self.principal {
            Principal::Instance(_) => 4,
            Principal::Runtime { .. } => 5,
        } + scoped
            .as_ref()
            .map_or(0, |(_, missing)| 1 + usize::from(missing.is_some()));
        let mut answer = serializer.serialize_struct("Answer", fields)?;
        answer.serialize_field("available", &self.decision.available())?;
        answer.serialize_field("reason", &self.policy.reason(self.decision))?;
        match self.principal {
            Principal::Instance(instance) => answer.serialize_field("instance", instance)?,
            Principal::Runtime { connector, method } => {
                answer.serialize_field("connector", connector)?;
                answer.serialize_field("auth", method)?;
            }
        }
        answer.serialize_field("endpoint", self.endpoint)?;
        if let Some((item, missing)) = scoped {
            answer.serialize_field("item", &item)?;
            if let Some(missing) = missing {
                answer.serialize_field("missing_scopes", &missing)?;
            }
        }
        answer.end()
    }
}

/// A decision explained, as `authgate explain --format json` prints it:
/// `{"available", "instance", "connector", "auth", "endpoint",
/// "activated", "reason", "instance_location", "endpoint_location"}`, and
/// where the endpoint has items that need scopes `"activated_with_scopes"`,
/// where scopes decided or were asked for, `"item"`, `"missing_scopes"`
/// and `"unknown_scopes"`.
/// Names are the rules' spelling and `null` where they don't resolve
/// (a runtime instance of a known connector with an unknown method still
/// names its connector); the reason is [`Policy::describe`]'s.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Explanation<'p, 'q> {
    /// Whether the endpoint is available.
    pub available: bool,
    /// The declared instance asked about; `None` for a runtime instance.
    pub instance: Option<&'q str>,
    /// The connector, if it resolved.
    pub connector: Option<&'p str>,
    /// The method, if it resolved.
    pub auth: Option<&'p str>,
    /// The endpoint asked about.
    pub endpoint: &'q str,
    /// The methods the endpoint activates whatever the instance holds
    /// (empty if it did not resolve).
    pub activated: Vec<&'p str>,
    /// The endpoint's items that need scopes, as the rules write them
    /// (`oauth("contacts.write")`); absent when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activated_with_scopes: Option<Vec<String>>,
    /// The reason in words, with "did you mean" for an unknown name.
    pub reason: String,
    /// Where the instance is declared.
    pub instance_location: Option<Place<'p>>,
    /// Where the endpoint is declared.
    pub endpoint_location: Option<Place<'p>>,
    /// For a decision by scopes: the item that granted the endpoint, or
    /// that came closest, as the rules write it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// For a refusal by scopes: the scopes missing from `item`; absent
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_scopes: Option<Vec<&'p str>>,
    /// The scopes a runtime query named that its method does not declare
    /// (each grants nothing); absent when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_scopes: Option<Vec<&'q str>>,
}

/// A place in a rule file, for JSON.
#[derive(Clone, Copy, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Place<'p> {
    /// The file's display name.
    pub file: &'p str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl<'p> From<Location<'p>> for Place<'p> {
    fn from(location: Location<'p>) -> Self {
        Place {
            file: location.file,
            line: location.line,
            column: location.column,
        }
    }
}

/// What an instance sees, as `authgate visible --format json` prints it:
/// `{"instance", "connector", "auth", "endpoints"}` (`instance` is `null`
/// for a runtime instance).
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct Visible<'p> {
    /// The declared instance; `None` for a runtime instance.
    pub instance: Option<&'p str>,
    /// Its connector.
    pub connector: &'p str,
    /// Its method.
    pub auth: &'p str,
    /// The endpoints it sees, in declaration order.
    pub endpoints: Vec<&'p str>,
}

/// What a principal sees given the scopes a request named, as `authgate
/// visible --format json` prints it (and the JavaScript package's
/// `visible`): [`Visible`], then for a runtime instance given scopes the
/// scopes it holds (`scopes`) and those its method does not declare,
/// which grant nothing (`unknown_scopes`); each left out when empty.
#[derive(Clone, Debug, serde::Serialize)]
#[non_exhaustive]
pub struct VisibleWithScopes<'p, 'q> {
    /// What it sees.
    #[serde(flatten)]
    pub visible: Visible<'p>,
    /// The scopes the request named, in its order.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub scopes: Vec<&'q str>,
    /// Those of `scopes` its method does not declare.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub unknown_scopes: Vec<&'q str>,
}

impl Policy {
    /// Decides and explains: see [`Explanation`]. For explaining one
    /// decision (it looks for close names), not for batches.
    pub fn explain<'p, 'q>(
        &'p self,
        principal: Principal<'q>,
        endpoint: &'q str,
    ) -> Explanation<'p, 'q> {
        self.explain_with_scopes(principal, &[], endpoint)
    }

    /// Decides for a principal holding the scopes named in `scopes` (see
    /// [`Policy::decide_with_scopes`]) and explains; names the method does
    /// not declare are listed and said to grant nothing.
    pub fn explain_with_scopes<'p, 'q>(
        &'p self,
        principal: Principal<'q>,
        scopes: &'q [&'q str],
        endpoint: &'q str,
    ) -> Explanation<'p, 'q> {
        let decision = self.decide_with_scopes(principal, scopes, endpoint);
        let subject = decision.subject();
        let connector = subject
            .and_then(|s| self.method_connector(s.method))
            .or_else(|| match principal {
                Principal::Runtime { connector, .. } => self.connector(connector),
                Principal::Instance(_) => None,
            })
            .and_then(|c| self.connector_name(c));
        let activated = decision
            .endpoint()
            .map(|e| {
                self.activated(e)
                    .filter_map(|m| self.method_name(m))
                    .collect()
            })
            .unwrap_or_default();
        let unknown = match (principal, subject) {
            (Principal::Runtime { .. }, Some(subject)) => {
                self.unknown_scopes(subject.method, scopes)
            }
            _ => Vec::new(),
        };
        let mut reason = self.describe(&decision);
        if let Some(subject) = subject.filter(|_| !unknown.is_empty()) {
            let method = self.method_name(subject.method).unwrap_or_default();
            let close = match unknown.as_slice() {
                [one] => crate::text::suggest::closest(one, self.declared_scopes(subject.method)),
                _ => None,
            };
            reason.push_str(&format!(
                "; {} {} not a scope of `{method}`: a scope the method does not declare grants nothing",
                crate::text::list(unknown.iter().copied(), unknown.len()),
                if unknown.len() == 1 { "is" } else { "are" },
            ));
            if let Some(close) = close {
                reason.push_str(&format!("; did you mean `{close}`?"));
            }
        }
        let scoped = self.scoped_parts(&decision);
        Explanation {
            available: decision.available(),
            instance: match principal {
                Principal::Instance(instance) => Some(instance),
                Principal::Runtime { .. } => None,
            },
            connector,
            auth: subject.and_then(|s| self.method_name(s.method)),
            endpoint,
            activated,
            activated_with_scopes: decision
                .endpoint()
                .map(|e| {
                    self.endpoint_items(e)
                        .map(|item| self.item_text(item))
                        .collect::<Vec<_>>()
                })
                .filter(|items| !items.is_empty()),
            reason,
            instance_location: subject
                .and_then(|s| s.instance)
                .and_then(|i| self.instance_location(i))
                .map(Place::from),
            endpoint_location: decision
                .endpoint()
                .and_then(|e| self.endpoint_location(e))
                .map(Place::from),
            item: scoped.as_ref().map(|(item, _)| item.clone()),
            missing_scopes: scoped.and_then(|(_, missing)| missing),
            unknown_scopes: (!unknown.is_empty()).then_some(unknown),
        }
    }

    /// For a decision by scopes: the item's text, and for a refusal the
    /// scopes missing from it.
    fn scoped_parts(&self, decision: &Decision<'_>) -> Option<(String, Option<Vec<&str>>)> {
        match decision.reason {
            Reason::ScopesHeld { item, .. } => Some((self.item_text(item), None)),
            Reason::ScopesMissing { item, .. } => Some((
                self.item_text(item),
                Some(self.missing_scopes(&decision.reason)),
            )),
            _ => None,
        }
    }

    /// What `subject` sees: see [`Visible`].
    pub fn visible_to(&self, subject: Subject) -> Visible<'_> {
        self.visible_of(subject, self.visible_subject(subject))
    }

    /// What a runtime instance of `method` holding `scopes` sees: see
    /// [`Visible`] and [`Policy::visible_with_scopes`].
    pub fn visible_to_with_scopes(
        &self,
        method: super::MethodId,
        scopes: &ScopeSet,
    ) -> Visible<'_> {
        let subject = Subject {
            method,
            instance: None,
        };
        self.visible_of(subject, &self.visible_with_scopes(method, scopes))
    }

    /// What `subject` sees holding the scopes named in `scopes` (a runtime
    /// instance's; none for a declared instance, which holds what its
    /// declaration gives it): see [`VisibleWithScopes`].
    pub fn visible_holding<'p, 'q>(
        &'p self,
        subject: Subject,
        scopes: &[&'q str],
    ) -> VisibleWithScopes<'p, 'q> {
        let visible = if scopes.is_empty() {
            self.visible_to(subject)
        } else {
            self.visible_to_with_scopes(subject.method, &self.scope_set(subject.method, scopes))
        };
        VisibleWithScopes {
            visible,
            scopes: scopes.to_vec(),
            unknown_scopes: self.unknown_scopes(subject.method, scopes),
        }
    }

    /// `subject` with `endpoints`, by name.
    fn visible_of(&self, subject: Subject, endpoints: &[super::EndpointId]) -> Visible<'_> {
        Visible {
            instance: subject.instance.and_then(|i| self.instance_name(i)),
            connector: self
                .method_connector(subject.method)
                .and_then(|c| self.connector_name(c))
                .unwrap_or_default(),
            auth: self.method_name(subject.method).unwrap_or_default(),
            endpoints: endpoints
                .iter()
                .filter_map(|&e| self.endpoint_name(e))
                .collect(),
        }
    }
}
