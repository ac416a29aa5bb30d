//! `GET /v1/sessions/{id}` (history and metadata) and `DELETE /v1/sessions/{id}`.
//!
//! Reading an active session renews it (the active TTL slides on every access). An inactive
//! session can be read without reviving it; only a new message does that. An archived session is
//! shown only with `?archived=true`.

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::serve::problem::{ApiError, ApiJson, Problem};
use crate::serve::sessions::{Message, Session, Tier, Update, UpdateRefused};
use crate::serve::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/sessions/{id}", get(get_session).delete(delete_session))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SessionQuery {
    /// Also return the session when it is archived (read-only, kept for export and audit).
    archived: Option<bool>,
}

/// A session's history and metadata.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub session_id: String,
    pub user: Option<String>,
    pub tier: Tier,
    pub created_at_ms: u64,
    pub last_access_at_ms: u64,
    /// When the session leaves its current tier unless it is used again.
    pub tier_ends_at_ms: u64,
    pub messages: Vec<Message>,
}

impl SessionView {
    fn new(session: Session, tier: Tier, state: &AppState) -> Self {
        let t = state.settings.tiers;
        let end = match tier {
            Tier::Active => t.active,
            Tier::Inactive => t.active + t.inactive,
            Tier::Archived | Tier::Expired => t.active + t.inactive + t.archive,
        };
        Self {
            session_id: session.id,
            user: session.user,
            tier,
            created_at_ms: session.created_ms,
            last_access_at_ms: session.last_access_ms,
            tier_ends_at_ms: session
                .last_access_ms
                .saturating_add(u64::try_from(end.as_millis()).unwrap_or(u64::MAX)),
            messages: session.messages,
        }
    }
}

/// Read a session.
#[utoipa::path(
    get,
    path = "/v1/sessions/{id}",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id"), SessionQuery),
    responses(
        (status = 200, description = "The session", body = SessionView),
        (status = 400, description = "A malformed id or query (`archived` takes true or false)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session (or archived, without ?archived=true)",
            body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong API key", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Over a rate limit", body = Problem,
            content_type = "application/problem+json"),
    )
)]
pub(crate) async fn get_session(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<SessionQuery>, QueryRejection>,
) -> Result<ApiJson<SessionView>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let now = state.clock.now_ms();
    let tiers = state.settings.tiers;
    let key = id.clone();
    let found = state.store_call("get", move |s| s.get(&key)).await?;
    let Some(session) = found else {
        return Err(ApiError::NotFound(format!("no session {id:?}")));
    };
    match tiers.tier_at(session.last_access_ms, now) {
        Tier::Active => {
            // Sliding expiry: reading counts as activity.
            let key = id.clone();
            let renewed = state
                .store_update(
                    &key,
                    Box::new(move |current| match current {
                        Some(mut s) => {
                            s.last_access_ms = s.last_access_ms.max(now);
                            Update::Save(s.clone(), Ok(s))
                        }
                        None => Update::Keep(Err(UpdateRefused::NotFound)),
                    }),
                )
                .await?
                .map_err(|r| super::chat::refused_error(r, &id))?;
            Ok(ApiJson(SessionView::new(renewed, Tier::Active, &state)))
        }
        Tier::Inactive => Ok(ApiJson(SessionView::new(session, Tier::Inactive, &state))),
        Tier::Archived if query.archived.unwrap_or(false) => {
            Ok(ApiJson(SessionView::new(session, Tier::Archived, &state)))
        }
        Tier::Archived => Err(super::chat::refused_error(UpdateRefused::Archived, &id)),
        Tier::Expired => Err(ApiError::NotFound(format!("no session {id:?}"))),
    }
}

/// Erase a session from every tier.
#[utoipa::path(
    delete,
    path = "/v1/sessions/{id}",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id")),
    responses(
        (status = 204, description = "Erased"),
        (status = 400, description = "A malformed id", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "No such session", body = Problem,
            content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong API key", body = Problem,
            content_type = "application/problem+json"),
        (status = 429, description = "Over a rate limit", body = Problem,
            content_type = "application/problem+json"),
    )
)]
pub(crate) async fn delete_session(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let key = id.clone();
    if state.store_call("delete", move |s| s.delete(&key)).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!("no session {id:?}")))
    }
}
