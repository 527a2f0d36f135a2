//! `--ui`: the playground page at `/ui/` and the rule files it shows,
//! `/ui/rules.json`: the texts of the snapshot serving, from memory, so
//! always the rules that decide; the headers that keep the page to its
//! own files.

use std::sync::Arc;

use authgate::serve::{Limits, Snapshot, Source, State};
use authgate::{Options, Sources};
use axum::http::{StatusCode, header};

use super::{Answer, SHOP, digest, get};
use crate::support::write;

const CRM: &str =
    "connector crm {\n    auth key: token\n    endpoint contacts < auth: [key] >\n}\n";

/// A state serving the rules of `dir` (a folder of `shop.gate` and
/// `more/crm.gate`), with the page or without, as `serve` makes it.
fn served(dir: &std::path::Path, ui: bool) -> Arc<State> {
    write(&dir.join("shop.gate"), SHOP);
    write(&dir.join("more/crm.gate"), CRM);
    write(&dir.join("authgate.toml"), "");
    let source = Source::new(vec![dir.to_path_buf()], Options::default());
    let sources = source.read().expect("readable");
    let policy = authgate::compile(&sources).policy.expect("compiles");
    let state = if ui {
        State::new(
            Snapshot::keeping(policy, sources),
            Some(source),
            Limits::default(),
        )
        .with_ui()
    } else {
        State::new(
            Snapshot::new(policy, &sources),
            Some(source),
            Limits::default(),
        )
    };
    Arc::new(state)
}

/// The rule texts of `/ui/rules.json`, by path.
fn texts(answer: &Answer) -> Vec<(String, String)> {
    answer.json()["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| {
            let text = |key: &str| file[key].as_str().expect("a string").to_owned();
            (text("path"), text("text"))
        })
        .collect()
}

#[tokio::test]
async fn rules_json_gives_the_rule_files_serving_by_their_bundle_paths() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = served(dir.path(), true);
    let answer = get(&state, "/ui/rules.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(answer.json()["digest"], digest(&state));
    // Rule files only (not authgate.toml), sorted, with `/` separators.
    assert_eq!(
        texts(&answer),
        [
            ("more/crm.gate".to_owned(), CRM.to_owned()),
            ("shop.gate".to_owned(), SHOP.to_owned())
        ]
    );
    // The same paths and digest as /v1/bundle.
    let bundle = get(&state, "/v1/bundle").await.json();
    assert_eq!(bundle["files"][0]["path"], "more/crm.gate");
    assert_eq!(bundle["digest"], answer.json()["digest"]);
}

#[tokio::test]
async fn rules_json_shows_the_rules_that_decide_until_a_reload_swaps_them() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = served(dir.path(), true);
    let before = get(&state, "/ui/rules.json").await;
    // Edited on disk, not reloaded: still the texts that decide, no error.
    let edited = SHOP.replace("orders", "order");
    write(&dir.path().join("shop.gate"), &edited);
    let answer = get(&state, "/ui/rules.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, before.body);
    // Removed on disk: the same.
    std::fs::remove_file(dir.path().join("more/crm.gate")).expect("removes");
    assert_eq!(get(&state, "/ui/rules.json").await.body, before.body);
    // Reloaded: the new texts, under the new digest.
    state.reload(false);
    let answer = get(&state, "/ui/rules.json").await;
    assert_eq!(answer.json()["digest"], digest(&state));
    assert_ne!(answer.json()["digest"], before.json()["digest"]);
    assert_eq!(texts(&answer), [("shop.gate".to_owned(), edited.clone())]);
    // A reload that fails keeps the texts of the rules still serving.
    write(&dir.path().join("shop.gate"), "connector shop {");
    state.reload(false);
    assert_eq!(
        texts(&get(&state, "/ui/rules.json").await),
        [("shop.gate".to_owned(), edited)]
    );
}

#[tokio::test]
async fn rules_json_of_a_snapshot_without_its_texts_is_a_json_404() {
    // A library user's State with the page over a snapshot that does not
    // keep its files: nothing to show, said so.
    let mut sources = Sources::new();
    sources.add("shop.gate", SHOP);
    let policy = authgate::compile(&sources).policy.expect("compiles");
    let state =
        Arc::new(State::new(Snapshot::new(policy, &sources), None, Limits::default()).with_ui());
    let answer = get(&state, "/ui/rules.json").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json()["error"]["message"],
        "this server keeps no rule texts to show"
    );
}

#[tokio::test]
async fn without_ui_there_is_no_page() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = served(dir.path(), false);
    for path in ["/ui", "/ui/", "/ui/rules.json", "/ui/app.js"] {
        let answer = get(&state, path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.code(), "authgate::not_found");
    }
    // The rules serving are not kept as text beside the policy.
    assert!(state.snapshot().sources.is_none());
}

#[tokio::test]
async fn every_ui_answer_says_nosniff_and_keeps_the_page_to_its_own_files() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = served(dir.path(), true);
    for path in [
        "/ui",
        "/ui/",
        "/ui/index.html",
        "/ui/rules.json",
        "/ui/app.js",
        "/ui/no-such-file.js",
    ] {
        let answer = get(&state, path).await;
        assert_eq!(
            answer.headers[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff",
            "{path}"
        );
        assert_eq!(
            answer.headers[header::CONTENT_SECURITY_POLICY],
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "{path}"
        );
    }
    // The API's answers are not the page's: no page policy on them.
    let bundle = get(&state, "/v1/bundle").await;
    assert!(
        bundle
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .is_none()
    );
}

#[tokio::test]
async fn the_page_is_served_when_built_in_and_unknown_files_are_json_404s() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = served(dir.path(), true);
    let answer = get(&state, "/ui").await;
    assert_eq!(answer.status, StatusCode::PERMANENT_REDIRECT);
    // Relative, so that it holds behind a proxy's path prefix: `/ui`
    // resolves it to `/ui/`, `/authgate/ui` to `/authgate/ui/`.
    assert_eq!(answer.headers[header::LOCATION], "ui/");
    let answer = get(&state, "/ui/no-such-file.js").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.code(), "authgate::not_found");
    let page = get(&state, "/ui/").await;
    if authgate::serve::ui::built() {
        // The page, told where its rules are; its script and engine beside it.
        assert_eq!(page.status, StatusCode::OK);
        let html = String::from_utf8_lossy(&page.body);
        assert!(html.contains(r#"<meta name="authgate-rules" content="rules.json">"#));
        let wasm = get(&state, "/ui/authgate.wasm").await;
        assert_eq!(wasm.headers[header::CONTENT_TYPE], "application/wasm");
        assert!(wasm.body.starts_with(b"\0asm"));
        let script = get(&state, "/ui/app.js").await;
        assert!(
            script.headers[header::CONTENT_TYPE]
                .to_str()
                .is_ok_and(|t| t.starts_with("text/javascript"))
        );
        // The file that keeps web/dist in git is not part of the page.
        assert_eq!(get(&state, "/ui/.keep").await.status, StatusCode::NOT_FOUND);
    } else {
        // A binary built before the page: the CLI refuses --ui (see
        // below); the router alone answers 404.
        assert_eq!(page.status, StatusCode::NOT_FOUND);
    }
}

/// `serve --ui` from a binary with the page serves it, with its headers;
/// from one built before the page (a fresh clone's `cargo build`), it
/// refuses to start and names the commands that build the page.
#[cfg(feature = "cli")]
#[test]
fn serve_ui_starts_with_the_page_or_names_the_commands_that_build_it() {
    use super::process::Server;

    let dir = tempfile::tempdir().expect("a temp dir");
    write(&dir.path().join("shop.gate"), SHOP);
    match Server::try_start(dir.path(), &["--ui", "shop.gate"]) {
        Ok(server) => {
            assert!(
                authgate::serve::ui::built(),
                "--ui without the page started"
            );
            let page = server.exchange("GET", "/ui/", "");
            assert_eq!(page.status, 200, "{}", page.body);
            assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
            assert!(
                page.header("content-security-policy")
                    .is_some_and(|csp| csp.starts_with("default-src 'self';")),
                "{:?}",
                page.headers
            );
            let rules = server.json("GET", "/ui/rules.json", "");
            assert_eq!(rules["files"][0]["text"], SHOP);
        }
        Err(stopped) => {
            assert!(!authgate::serve::ui::built(), "{stopped:?}");
            assert_eq!(stopped.code, Some(2));
            assert!(stopped.line.is_empty(), "{}", stopped.line);
            assert!(
                stopped.stderr.contains("--ui: this authgate was built without the playground page; build the page with `npm --prefix bindings/js ci && npm --prefix bindings/js run build && npm --prefix web ci && npm --prefix web run build`, then build authgate again"),
                "{}",
                stopped.stderr
            );
        }
    }
}
