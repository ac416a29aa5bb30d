//! The `oauth2` crate set up for one provider: the client type with the endpoints discovery
//! found, the token response with its `id_token`, and provider errors turned into ours.

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, ClientId, ClientSecret, DeviceAuthorizationUrl, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, ExtraTokenFields, RequestTokenError, RevocationUrl, StandardRevocableToken,
    StandardTokenResponse, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::credentials::{Secret, TokenSet};
use super::discovery::ProviderMetadata;
use super::error::{AuthError, ProviderError};
use super::verify::Claims;

/// The one extra field of an OpenID Connect token response.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

pub type TokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// A client with authorization and token endpoints, and device/revocation endpoints when the
/// provider has them.
pub type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointMaybeSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointSet,
>;

/// Who the client is.
#[derive(Debug, Clone)]
pub struct ClientIdentity {
    pub client_id: String,
    /// Desktop clients of some providers (Google) have a "secret" that is not one.
    pub client_secret: Option<Secret>,
}

fn bad_endpoint(which: &str, e: impl std::fmt::Display) -> AuthError {
    AuthError::Discovery(super::discovery::DiscoveryError::BadDocument {
        url: which.into(),
        message: e.to_string(),
    })
}

/// Builds the client from the discovery document.
pub fn client(meta: &ProviderMetadata, who: &ClientIdentity) -> Result<OAuthClient, AuthError> {
    let device = meta
        .device_authorization_endpoint
        .as_deref()
        .map(|u| DeviceAuthorizationUrl::new(u.into()))
        .transpose()
        .map_err(|e| bad_endpoint("device_authorization_endpoint", e))?;
    let revocation = meta
        .revocation_endpoint
        .as_deref()
        .map(|u| RevocationUrl::new(u.into()))
        .transpose()
        .map_err(|e| bad_endpoint("revocation_endpoint", e))?;
    let mut client = oauth2::Client::new(ClientId::new(who.client_id.clone()))
        .set_auth_uri(
            AuthUrl::new(meta.authorization_endpoint.clone())
                .map_err(|e| bad_endpoint("authorization_endpoint", e))?,
        )
        .set_token_uri(
            TokenUrl::new(meta.token_endpoint.clone())
                .map_err(|e| bad_endpoint("token_endpoint", e))?,
        )
        .set_device_authorization_url_option(device)
        .set_revocation_url_option(revocation);
    if let Some(secret) = &who.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_string()));
    }
    Ok(client)
}

/// Turns an `oauth2` request failure into one line: the provider's `error` and
/// `error_description` when it answered with one, the transport cause otherwise.
pub fn request_error<RE, T>(step: &'static str, err: RequestTokenError<RE, T>) -> AuthError
where
    RE: std::error::Error + 'static,
    T: oauth2::ErrorResponse + Serialize + 'static,
{
    match err {
        RequestTokenError::ServerResponse(resp) => AuthError::Provider {
            step,
            error: provider_error(&resp),
        },
        RequestTokenError::Request(e) => AuthError::Transport {
            step,
            message: e.to_string(),
        },
        RequestTokenError::Parse(e, body) => AuthError::Transport {
            step,
            message: format!(
                "unexpected response ({e}): {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            ),
        },
        RequestTokenError::Other(m) => AuthError::Transport { step, message: m },
    }
}

/// The `error` and `error_description` of any RFC 6749 error response.
pub fn provider_error<T: Serialize>(resp: &T) -> ProviderError {
    let value = serde_json::to_value(resp).unwrap_or_default();
    let text = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
    ProviderError {
        code: text("error").unwrap_or_else(|| "unknown_error".into()),
        description: text("error_description"),
    }
}

/// The stored form of a token response. Identity comes from the verified ID token when there is
/// one, else from what was stored before (a refresh without a new ID token).
pub fn token_set(
    resp: &TokenResponse,
    issuer: &str,
    client_id: &str,
    requested_scopes: &[String],
    claims: Option<&Claims>,
    previous: Option<&TokenSet>,
    now: u64,
) -> TokenSet {
    let scopes = resp
        .scopes()
        .map(|s| s.iter().map(|s| s.to_string()).collect())
        .or_else(|| previous.map(|p| p.scopes.clone()))
        .unwrap_or_else(|| requested_scopes.to_vec());
    TokenSet {
        issuer: issuer.into(),
        client_id: client_id.into(),
        access_token: Secret::new(resp.access_token().secret().clone()),
        // A provider that does not rotate sends no new refresh token: keep the old one.
        refresh_token: resp
            .refresh_token()
            .map(|r| Secret::new(r.secret().clone()))
            .or_else(|| previous.and_then(|p| p.refresh_token.clone())),
        expires_at: resp.expires_in().map(|d| now + d.as_secs()),
        scopes,
        subject: claims
            .and_then(|c| c.sub.clone())
            .or_else(|| previous.and_then(|p| p.subject.clone())),
        email: claims
            .and_then(|c| c.email.clone())
            .or_else(|| previous.and_then(|p| p.email.clone())),
    }
}
