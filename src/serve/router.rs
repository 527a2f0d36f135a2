//! The routes and the layers around them, as one [`axum::Router`] that
//! tests drive in process (`tower::ServiceExt::oneshot`) and the server
//! serves.
//!
//! Layers, outermost first: error bodies made JSON; durations per route;
//! the request timeout (408); the body limit (413), which
//! `RequestBodyLimitLayer` enforces on every route and body however it is
//! read (axum's own default limit covers some extractors only, so it is
//! turned off).

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state, map_response, map_response_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use super::error::{ApiError, json_errors};
use super::metrics::Metrics;
use super::state::{AppState, State as ServerState};
use super::{authzen, decide, status, ui, visible};

/// The service's router over `state`.
pub fn router(state: Arc<ServerState>) -> Router {
    let limits = state.limits;
    let mut routes = Router::new();
    if state.ui {
        routes = routes.merge(
            Router::new()
                .route("/ui", get(ui::redirect))
                .route("/ui/", get(ui::index))
                .route("/ui/rules.json", get(ui::rules))
                .route("/ui/{file}", get(ui::asset))
                .route_layer(map_response(ui::secure)),
        );
    }
    routes
        .route("/v1/decide", post(decide::decide))
        .route("/v1/decide/batch", post(decide::batch))
        .route("/v1/visible", post(visible::visible))
        .route("/access/v1/evaluation", post(authzen::evaluation))
        .route("/access/v1/evaluations", post(authzen::evaluations))
        .route(
            "/.well-known/authzen-configuration",
            get(authzen::configuration),
        )
        .route("/v1/bundle", get(status::bundle))
        .route("/health/live", get(status::live))
        .route("/health/ready", get(status::ready))
        .route("/metrics", get(status::metrics))
        .fallback(not_found)
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limits.max_body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.timeout,
        ))
        .layer(from_fn_with_state(state.clone(), timing))
        .layer(map_response_with_state(state.clone(), json_errors))
        .with_state(state)
}

async fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "authgate::not_found",
        "no such route",
    )
    .into_response()
}

/// Records how long each request took, by route.
async fn timing(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = Metrics::route(
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let start = Instant::now();
    let response = next.run(request).await;
    state.metrics.request(route, start.elapsed());
    response
}
