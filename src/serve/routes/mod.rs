//! The router: every route module's routes, the fallbacks, and the layers in a deliberate order.

pub mod chat;
pub mod health;
pub mod manifest;
pub mod metrics;
pub mod openapi;
pub mod sessions;

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;

use super::problem::ApiError;
use super::state::AppState;
use super::{auth, limit};

/// The whole application.
pub(crate) fn router(state: AppState) -> Router {
    let body_limit = state.settings.body_limit;
    Router::new()
        .merge(api(&state))
        .merge(health::router())
        .merge(metrics::router())
        .merge(manifest::router())
        .merge(openapi::router())
        // Unknown paths and wrong methods answer in the API's error format too.
        .fallback(|| async { ApiError::NotFound("no such endpoint".into()) })
        .method_not_allowed_fallback(|| async {
            ApiError::MethodNotAllowed("this endpoint does not take that method".into())
        })
        // Layers wrap what is above them, so the last one added runs first.
        // 1. The body limit sits next to the handlers: the JSON extractor sees it and turns an
        //    oversized body into a 413 problem (tower-http's limit layer would answer in plain
        //    text before our error format gets a say).
        .layer(DefaultBodyLimit::max(body_limit))
        // 2. Request logging and metrics go outermost, so they see every response, including
        //    the fallbacks' and the extractors' rejections, and time all of it.
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

/// The API proper (`/v1/*`): rate limited and authenticated; nothing else is. The global limit
/// runs first (it protects the node, bad credentials included), then authentication, then the
/// per-client limit (keyed by the principal authentication found).
fn api(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(chat::router())
        .merge(chat::plugin_paths(state))
        .merge(sessions::router())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            limit::per_client,
        ))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::layer))
        .route_layer(middleware::from_fn_with_state(state.clone(), limit::global))
}

/// One log line and one metrics sample per request, labelled by the matched route.
async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .request(method.as_str(), &route, status, elapsed);
    tracing::info!(
        method = %method,
        route = %route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    response
}

#[cfg(test)]
mod tests;
