//! `authgate serve --ui`: the playground page (`web/`), built into the
//! binary, at `/ui/`, over the rules serving. The page fetches the rule
//! files from `/ui/rules.json` and decides in the browser with the same
//! engine as WebAssembly; here it is read-only (no editing, no toggles).
//!
//! The files come from `web/dist` when the binary was built (see
//! `build.rs`); a binary built without them refuses `--ui` at startup
//! with the commands that build the page.
//!
//! `/ui/rules.json` answers from memory: the texts of the snapshot
//! serving, kept beside its policy (only with `--ui`), so the page shows
//! exactly the rules that decide, whatever the files on disk say now.
//!
//! Every answer under `/ui` says `nosniff` and carries a Content Security
//! Policy that lets the page run its own script and WebAssembly and
//! nothing else (see [`CONTENT_SECURITY_POLICY`]).

use std::borrow::Cow;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::error::{ApiError, json_body};
use super::state::AppState;

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

/// What the page may load: its own files (script, style, the engine as
/// WebAssembly, `rules.json`) and nothing from elsewhere. WebAssembly needs
/// `'wasm-unsafe-eval'` to compile; the editor (CodeMirror) sets inline
/// styles, hence `'unsafe-inline'` for styles only. No plugins, no `<base>`,
/// no forms, and no other site may frame it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Adds `nosniff` and the page's [`CONTENT_SECURITY_POLICY`] to every
/// answer of a `/ui` route, errors included.
pub(crate) async fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
}

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

/// `GET /ui`: to `/ui/`, where the page's relative links resolve. The
/// target is relative (`ui/`), so it holds behind a proxy that serves
/// authgate under a path prefix.
pub(crate) async fn redirect() -> Redirect {
    Redirect::permanent("ui/")
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

/// `/ui/rules.json`'s document.
#[derive(Serialize)]
struct Rules<'a> {
    digest: &'a str,
    files: Vec<RuleText<'a>>,
}

#[derive(Serialize)]
struct RuleText<'a> {
    path: &'a str,
    text: Cow<'a, str>,
}

/// `GET /ui/rules.json`: `{"digest", "files": [{"path", "text"}]}`, the
/// rule files of the snapshot serving, by their paths in the bundle,
/// sorted: the texts it was compiled from, so always its digest's.
pub(crate) async fn rules(State(state): State<AppState>) -> Response {
    let snapshot = state.snapshot();
    let Some(sources) = &snapshot.sources else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "authgate::not_found",
            "this server keeps no rule texts to show",
        )
        .into_response();
    };
    let mut files: Vec<_> = sources
        .iter()
        .filter(|file| file.is_rules())
        .map(|file| RuleText {
            path: file.bundle_path(),
            text: String::from_utf8_lossy(file.bytes()),
        })
        .collect();
    files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let rules = Rules {
        digest: &snapshot.digest,
        files,
    };
    match serde_json::to_vec(&rules) {
        Ok(body) => json_body(body),
        Err(error) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "authgate::internal",
            format!("cannot write the rule files as JSON: {error}"),
        )
        .into_response(),
    }
}
