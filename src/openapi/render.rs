//! An [`Api`] as a rule file: one connector, methods then endpoints, in
//! the canonical layout of `authgate fmt` (the text is written, then
//! parsed and formatted, so the layout is `fmt`'s by construction). What
//! the language can't say is a comment at the end of the line it is
//! about.

use super::Api;
use crate::source::Sources;
use crate::syntax::quote_name;

/// The connector name `import` uses when none is given: the spec's title
/// in lowercase words joined by `_` (`"Shop API v2"` → `shop_api_v2`), or
/// `api` when there is no title to speak of.
pub fn connector_name(title: Option<&str>) -> String {
    let mut name = String::new();
    for word in title
        .unwrap_or("")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        if !name.is_empty() {
            name.push('_');
        }
        name.extend(word.chars().flat_map(char::to_lowercase));
    }
    match name.chars().next() {
        None => "api".to_owned(),
        Some(first) if first.is_ascii_digit() => format!("api_{name}"),
        Some(_) => name,
    }
}

/// The rule file for `api` as connector `connector`, in the canonical
/// layout.
pub fn render(api: &Api, connector: &str) -> String {
    let mut text = String::new();
    let files: Vec<String> = api.files.iter().map(|f| format!("`{f}`")).collect();
    let from = crate::text::join(files.iter(), files.len(), "and");
    let title = api
        .title
        .as_deref()
        .map_or_else(String::new, |title| format!(" ({title})"));
    text.push_str(&comment(&format!(
        "Imported from {from}{title} by `authgate import openapi`."
    )));
    text.push('\n');
    text.push_str(
        "// Comments keep what the rules can't say; `authgate drift` compares rules and spec.\n",
    );
    text.push_str(&format!("connector {} {{\n", quote_name(connector)));
    for method in &api.methods {
        text.push_str(&format!(
            "    auth {}: {}",
            quote_name(&method.name),
            method.kind
        ));
        if !method.scopes.is_empty() {
            let scopes: Vec<String> = method.scopes.iter().map(|s| quote_name(s)).collect();
            text.push_str(&format!(" < scopes: [{}] >", scopes.join(", ")));
        }
        if let Some(note) = &method.note {
            text.push(' ');
            text.push_str(&comment(note));
        }
        text.push('\n');
    }
    if !api.endpoints.is_empty() {
        text.push('\n');
    }
    for endpoint in &api.endpoints {
        let items: Vec<String> = endpoint
            .items
            .iter()
            .map(|item| item_text(&item.method, &item.scopes))
            .collect();
        text.push_str(&format!(
            "    endpoint {} < auth: [{}] >",
            quote_name(&endpoint.name),
            items.join(", ")
        ));
        if !endpoint.notes.is_empty() {
            text.push(' ');
            text.push_str(&comment(&endpoint.notes.join("; ")));
        }
        text.push('\n');
    }
    text.push_str("}\n");
    canonical(text)
}

/// An auth-list item as the rules write it: `oauth` or
/// `oauth("a", "b")`.
pub(crate) fn item_text<S: AsRef<str>>(method: &str, scopes: &[S]) -> String {
    let mut text = quote_name(method);
    if !scopes.is_empty() {
        let scopes: Vec<String> = scopes.iter().map(|s| quote_name(s.as_ref())).collect();
        text.push('(');
        text.push_str(&scopes.join(", "));
        text.push(')');
    }
    text
}

/// `text` in the canonical layout (itself, should it not parse, which
/// would be a bug: the tests hold `import` to output that checks).
fn canonical(text: String) -> String {
    let mut sources = Sources::new();
    let id = sources.add("import.gate", text);
    let Some(file) = sources.get(id) else {
        return String::new();
    };
    match crate::syntax::parse(&sources, file) {
        Ok(tree) => crate::syntax::format::format(&tree, file),
        Err(_) => file.text().to_owned(),
    }
}

/// A `//` comment holding `text` on one line: line breaks and other
/// control characters become spaces, hidden ones are escaped.
fn comment(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("// {}", crate::text::escape(&flat))
}

#[cfg(test)]
mod tests {
    use super::connector_name;

    #[test]
    fn connector_names_come_from_titles() {
        assert_eq!(connector_name(Some("Shop API v2")), "shop_api_v2");
        assert_eq!(connector_name(Some("  ")), "api");
        assert_eq!(connector_name(None), "api");
        assert_eq!(
            connector_name(Some("1Password Connect")),
            "api_1password_connect"
        );
        assert_eq!(connector_name(Some("Café — Orders")), "café_orders");
    }
}
