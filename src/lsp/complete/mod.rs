//! Completion in context. The text before the cursor is tokenized (it
//! rarely parses while being typed) and read for where the cursor is: in
//! which connector, flow or test, in whose options block or list, after
//! which keyword. The names offered come from the index of the whole rule
//! set: inside an endpoint's `auth: [...]` only its connector's methods,
//! after an instance's `auth:` only its connector's, after `->` only the
//! endpoints of the connection's instance's connector. Scopes are a
//! method's: after `METHOD(` in an auth list or a test's runtime subject,
//! and in an instance's `scopes: [...]`, the scopes that method declares
//! (less those the list already names); in a method's own `scopes: [...]`,
//! the scopes that items and instances name with it but it does not
//! declare yet.

mod context;
mod known;

use lsp_types as lsp;

use super::lex::{Kind, tokens};
use super::positions::Encoding;
use super::workspace::Analysis;
use crate::check::AuthType;
use crate::syntax::quote_name;
use context::{Offer, context};
use known::{Known, name_of};

/// The completion items at the cursor.
pub fn completion(
    analysis: &Analysis,
    encoding: Encoding,
    at: &lsp::TextDocumentPositionParams,
) -> Option<lsp::CompletionResponse> {
    let (file, offset) = analysis.at(at, encoding)?;
    let text = analysis.text(file);
    let before = text.get(..offset)?;
    let mut all = tokens(before);
    // A name being typed is replaced by the item chosen.
    let typing = all
        .last()
        .copied()
        .filter(|t| t.is_name() && t.end == offset);
    if typing.is_some() {
        all.pop();
    }
    let known = Known::new(analysis.index(), text);
    let mut offer = context(before, &all, &known)?;
    if let Offer::Scopes(of) | Offer::Undeclared(of) = &mut offer {
        of.written
            .extend(written_after(text.get(offset..).unwrap_or("")));
    }
    // A quote the editor closed by itself is part of the name replaced.
    let open_quote = typing.is_some_and(|t| {
        let written = t.text(text);
        t.kind == Kind::Quoted && (written.len() < 2 || !written.ends_with('"'))
    });
    let end = if open_quote && text.get(offset..).is_some_and(|rest| rest.starts_with('"')) {
        offset + 1
    } else {
        offset
    };
    let replace = analysis.range(
        crate::source::Span::new(file, typing.map_or(offset, |t| t.start), end),
        encoding,
    )?;
    let mut items = Vec::new();
    let mut push = |label: &str, kind: lsp::CompletionItemKind, detail: Option<String>| {
        let written = if kind == lsp::CompletionItemKind::KEYWORD {
            label.to_owned()
        } else {
            quote_name(label)
        };
        items.push(lsp::CompletionItem {
            label: label.to_owned(),
            kind: Some(kind),
            detail,
            filter_text: Some(written.clone()),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                replace, written,
            ))),
            ..lsp::CompletionItem::default()
        });
    };
    match offer {
        Offer::Keywords(words) => {
            for word in words {
                push(word, lsp::CompletionItemKind::KEYWORD, None);
            }
        }
        Offer::Types => {
            // The six auth types, for `auth NAME: `.
            for kind in AuthType::ALL {
                push(
                    kind.as_str(),
                    lsp::CompletionItemKind::TYPE_PARAMETER,
                    Some("auth type".to_owned()),
                );
            }
        }
        Offer::OptionKeys(keys) => {
            for key in keys {
                push(key, lsp::CompletionItemKind::PROPERTY, None);
            }
        }
        Offer::Scopes(of) => {
            let detail = format!("scope of {}", quote_name(&of.method));
            for scope in known.scopes(&of.connector, &of.method) {
                if !of.written.contains(&scope) {
                    push(&scope, SCOPE, Some(detail.clone()));
                }
            }
        }
        Offer::Undeclared(of) => {
            let detail = format!("used with {}, not declared", quote_name(&of.method));
            for scope in known.index.undeclared_scopes(&of.connector, &of.method) {
                if !of.written.iter().any(|w| **w == *scope) {
                    push(&scope, SCOPE, Some(detail.clone()));
                }
            }
        }
        Offer::Connectors => connectors(&known, &mut push),
        Offer::Instances => instances(&known, &mut push),
        Offer::Subjects => {
            instances(&known, &mut push);
            connectors(&known, &mut push);
        }
        Offer::Methods(connector) => {
            for (name, kind) in known.methods(&connector) {
                push(&name, lsp::CompletionItemKind::ENUM_MEMBER, Some(kind));
            }
        }
        Offer::Endpoints(connector) => {
            for name in known.endpoints(&connector) {
                push(&name, lsp::CompletionItemKind::FUNCTION, None);
            }
        }
    }
    Some(lsp::CompletionResponse::Array(items))
}

/// How a scope is shown in the list of items.
const SCOPE: lsp::CompletionItemKind = lsp::CompletionItemKind::VALUE;

/// The names after the cursor in the list or group it is in (up to its
/// `)`, `]` or `>`).
fn written_after(rest: &str) -> Vec<String> {
    let end = rest.find([')', ']', '>']).unwrap_or(rest.len());
    let group = rest.get(..end).unwrap_or("");
    tokens(group)
        .iter()
        .filter(|t| t.is_name())
        .map(|t| name_of(group, t))
        .collect()
}

fn connectors(
    known: &Known<'_>,
    push: &mut impl FnMut(&str, lsp::CompletionItemKind, Option<String>),
) {
    for name in known.connectors() {
        push(
            &name,
            lsp::CompletionItemKind::CLASS,
            Some("connector".to_owned()),
        );
    }
}

fn instances(
    known: &Known<'_>,
    push: &mut impl FnMut(&str, lsp::CompletionItemKind, Option<String>),
) {
    for (name, connector) in known.instances() {
        push(
            &name,
            lsp::CompletionItemKind::VARIABLE,
            Some(format!("of {connector}")),
        );
    }
}
