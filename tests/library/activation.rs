//! `syntax::edit::set_activation`: one method turned on or off for one
//! endpoint, the file written back as `fmt` writes it, comments kept.
#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use authgate::syntax::edit::{Activation, EditError, set_activation};
use authgate::{Principal, Sources};

/// `set_activation` on `text` (called `shop.gate`).
fn edit(text: &str, connector: &str, endpoint: &str, method: &str, on: bool) -> String {
    try_edit(text, connector, endpoint, method, on).unwrap_or_else(|error| panic!("{error}"))
}

fn try_edit(
    text: &str,
    connector: &str,
    endpoint: &str,
    method: &str,
    on: bool,
) -> Result<String, EditError> {
    let mut sources = Sources::new();
    let id = sources.add("shop.gate", text);
    let file = sources.get(id).unwrap();
    set_activation(
        &sources,
        file,
        &Activation {
            connector,
            endpoint,
            method,
            on,
        },
    )
}

/// `authgate fmt`'s text of `text`.
fn formatted(text: &str) -> String {
    let mut sources = Sources::new();
    let id = sources.add("shop.gate", text);
    let file = sources.get(id).unwrap();
    let tree = authgate::syntax::parse(&sources, file).unwrap();
    authgate::syntax::format::format(&tree, file)
}

fn policy(text: &str) -> authgate::Policy {
    let mut sources = Sources::new();
    sources.add("shop.gate", text);
    let compiled = authgate::compile(&sources);
    match compiled.policy {
        Some(policy) => policy,
        None => panic!("rules do not compile: {:?}", compiled.diagnostics),
    }
}

const SHOP: &str = r#"// The shop's rules.
connector shop {
    auth basic: basic   // legacy
    auth "OAuth 2": oauth2_authorization_code

    /* orders: basic only, for now */
    endpoint orders < auth: [basic] >
    endpoint customers < auth: [basic, /* kept */ "OAuth 2"] > // both
    endpoint ping
}

instance "instance 1" of shop < auth: basic >
// trailing words
"#;

#[test]
fn turning_a_method_on_adds_it_and_keeps_every_comment() {
    let edited = edit(SHOP, "shop", "orders", "OAuth 2", true);
    assert_eq!(
        edited,
        r#"// The shop's rules.
connector shop {
    auth basic: basic // legacy
    auth "OAuth 2": oauth2_authorization_code

    /* orders: basic only, for now */
    endpoint orders < auth: [basic, "OAuth 2"] >
    endpoint customers < auth: [basic, "OAuth 2"] > /* kept */ // both
    endpoint ping
}

instance "instance 1" of shop < auth: basic >
// trailing words
"#
    );
    let policy = policy(&edit(&edited, "shop", "ping", "basic", true));
    let oauth = Principal::Runtime {
        connector: "shop",
        method: "OAuth 2",
    };
    assert!(policy.decide(oauth, "orders").available());
}

#[test]
fn turning_a_method_off_removes_it_and_keeps_the_comment_inside_the_list() {
    let edited = edit(SHOP, "shop", "customers", "OAuth 2", false);
    assert!(
        edited.contains("    endpoint customers < auth: [basic] > /* kept */ // both\n"),
        "{edited}"
    );
    // Every comment of the source is in the result, once.
    for comment in [
        "// The shop's rules.",
        "// legacy",
        "/* orders: basic only, for now */",
        "/* kept */",
        "// both",
        "// trailing words",
    ] {
        assert_eq!(edited.matches(comment).count(), 1, "{comment} in {edited}");
    }
    let policy = policy(&edit(&edited, "shop", "ping", "basic", true));
    let oauth = Principal::Runtime {
        connector: "shop",
        method: "OAuth 2",
    };
    assert!(!policy.decide(oauth, "customers").available());
}

#[test]
fn the_last_method_off_leaves_an_empty_list_and_an_endpoint_without_one_gets_one() {
    let edited = edit(SHOP, "shop", "orders", "basic", false);
    assert!(
        edited.contains("    endpoint orders < auth: [] >\n"),
        "{edited}"
    );
    let edited = edit(SHOP, "shop", "ping", "basic", true);
    assert!(
        edited.contains("    endpoint ping < auth: [basic] >\n"),
        "{edited}"
    );
    // Off where there is no list: nothing to take away.
    assert_eq!(edit(SHOP, "shop", "ping", "basic", false), formatted(SHOP));
    // An options block without `auth` gets the entry.
    let text = "connector c { auth m: basic endpoint e < > }\n";
    assert_eq!(
        edit(text, "c", "e", "m", true),
        "connector c {\n    auth m: basic\n    endpoint e < auth: [m] >\n}\n"
    );
}

#[test]
fn turning_on_what_is_on_or_off_what_is_off_gives_the_canonical_text() {
    let canonical = formatted(SHOP);
    assert_ne!(
        canonical, SHOP,
        "the fixture is not in the canonical layout"
    );
    assert_eq!(edit(SHOP, "shop", "orders", "basic", true), canonical);
    assert_eq!(edit(SHOP, "shop", "orders", "OAuth 2", false), canonical);
    // On, then on again: the second changes nothing; off undoes it.
    let on = edit(SHOP, "shop", "orders", "OAuth 2", true);
    assert_eq!(edit(&on, "shop", "orders", "OAuth 2", true), on);
    assert_eq!(edit(&on, "shop", "orders", "OAuth 2", false), canonical);
    // The result is formatted: `fmt` leaves it alone.
    assert_eq!(formatted(&on), on);
}

#[test]
fn names_are_read_as_written_quotes_and_escapes_resolved() {
    let text = r#"connector "my shop" { auth "a \"b\"": token endpoint "GET /x" < auth: [] > }"#;
    let edited = edit(text, "my shop", "GET /x", r#"a "b""#, true);
    assert!(
        edited.contains(r#"    endpoint "GET /x" < auth: ["a \"b\""] >"#),
        "{edited}"
    );
}

#[test]
fn unknown_names_are_errors_naming_them_with_a_close_one() {
    let message = |connector, endpoint, method| {
        try_edit(SHOP, connector, endpoint, method, true)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        message("shpo", "orders", "basic"),
        "unknown connector `shpo` in `shop.gate`; did you mean `shop`?"
    );
    assert_eq!(
        message("shop", "ordres", "basic"),
        "unknown endpoint `ordres` in connector `shop`; did you mean `orders`?"
    );
    assert_eq!(
        message("shop", "orders", "baisc"),
        "unknown auth method `baisc` in connector `shop`; did you mean `basic`?"
    );
    assert_eq!(
        message("shop", "orders", "token"),
        "unknown auth method `token` in connector `shop`"
    );
    // An endpoint or method of another connector is not this one's.
    let two = format!(
        "{SHOP}\nconnector other {{ auth key: token endpoint other_only < auth: [key] > }}\n"
    );
    assert!(try_edit(&two, "shop", "other_only", "basic", true).is_err());
    assert!(try_edit(&two, "shop", "orders", "key", true).is_err());
    assert!(try_edit(&two, "other", "other_only", "key", false).is_ok());
}

#[test]
fn a_file_that_does_not_parse_is_its_syntax_error() {
    let error = try_edit("connector shop {", "shop", "orders", "basic", true).unwrap_err();
    let EditError::Syntax(diagnostic) = &error else {
        panic!("not a syntax error: {error}");
    };
    assert_eq!(diagnostic.code(), authgate::Code::Syntax);
    let json = authgate::diagnostics::render::to_json(diagnostic);
    assert_eq!(json.file.as_deref(), Some("shop.gate"));
    assert_eq!(json.line, Some(1));
}

const HUBSPOT: &str = r#"connector hubspot {
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write"] >
    auth key: token

    endpoint "GET /contacts" < auth: [oauth("contacts.read"), key, oauth("contacts.write")] >
    endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
    endpoint "GET /ping" < auth: [oauth, key] >
}
"#;

#[test]
fn with_scopes_off_removes_every_item_of_the_method_and_on_adds_the_plain_item() {
    let off = edit(HUBSPOT, "hubspot", "GET /contacts", "oauth", false);
    assert!(
        off.contains(r#"    endpoint "GET /contacts" < auth: [key] >"#),
        "{off}"
    );
    // On: the plain item takes the place of the first scoped one, and the
    // scoped items it implies go.
    let on = edit(HUBSPOT, "hubspot", "GET /contacts", "oauth", true);
    assert!(
        on.contains(r#"    endpoint "GET /contacts" < auth: [oauth, key] >"#),
        "{on}"
    );
    let on = edit(HUBSPOT, "hubspot", "POST /contacts", "oauth", true);
    assert!(
        on.contains(r#"    endpoint "POST /contacts" < auth: [oauth] >"#),
        "{on}"
    );
    // The result checks without a warning: nothing redundant was left.
    let mut sources = Sources::new();
    sources.add("hubspot.gate", on.as_str());
    let (diagnostics, _) = authgate::check(&sources);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // Already plain: unchanged.
    assert_eq!(
        edit(HUBSPOT, "hubspot", "GET /ping", "oauth", true),
        formatted(HUBSPOT)
    );
    // The other items' scopes stay where they were.
    let off = edit(HUBSPOT, "hubspot", "GET /contacts", "key", false);
    assert!(
        off.contains(
            r#"    endpoint "GET /contacts" < auth: [oauth("contacts.read"), oauth("contacts.write")] >"#
        ),
        "{off}"
    );
}

/// A connector of 1,500 endpoints: the edit touches one line, and each
/// edit of the grid agrees with a policy compiled from its text.
#[test]
fn at_real_size_one_toggle_changes_one_line() {
    let mut text = String::from("// generated\nconnector big {\n");
    for method in 0..8 {
        text.push_str(&format!("    auth m{method}: token\n"));
    }
    for endpoint in 0..1500 {
        let methods: Vec<String> = (0..8)
            .filter(|method| (endpoint + method) % 3 == 0)
            .map(|method| format!("m{method}"))
            .collect();
        text.push_str(&format!(
            "    endpoint e{endpoint} < auth: [{}] > // e{endpoint}\n",
            methods.join(", ")
        ));
    }
    text.push_str("}\n");
    assert_eq!(formatted(&text), text, "the generated text is canonical");
    let on = edit(&text, "big", "e1234", "m1", true);
    let changed: Vec<(&str, &str)> = text
        .lines()
        .zip(on.lines())
        .filter(|(before, after)| before != after)
        .collect();
    assert_eq!(on.lines().count(), text.lines().count());
    assert_eq!(
        changed,
        [(
            "    endpoint e1234 < auth: [m2, m5] > // e1234",
            "    endpoint e1234 < auth: [m2, m5, m1] > // e1234"
        )]
    );
    let policy = policy(&on);
    let m1 = Principal::Runtime {
        connector: "big",
        method: "m1",
    };
    assert!(policy.decide(m1, "e1234").available());
    assert!(!policy.decide(m1, "e1233").available());
    let off = edit(&on, "big", "e1234", "m1", false);
    assert_eq!(off, text);
}
