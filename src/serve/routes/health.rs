//! `GET /healthz` (the process answers) and `GET /readyz` (and its store can be read).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::serve::problem::{ApiJson, Problem};
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
    /// Readiness only, when a rate limit is on: where it is counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitStatus>,
    /// Readiness only: the configuration being served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigStatus {
    /// 1 at start, one more on every reload (SIGHUP or a change of the file).
    pub version: u64,
    /// A short hash of the configuration file; empty without one.
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RateLimitStatus {
    /// `node` (this node alone), `cluster` (every node on the Redis store), or
    /// `node (redis unreachable)` (a cluster-wide limit counted per node until Redis is back).
    pub scope: String,
}

/// Liveness: the server answers.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Alive", body = Health)))]
pub(crate) async fn healthz() -> ApiJson<Health> {
    ApiJson(Health {
        status: "ok".into(),
        circuits: BTreeMap::new(),
        rate_limit: None,
        config: None,
    })
}

/// Readiness: the session store can be read.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The store is unreachable", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let rate_limit = state.limits.scope().map(|scope| RateLimitStatus {
        scope: scope.name().into(),
    });
    if let Err(e) = state.store_call("ping", |s| s.ping()).await {
        // The problem says why; an extension member says where the limits are counted meanwhile.
        let mut problem = serde_json::to_value(e.problem()).unwrap_or_default();
        if let (Some(rate_limit), Some(members)) = (&rate_limit, problem.as_object_mut()) {
            members.insert("rate_limit".into(), json!({"scope": rate_limit.scope}));
        }
        let mut response = (e.status(), problem.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        return response;
    }
    let circuits = state
        .breakers()
        .into_iter()
        .map(|b| (b.name().to_string(), b.state().to_string()))
        .collect();
    ApiJson(Health {
        status: "ready".into(),
        circuits,
        rate_limit,
        config: Some(ConfigStatus {
            version: state.config.number,
            hash: state.config.hash.clone(),
        }),
    })
    .into_response()
}
