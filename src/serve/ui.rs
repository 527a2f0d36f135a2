//! `authgate serve --ui`: the playground page (`web/`), built into the
//! binary, at `/ui/`, over the rules serving. The page fetches the rule
//! files from `/ui/rules.json` and decides in the browser with the same
//! engine as WebAssembly; here it is read-only (no editing, no toggles).
//!
//! The files come from `web/dist` when the binary was built (see
//! `build.rs`); a binary built without them refuses `--ui` at startup
//! with the commands that build the page.
//!
//! `/ui/rules.json` reads the files again and answers only when their
//! digest is the digest serving: the page then shows exactly the rules
//! that decide, and after an edit not yet reloaded it says so instead of
//! showing text that no decision uses.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::error::{ApiError, json_body};
use super::state::AppState;
use crate::project::digest::Manifest;

include!(concat!(env!("OUT_DIR"), "/ui_files.rs"));

/// The commands that build the page, from the repository's root; then
/// build authgate again.
pub const BUILD_COMMANDS: &str = "npm --prefix bindings/js ci && npm --prefix bindings/js run build && npm --prefix web ci && npm --prefix web run build";

/// Whether this binary carries the page.
pub fn built() -> bool {
    FILES.iter().any(|(name, _)| *name == "index.html")
}

/// The `<meta>` of the page that tells it where its rules are: empty in
/// the static page, the route of the served rules here.
const RULES_META: &str = r#"<meta name="authgate-rules" content="">"#;
const SERVED_META: &str = r#"<meta name="authgate-rules" content="rules.json">"#;

fn file(name: &str) -> Option<&'static [u8]> {
    FILES
        .iter()
        .find(|(path, _)| *path == name)
        .map(|(_, bytes)| *bytes)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "authgate::not_found",
        "no such file of the page",
    )
    .into_response()
}

/// `GET /ui`: to `/ui/`, where the page's relative links resolve.
pub(crate) async fn redirect() -> Redirect {
    Redirect::permanent("/ui/")
}

/// `GET /ui/`: the page, told where the served rules are.
pub(crate) async fn index() -> Response {
    let Some(bytes) = file("index.html") else {
        return not_found();
    };
    let page = String::from_utf8_lossy(bytes).replacen(RULES_META, SERVED_META, 1);
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        page,
    )
        .into_response()
}

/// `GET /ui/{file}`: a file of the page (script, style, WebAssembly).
pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    if name == "index.html" {
        return index().await;
    }
    let Some(bytes) = file(&name) else {
        return not_found();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&name)),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /ui/rules.json`: `{"digest", "files": [{"path", "text"}]}`, the
/// rule files serving, by their paths in the bundle, sorted.
pub(crate) async fn rules(State(state): State<AppState>) -> Response {
    let serving = state.snapshot().digest.clone();
    let Some(source) = state.source.clone() else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "authgate::not_found",
            "this server was not given rule files to show",
        )
        .into_response();
    };
    let read = tokio::task::spawn_blocking(move || source.read()).await;
    let sources = match read {
        Ok(Ok(sources)) => sources,
        Ok(Err(failure)) => {
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "authgate::ui",
                format!("cannot read the rule files: {}", failure.message),
            )
            .into_response();
        }
        Err(error) => {
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "authgate::internal",
                format!("reading the rule files failed: {error}"),
            )
            .into_response();
        }
    };
    let on_disk = Manifest::of(&sources);
    if on_disk.digest() != serving {
        return ApiError::new(
            StatusCode::CONFLICT,
            "authgate::ui",
            format!(
                "the rule files changed since they were loaded (serving {serving}, on disk {}): reload (SIGHUP, or --watch) to show them",
                on_disk.digest()
            ),
        )
        .into_response();
    }
    let mut files: Vec<_> = sources
        .iter()
        .filter(|file| file.is_rules())
        .map(|file| (file.bundle_path(), String::from_utf8_lossy(file.bytes())))
        .collect();
    files.sort_by(|a, b| a.0.cmp(b.0));
    let files: Vec<_> = files
        .into_iter()
        .map(|(path, text)| serde_json::json!({ "path": path, "text": text }))
        .collect();
    let body = serde_json::json!({ "digest": serving, "files": files });
    json_body(body.to_string().into_bytes())
}
