//! The device authorization grant (RFC 8628) for machines without a browser: show the user a
//! code to enter elsewhere, then poll the token endpoint. `oauth2` does the polling: the
//! interval is 5 s when the provider omits it (§3.2), `slow_down` adds 5 s (§3.5), and
//! `authorization_pending` keeps polling; `access_denied` and `expired_token` end it.

use oauth2::Scope;

use super::error::AuthError;
use super::flow::{LoginOptions, Prompt};
use super::oauth::{self, OAuthClient, TokenResponse};
use super::{Profile, discovery::ProviderMetadata, http};

pub(crate) async fn run(
    client: &OAuthClient,
    meta: &ProviderMetadata,
    profile: &Profile,
    http: &reqwest::Client,
    options: &LoginOptions,
    prompt: &(dyn Fn(Prompt) + Sync),
) -> Result<TokenResponse, AuthError> {
    if meta.device_authorization_endpoint.is_none() {
        return Err(AuthError::Unsupported(
            "the device authorization grant (no device_authorization_endpoint)".into(),
        ));
    }
    let send = |req| http::send(http, req);
    let mut request = client
        .exchange_device_code()
        .map_err(|e| AuthError::Unsupported(e.to_string()))?
        .add_scopes(profile.scopes.iter().cloned().map(Scope::new));
    if let Some(audience) = &profile.audience {
        request = request.add_extra_param("audience", audience.clone());
    }
    let details: oauth2::StandardDeviceAuthorizationResponse =
        request
            .request_async(&send)
            .await
            .map_err(|e| oauth::request_error("device authorization", e))?;
    prompt(Prompt::DeviceCode {
        verification_uri: details.verification_uri().to_string(),
        user_code: details.user_code().secret().clone(),
        complete_uri: details
            .verification_uri_complete()
            .map(|u| u.secret().clone()),
        expires_in: details.expires_in(),
    });
    let timeout = options.timeout.min(details.expires_in());
    client
        .exchange_device_access_token(&details)
        .request_async(&send, tokio::time::sleep, Some(timeout))
        .await
        // oauth2 reports its own deadline as the provider's `expired_token`, which it is.
        .map_err(|e| oauth::request_error("device login", e))
}
