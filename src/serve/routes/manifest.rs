//! `GET /.well-known/ai-plugin.json`: the ChatGPT plugin manifest, filled from the `serve.manifest`
//! section of plugctl.yaml. The API URL points at this server's `/openapi.yaml`, on the public URL
//! when one is configured, else on the Host the request came to.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::HOST;
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;

use crate::serve::problem::{ApiError, ApiJson, Problem};
use crate::serve::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/.well-known/ai-plugin.json", get(manifest))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Manifest {
    pub schema_version: String,
    pub name_for_human: String,
    pub name_for_model: String,
    pub description_for_human: String,
    pub description_for_model: String,
    pub auth: ManifestAuth,
    pub api: ManifestApi,
    pub logo_url: String,
    pub contact_email: String,
    pub legal_info_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManifestAuth {
    #[serde(rename = "type")]
    pub kind: String,
    /// `bearer` for `service_http`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_type: Option<String>,
    /// For `oauth`: where users sign in (the provider's authorization endpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_url: Option<String>,
    /// For `oauth`: where the code is exchanged for tokens (the provider's token endpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_url: Option<String>,
    /// For `oauth`: the body type of the token request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_content_type: Option<String>,
    /// For `oauth`: the scope to request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManifestApi {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// The plugin manifest.
#[utoipa::path(get, path = "/.well-known/ai-plugin.json", tag = "plugin",
    responses((status = 200, description = "The manifest", body = Manifest),
        (status = 503, description = "The token issuer (auth: jwt) cannot be reached",
            body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn manifest(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<ApiJson<Manifest>, ApiError> {
    let oauth = state.auth.oauth().await.map_err(ApiError::Unavailable)?;
    let m = &state.settings.manifest;
    let base = match &m.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| !h.is_empty() && !h.contains(['/', ' ']))
                .map(str::to_string)
                .unwrap_or_else(|| state.settings.bind.to_string());
            format!("http://{host}")
        }
    };
    Ok(ApiJson(Manifest {
        schema_version: "v1".into(),
        name_for_human: m.name_for_human.clone(),
        name_for_model: m.name_for_model.clone(),
        description_for_human: m.description_for_human.clone(),
        description_for_model: m.description_for_model.clone(),
        auth: {
            let kind = state.auth.manifest_type();
            ManifestAuth {
                kind: kind.into(),
                authorization_type: (kind == "service_http").then(|| "bearer".into()),
                authorization_content_type: oauth
                    .as_ref()
                    .map(|_| "application/x-www-form-urlencoded".into()),
                client_url: oauth.as_ref().map(|o| o.authorization_url.clone()),
                authorization_url: oauth.as_ref().map(|o| o.token_url.clone()),
                scope: oauth.map(|o| o.scope),
            }
        },
        api: ManifestApi {
            kind: "openapi".into(),
            url: format!("{base}/openapi.yaml"),
        },
        logo_url: m.logo_url.clone(),
        contact_email: m.contact_email.clone(),
        legal_info_url: m.legal_info_url.clone(),
    }))
}
