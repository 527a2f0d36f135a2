//! Scopes in the language server: their diagnostics as `check` gives
//! them, completion after `METHOD(` and in `scopes: [`, hover (at a real
//! size too: 1,500 endpoints, 300 scopes), definition, references, rename
//! (a scope is its method's: the same name on another method is another
//! scope), semantic tokens, and the quick fixes for `unknown_scope` and
//! `missing_scope`.

use serde_json::{Value, json};

use crate::client::{Client, apply_edits, codes, marked};
use crate::edits::{action, edits_for};

const HUBSPOT: &str = r#"connector hubspot {
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write", "deals.read", admin] >
    auth key: token < scopes: ["contacts.read"] >

    endpoint "GET /contacts"  < auth: [oauth("contacts.read"), key] >
    endpoint "POST /contacts" < auth: [oauth("contacts.write")] >
    endpoint "GET /deals"     < auth: [oauth("contacts.read", "deals.read")] >
    endpoint "GET /ping"      < auth: [oauth, key("contacts.read")] >
}
"#;

const USES: &str = r#"instance reader of hubspot < auth: oauth, scopes: ["contacts.read"] >
instance bare of hubspot < auth: oauth >
instance keyed of hubspot < auth: key, scopes: ["contacts.read"] >

test "scopes" {
    expect reader sees only ["GET /contacts", "GET /ping"]
    expect hubspot/oauth("contacts.read") can see "GET /contacts"
}
"#;

fn labels(completion: &Value) -> Vec<String> {
    completion
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["label"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn hover_text(client: &mut Client, name: &str, text: &str, offset: usize) -> String {
    let value = client
        .request("textDocument/hover", client.at(name, text, offset))
        .unwrap();
    value["contents"]["value"].as_str().unwrap().to_owned()
}

/// The scope codes reach the editor as `check` reports them: same codes,
/// same messages, on the scope's name, with the other labels as related
/// information.
#[test]
fn scope_diagnostics_are_checks() {
    let rules = r#"connector hubspot {
    auth oauth: oauth2_authorization_code < scopes: ["contacts.read", "contacts.write", "contacts.read"] >
    auth open: none < scopes: ["x"] >
    endpoint a < auth: [oauth("contacts.raed"), open] >
    endpoint b < auth: [oauth, oauth("contacts.write")] >
    endpoint c < auth: [oauth("contacts.write")] >
}
instance reader of hubspot < auth: oauth, scopes: ["contacts.read"] >
flow f {
    connection reader -> c
}
"#;
    let mut client = Client::start(&[("a.gate", rules)]);
    let published = client.diagnostics("a.gate");
    let mut sources = authgate::Sources::new();
    sources.add(client.path("a.gate").display().to_string(), rules);
    let (expected, _) = authgate::check(&sources);
    let expected_codes: Vec<String> = expected.iter().map(|d| d.code().to_string()).collect();
    assert_eq!(codes(&published), expected_codes);
    for code in [
        "unknown_scope",
        "scopes_not_allowed",
        "missing_scope",
        "repeated_scope",
        "redundant_alternative",
    ] {
        assert!(
            expected_codes.contains(&format!("authgate::{code}")),
            "no {code} in {expected_codes:?}"
        );
    }
    for (lsp, check) in published.iter().zip(&expected) {
        let message = lsp["message"].as_str().unwrap();
        assert_eq!(message.lines().next().unwrap(), check.to_string());
    }
    let find = |code: &str| {
        published
            .iter()
            .find(|d| d["code"] == format!("authgate::{code}"))
            .unwrap()
            .clone()
    };
    let unknown = find("unknown_scope");
    let at = rules.find("\"contacts.raed\"").unwrap();
    assert_eq!(
        unknown["range"]["start"],
        crate::client::position(rules, at)
    );
    assert_eq!(
        unknown["range"]["end"],
        crate::client::position(rules, at + "\"contacts.raed\"".len())
    );
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `contacts.read`?")
    );
    // missing_scope: on the connection, with the instance's scopes and the
    // item that comes closest as related information.
    let missing = find("missing_scope");
    let connection = rules.find("connection reader -> c").unwrap();
    assert_eq!(
        missing["range"]["start"],
        crate::client::position(rules, connection)
    );
    let related: Vec<&str> = missing["relatedInformation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        related,
        [
            "`reader` holds `contacts.read`",
            "comes closest: `oauth(\"contacts.write\")`"
        ]
    );
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("help: grant `reader` `contacts.write` as well")
    );
    client.shutdown();
}

/// Completion offers the scopes of the right method, quoted when they
/// must be, less those the list already names; in a method's own
/// `scopes: [`, the scopes used with it that it does not declare.
#[test]
fn completion_of_scopes() {
    // Parses, so it comes from the index; `deals.write` is used, not declared.
    let h = "connector hubspot {\n    auth oauth: oauth2_authorization_code < scopes: [\"contacts.read\", \"contacts.write\", admin] >\n    \
             auth key: token < scopes: [other] >\n    endpoint a < auth: [oauth(\"deals.write\")] >\n}\n";
    // Typed, and does not parse: read loosely.
    let (typed, marks) = marked(
        "connector local {\n    auth o: oauth2_client_credentials < scopes: [read, \"write all\"] >\n    \
         endpoint x < auth: [o($1)] >\n    endpoint y < auth: [key, o(read, $9)] >\n}\n\
         instance i of hubspot < scopes: [$2], auth: oauth >\n\
         instance j of hubspot < auth: oauth, scopes: [\"contacts.read\", $3] >\n\
         instance k of local < auth: o, scopes: [$4] >\n\
         instance m of hubspot < $5\n\
         test t { expect hubspot/oauth($6) can see a }\n\
         test u { expect hubspot/oauth(admin, $7\n\
         test v { expect hubspot/oauth(admin) $8 }\n",
    );
    let (own, own_marks) = marked(&h.replace("admin] >", "admin, $1] >"));
    let mut client = Client::start(&[("h.gate", h)]);
    client.open("t.gate", &typed);
    let hubspot = ["contacts.read", "contacts.write", "admin"];
    let cases: [(u32, &[&str]); 9] = [
        (1, &["read", "write all"]),
        (2, &hubspot),
        (3, &["contacts.write", "admin"]),
        (4, &["read", "write all"]),
        (5, &["auth", "scopes"]),
        (6, &hubspot),
        (7, &["contacts.read", "contacts.write"]),
        (8, &["can", "cannot", "sees"]),
        (9, &["write all"]),
    ];
    let mut failures = Vec::new();
    for (mark, expected) in cases {
        let got = client
            .request(
                "textDocument/completion",
                client.at("t.gate", &typed, marks[&mark]),
            )
            .unwrap();
        if labels(&got) != expected {
            failures.push(format!(
                "at ${mark}: got {:?}, expected {expected:?}",
                labels(&got)
            ));
        }
        if mark == 1 {
            // Quoted as the language requires.
            let written: Vec<&str> = got
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["textEdit"]["newText"].as_str().unwrap())
                .collect();
            assert_eq!(written, ["read", "\"write all\""]);
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // A method's own list: what is used with it and not declared.
    client.open("h.gate", &own);
    let got = client
        .request(
            "textDocument/completion",
            client.at("h.gate", &own, own_marks[&1]),
        )
        .unwrap();
    assert_eq!(labels(&got), ["deals.write"]);
    client.shutdown();
}

/// A quoted scope being typed, with the quote the editor closed by
/// itself after the cursor, is replaced whole.
#[test]
fn completion_replaces_the_closing_quote_the_editor_added() {
    let (text, marks) = marked(&format!(
        "{HUBSPOT}instance r of hubspot < auth: oauth, scopes: [\"contacts.w$1\"] >\n"
    ));
    let mut client = Client::start(&[("a.gate", &text)]);
    client.open("a.gate", &text);
    let got = client
        .request(
            "textDocument/completion",
            client.at("a.gate", &text, marks[&1]),
        )
        .unwrap();
    let item = got
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "contacts.write")
        .unwrap()
        .clone();
    let fixed = apply_edits(&text, &[item["textEdit"].clone()]);
    assert!(fixed.contains("scopes: [\"contacts.write\"] >"), "{fixed}");
    client.shutdown();
}

/// Hover on a scope: the endpoints that need it and the instances that
/// hold it; the method's scopes; the endpoint's items and who sees it.
#[test]
fn hover_on_scopes() {
    let mut client = Client::start(&[("h.gate", HUBSPOT), ("u.gate", USES)]);
    let read = HUBSPOT.find("\"contacts.read\"").unwrap() + 1;
    let scope = hover_text(&mut client, "h.gate", HUBSPOT, read);
    assert_eq!(
        scope,
        "**scope** `contacts.read` of method `oauth` of `hubspot`\n\n\
         needed by an item of 2 of 4 endpoints: `GET /contacts` and `GET /deals`\n\n\
         held by 1 of 2 declared instances of `oauth`: `reader`"
    );
    // The same name on `key` is another scope.
    let key_read = HUBSPOT.find("key(\"contacts.read\")").unwrap() + 5;
    let other = hover_text(&mut client, "h.gate", HUBSPOT, key_read);
    assert!(
        other.contains("of method `key`") && other.contains("1 of 4 endpoints: `GET /ping`"),
        "{other}"
    );
    assert!(other.contains("held by 1 of 1 declared instances of `key`: `keyed`"));
    let deals = HUBSPOT.find("endpoint \"GET /deals\"").unwrap() + 10;
    let endpoint = hover_text(&mut client, "h.gate", HUBSPOT, deals);
    assert!(
        endpoint.contains("auth items: `oauth(\"contacts.read\", \"deals.read\")`"),
        "{endpoint}"
    );
    assert!(endpoint.contains("seen by declared instances: nothing"));
    let reader = USES.find("reader").unwrap();
    let instance = hover_text(&mut client, "u.gate", USES, reader);
    assert!(
        instance.contains(
            "authenticates with `oauth`, holding 1 scopes (`contacts.read`); sees 2 of 4 endpoints"
        ),
        "{instance}"
    );
    let bare = USES.find("bare").unwrap();
    let instance = hover_text(&mut client, "u.gate", USES, bare);
    assert!(instance.contains("authenticates with `oauth`; sees 1 of 4 endpoints"));
    let method = HUBSPOT.find("auth oauth").unwrap() + 5;
    let method = hover_text(&mut client, "h.gate", HUBSPOT, method);
    assert!(
        method.contains(
            "declares 4 scopes: `contacts.read`, `contacts.write`, `deals.read` and `admin`"
        ),
        "{method}"
    );
    client.shutdown();
}

/// Definition goes to the declaration in the method's `scopes`;
/// references and rename reach the declaration, the items, the
/// instances' scopes and the tests' subjects, and nothing of another
/// method's scope of the same name.
#[test]
fn definition_references_and_rename_of_a_scope() {
    let mut client = Client::start(&[("h.gate", HUBSPOT), ("u.gate", USES)]);
    let in_test = USES.find("oauth(\"contacts.read\")").unwrap() + 7;
    let at = client.at("u.gate", USES, in_test);
    let defs = client
        .request("textDocument/definition", at.clone())
        .unwrap();
    let declared = HUBSPOT.find("\"contacts.read\"").unwrap();
    assert_eq!(defs.as_array().unwrap().len(), 1);
    assert_eq!(defs[0]["uri"], client.uri("h.gate").as_str());
    assert_eq!(
        defs[0]["range"]["start"],
        crate::client::position(HUBSPOT, declared)
    );
    let mut params = at.clone();
    params["context"] = json!({"includeDeclaration": true});
    let refs = client.request("textDocument/references", params).unwrap();
    // Declared once, two items, one instance, one test subject.
    assert_eq!(refs.as_array().unwrap().len(), 5, "{refs:#}");

    let prepared = client
        .request("textDocument/prepareRename", at.clone())
        .unwrap();
    assert_eq!(prepared["placeholder"], "contacts.read");
    let mut params = at.clone();
    params["newName"] = json!("crm.objects.contacts.read");
    let edit = client.request("textDocument/rename", params).unwrap();
    let h = apply_edits(HUBSPOT, &edits_for(&edit, &client.uri("h.gate")));
    let u = apply_edits(USES, &edits_for(&edit, &client.uri("u.gate")));
    assert!(h.contains(
        "< scopes: [\"crm.objects.contacts.read\", \"contacts.write\", \"deals.read\", admin] >"
    ));
    assert!(h.contains("[oauth(\"crm.objects.contacts.read\"), key]"));
    assert!(h.contains("[oauth(\"crm.objects.contacts.read\", \"deals.read\")]"));
    // `key`'s scope of the same name is untouched.
    assert!(h.contains("auth key: token < scopes: [\"contacts.read\"] >"));
    assert!(h.contains("key(\"contacts.read\")"));
    assert!(u.contains("< auth: oauth, scopes: [\"crm.objects.contacts.read\"] >"));
    assert!(u.contains("< auth: key, scopes: [\"contacts.read\"] >"));
    assert!(u.contains("hubspot/oauth(\"crm.objects.contacts.read\")"));
    client.open("h.gate", &h);
    client.open("u.gate", &u);
    assert_eq!(client.diagnostics("h.gate"), Vec::<Value>::new());
    assert_eq!(client.diagnostics("u.gate"), Vec::<Value>::new());
    // A bare name stays bare.
    let mut params = client.at("h.gate", &h, h.find("admin").unwrap());
    params["newName"] = json!("superuser");
    let edit = client
        .request("textDocument/rename", params.clone())
        .unwrap();
    let renamed = edits_for(&edit, &client.uri("h.gate"));
    assert_eq!(renamed.len(), 1);
    assert_eq!(renamed[0]["newText"], "superuser");
    // Taken on this method: refused; on another method: free.
    params["newName"] = json!("deals.read");
    let refused = client
        .request("textDocument/rename", params.clone())
        .unwrap_err();
    assert_eq!(
        refused.message,
        "can't rename: scope `deals.read` of method `oauth` of connector `hubspot` is already declared"
    );
    let key_scope = h.find("key(\"contacts.read\")").unwrap() + 5;
    let mut params = client.at("h.gate", &h, key_scope);
    params["newName"] = json!("deals.read");
    let edit = client.request("textDocument/rename", params).unwrap();
    // Declared, one item; the instance `keyed` is in the other file.
    assert_eq!(edits_for(&edit, &client.uri("h.gate")).len(), 2);
    assert_eq!(edits_for(&edit, &client.uri("u.gate")).len(), 1);
    client.shutdown();
}

/// A scope is coloured as a property, its declaration marked.
#[test]
fn semantic_tokens_of_scopes() {
    let text =
        "connector c {\n    auth o: token < scopes: [a] >\n    endpoint e < auth: [o(a)] >\n}\n";
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
    let mut found = Vec::new();
    let (mut line, mut column) = (0, 0);
    for chunk in data.chunks(5) {
        if chunk[0] > 0 {
            column = 0;
        }
        line += chunk[0];
        column += chunk[1];
        found.push((line, column, chunk[3], chunk[4]));
    }
    // Legend index 7 is `property`.
    let scopes: Vec<(u64, u64, u64)> = found
        .iter()
        .filter(|t| t.2 == 7)
        .map(|&(l, c, _, m)| (l, c, m))
        .collect();
    assert_eq!(scopes, [(1, 29, 1), (2, 26, 0)]);
    client.shutdown();
}

/// `unknown_scope`: replacing it with the closest declared scope, or
/// declaring it in its method, clears the error.
#[test]
fn fixes_for_unknown_scope() {
    let (text, marks) = marked(&HUBSPOT.replace(
        "[oauth(\"contacts.write\")]",
        "[oauth($1\"contacts.wirte\")]",
    ));
    let mut client = Client::start(&[("a.gate", &text)]);
    client.open("a.gate", &text);
    assert_eq!(
        codes(&client.diagnostics("a.gate")),
        ["authgate::unknown_scope"]
    );
    let uri = client.uri("a.gate");
    let replace = action(
        &mut client,
        "a.gate",
        &text,
        marks[&1],
        "replace with `contacts.write`",
    );
    assert_eq!(replace["isPreferred"], true);
    let fixed = apply_edits(&text, &edits_for(&replace["edit"], &uri));
    assert!(fixed.contains("[oauth(\"contacts.write\")]"));
    client.change("a.gate", &fixed);
    assert_eq!(client.diagnostics("a.gate"), Vec::<Value>::new());

    client.change("a.gate", &text);
    let declare = action(
        &mut client,
        "a.gate",
        &text,
        marks[&1],
        "declare scope `contacts.wirte` in method `oauth`",
    );
    let fixed = apply_edits(&text, &edits_for(&declare["edit"], &uri));
    assert!(fixed.contains("\"deals.read\", admin, \"contacts.wirte\"] >"));
    client.change("a.gate", &fixed);
    assert_eq!(client.diagnostics("a.gate"), Vec::<Value>::new());

    // A method without a `scopes` list gets one.
    let (bare, marks) =
        marked("connector c {\n    auth o: token\n    endpoint e < auth: [o($1read)] >\n}\n");
    client.change("a.gate", &bare);
    let declare = action(
        &mut client,
        "a.gate",
        &bare,
        marks[&1],
        "declare scope `read` in method `o`",
    );
    let fixed = apply_edits(&bare, &edits_for(&declare["edit"], &uri));
    assert!(
        fixed.contains("    auth o: token < scopes: [read] >\n"),
        "{fixed}"
    );
    client.change("a.gate", &fixed);
    assert_eq!(client.diagnostics("a.gate"), Vec::<Value>::new());
    client.shutdown();
}

/// `missing_scope`: granting the instance the scopes missing from the
/// closest item clears the error, whether the instance lists scopes
/// already or not (then the list is added), in whichever file it is.
#[test]
fn granting_the_missing_scopes_clears_missing_scope() {
    let (flows, marks) = marked(
        "flow f {\n    connection $1reader -> \"GET /deals\"\n    connection $2bare -> \"POST /contacts\"\n}\n",
    );
    let mut client = Client::start(&[("h.gate", HUBSPOT), ("u.gate", USES), ("f.gate", &flows)]);
    let found = client.diagnostics("f.gate");
    assert_eq!(
        codes(&found),
        ["authgate::missing_scope", "authgate::missing_scope"]
    );
    let u = client.uri("u.gate");
    let grant = action(
        &mut client,
        "f.gate",
        &flows,
        marks[&1],
        "grant `reader` `deals.read`",
    );
    let uses = apply_edits(USES, &edits_for(&grant["edit"], &u));
    assert!(uses.contains(
        "instance reader of hubspot < auth: oauth, scopes: [\"contacts.read\", \"deals.read\"] >"
    ));
    client.open("u.gate", &uses);
    assert_eq!(
        codes(&client.diagnostics("f.gate")),
        ["authgate::missing_scope"]
    );
    let grant = action(
        &mut client,
        "f.gate",
        &flows,
        marks[&2],
        "grant `bare` `contacts.write`",
    );
    let uses = apply_edits(&uses, &edits_for(&grant["edit"], &u));
    assert!(
        uses.contains("instance bare of hubspot < auth: oauth, scopes: [\"contacts.write\"] >")
    );
    client.change("u.gate", &uses);
    assert_eq!(client.diagnostics("f.gate"), Vec::<Value>::new());
    client.shutdown();
}

/// At a real size (1,500 endpoints, one method of 300 scopes, 20
/// instances of 20 scopes): hover counts and cuts its lists, completion
/// offers every scope, rename reaches every place.
#[test]
fn scopes_at_real_size() {
    let rules = authgate_workload::Scoped::generate(1_500, authgate_workload::SEED).text;
    let scope = authgate_workload::scope_name(0);
    let quoted = format!("\"{scope}\"");
    let needing = rules
        .lines()
        .filter(|l| l.trim_start().starts_with("endpoint") && l.contains(&quoted))
        .count();
    let holding = rules
        .lines()
        .filter(|l| l.starts_with("instance") && l.contains(&quoted))
        .count();
    let places = rules.matches(&quoted).count();
    assert!(needing > 8, "the seed gives {needing} endpoints");
    let mut client = Client::start(&[("big.gate", &rules)]);
    let declared = rules.find(&quoted).unwrap() + 1;
    let hover = hover_text(&mut client, "big.gate", &rules, declared);
    let cut = |count: usize| {
        if count > 8 {
            format!(" and {} more", count - 8)
        } else {
            String::new()
        }
    };
    assert!(
        hover.contains(&format!(
            "needed by an item of {needing} of 1500 endpoints: "
        )) && hover.contains(&cut(needing)),
        "{hover}"
    );
    assert!(
        hover.contains(&format!("held by {holding} of 20 declared instances")),
        "{hover}"
    );
    assert!(hover.len() < 1_000, "{} bytes: {hover}", hover.len());
    let method = rules.find("auth oauth").unwrap() + 5;
    let method = hover_text(&mut client, "big.gate", &rules, method);
    assert!(method.contains("declares 300 scopes: ") && method.contains(" and 292 more"));
    assert!(method.len() < 1_000, "{method}");

    // Completion in a new item offers all 300 scopes.
    let (typed, marks) = marked(&rules.replacen("< auth: [", "< auth: [oauth($1), ", 1));
    client.open("big.gate", &typed);
    let got = client
        .request(
            "textDocument/completion",
            client.at("big.gate", &typed, marks[&1]),
        )
        .unwrap();
    assert_eq!(got.as_array().unwrap().len(), 300);
    client.change("big.gate", &rules);

    let mut params = client.at("big.gate", &rules, declared);
    params["newName"] = json!("crm.renamed.read");
    let edit = client.request("textDocument/rename", params).unwrap();
    let uri = client.uri("big.gate");
    assert_eq!(edits_for(&edit, &uri).len(), places);
    let before = client.diagnostics("big.gate").len();
    let renamed = apply_edits(&rules, &edits_for(&edit, &uri));
    assert!(!renamed.contains(&quoted));
    client.change("big.gate", &renamed);
    assert_eq!(client.diagnostics("big.gate").len(), before);
    client.shutdown();
}

/// The editor page's example of scopes (`docs/editors.md`) says what the
/// server does: its diagnostic, completion, hover, rename and fix.
#[test]
fn the_editor_pages_example_of_scopes() {
    let page = include_str!("../../docs/editors.md");
    let section = &page[page.find("With scopes (the scope codes").unwrap()..];
    let start = section.find("```gate,fails=missing_scope\n").unwrap() + 28;
    let end = start + section[start..].find("```").unwrap();
    let rules = &section[start..end];
    let mut client = Client::start(&[("h.gate", rules)]);
    assert_eq!(
        codes(&client.diagnostics("h.gate")),
        ["authgate::missing_scope"]
    );
    let complete = |client: &mut Client, text: &str| {
        let (text, marks) = marked(text);
        client.open("c.gate", &text);
        let got = client
            .request(
                "textDocument/completion",
                client.at("c.gate", &text, marks[&1]),
            )
            .unwrap();
        client.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": client.uri("c.gate")}}),
        );
        labels(&got)
    };
    let item = rules.replace(
        "auth: [oauth(\"contacts.read\"), key]",
        "auth: [oauth($1), key]",
    );
    assert_eq!(
        complete(&mut client, &item),
        ["contacts.read", "contacts.write", "deals.read"]
    );
    let held = rules.replace(
        "scopes: [\"contacts.read\"] >",
        "scopes: [\"contacts.read\", $1] >",
    );
    assert_eq!(
        complete(&mut client, &held),
        ["contacts.write", "deals.read"]
    );
    let read = rules.find("\"contacts.read\"").unwrap() + 1;
    let hover = hover_text(&mut client, "h.gate", rules, read);
    assert!(hover.starts_with("**scope** `contacts.read` of method `oauth` of `hubspot`"));
    assert!(
        hover.contains("needed by an item of 2 of 3 endpoints: `GET /contacts` and `GET /deals`")
    );
    assert!(hover.contains("held by 1 of 1 declared instances of `oauth`: `acme`"));
    let mut params = client.at("h.gate", rules, read);
    params["newName"] = json!("crm.objects.contacts.read");
    let edit = client.request("textDocument/rename", params).unwrap();
    assert_eq!(edits_for(&edit, &client.uri("h.gate")).len(), 4);
    let connection = rules.find("connection acme").unwrap();
    let grant = action(
        &mut client,
        "h.gate",
        rules,
        connection,
        "grant `acme` `contacts.write`",
    );
    let granted = apply_edits(rules, &edits_for(&grant["edit"], &client.uri("h.gate")));
    assert!(granted.contains("scopes: [\"contacts.read\", \"contacts.write\"] >"));
    client.open("h.gate", &granted);
    assert_eq!(client.diagnostics("h.gate"), Vec::<Value>::new());
    client.shutdown();
}
