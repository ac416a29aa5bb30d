//! `GET /healthz` (the process answers) and `GET /readyz` (and its store can be read).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;

use crate::serve::problem::{ApiError, ApiJson, Problem};
use crate::serve::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: String,
    /// Readiness only: the circuit breaker state of each backend (`closed`, `open`,
    /// `half_open`). An open circuit does not make the server unready: it answers at once.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub circuits: BTreeMap<String, String>,
}

/// Liveness: the server answers.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Alive", body = Health)))]
pub(crate) async fn healthz() -> ApiJson<Health> {
    ApiJson(Health {
        status: "ok".into(),
        circuits: BTreeMap::new(),
    })
}

/// Readiness: the session store can be read.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The store is unreachable", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<ApiJson<Health>, ApiError> {
    state.store_call("ping", |s| s.ping()).await?;
    let circuits = state
        .breakers()
        .into_iter()
        .map(|b| (b.name().to_string(), b.state().to_string()))
        .collect();
    Ok(ApiJson(Health {
        status: "ready".into(),
        circuits,
    }))
}
