//! Hover: what the name under the cursor means in the rules. On an
//! endpoint, its auth items and the declared instances that see it; on a
//! method, its type, the endpoints it activates and the scopes it
//! declares; on an instance, its method, its scopes and how many
//! endpoints it sees; on a scope, the endpoints that need it and the
//! instances that hold it. Every list is cut with "and N more", so a
//! connector of 1,500 endpoints and 300 scopes gives a few lines.

use lsp_types as lsp;

use super::index::{ConnectorFacts, Index, Symbol};
use super::navigate::occurrence;
use super::positions::Encoding;
use super::workspace::Analysis;
use crate::text::list;

/// The hover at the cursor.
pub fn hover(
    analysis: &Analysis,
    encoding: Encoding,
    at: &lsp::TextDocumentPositionParams,
) -> Option<lsp::Hover> {
    let occurrence = occurrence(analysis, encoding, at)?;
    let index = analysis.index();
    let text = match &occurrence.symbol {
        Symbol::Endpoint { connector, name } => endpoint(index, connector, name)?,
        Symbol::Method { connector, name } => method(index, connector, name)?,
        Symbol::Instance(name) => instance(index, name)?,
        Symbol::Connector(name) => {
            let facts = index.connectors.get(name)?;
            let instances = index
                .instances
                .values()
                .filter(|i| &i.connector == name)
                .count();
            format!(
                "**connector** `{name}`\n\n{} auth methods, {} endpoints, {} declared instances",
                facts.methods.len(),
                facts.endpoints.len(),
                instances,
            )
        }
        Symbol::Flow(name) => format!("**flow** `{name}`"),
        Symbol::Test(name) => format!("**test** `{name}`"),
        Symbol::Scope {
            connector,
            method,
            name,
        } => scope(index, connector, method, name)?,
    };
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: text,
        }),
        range: analysis.range(occurrence.span, encoding),
    })
}

fn endpoint(index: &Index, connector: &str, name: &str) -> Option<String> {
    let facts = index.connectors.get(connector)?;
    let endpoint = facts.endpoint(name)?;
    let seen_by: Vec<&str> = index
        .instance_order
        .iter()
        .filter(|i| {
            index.instances.get(*i).is_some_and(|f| {
                let Some(method) = f.method.as_deref() else {
                    return false;
                };
                if *f.connector != *connector || !endpoint.activates(method) {
                    return false;
                }
                let held = facts.granted(method, &f.scopes);
                endpoint.items.iter().any(|item| item.admits(method, &held))
            })
        })
        .map(|s| &**s)
        .collect();
    // Without scopes, the items are the activated methods.
    let scoped = endpoint.items.iter().any(|i| !i.scopes.is_empty());
    let items: Vec<String> = endpoint.items.iter().map(|i| i.text()).collect();
    Some(format!(
        "**endpoint** `{name}` of `{connector}`\n\n{}: {}\n\nseen by declared instances: {}",
        if scoped {
            "auth items"
        } else {
            "activated methods"
        },
        list(items.iter().map(String::as_str), items.len()),
        list(seen_by.iter().copied(), seen_by.len()),
    ))
}

fn method(index: &Index, connector: &str, name: &str) -> Option<String> {
    let facts = index.connectors.get(connector)?;
    let method = facts.method(name)?;
    let activating: Vec<&str> = facts.activating(name).map(|e| &*e.name).collect();
    let mut text = format!(
        "**auth method** `{name}` of `{connector}`: `{}`\n\nactivated by {} of {} endpoints: {}",
        method.kind,
        activating.len(),
        facts.endpoints.len(),
        list(activating.iter().copied(), activating.len()),
    );
    if !method.scopes.is_empty() {
        text.push_str(&format!(
            "\n\ndeclares {} scopes: {}",
            method.scopes.len(),
            list(method.scopes.iter().map(|s| &**s), method.scopes.len()),
        ));
    }
    Some(text)
}

fn instance(index: &Index, name: &str) -> Option<String> {
    let facts = index.instances.get(name)?;
    let seen = index.seen_by(name);
    let total = index
        .connectors
        .get(&facts.connector)
        .map_or(0, |c| c.endpoints.len());
    let holding = if facts.scopes.is_empty() {
        String::new()
    } else {
        format!(
            ", holding {} scopes ({})",
            facts.scopes.len(),
            list(facts.scopes.iter().map(|s| &**s), facts.scopes.len()),
        )
    };
    Some(format!(
        "**instance** `{name}` of `{}`\n\nauthenticates with `{}`{holding}; sees {} of {} \
         endpoints",
        facts.connector,
        facts.method.as_deref().unwrap_or("?"),
        seen.len(),
        total,
    ))
}

fn scope(index: &Index, connector: &str, method: &str, name: &str) -> Option<String> {
    let facts: &ConnectorFacts = index.connectors.get(connector)?;
    let declared = facts.method(method).is_some_and(|m| m.declares(name));
    let needing: Vec<&str> = facts
        .endpoints
        .iter()
        .filter(|e| e.needs(method, name))
        .map(|e| &*e.name)
        .collect();
    let of_method: Vec<&str> = index
        .instance_order
        .iter()
        .filter(|i| {
            index
                .instances
                .get(*i)
                .is_some_and(|f| *f.connector == *connector && f.method.as_deref() == Some(method))
        })
        .map(|s| &**s)
        .collect();
    let holding: Vec<&str> = of_method
        .iter()
        .copied()
        .filter(|i| {
            index
                .instances
                .get(*i)
                .is_some_and(|f| f.scopes.iter().any(|s| **s == *name))
        })
        .collect();
    let mut text = format!("**scope** `{name}` of method `{method}` of `{connector}`");
    if !declared {
        text.push_str(&format!(
            "\n\nnot declared by `{method}`: it grants nothing"
        ));
    }
    text.push_str(&format!(
        "\n\nneeded by an item of {} of {} endpoints: {}\n\nheld by {} of {} declared instances \
         of `{method}`: {}",
        needing.len(),
        facts.endpoints.len(),
        list(needing.iter().copied(), needing.len()),
        holding.len(),
        of_method.len(),
        list(holding.iter().copied(), holding.len()),
    ));
    Some(text)
}
