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
///
/// Each gate is layered only when its configuration has something to check: a `from_fn` layer
/// boxes a future and clones the service inside it on every request, even when it lets
/// everything through, and leaving the three out cut a chat turn's CPU time by 8% and 14% in
/// two A/Bs with rate limits and authentication off. A reload builds a new router, so a gate
/// appears when it is configured.
fn api(state: &AppState) -> Router<AppState> {
    let mut api = Router::new()
        .merge(chat::router())
        .merge(chat::plugin_paths(state))
        .merge(sessions::router());
    if state.limits.per_client.is_some() {
        api = api.route_layer(middleware::from_fn_with_state(
            state.clone(),
            limit::per_client,
        ));
    }
    if state.auth.checks_credentials() {
        api = api.route_layer(middleware::from_fn_with_state(state.clone(), auth::layer));
    }
    if state.limits.global.is_some() {
        api = api.route_layer(middleware::from_fn_with_state(state.clone(), limit::global));
    }
    api
}

#[cfg(test)]
mod tests;
