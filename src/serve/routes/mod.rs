//! The router: every route module's routes, the fallbacks, and the layers in a deliberate order.

pub mod access_log;
pub mod chat;
pub mod health;
pub mod manifest;
pub mod metrics;
pub mod openapi;
pub mod sessions;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

use super::problem::ApiError;
use super::state::AppState;
use super::{auth, limit};
use access_log::track;

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

#[cfg(test)]
mod tests;
