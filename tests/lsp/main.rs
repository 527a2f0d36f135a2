//! The language server, driven in process through its JSON-RPC interface
//! (initialize, open, change, each request), as an editor drives it.
//! `stdio.rs` runs the real binary's `authgate lsp` instead.
//!
//! Needs the `lsp` and `cli` features (both defaults): `cargo test --test
//! lsp`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code stops on a broken expectation"
)]

#[path = "../support/mod.rs"]
mod support;

mod client;
mod edits;
mod robustness;
mod scopes;
mod stdio;

use client::{Client, codes, marked};
use serde_json::{Value, json};

const SHOP: &str = "connector shop {
    auth basic: basic
    auth oauth: oauth2_authorization_code

    endpoint orders < auth: [basic] >
    endpoint customers < auth: [basic, oauth] >
}
";

const USES: &str = "instance \"instance 1\" of shop < auth: basic >
instance \"instance 2\" of shop < auth: oauth >

flow \"nightly orders\" {
    connection \"instance 1\" -> orders
}
";

/// The diagnostics published are `authgate check`'s, code for code and
/// message for message, lint levels of `authgate.toml` included.
#[test]
fn diagnostics_are_those_of_check_with_the_projects_lint_levels() {
    let rules = "connector shop {\n    auth basic: basic\n    auth unused: token\n    \
                 endpoint orders < auth: [basic, basic] >\n    endpoint none < auth: [] >\n}\n\
                 instance lonely of shop < auth: unused >\n";
    let config =
        "rules = [\"rules\"]\n[lints]\nnever_activated = \"allow\"\nblind_instance = \"deny\"\n";
    let mut client = Client::start(&[("authgate.toml", config), ("rules/a.gate", rules)]);
    let published = client.diagnostics("rules/a.gate");

    let mut sources = authgate::Sources::new();
    let name = client.path("rules/a.gate").display().to_string();
    sources.add(name, rules);
    let lints = authgate::project::config::Config::parse(&mut sources, "authgate.toml", config)
        .unwrap()
        .lints;
    let (expected, _) = authgate::check_with(&sources, &lints);
    assert_eq!(
        codes(&published),
        expected
            .iter()
            .map(|d| d.code().to_string())
            .collect::<Vec<_>>()
    );
    for (lsp, check) in published.iter().zip(&expected) {
        let message = lsp["message"].as_str().unwrap();
        assert_eq!(message.lines().next().unwrap(), check.to_string());
        assert_eq!(lsp["source"], "authgate");
        let severity = if check.severity() == authgate::Severity::Error {
            1
        } else {
            2
        };
        assert_eq!(lsp["severity"], severity);
    }
    // Allowed: no never_activated; denied: blind_instance is an error.
    assert!(!codes(&published).contains(&"authgate::never_activated"));
    let blind = published
        .iter()
        .find(|d| d["code"] == "authgate::blind_instance")
        .unwrap();
    assert_eq!(blind["severity"], 1);
    // The help is on the message's second line.
    let repeated = published
        .iter()
        .find(|d| d["code"] == "authgate::repeated_method")
        .unwrap();
    assert!(
        repeated["message"]
            .as_str()
            .unwrap()
            .contains("\nhelp: remove the repetition")
    );
    assert!(codes(&published).contains(&"authgate::never_available"));
    client.shutdown();
}

/// Diagnostics follow the buffer, not the disk, and an edit in one file
/// shows in another.
#[test]
fn a_change_in_one_file_gives_a_diagnostic_in_another() {
    let mut client = Client::start(&[("a.gate", SHOP), ("b.gate", USES)]);
    assert_eq!(client.diagnostics("b.gate"), Vec::<Value>::new());
    client.open("a.gate", SHOP);
    client.change(
        "a.gate",
        &SHOP
            .replace("auth oauth:", "auth oauth2:")
            .replace(", oauth]", ", oauth2]"),
    );
    let b = client.diagnostics("b.gate");
    assert_eq!(codes(&b), ["authgate::unknown_method"]);
    assert!(
        b[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("unknown auth method `oauth` in connector `shop`")
    );
    // The range is the name `oauth` on line 2 of b.gate.
    assert_eq!(b[0]["range"]["start"], json!({"line": 1, "character": 38}));
    // Related information points at the other labels (in their files).
    client.change("a.gate", SHOP);
    assert_eq!(client.diagnostics("b.gate"), Vec::<Value>::new());
    client.shutdown();
}

/// Positions are UTF-16 code units on lines with non-ASCII names and
/// emoji, both ways.
#[test]
fn utf16_positions_on_lines_with_non_ascii_names_and_emoji() {
    let (text, marks) = marked(
        "connector \"café 😀\" {\n    auth \"mé😀thode\": basic\n    endpoint \"ordres 🚀\" < auth: [\"mé😀thode\"] >\n}\n\
         instance \"i 😀\" of \"café 😀\" < auth: \"mé😀thode\" >\n\
         flow f { connection \"i 😀\" -> \"ordres 🚀\" }\n\
         flow g { connection \"i 😀\" -> $1\"ordrs 🚀\" }\n\
         flow h { connection \"i 😀\" -> \"or$2dres 🚀\" }\n",
    );
    let mut client = Client::start(&[("u.gate", &text)]);
    let d = client.diagnostics("u.gate");
    assert_eq!(codes(&d), ["authgate::unknown_endpoint"]);
    let start = client::position(&text, marks[&1]);
    assert_eq!(d[0]["range"]["start"], start);
    // The UTF-16 column counts the emoji as two units.
    assert_eq!(start["character"], 30);
    assert_eq!(d[0]["range"]["end"]["character"], 30 + 10);
    let defs = client
        .request(
            "textDocument/definition",
            client.at("u.gate", &text, marks[&2]),
        )
        .unwrap();
    let declared = text.find("\"ordres 🚀\"").unwrap();
    assert_eq!(defs[0]["range"]["start"], client::position(&text, declared));
    assert_eq!(defs[0]["range"]["end"]["character"], 13 + 11);
    client.shutdown();
}

/// UTF-8 positions when the client offers them.
#[test]
fn utf8_positions_when_negotiated() {
    let text = "instance \"é\" of nowhere < auth: x >\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.gate"), text).unwrap();
    let mut client = Client::start_in(
        dir,
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
    );
    let d = client.diagnostics("a.gate");
    assert_eq!(codes(&d), ["authgate::unknown_connector"]);
    // `nowhere` starts at byte 17 (`é` is two bytes).
    assert_eq!(d[0]["range"]["start"]["character"], 17);
    client.shutdown();
}

/// Definition and references find every name across files.
#[test]
fn definition_and_references_across_files() {
    let (uses, marks) = marked(
        "instance \"instance 1\" of $1shop < auth: ba$2sic >\n\
         flow f {\n    connection \"instance$3 1\" -> ord$4ers\n}\n\
         test t {\n    expect shop/basic can see orders\n    expect \"instance 1\" sees only [orders]\n}\n",
    );
    let mut client = Client::start(&[("a.gate", SHOP), ("b.gate", &uses)]);
    let a = client.uri("a.gate");
    let b = client.uri("b.gate");
    let def = |client: &mut Client, mark: u32| {
        client
            .request(
                "textDocument/definition",
                client.at("b.gate", &uses, marks[&mark]),
            )
            .unwrap()
    };
    let shop = def(&mut client, 1);
    assert_eq!(shop[0]["uri"], a.as_str());
    assert_eq!(
        shop[0]["range"]["start"],
        json!({"line": 0, "character": 10})
    );
    let basic = def(&mut client, 2);
    assert_eq!(
        basic[0]["range"]["start"],
        json!({"line": 1, "character": 9})
    );
    let instance = def(&mut client, 3);
    assert_eq!(instance[0]["uri"], b.as_str());
    assert_eq!(
        instance[0]["range"]["start"],
        json!({"line": 0, "character": 9})
    );
    let orders = def(&mut client, 4);
    assert_eq!(orders[0]["uri"], a.as_str());
    assert_eq!(
        orders[0]["range"]["start"],
        json!({"line": 4, "character": 13})
    );

    let mut params = client.at("b.gate", &uses, marks[&4]);
    params["context"] = json!({"includeDeclaration": true});
    let refs = client
        .request("textDocument/references", params.clone())
        .unwrap();
    // Declared in a.gate; used in the flow and twice in the test.
    assert_eq!(refs.as_array().unwrap().len(), 4);
    params["context"] = json!({"includeDeclaration": false});
    let refs = client.request("textDocument/references", params).unwrap();
    assert!(
        refs.as_array()
            .unwrap()
            .iter()
            .all(|r| r["uri"] == b.as_str())
    );
    assert_eq!(refs.as_array().unwrap().len(), 3);
    // `basic` the method: its declaration, both activations, the instance
    // and the runtime subject; not the type `basic`.
    let mut params = client.at("b.gate", &uses, marks[&2]);
    params["context"] = json!({"includeDeclaration": true});
    let refs = client.request("textDocument/references", params).unwrap();
    assert_eq!(refs.as_array().unwrap().len(), 5);
    client.shutdown();
}

/// Hover answers the domain's question for each kind of name.
#[test]
fn hover_on_endpoint_method_and_instance() {
    let (text, marks) = marked(&format!(
        "{}instance \"instance 1\" of shop < auth: $3basic >\ninstance \"instance 2\" of shop < auth: oauth >\n\
         flow f {{ connection $2\"instance 2\" -> $1customers }}\n",
        SHOP
    ));
    let mut client = Client::start(&[("a.gate", &text)]);
    let hover = |client: &mut Client, mark: u32| {
        let value = client
            .request(
                "textDocument/hover",
                client.at("a.gate", &text, marks[&mark]),
            )
            .unwrap();
        value["contents"]["value"].as_str().unwrap().to_owned()
    };
    let endpoint = hover(&mut client, 1);
    assert!(
        endpoint.contains("activated methods: `basic` and `oauth`"),
        "{endpoint}"
    );
    assert!(
        endpoint.contains("seen by declared instances: `instance 1` and `instance 2`"),
        "{endpoint}"
    );
    let instance = hover(&mut client, 2);
    assert!(
        instance.contains("authenticates with `oauth`; sees 1 of 2 endpoints"),
        "{instance}"
    );
    let method = hover(&mut client, 3);
    assert!(
        method.starts_with("**auth method** `basic` of `shop`: `basic`"),
        "{method}"
    );
    assert!(
        method.contains("activated by 2 of 2 endpoints: `orders` and `customers`"),
        "{method}"
    );
    client.shutdown();
}

fn labels(completion: &Value) -> Vec<String> {
    let Some(items) = completion.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect()
}

/// Completion offers what fits where the cursor is, in a file that does
/// not parse while it is typed.
#[test]
fn completion_in_context() {
    let other = "connector crm {\n    auth key: token\n    endpoint leads < auth: [key] >\n}\n";
    let (text, marks) = marked(
        "connector shop {\n    auth basic: basic\n    auth oauth: oauth2_authorization_code\n    auth extra: $3\n\
         endpoint orders < auth: [basic, $1] >\n    endpoint customers < auth: [$2\n}\n\
         instance i of $4shop < auth: $5 >\n\
         instance j of crm < auth: $6 >\n\
         flow f { connection $7j -> $8 }\n\
         test t { expect i can see $9 }\n\
         test u { expect crm/$10 }\n\
         $11",
    );
    // Each case alone, with the rest of the line left as typed so far.
    let mut client = Client::start(&[("crm.gate", other)]);
    let cases: [(u32, &[&str], bool); 11] = [
        (1, &["basic", "oauth", "extra"], true),
        (2, &["basic", "oauth", "extra"], true),
        (3, &["none", "basic", "token", "oauth1"], false),
        (4, &["crm"], false),
        (5, &["basic", "oauth"], false),
        (6, &["key"], true),
        (7, &["i", "j"], false),
        (8, &["leads"], true),
        (9, &["orders", "customers"], false),
        (10, &["key"], true),
        (11, &["connector", "instance", "flow", "test"], true),
    ];
    client.open("a.gate", &text);
    let mut failures = Vec::new();
    for (mark, expected, exact) in cases {
        let got = labels(
            &client
                .request(
                    "textDocument/completion",
                    client.at("a.gate", &text, marks[&mark]),
                )
                .unwrap(),
        );
        let fits = if exact {
            got == expected
        } else {
            expected.iter().all(|label| got.iter().any(|g| g == label))
        };
        if !fits {
            failures.push(format!("at ${mark}: got {got:?}, expected {expected:?}"));
        }
        // Never another connector's methods inside `auth: [...]`.
        if mark == 1 || mark == 2 {
            assert!(!got.iter().any(|g| g == "key"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    client.shutdown();
}

/// A name that must be quoted is inserted quoted.
#[test]
fn completion_quotes_names_that_need_it() {
    let (text, marks) = marked(&format!(
        "{SHOP}instance \"my shop\" of shop < auth: basic >\nflow f {{ connection $1 }}\n"
    ));
    let mut client = Client::start(&[("a.gate", &text)]);
    let got = client
        .request(
            "textDocument/completion",
            client.at("a.gate", &text, marks[&1]),
        )
        .unwrap();
    let item = &got.as_array().unwrap()[0];
    assert_eq!(item["label"], "my shop");
    assert_eq!(item["textEdit"]["newText"], "\"my shop\"");
    client.shutdown();
}

/// The outline: items, and each connector's members.
#[test]
fn document_symbols() {
    let mut client = Client::start(&[("a.gate", &format!("{SHOP}{USES}"))]);
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": client.uri("a.gate")}}),
        )
        .unwrap();
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["shop", "instance 1", "instance 2", "nightly orders"]
    );
    let members: Vec<&str> = symbols[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["basic", "oauth", "orders", "customers"]);
    assert_eq!(symbols[0]["children"][0]["detail"], "basic");
    client.shutdown();
}

/// Semantic tokens say what each name is: `auth` as a method's name is a
/// method, not a keyword; `basic` the type is a type.
#[test]
fn semantic_tokens_by_meaning() {
    let text = "connector auth {\n    auth auth: basic\n    endpoint e < auth: [auth] >\n}\n";
    let mut client = Client::start(&[("a.gate", text)]);
    let result = client
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": client.uri("a.gate")}}),
        )
        .unwrap();
    let data: Vec<u64> = result["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    // Absolute (line, column, length, type, modifiers).
    let mut tokens = Vec::new();
    let (mut line, mut column) = (0, 0);
    for chunk in data.chunks(5) {
        if chunk[0] > 0 {
            column = 0;
        }
        line += chunk[0];
        column += chunk[1];
        tokens.push((line, column, chunk[2], chunk[3], chunk[4]));
    }
    let legend = [
        "class",
        "enumMember",
        "function",
        "variable",
        "event",
        "type",
        "keyword",
    ];
    let kinds: Vec<(u64, u64, &str, u64)> = tokens
        .iter()
        .map(|&(l, c, _, t, m)| (l, c, legend[t as usize], m))
        .collect();
    assert_eq!(
        kinds,
        [
            (0, 0, "keyword", 0),
            (0, 10, "class", 1),
            (1, 4, "keyword", 0),
            (1, 9, "enumMember", 1),
            (1, 15, "type", 0),
            (2, 4, "keyword", 0),
            (2, 13, "function", 1),
            (2, 17, "keyword", 0),
            (2, 24, "enumMember", 0),
        ]
    );
    client.shutdown();
}

/// A file outside the configured rule set is checked alone, as `authgate
/// check FILE` checks it: it neither sees the rule set nor disturbs it.
#[test]
fn a_file_outside_the_rule_set_is_checked_alone() {
    let config = "rules = [\"rules\"]\n";
    let outside = "connector shop {\n    auth basic: basic\n    endpoint e < auth: [basic] >\n}\n\
                   instance i of shop < auth: basic >\ninstance j of crm < auth: key >\n";
    let crm = "connector crm {\n    auth key: token\n    endpoint leads < auth: [key] >\n}\n";
    let mut client = Client::start(&[
        ("authgate.toml", config),
        ("rules/shop.gate", SHOP),
        ("rules/crm.gate", crm),
        ("fixtures/x.gate", outside),
    ]);
    // Not in the rule set: nothing published until it is opened.
    assert_eq!(client.diagnostics("rules/shop.gate"), Vec::<Value>::new());
    assert!(
        !client
            .published
            .contains_key(&client.uri("fixtures/x.gate"))
    );
    client.open("fixtures/x.gate", outside);
    let x = client.diagnostics("fixtures/x.gate");
    assert_eq!(codes(&x), ["authgate::unknown_connector"], "{x:?}");
    assert_eq!(client.diagnostics("rules/shop.gate"), Vec::<Value>::new());
    // Its `shop` is its own.
    let at = client.at(
        "fixtures/x.gate",
        outside,
        outside.find("of shop").unwrap() + 3,
    );
    let defs = client.request("textDocument/definition", at).unwrap();
    assert_eq!(defs.as_array().unwrap().len(), 1);
    assert_eq!(defs[0]["uri"], client.uri("fixtures/x.gate").as_str());
    client.shutdown();
}
