//! Requests that answer with edits: rename, code actions, formatting.
//! Each edit is applied to the text and sent back, and the server's
//! diagnostics show whether it did what it said.

use serde_json::{Value, json};

use crate::client::{Client, apply_edits, codes, marked};
use crate::{SHOP, USES};

/// The edits of a workspace edit for `uri`.
pub(crate) fn edits_for(edit: &Value, uri: &str) -> Vec<Value> {
    edit["changes"][uri].as_array().cloned().unwrap_or_default()
}

#[test]
fn rename_across_files_quotes_when_needed() {
    let (shop, marks) = marked(&SHOP.replace("endpoint orders", "endpoint $1orders"));
    let mut client = Client::start(&[("a.gate", &shop), ("b.gate", USES)]);
    let mut params = client.at("a.gate", &shop, marks[&1]);
    let prepared = client
        .request("textDocument/prepareRename", params.clone())
        .unwrap();
    assert_eq!(prepared["placeholder"], "orders");
    params["newName"] = json!("all orders");
    let edit = client.request("textDocument/rename", params).unwrap();
    let a = apply_edits(&shop, &edits_for(&edit, &client.uri("a.gate")));
    let b = apply_edits(USES, &edits_for(&edit, &client.uri("b.gate")));
    assert!(a.contains("endpoint \"all orders\" < auth: [basic] >"));
    assert!(b.contains("connection \"instance 1\" -> \"all orders\""));
    client.open("a.gate", &a);
    client.open("b.gate", &b);
    assert_eq!(client.diagnostics("a.gate"), Vec::<Value>::new());
    assert_eq!(client.diagnostics("b.gate"), Vec::<Value>::new());
    client.shutdown();
}

#[test]
fn rename_is_refused_when_the_name_is_taken() {
    let (shop, marks) = marked(&SHOP.replace("auth oauth:", "auth $1oauth:"));
    let other = "connector crm {\n    auth token: token\n    endpoint leads < auth: [token] >\n}\n";
    let mut client = Client::start(&[("a.gate", &shop), ("c.gate", other)]);
    let mut params = client.at("a.gate", &shop, marks[&1]);
    params["newName"] = json!("basic");
    let refused = client
        .request("textDocument/rename", params.clone())
        .unwrap_err();
    assert_eq!(
        refused.message,
        "can't rename: method `basic` of connector `shop` is already declared"
    );
    // Another connector's method name is free in this one.
    params["newName"] = json!("token");
    let edit = client.request("textDocument/rename", params).unwrap();
    assert_eq!(edits_for(&edit, &client.uri("a.gate")).len(), 2);
    client.shutdown();
}

/// The code action titled `title` for the diagnostic at `mark`.
pub(crate) fn action(
    client: &mut Client,
    name: &str,
    text: &str,
    offset: usize,
    title: &str,
) -> Value {
    let position = crate::client::position(text, offset);
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": client.uri(name)},
                "range": {"start": position, "end": position},
                "context": {"diagnostics": []},
            }),
        )
        .unwrap();
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == title)
        .cloned()
        .unwrap_or_else(|| panic!("no action `{title}` in {titles:?}"))
}

#[test]
fn replacing_with_the_suggested_name_clears_the_diagnostic() {
    let (text, marks) = marked(&format!("{SHOP}instance i of shop < auth: $1basci >\n"));
    let mut client = Client::start(&[("a.gate", &text)]);
    client.open("a.gate", &text);
    assert_eq!(
        codes(&client.diagnostics("a.gate")),
        ["authgate::unknown_method"]
    );
    let fix = action(
        &mut client,
        "a.gate",
        &text,
        marks[&1],
        "replace with `basic`",
    );
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "authgate::unknown_method");
    let fixed = apply_edits(&text, &edits_for(&fix["edit"], &client.uri("a.gate")));
    client.change("a.gate", &fixed);
    assert_eq!(client.diagnostics("a.gate"), Vec::<Value>::new());
    client.shutdown();
}

#[test]
fn activating_the_instances_method_clears_unactivated_method() {
    let (flow, marks) = marked("flow f {\n    connection $1\"instance 2\" -> orders\n}\n");
    let uses = USES.split("flow").next().unwrap();
    let mut client = Client::start(&[("a.gate", SHOP), ("b.gate", uses), ("c.gate", &flow)]);
    let found = client.diagnostics("c.gate");
    assert_eq!(codes(&found), ["authgate::unactivated_method"]);
    // The other labels, in the files they point into, are related
    // information: the instance's method (b.gate), the endpoint's list
    // (a.gate).
    let related = found[0]["relatedInformation"].as_array().unwrap();
    let places: Vec<(&str, &str)> = related
        .iter()
        .map(|r| {
            (
                r["location"]["uri"].as_str().unwrap(),
                r["message"].as_str().unwrap(),
            )
        })
        .collect();
    let (a, b) = (client.uri("a.gate"), client.uri("b.gate"));
    assert_eq!(places.len(), 2, "{places:?}");
    assert_eq!(
        places[0],
        (b.as_str(), "`instance 2` authenticates with `oauth`")
    );
    assert_eq!(places[1].0, a.as_str());
    let fix = action(
        &mut client,
        "c.gate",
        &flow,
        marks[&1],
        "activate `oauth` for endpoint `orders`",
    );
    // The edit is in the connector's file.
    let shop = apply_edits(SHOP, &edits_for(&fix["edit"], &client.uri("a.gate")));
    assert!(shop.contains("endpoint orders < auth: [basic, oauth] >"));
    client.open("a.gate", &shop);
    assert_eq!(client.diagnostics("c.gate"), Vec::<Value>::new());
    client.shutdown();
}

#[test]
fn declaring_a_missing_method_clears_unknown_method() {
    let (text, marks) = marked(&format!("{SHOP}instance i of shop < auth: $1apikey >\n"));
    let mut client = Client::start(&[("a.gate", &text)]);
    let fix = action(
        &mut client,
        "a.gate",
        &text,
        marks[&1],
        "declare method `apikey` in connector `shop`",
    );
    let fixed = apply_edits(&text, &edits_for(&fix["edit"], &client.uri("a.gate")));
    assert!(fixed.contains("    auth oauth: oauth2_authorization_code\n    auth apikey: basic\n"));
    client.open("a.gate", &fixed);
    // The method is declared; nothing activates it yet, which is a warning.
    let left = client.diagnostics("a.gate");
    assert!(
        !codes(&left).contains(&"authgate::unknown_method"),
        "{left:?}"
    );
    client.shutdown();
}

#[test]
fn allowing_a_warning_clears_it() {
    let (text, marks) = marked(
        "connector shop {\n    auth basic: basic\n    auth $1spare: token\n    endpoint e < auth: [basic] >\n}\n",
    );
    let mut client = Client::start(&[("a.gate", &text)]);
    assert_eq!(
        codes(&client.diagnostics("a.gate")),
        ["authgate::never_activated"]
    );
    let fix = action(
        &mut client,
        "a.gate",
        &text,
        marks[&1],
        "allow `never_activated` here",
    );
    let fixed = apply_edits(&text, &edits_for(&fix["edit"], &client.uri("a.gate")));
    assert!(fixed.contains("\n    // authgate: allow(never_activated)\n    auth spare: token\n"));
    client.open("a.gate", &fixed);
    assert_eq!(client.diagnostics("a.gate"), Vec::<Value>::new());
    client.shutdown();
}

/// Formatting gives `authgate fmt`'s layout, and nothing for a file that
/// is already in it.
#[test]
fn formatting_is_fmts_layout() {
    let messy = "connector   shop{auth basic:basic\n endpoint orders<auth:[basic]>} // kept\n";
    let mut client = Client::start(&[("a.gate", messy)]);
    let params = json!({"textDocument": {"uri": client.uri("a.gate")}, "options": {"tabSize": 4, "insertSpaces": true}});
    let edits = client
        .request("textDocument/formatting", params.clone())
        .unwrap();
    let formatted = apply_edits(messy, edits.as_array().unwrap());
    let mut sources = authgate::Sources::new();
    let id = sources.add("a.gate", messy);
    let file = sources.get(id).unwrap();
    let tree = authgate::syntax::parse(&sources, file).unwrap();
    assert_eq!(formatted, authgate::syntax::format::format(&tree, file));
    assert!(formatted.contains("// kept"));
    client.open("a.gate", &formatted);
    let again = client.request("textDocument/formatting", params).unwrap();
    assert_eq!(again, json!([]));
    client.shutdown();
}
