//! `--ui`: the playground page at `/ui/` and the rule files it shows,
//! `/ui/rules.json`, which are the files serving or an error saying they
//! changed on disk since.

use std::sync::Arc;

use authgate::Options;
use authgate::serve::{Limits, Source, State};
use axum::http::{StatusCode, header};

use super::{SHOP, digest, get};
use crate::support::write;

/// A state serving the rules of `dir` (a folder of `shop.gate` and
/// `more/crm.gate`), with the page or without.
fn served(dir: &std::path::Path, ui: bool) -> Arc<State> {
    write(&dir.join("shop.gate"), SHOP);
    write(
        &dir.join("more/crm.gate"),
        "connector crm {\n    auth key: token\n    endpoint contacts < auth: [key] >\n}\n",
    );
    write(&dir.join("authgate.toml"), "");
    let source = Source::new(vec![dir.to_path_buf()], Options::default());
    let loaded = source
        .build(source.read().expect("readable"))
        .expect("compiles");
    let state = State::new(loaded, Some(source), Limits::default());
    Arc::new(if ui { state.with_ui() } else { state })
}

#[tokio::test]
async fn rules_json_gives_the_rule_files_serving_by_their_bundle_paths() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = served(dir.path(), true);
    let answer = get(&state, "/ui/rules.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
    let rules = answer.json();
    assert_eq!(rules["digest"], digest(&state));
    let paths: Vec<_> = rules["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| file["path"].as_str().expect("a path"))
        .collect();
    // Rule files only (not authgate.toml), sorted, with `/` separators.
    assert_eq!(paths, ["more/crm.gate", "shop.gate"]);
    assert_eq!(rules["files"][1]["text"], SHOP);
    // The same paths and digest as /v1/bundle.
    let bundle = get(&state, "/v1/bundle").await.json();
    assert_eq!(bundle["files"][0]["path"], "more/crm.gate");
    assert_eq!(bundle["digest"], rules["digest"]);
}

#[tokio::test]
async fn rules_json_refuses_files_changed_since_they_were_loaded() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = served(dir.path(), true);
    write(
        &dir.path().join("shop.gate"),
        &SHOP.replace("orders", "order"),
    );
    let answer = get(&state, "/ui/rules.json").await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(answer.code(), "authgate::ui");
    let message = answer.json()["error"]["message"]
        .as_str()
        .expect("a message")
        .to_owned();
    assert!(
        message.starts_with(&format!(
            "the rule files changed since they were loaded (serving {}, on disk sha256:",
            digest(&state)
        )),
        "{message}"
    );
    assert!(message.ends_with("reload (SIGHUP, or --watch) to show them"));
    // Reloaded, the page shows the new files.
    state.reload(false);
    let answer = get(&state, "/ui/rules.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.json()["files"][1]["text"]
            .as_str()
            .is_some_and(|text| text.contains("endpoint order "))
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
}

#[tokio::test]
async fn the_page_is_served_when_built_in_and_unknown_files_are_json_404s() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = served(dir.path(), true);
    let answer = get(&state, "/ui").await;
    assert_eq!(answer.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(answer.headers[header::LOCATION], "/ui/");
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
    } else {
        // A binary built before the page: the CLI refuses --ui (see
        // binary.rs); the router alone answers 404.
        assert_eq!(page.status, StatusCode::NOT_FOUND);
    }
}

/// `serve --ui` from a binary with the page serves it; from one built
/// before the page (a fresh clone's `cargo build`), it refuses to start
/// and names the commands that build the page.
#[cfg(feature = "cli")]
#[test]
fn serve_ui_starts_with_the_page_or_names_the_commands_that_build_it() {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().expect("a temp dir");
    write(&dir.path().join("shop.gate"), SHOP);
    let mut child = Command::new(crate::support::BIN)
        .args(["serve", "--ui", "--listen", "127.0.0.1:0", "shop.gate"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reads stdout");
    if authgate::serve::ui::built() {
        let _ = child.kill();
        let _ = child.wait();
        assert!(line.starts_with("listening on http://"), "{line}");
    } else {
        let output = child.wait_with_output().expect("it stops");
        assert_eq!(output.status.code(), Some(2));
        assert!(line.is_empty(), "{line}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--ui: this authgate was built without the playground page; build the page with `npm --prefix bindings/js ci && npm --prefix bindings/js run build && npm --prefix web ci && npm --prefix web run build`, then build authgate again"),
            "{stderr}"
        );
    }
}
