//! Edits of a rule file's text that tools make for people: a toggle in a
//! grid of endpoints by methods, a quick fix in an editor.
//!
//! An edit parses the file, changes its syntax tree and writes the file
//! back in the canonical layout ([`format`](super::format)), so every
//! comment is kept where `authgate fmt` keeps it, and an edit that
//! changes nothing gives the text `fmt` gives. Only the file's syntax is
//! read: an edit of a file whose rules have other errors (an unknown
//! method in another endpoint's list, a connector declared twice) still
//! goes through, and `check` reports them as before.

use std::borrow::Cow;

use thiserror::Error;

use crate::diagnostics::Diagnostic;
use crate::source::{SourceFile, Sources, Span};
use crate::syntax::tree::{
    Connector, Endpoint, File, Item, List, Member, Name, OptionEntry, Options, Scoped, Scopes,
    Value,
};
use crate::text::suggest;

/// One method turned on or off for one endpoint of one connector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Activation<'a> {
    /// The connector, as its name is read (without quotes or escapes).
    pub connector: &'a str,
    /// The endpoint of that connector.
    pub endpoint: &'a str,
    /// The auth method of that connector.
    pub method: &'a str,
    /// Whether the endpoint is to activate the method.
    pub on: bool,
}

/// Why an edit could not be made. Each unknown name comes with the
/// closest declared one, if one is close.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EditError {
    /// The file does not parse (or is not UTF-8): its syntax error.
    #[error("{0}")]
    Syntax(Box<Diagnostic>),
    /// `connector: "shpo"` where the file declares `shop`.
    #[error("unknown connector `{name}` in `{file}`{}", did_you_mean(suggestion))]
    UnknownConnector {
        /// The name asked for.
        name: String,
        /// The file's display name.
        file: String,
        /// The closest connector the file declares.
        suggestion: Option<String>,
    },
    /// `endpoint: "ordres"` where the connector declares `orders`.
    #[error(
        "unknown endpoint `{name}` in connector `{connector}`{}",
        did_you_mean(suggestion)
    )]
    UnknownEndpoint {
        /// The name asked for.
        name: String,
        /// The connector.
        connector: String,
        /// The closest endpoint the connector declares.
        suggestion: Option<String>,
    },
    /// `method: "baisc"` where the connector declares `basic`.
    #[error(
        "unknown auth method `{name}` in connector `{connector}`{}",
        did_you_mean(suggestion)
    )]
    UnknownMethod {
        /// The name asked for.
        name: String,
        /// The connector.
        connector: String,
        /// The closest method the connector declares.
        suggestion: Option<String>,
    },
}

/// `; did you mean `x`?`, or nothing.
fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|close| format!("; did you mean `{close}`?"))
        .unwrap_or_default()
}

/// Turns `activation.method` on or off for `activation.endpoint` of
/// `activation.connector` in `file` (one of `sources`, which name it in a
/// syntax error), and returns the file in the canonical layout with every
/// comment kept.
///
/// - Off: every item of the endpoint's auth list that names the method
///   goes, the plain item (`oauth`) and the items with scopes
///   (`oauth("contacts.write")`) alike, so no instance of the method sees
///   the endpoint any more.
/// - On: the plain item is added at the end of the list, or in place of
///   the method's first item with scopes, whose other items with scopes
///   then go (the plain item implies them: kept, each would be a
///   `redundant_alternative`). An endpoint without an auth list gets one.
/// - Turning on a method already on (listed plain), or off one no item
///   names, changes nothing but the layout.
///
/// An `auth` written as one name rather than a list (`auth: basic`, an
/// error `check` reports) is edited as the list of that name. The names
/// are compared as written, after quotes and escapes: `"orders"` is
/// `orders`. A connector or endpoint declared twice (an error) is edited
/// in every declaration.
pub fn set_activation(
    sources: &Sources,
    file: &SourceFile,
    activation: &Activation<'_>,
) -> Result<String, EditError> {
    let mut tree = super::parse(sources, file).map_err(EditError::Syntax)?;
    let connectors = connectors_named(&mut tree, activation.connector);
    if connectors.is_empty() {
        return Err(EditError::UnknownConnector {
            name: activation.connector.to_owned(),
            file: file.name().to_owned(),
            suggestion: closest(
                activation.connector,
                tree.items.iter().filter_map(|item| match item {
                    Item::Connector(connector) => Some(connector.name.text.as_ref()),
                    _ => None,
                }),
            ),
        });
    }
    let declared = |wanted: &str, method: bool| {
        connectors.iter().any(|connector| {
            connector.members.iter().any(|member| match member {
                Member::Method(m) => method && m.name.text == wanted,
                Member::Endpoint(e) => !method && e.name.text == wanted,
            })
        })
    };
    let unknown = |wanted: &str, method: bool| {
        closest(
            wanted,
            connectors
                .iter()
                .flat_map(|connector| connector.members.iter())
                .filter_map(|member| match member {
                    Member::Method(m) if method => Some(m.name.text.as_ref()),
                    Member::Endpoint(e) if !method => Some(e.name.text.as_ref()),
                    _ => None,
                }),
        )
    };
    if !declared(activation.endpoint, false) {
        return Err(EditError::UnknownEndpoint {
            name: activation.endpoint.to_owned(),
            connector: activation.connector.to_owned(),
            suggestion: unknown(activation.endpoint, false),
        });
    }
    if !declared(activation.method, true) {
        return Err(EditError::UnknownMethod {
            name: activation.method.to_owned(),
            connector: activation.connector.to_owned(),
            suggestion: unknown(activation.method, true),
        });
    }
    for connector in connectors {
        for member in &mut connector.members {
            if let Member::Endpoint(endpoint) = member
                && endpoint.name.text == activation.endpoint
            {
                set(endpoint, activation.method, activation.on);
            }
        }
    }
    Ok(super::format::format(&tree, file))
}

/// The connectors of `tree` called `name`.
fn connectors_named<'t, 's>(tree: &'t mut File<'s>, name: &str) -> Vec<&'t mut Connector<'s>> {
    tree.items
        .iter_mut()
        .filter_map(|item| match item {
            Item::Connector(connector) if connector.name.text == name => Some(connector),
            _ => None,
        })
        .collect()
}

/// The closest of `candidates` to `wanted`, owned.
fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    suggest::closest(wanted, candidates).map(str::to_owned)
}

/// Turns `method` on or off in the auth list(s) of `endpoint`.
fn set(endpoint: &mut Endpoint<'_>, method: &str, on: bool) {
    // New names and blocks are placed at the end of the endpoint: the
    // formatter reads no span of a name or a block, only the member's.
    let at = Span {
        start: endpoint.span.end,
        ..endpoint.span
    };
    if !on && endpoint.options.is_none() {
        return;
    }
    let options = endpoint.options.get_or_insert_with(|| Options {
        entries: Vec::new(),
        span: at,
    });
    if !options.entries.iter().any(|entry| entry.key.text == "auth") {
        if !on {
            return;
        }
        options.entries.push(OptionEntry {
            key: name("auth", at),
            value: Value::List(List {
                items: Vec::new(),
                scopes: Vec::new(),
                span: at,
            }),
            span: at,
        });
    }
    let lists = options
        .entries
        .iter_mut()
        .filter(|entry| entry.key.text == "auth");
    // With `auth` given twice (an error), turning on edits the first list,
    // turning off every list.
    for (index, entry) in lists.enumerate() {
        let list = match &mut entry.value {
            Value::List(list) => list,
            Value::Name(single) => {
                let single = single.clone();
                entry.value = Value::List(List {
                    span: single.span,
                    items: vec![single],
                    scopes: Vec::new(),
                });
                let Value::List(list) = &mut entry.value else {
                    continue;
                };
                list
            }
        };
        if on && index == 0 {
            turn_on(list, method, at);
        } else if !on {
            turn_off(list, method);
        }
    }
}

/// A name with no escapes to keep.
fn name<'s>(text: &str, span: Span) -> Name<'s> {
    Name {
        text: Cow::Owned(text.to_owned()),
        span,
    }
}

/// A list as (item, its scopes) pairs, and back.
fn items<'s>(list: &mut List<'s>) -> Vec<(Name<'s>, Option<Scopes<'s>>)> {
    let mut scopes = std::mem::take(&mut list.scopes).into_iter().peekable();
    std::mem::take(&mut list.items)
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let held = scopes
                .next_if(|scoped| scoped.item == index)
                .map(|scoped| scoped.scopes);
            (item, held)
        })
        .collect()
}

fn rebuild<'s>(list: &mut List<'s>, pairs: Vec<(Name<'s>, Option<Scopes<'s>>)>) {
    for (index, (item, held)) in pairs.into_iter().enumerate() {
        list.items.push(item);
        if let Some(scopes) = held {
            list.scopes.push(Scoped {
                item: index,
                scopes,
            });
        }
    }
}

fn turn_on(list: &mut List<'_>, method: &str, at: Span) {
    let is_method = |item: &Name<'_>| item.text == method;
    if list
        .items
        .iter()
        .enumerate()
        .any(|(index, item)| is_method(item) && list.scopes_of(index).is_none())
    {
        return;
    }
    let pairs = items(list);
    let mut edited = Vec::with_capacity(pairs.len() + 1);
    let mut placed = false;
    for (item, held) in pairs {
        if is_method(&item) {
            // An item with scopes of the method (the plain item is not
            // listed): the first becomes the plain item, the others go.
            if !placed {
                edited.push((item, None));
                placed = true;
            }
            continue;
        }
        edited.push((item, held));
    }
    if !placed {
        edited.push((name(method, at), None));
    }
    rebuild(list, edited);
}

fn turn_off(list: &mut List<'_>, method: &str) {
    if !list.items.iter().any(|item| item.text == method) {
        return;
    }
    let kept = items(list)
        .into_iter()
        .filter(|(item, _)| item.text != method)
        .collect();
    rebuild(list, kept);
}
