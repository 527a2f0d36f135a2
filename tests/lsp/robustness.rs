//! What a client may get wrong never stops the server: each gets an LSP
//! error or an empty answer, and the next request is answered as usual.

use serde_json::{Value, json};

use crate::SHOP;
use crate::client::{Client, codes};

/// The server still answers: a hover on `shop` in a.gate.
fn still_answers(client: &mut Client) {
    let hover = client
        .request("textDocument/hover", json!({"textDocument": {"uri": client.uri("a.gate")}, "position": {"line": 0, "character": 11}}))
        .unwrap();
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("**connector** `shop`")
    );
}

#[test]
fn malformed_requests_and_unknown_methods_get_errors() {
    let mut client = Client::start(&[("a.gate", SHOP)]);
    let bad = client
        .request("textDocument/hover", json!({"textDocument": 3}))
        .unwrap_err();
    assert_eq!(bad.code, -32602, "InvalidParams");
    let bad = client
        .request("textDocument/rename", json!(null))
        .unwrap_err();
    assert_eq!(bad.code, -32602);
    let unknown = client
        .request("textDocument/teleport", json!({}))
        .unwrap_err();
    assert_eq!(unknown.code, -32601, "MethodNotFound");
    assert!(unknown.message.contains("textDocument/teleport"));
    // Malformed notifications are ignored.
    client.notify("textDocument/didChange", json!({"textDocument": "nope"}));
    client.notify("textDocument/didOpen", json!([1, 2, 3]));
    client.notify("$/somethingElse", json!({}));
    still_answers(&mut client);
    client.shutdown();
}

#[test]
fn positions_past_the_end_get_empty_answers() {
    let mut client = Client::start(&[("a.gate", SHOP)]);
    let uri = client.uri("a.gate");
    for position in [
        json!({"line": 0, "character": 500}),
        json!({"line": 900, "character": 3}),
        json!({"line": 4294967295u32, "character": 4294967295u32}),
    ] {
        let at = json!({"textDocument": {"uri": uri}, "position": position});
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/prepareRename",
        ] {
            assert_eq!(
                client.request(method, at.clone()).unwrap(),
                Value::Null,
                "{method} at {position}"
            );
        }
        let completion = client
            .request("textDocument/completion", at.clone())
            .unwrap();
        assert!(completion.is_null() || completion.is_array());
        let mut rename = at.clone();
        rename["newName"] = json!("x");
        assert_eq!(
            client.request("textDocument/rename", rename).unwrap(),
            Value::Null
        );
    }
    // A change whose range runs past the end is clamped.
    client.open("a.gate", SHOP);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 99, "character": 0}, "end": {"line": 120, "character": 7}}, "text": "connector extra { auth a: none endpoint e < auth: [a] > }\n"}]}),
    );
    assert_eq!(client.diagnostics("a.gate"), Vec::<Value>::new());
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(symbols.as_array().unwrap().len(), 2);
    still_answers(&mut client);
    client.shutdown();
}

#[test]
fn a_file_deleted_while_open() {
    let uses = "instance i of shop < auth: basic >\n";
    let mut client = Client::start(&[("a.gate", SHOP), ("b.gate", uses)]);
    client.open("b.gate", uses);
    std::fs::remove_file(client.path("b.gate")).unwrap();
    let uri = client.uri("b.gate");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 3}]}),
    );
    // Still open: answered from the buffer.
    let at = json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 15}});
    let defs = client
        .request("textDocument/definition", at.clone())
        .unwrap();
    assert_eq!(defs[0]["uri"], client.uri("a.gate").as_str());
    // Closed: gone from the rule set; its diagnostics are cleared and
    // requests about it get empty answers.
    client.change("b.gate", "instance i of nowhere < auth: basic >\n");
    assert_eq!(
        codes(&client.diagnostics("b.gate")),
        ["authgate::unknown_connector"]
    );
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(client.diagnostics("b.gate"), Vec::<Value>::new());
    assert_eq!(
        client
            .request("textDocument/definition", at.clone())
            .unwrap(),
        Value::Null
    );
    assert_eq!(
        client.request("textDocument/hover", at).unwrap(),
        Value::Null
    );
    // The instance it declared is gone: `shop/basic` is now seen by none.
    still_answers(&mut client);
    client.shutdown();
}

#[test]
fn requests_after_shutdown_are_refused() {
    let mut client = Client::start(&[("a.gate", SHOP)]);
    assert_eq!(
        client.request("shutdown", Value::Null).unwrap(),
        Value::Null
    );
    let refused = client.request("textDocument/hover", json!({"textDocument": {"uri": client.uri("a.gate")}, "position": {"line": 0, "character": 0}})).unwrap_err();
    assert_eq!(refused.code, -32600);
    client.shutdown_after_request();
}

/// Before a good `initialize`: other requests get `ServerNotInitialized`,
/// an `initialize` with bad parameters `InvalidParams`; then a good one is
/// served as usual.
#[test]
fn requests_before_a_good_initialize() {
    use authgate::lsp::lsp_server::{Connection, Message, Request, RequestId};
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || authgate::lsp::run(&server));
    let send = |id: i32, method: &str, params: Value| {
        let request = Request::new(RequestId::from(id), method.to_owned(), params);
        client.sender.send(request.into()).unwrap();
        match client
            .receiver
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap()
        {
            Message::Response(response) => response.response_result,
            other => panic!("expected a response, got {other:?}"),
        }
    };
    assert_eq!(
        send(1, "textDocument/hover", json!({})).unwrap_err().code,
        -32002
    );
    let bad = send(2, "initialize", json!({"capabilities": 5})).unwrap_err();
    assert_eq!(bad.code, -32602);
    let good = send(3, "initialize", json!({"capabilities": {}})).unwrap();
    assert_eq!(good["serverInfo"]["name"], "authgate");
    assert_eq!(good["capabilities"]["positionEncoding"], "utf-16");
    client
        .sender
        .send(
            authgate::lsp::lsp_server::Notification::new("initialized".to_owned(), json!({}))
                .into(),
        )
        .unwrap();
    assert_eq!(send(4, "shutdown", Value::Null).unwrap(), Value::Null);
    client
        .sender
        .send(authgate::lsp::lsp_server::Notification::new("exit".to_owned(), Value::Null).into())
        .unwrap();
    assert!(thread.join().unwrap().is_ok());
}

/// A client that can register file watchers is asked to watch rule files
/// and `authgate.toml`; a change it then reports reaches the diagnostics.
#[test]
fn file_watchers_are_registered_and_changes_on_disk_are_read() {
    use authgate::lsp::lsp_server::{Connection, Message, Notification, Request, RequestId};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.gate"), SHOP).unwrap();
    let root = crate::client::uri_of(dir.path());
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || authgate::lsp::run(&server));
    let capabilities =
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let params =
        json!({"capabilities": capabilities, "workspaceFolders": [{"uri": root, "name": "w"}]});
    client
        .sender
        .send(Request::new(RequestId::from(1), "initialize".to_owned(), params).into())
        .unwrap();
    let recv = || {
        client
            .receiver
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap()
    };
    assert!(matches!(recv(), Message::Response(_)));
    client
        .sender
        .send(Notification::new("initialized".to_owned(), json!({})).into())
        .unwrap();
    let mut registered = false;
    let mut published = Vec::new();
    // Written whole (renamed into place), racing the server's first read
    // of the workspace: it either sees the file or, later, the event.
    let staged = dir.path().join("b.staged");
    std::fs::write(&staged, "instance i of nowhere < auth: x >\n").unwrap();
    std::fs::rename(&staged, dir.path().join("b.gate")).unwrap();
    let b = crate::client::uri_of(&dir.path().join("b.gate"));
    for message in std::iter::from_fn(|| Some(recv())).take(3) {
        match message {
            Message::Request(request) if request.method == "client/registerCapability" => {
                let globs: Vec<&str> =
                    request.params["registrations"][0]["registerOptions"]["watchers"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|w| w["globPattern"].as_str().unwrap())
                        .collect();
                assert_eq!(globs, ["**/*.gate", "**/authgate.toml"]);
                registered = true;
                // Written after the server read the workspace: only the
                // event can bring it in.
                std::fs::write(&staged, "instance i of nowhere < auth: x >\n").unwrap();
                std::fs::rename(&staged, dir.path().join("b.gate")).unwrap();
                let change = json!({"changes": [{"uri": b, "type": 1}]});
                client
                    .sender
                    .send(
                        Notification::new("workspace/didChangeWatchedFiles".to_owned(), change)
                            .into(),
                    )
                    .unwrap();
            }
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                published.push(n.params)
            }
            _ => {}
        }
    }
    assert!(registered);
    let for_b = published
        .iter()
        .find(|p| p["uri"] == b.as_str())
        .expect("b.gate published");
    assert_eq!(
        for_b["diagnostics"][0]["code"],
        "authgate::unknown_connector"
    );
    client
        .sender
        .send(Request::new(RequestId::from(2), "shutdown".to_owned(), Value::Null).into())
        .unwrap();
    client
        .sender
        .send(Notification::new("exit".to_owned(), Value::Null).into())
        .unwrap();
    assert!(thread.join().unwrap().is_ok());
}

/// Every positional request at every position of `text` (open as `uri`),
/// and a little past its ends, gets an answer.
fn every_position(client: &mut Client, uri: &str, text: &str) {
    let lines: Vec<&str> = text.split('\n').collect();
    for line in 0..=lines.len() + 1 {
        let width = lines.get(line).map_or(0, |l| l.encode_utf16().count());
        for character in 0..=width + 2 {
            let position = json!({"line": line, "character": character});
            let at = json!({"textDocument": {"uri": uri}, "position": position});
            for method in [
                "textDocument/hover",
                "textDocument/definition",
                "textDocument/prepareRename",
                "textDocument/completion",
            ] {
                client.request(method, at.clone()).unwrap();
            }
            let mut references = at.clone();
            references["context"] = json!({"includeDeclaration": true});
            client
                .request("textDocument/references", references)
                .unwrap();
            let range = json!({"start": position, "end": position});
            client
                .request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
                )
                .unwrap();
        }
    }
}

/// The same with scopes: items, lists over lines, a test's scoped subject,
/// an unknown scope, a missing one and a half-typed group at the end.
#[test]
fn every_position_of_a_file_with_scopes() {
    let text = "connector \"café 😀\" {\r\n    auth \"mé😀\": oauth2_authorization_code < scopes: [\r\n        \"lire 😀\", \"écrire\"\r\n    ] >\r\n    \
                endpoint \"é\" < auth: [\"mé😀\"(\"lire 😀\"), \"mé😀\"(\"écrir\")] >\r\n    endpoint w < auth: [\"mé😀\"(\"lire 😀\", \"écrire\")] >\r\n}\r\n\
                instance i of \"café 😀\" < auth: \"mé😀\", scopes: [\"lire 😀\"] >\r\nflow f { connection i -> w }\r\n\
                test t { expect \"café 😀\"/\"mé😀\"(\"lire 😀\") can see \"é\" }\r\ntest u { expect \"café 😀\"/\"mé😀\"(\"";
    let mut client = Client::start(&[("a.gate", SHOP)]);
    client.open("u.gate", text);
    let uri = client.uri("u.gate");
    every_position(&mut client, &uri, text);
    // Whole again: the scope codes, and answers where they are.
    let whole = text.replace("test u { expect \"café 😀\"/\"mé😀\"(\"", "");
    client.change("u.gate", &whole);
    let found = client.diagnostics("u.gate");
    let codes = crate::client::codes(&found);
    assert!(codes.contains(&"authgate::unknown_scope"), "{found:#?}");
    assert!(codes.contains(&"authgate::missing_scope"), "{codes:?}");
    every_position(&mut client, &uri, &whole);
    still_answers(&mut client);
    client.shutdown();
}

/// Every position of a file with CRLF line ends, non-ASCII names, emoji
/// and a half-typed last line (and some past its ends) gets an answer or
/// an empty one from every positional request; then a run of edits at
/// arbitrary places leaves a server that still answers.
#[test]
fn every_position_and_arbitrary_edits() {
    let text = "connector \"café 😀\" {\r\n    auth \"mé😀\": basic\r\n    endpoint \"é\" < auth: [\"mé😀\"] >\r\n}\r\n\
                instance i of \"café 😀\" < auth: \"mé😀\" >\r\nflow f { connection i -> \"é\" }\r\ntest t { expect i sees only [\"";
    let mut client = Client::start(&[("a.gate", SHOP)]);
    client.open("u.gate", text);
    let uri = client.uri("u.gate");
    every_position(&mut client, &uri, text);
    // Deterministic pseudo-random edits, positions anywhere (past the
    // ends too), text with multi-byte characters and line ends.
    let mut seed: u64 = 0x5eed;
    let mut next = |bound: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % bound
    };
    let pieces = [
        "😀",
        "é",
        "\r\n",
        "\"",
        "connector",
        " < auth: [",
        "]",
        "}",
        "",
        "->",
        "oauth(\"",
        ")",
        ", scopes: [",
    ];
    for version in 2..200 {
        let start = json!({"line": next(9), "character": next(40)});
        let end = json!({"line": next(9), "character": next(40)});
        let piece = pieces[next(pieces.len() as u64) as usize];
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": start, "end": end}, "text": piece}]}),
        );
        if version % 20 == 0 {
            for method in [
                "textDocument/semanticTokens/full",
                "textDocument/documentSymbol",
                "textDocument/formatting",
            ] {
                client
                    .request(method, json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}))
                    .unwrap();
            }
            client
                .request(
                    "textDocument/completion",
                    json!({"textDocument": {"uri": uri}, "position": start}),
                )
                .unwrap();
        }
    }
    still_answers(&mut client);
    client.shutdown();
}

#[test]
fn a_file_created_in_a_hidden_folder_stays_out_of_the_rule_set() {
    let mut client = Client::start(&[("a.gate", SHOP)]);
    // As the loader walks a folder: names beginning with `.` are skipped
    // (`.git`, a ConfigMap's `..data`), so a file appearing there is not
    // a rule file; one beside it is.
    for name in [".stash/b.gate", "c.gate"] {
        let path = client.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "instance i of nowhere < auth: x >\n").unwrap();
        let uri = client.uri(name);
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri, "type": 1}]}),
        );
    }
    assert_eq!(client.diagnostics(".stash/b.gate"), Vec::<Value>::new());
    assert_eq!(
        codes(&client.diagnostics("c.gate")),
        ["authgate::unknown_connector"]
    );
    client.shutdown();
}
