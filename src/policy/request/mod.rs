//! Decision requests as `authgate eval` reads them, and their answers as
//! it writes them: one model for every front end that decides by names
//! (`eval` lines, `authgate serve`'s `/v1/decide` and its batches).
//!
//! Both ends are on the hot path of batch evaluation, where a decision
//! costs about 100 ns and the JSON around it costs more: names are
//! borrowed from the input when they have no escapes (`plain.rs`, the
//! reader nearly every request takes, with serde_json reading the rest),
//! and the answer is written by hand into a reused buffer (`answer.rs`:
//! through serde it cost 15-25% of `eval`'s throughput, measured with
//! scripts/cli_bench.py). Tests hold the plain reader to serde_json's
//! reading, and the hand-written answer byte for byte to
//! [`Policy::answer`]'s serialisation.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;

use super::{Decision, Held, Policy, Principal, Reason};

mod answer;
mod plain;
mod words;

pub(crate) use answer::write_body;
use answer::write_own_answer;
pub use answer::{write_answer, write_answer_with_scopes, write_decision, write_str};
use plain::plain_names;

/// One request: `{"instance": I, "endpoint": E}` or `{"connector": C,
/// "auth": M, "endpoint": E}`, the latter optionally with `"scopes": [S,
/// ...]`, the scopes the runtime instance holds; no other field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request<'a> {
    #[serde(borrow, default)]
    instance: Field<'a>,
    #[serde(borrow, default)]
    connector: Field<'a>,
    #[serde(borrow, default)]
    auth: Field<'a>,
    #[serde(borrow, default)]
    endpoint: Field<'a>,
    #[serde(borrow, default)]
    scopes: Scopes<'a>,
}

/// The `"scopes"` of a request: left out, `null` (refused, as for names),
/// or a list of names. The plain reader, which reads nearly every line,
/// keeps a short list in place and a long one as its text: nothing is
/// allocated. A list serde_json reads (one with escapes, or beside other
/// oddities) is boxed, its first few borrowed names inline in the box and
/// the rest, or names with escapes, in a vector.
#[derive(Debug, Default)]
pub(crate) enum Scopes<'a> {
    #[default]
    Absent,
    Null,
    /// A list written plainly ([`Request::read_plain`]): the text between its
    /// brackets, whose names the plain reader found to be strings without
    /// escapes. They are read again, one by one, only if a decision needs
    /// them; nothing is allocated for them.
    Plain(&'a str),
    /// A short list written plainly: its names, as read the first time.
    Few(u8, [&'a str; INLINE_SCOPES]),
    List(Box<ScopeNames<'a>>),
}

/// How many borrowed scope names a request holds without allocating.
const INLINE_SCOPES: usize = 8;

/// A request's scope names: `inline[..len]` while every name is borrowed
/// and there are at most [`INLINE_SCOPES`], else all of them in `spilled`.
#[derive(Debug, Default)]
pub(crate) struct ScopeNames<'a> {
    len: usize,
    inline: [&'a str; INLINE_SCOPES],
    spilled: Vec<Cow<'a, str>>,
}

impl<'a> ScopeNames<'a> {
    fn push(&mut self, name: Cow<'a, str>) {
        if self.spilled.is_empty() {
            match (&name, self.inline.get_mut(self.len)) {
                (Cow::Borrowed(borrowed), Some(slot)) => {
                    *slot = borrowed;
                    self.len += 1;
                    return;
                }
                _ => {
                    let inline = self.inline.get(..self.len).unwrap_or_default();
                    self.spilled
                        .extend(inline.iter().map(|&s| Cow::Borrowed(s)));
                }
            }
        }
        self.spilled.push(name);
    }

    fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let inline = if self.spilled.is_empty() {
            self.inline.get(..self.len).unwrap_or_default()
        } else {
            &[]
        };
        inline
            .iter()
            .copied()
            .chain(self.spilled.iter().map(|s| &**s))
    }

    fn is_empty(&self) -> bool {
        self.len == 0 && self.spilled.is_empty()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scopes<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Reads `null` or a list of names.
        struct List<'a>(std::marker::PhantomData<&'a ()>);

        impl<'de: 'a, 'a> serde::de::Visitor<'de> for List<'a> {
            type Value = Scopes<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`scopes` as a list of names")
            }

            fn visit_none<E: serde::de::Error>(self) -> Result<Scopes<'a>, E> {
                Ok(Scopes::Null)
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Scopes<'a>, E> {
                Ok(Scopes::Null)
            }

            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Scopes<'a>, D::Error> {
                deserializer.deserialize_seq(self)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Scopes<'a>, A::Error> {
                let mut names = ScopeNames::default();
                while let Some(ScopeName(name)) = seq.next_element()? {
                    names.push(name);
                }
                Ok(Scopes::List(Box::new(names)))
            }
        }

        deserializer.deserialize_option(List(std::marker::PhantomData))
    }
}

/// One name of `"scopes"`, borrowed when it has no escapes.
struct ScopeName<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for ScopeName<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name<'a>(std::marker::PhantomData<&'a ()>);

        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Name<'a> {
            type Value = ScopeName<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scope name (a string) in `scopes`")
            }

            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<ScopeName<'a>, E> {
                Ok(ScopeName(Cow::Borrowed(v)))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ScopeName<'a>, E> {
                Ok(ScopeName(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<ScopeName<'a>, E> {
                Ok(ScopeName(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(Name(std::marker::PhantomData))
    }
}

/// Why a request can't be answered: it is not JSON, or not a request's
/// shape. The message is one line, e.g. ``a request needs `endpoint` ``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestError {
    message: String,
}

impl RequestError {
    fn new(message: impl Into<String>) -> Self {
        RequestError {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

/// A field of a request. `null` is not the field left out: a request
/// with `"instance": null` beside `connector` and `auth` may be a bug in
/// the caller, so it is refused rather than read as a runtime instance.
#[derive(Debug, Default)]
pub(crate) enum Field<'a> {
    #[default]
    Absent,
    Null,
    Name(Cow<'a, str>),
}

impl Field<'_> {
    /// The name given for `key`, if any; an error for `null`.
    pub(crate) fn name(&self, key: &str) -> Result<Option<&str>, RequestError> {
        match self {
            Field::Absent => Ok(None),
            Field::Null => Err(RequestError::new(format!(
                "`{key}` is null: give a name, or leave the field out"
            ))),
            Field::Name(name) => Ok(Some(name)),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Reads `null` or a string, borrowing the string when it has no
        /// escapes.
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);

        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Field<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name (a string)")
            }

            fn visit_none<E: serde::de::Error>(self) -> Result<Field<'a>, E> {
                Ok(Field::Null)
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Field<'a>, E> {
                Ok(Field::Null)
            }

            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Field<'a>, D::Error> {
                deserializer.deserialize_str(self)
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Field<'a>, E> {
                Ok(Field::Name(Cow::Borrowed(v)))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Field<'a>, E> {
                Ok(Field::Name(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Field<'a>, E> {
                Ok(Field::Name(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_option(Visit(std::marker::PhantomData))
    }
}

/// What serde_json says of a request it can't read.
fn not_valid(error: serde_json::Error) -> RequestError {
    RequestError::new(format!("not a valid request: {error}"))
}

impl<'a> Request<'a> {
    /// Reads one request from JSON text.
    pub fn parse(json: &'a [u8]) -> Result<Request<'a>, RequestError> {
        // Checked as UTF-8 once, the line is read as text: serde_json then
        // doesn't check each string again (a fifth of reading a request).
        // Bytes that are not UTF-8 are read as bytes, for serde_json's
        // message with the place.
        match std::str::from_utf8(json) {
            Ok(text) => Request::parse_str(text),
            Err(_) => serde_json::from_slice(json).map_err(not_valid),
        }
    }

    /// [`Request::parse`] for text: for a caller that checked a whole
    /// buffer of lines as UTF-8 at once.
    #[inline]
    pub fn parse_str(text: &'a str) -> Result<Request<'a>, RequestError> {
        // Filled in place: a request is a few hundred bytes.
        let mut request = Request::ABSENT;
        if request.read_plain(text).is_some() {
            return Ok(request);
        }
        serde_json::from_str(text).map_err(not_valid)
    }

    /// A request with every field left out.
    const ABSENT: Request<'static> = Request {
        instance: Field::Absent,
        connector: Field::Absent,
        auth: Field::Absent,
        endpoint: Field::Absent,
        scopes: Scopes::Absent,
    };

    /// Who asks about which endpoint, or why the request names neither a
    /// declared instance nor a runtime one.
    pub fn query(&self) -> Result<(Principal<'_>, &str), RequestError> {
        let endpoint = self
            .endpoint
            .name("endpoint")?
            .ok_or_else(|| RequestError::new("a request needs `endpoint`"))?;
        let principal = match (
            self.instance.name("instance")?,
            self.connector.name("connector")?,
            self.auth.name("auth")?,
        ) {
            (Some(instance), None, None) => Principal::Instance(instance),
            (None, Some(connector), Some(auth)) => Principal::Runtime {
                connector,
                method: auth,
            },
            _ => {
                return Err(RequestError::new(
                    "a request names either `instance`, or `connector` and `auth`",
                ));
            }
        };
        if let Scopes::Null = self.scopes {
            return Err(RequestError::new(
                "`scopes` is null: give a list of names, or leave the field out",
            ));
        }
        if !matches!(self.scopes, Scopes::Absent) && matches!(principal, Principal::Instance(_)) {
            return Err(RequestError::new(
                "`scopes` goes with `connector` and `auth`: a declared instance holds the scopes its declaration gives it",
            ));
        }
        Ok((principal, endpoint))
    }

    /// The scopes the runtime instance holds (`"scopes"`), none when left
    /// out. Allocates only for a request that names some.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope_names().collect()
    }

    /// The scopes the runtime instance holds, in the order given; none
    /// when left out. Allocates nothing.
    pub fn scope_names(&self) -> impl Iterator<Item = &str> + '_ {
        let (few, plain, list) = match &self.scopes {
            Scopes::Few(count, names) => (
                names.get(..usize::from(*count)).unwrap_or_default(),
                None,
                None,
            ),
            Scopes::Plain(text) => (&[][..], Some(plain_names(text)), None),
            Scopes::List(names) => (&[][..], None, Some(names.iter())),
            Scopes::Absent | Scopes::Null => (&[][..], None, None),
        };
        few.iter()
            .copied()
            .chain(plain.into_iter().flatten())
            .chain(list.into_iter().flatten())
    }

    /// Whether the request names any scope.
    fn names_scopes(&self) -> bool {
        match &self.scopes {
            Scopes::Few(count, _) => *count > 0,
            Scopes::Plain(text) => !text.is_empty(),
            Scopes::List(names) => !names.is_empty(),
            Scopes::Absent | Scopes::Null => false,
        }
    }

    /// Answers the request: decides (for a runtime instance, holding its
    /// `"scopes"`) and appends the answer to `out` as [`write_answer`]
    /// does. Returns whether the endpoint is available, or why the request
    /// can't be answered. The scope names are resolved only when the
    /// endpoint lists the method with scopes alone: a short list (as
    /// nearly every request gives) by comparing the items' scopes with
    /// its names, a longer one by a hash look-up per name. Nothing is
    /// allocated for them.
    pub fn answer(&self, policy: &Policy, out: &mut Vec<u8>) -> Result<bool, RequestError> {
        let (principal, endpoint) = self.query()?;
        let set;
        let decision = match policy.locate(principal, endpoint) {
            // Only a runtime instance names scopes (`query` said so).
            Ok((subject, hot, id)) if self.names_scopes() && !policy.test(hot, id) => {
                let items = policy.items(subject.method, id);
                if items.1.is_empty() {
                    Decision {
                        reason: Reason::NotActivated {
                            subject,
                            endpoint: id,
                        },
                    }
                } else {
                    set = match &self.scopes {
                        Scopes::Few(count, names) => policy.scope_set_among(
                            subject.method,
                            items.1,
                            names.get(..usize::from(*count)).unwrap_or_default(),
                        ),
                        _ => policy.scope_set_of(subject.method, self.scope_names()),
                    };
                    Decision {
                        reason: policy.reason_from_items(
                            subject,
                            id,
                            items,
                            Some(&set),
                            Held::Set(&set),
                        ),
                    }
                }
            }
            Ok((subject, hot, id)) => policy.rule(subject, hot, id),
            Err(reason) => Decision { reason },
        };
        write_own_answer(policy, &decision, principal, endpoint, out);
        Ok(decision.available())
    }
}
