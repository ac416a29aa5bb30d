//! After login: handing out a valid access token (refreshing first when needed), reporting the
//! status, and logging out with revocation.

use oauth2::RefreshToken;
use serde::Serialize;

use super::credentials::{Freshness, Secret, TokenSet};
use super::discovery;
use super::error::AuthError;
use super::lock::RefreshLock;
use super::oauth;
use super::store::{Backend, TokenStore};
use super::verify::unix_now;
use super::{Profile, http};

/// Where the token handed out comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    /// `$PLUGCTL_TOKEN` overrides whatever is stored.
    Env,
    Keyring,
    InsecureFile,
}

impl From<Backend> for TokenSource {
    fn from(b: Backend) -> Self {
        match b {
            Backend::Keyring => TokenSource::Keyring,
            Backend::InsecureFile => TokenSource::InsecureFile,
        }
    }
}

/// What `auth status` shows: never a secret.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub profile: String,
    pub logged_in: bool,
    pub source: TokenSource,
    pub storage: String,
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub subject: Option<String>,
    pub email: Option<String>,
    pub scopes: Vec<String>,
    /// Seconds since the epoch.
    pub expires_at: Option<u64>,
    /// Negative once expired.
    pub expires_in_secs: Option<i64>,
    pub refresh_token: bool,
}

/// The status of `profile`; `env_token` is `$PLUGCTL_TOKEN`.
pub fn status(
    profile: &str,
    store: &dyn TokenStore,
    env_token: Option<&Secret>,
) -> Result<Status, AuthError> {
    let tokens = store.load(profile)?;
    let now = unix_now() as i64;
    let t = tokens.as_ref();
    Ok(Status {
        profile: profile.into(),
        logged_in: env_token.is_some()
            || t.is_some_and(|t| {
                t.freshness(unix_now()) != Freshness::Expired || t.refresh_token.is_some()
            }),
        source: if env_token.is_some() {
            TokenSource::Env
        } else {
            store.backend().into()
        },
        storage: store.location(),
        issuer: t.map(|t| t.issuer.clone()),
        client_id: t.map(|t| t.client_id.clone()),
        subject: t.and_then(|t| t.subject.clone()),
        email: t.and_then(|t| t.email.clone()),
        scopes: t.map(|t| t.scopes.clone()).unwrap_or_default(),
        expires_at: t.and_then(|t| t.expires_at),
        expires_in_secs: t.and_then(|t| t.expires_at).map(|at| at as i64 - now),
        refresh_token: t.is_some_and(|t| t.refresh_token.is_some()),
    })
}

/// The profile a stored token set belongs to: issuer and client from the tokens themselves (so
/// a login made with flags alone keeps working), the rest from the configuration when it has
/// the profile.
fn effective(name: &str, configured: Option<&Profile>, tokens: &TokenSet) -> Profile {
    Profile {
        name: name.into(),
        issuer: tokens.issuer.clone(),
        client_id: tokens.client_id.clone(),
        client_secret: configured.and_then(|p| p.client_secret.clone()),
        scopes: tokens.scopes.clone(),
        audience: configured.and_then(|p| p.audience.clone()),
    }
}

fn not_logged_in(name: &str) -> AuthError {
    AuthError::NotLoggedIn {
        profile: name.into(),
    }
}

/// A valid access token of profile `name`: the stored one while it is fresh (no network), else
/// a refreshed one.
pub async fn access_token(
    name: &str,
    configured: Option<&Profile>,
    store: &dyn TokenStore,
    lock_dir: &std::path::Path,
) -> Result<Secret, AuthError> {
    let tokens = store.load(name)?.ok_or_else(|| not_logged_in(name))?;
    if tokens.freshness(unix_now()) == Freshness::Fresh {
        return Ok(tokens.access_token);
    }
    Ok(refresh_locked(name, configured, store, lock_dir, false)
        .await?
        .access_token)
}

/// Refreshes `profile`'s tokens under the cross-process lock. Unless `force`, a token another
/// process refreshed while this one waited is used as it is.
pub async fn refresh_locked(
    name: &str,
    configured: Option<&Profile>,
    store: &dyn TokenStore,
    lock_dir: &std::path::Path,
    force: bool,
) -> Result<TokenSet, AuthError> {
    let _lock = RefreshLock::acquire(lock_dir, name).await?;
    // Re-read under the lock: the refresh token we saw before may have been rotated away.
    let tokens = store.load(name)?.ok_or_else(|| not_logged_in(name))?;
    let profile = &effective(name, configured, &tokens);
    if !force && tokens.freshness(unix_now()) == Freshness::Fresh {
        return Ok(tokens);
    }
    let Some(refresh_token) = tokens.refresh_token.clone() else {
        return Err(AuthError::Expired {
            profile: profile.name.clone(),
        });
    };
    let http = http::client();
    let meta = discovery::fetch(&http, &tokens.issuer).await?;
    let client = oauth::client(&meta, &profile.identity())?;
    let send = |req| http::send(&http, req);
    let resp = client
        .exchange_refresh_token(&RefreshToken::new(refresh_token.expose().to_string()))
        .request_async(&send)
        .await
        .map_err(|e| match oauth::request_error("refresh", e) {
            AuthError::Provider { error, .. } if error.code == "invalid_grant" => {
                AuthError::RefreshRefused {
                    profile: profile.name.clone(),
                    error,
                }
            }
            other => other,
        })?;
    let refreshed = super::flow::finish(&resp, &meta, profile, None, Some(&tokens)).await?;
    // The rotated refresh token replaces the old one in one write, still under the lock.
    store.save(&profile.name, &refreshed)?;
    Ok(refreshed)
}

/// What logout did.
#[derive(Debug, Clone, Serialize)]
pub struct LogoutReport {
    pub profile: String,
    /// Whether there were tokens to delete.
    pub deleted: bool,
    /// Whether the provider revoked them (RFC 7009); `None` when it has no revocation endpoint.
    pub revoked: Option<bool>,
    /// Why revocation failed, when it did.
    pub revocation_error: Option<String>,
}

/// Revokes `profile`'s tokens when the provider supports it, then deletes them locally. A failed
/// revocation does not keep the tokens: they are deleted all the same, and the report says so.
pub async fn logout(
    name: &str,
    configured: Option<&Profile>,
    store: &dyn TokenStore,
) -> Result<LogoutReport, AuthError> {
    let Some(tokens) = store.load(name)? else {
        return Ok(LogoutReport {
            profile: name.into(),
            deleted: false,
            revoked: None,
            revocation_error: None,
        });
    };
    let profile = &effective(name, configured, &tokens);
    let (revoked, revocation_error) = match revoke(profile, &tokens).await {
        Ok(r) => (r, None),
        Err(e) => (Some(false), Some(e.to_string())),
    };
    let deleted = store.delete(&profile.name)?;
    Ok(LogoutReport {
        profile: profile.name.clone(),
        deleted,
        revoked,
        revocation_error,
    })
}

/// RFC 7009 by hand: `oauth2` refuses revocation endpoints that are not https, which rules out
/// providers on loopback.
async fn revoke(profile: &Profile, tokens: &TokenSet) -> Result<Option<bool>, AuthError> {
    let http = http::client();
    let meta = discovery::fetch(&http, &tokens.issuer).await?;
    let Some(endpoint) = meta.revocation_endpoint else {
        return Ok(None);
    };
    // The refresh token first: revoking it ends the grant, and with it (on most providers) the
    // access tokens; the access token is revoked too for providers that do not cascade.
    let mut to_revoke = Vec::new();
    if let Some(rt) = &tokens.refresh_token {
        to_revoke.push((rt, "refresh_token"));
    }
    to_revoke.push((&tokens.access_token, "access_token"));
    for (token, hint) in to_revoke {
        let mut form = vec![
            ("token", token.expose()),
            ("token_type_hint", hint),
            ("client_id", profile.client_id.as_str()),
        ];
        if let Some(secret) = &profile.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let resp =
            http.post(&endpoint)
                .form(&form)
                .send()
                .await
                .map_err(|e| AuthError::Transport {
                    step: "revocation",
                    message: http::describe(&e),
                })?;
        if !resp.status().is_success() {
            let status = resp.status();
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_string);
            return Err(AuthError::Provider {
                step: "revocation",
                error: super::error::ProviderError {
                    code: text("error").unwrap_or_else(|| format!("HTTP {status}")),
                    description: text("error_description"),
                },
            });
        }
    }
    Ok(Some(true))
}
