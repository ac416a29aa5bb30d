//! `login`: discovery, a keyring probe, then the authorization code flow with PKCE through the
//! loopback listener (or the device flow), ID-token verification, and storing the tokens.

use std::time::Duration;

use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};

use super::credentials::TokenSet;
use super::discovery::{self, ProviderMetadata};
use super::error::AuthError;
use super::loopback::{self, Expect, Listener};
use super::oauth::{self, TokenResponse};
use super::store::TokenStore;
use super::verify::{JwtVerifier, unix_now};
use super::{Profile, device, http};

/// How the user signs in.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// The device authorization grant instead of a browser on this machine.
    pub device: bool,
    /// Start a browser (`$BROWSER`, else the desktop's opener); otherwise only print the URL.
    pub open_browser: bool,
    /// The value of `$BROWSER`.
    pub browser: Option<String>,
    /// How long to wait for the sign-in.
    pub timeout: Duration,
}

/// What the user must be told while a login waits for them.
#[derive(Debug, Clone)]
pub enum Prompt {
    /// The authorization URL; `opened` tells whether a browser was started with it.
    OpenUrl { url: String, opened: bool },
    /// The device flow's code to enter at the verification URL.
    DeviceCode {
        verification_uri: String,
        user_code: String,
        complete_uri: Option<String>,
        expires_in: Duration,
    },
}

/// Logs in to `profile` and stores the tokens. `prompt` tells the user what to do.
pub async fn login(
    profile: &Profile,
    store: &dyn TokenStore,
    options: &LoginOptions,
    prompt: &(dyn Fn(Prompt) + Sync),
) -> Result<TokenSet, AuthError> {
    let http = http::client();
    let meta = discovery::fetch(&http, &profile.issuer).await?;
    // A broken keyring is reported now, before the user spends a minute signing in.
    store.probe()?;
    let client = oauth::client(&meta, &profile.identity())?;
    let (resp, nonce) = if options.device {
        (
            device::run(&client, &meta, profile, &http, options, prompt).await?,
            None,
        )
    } else {
        let (resp, nonce) = code_flow(&client, &meta, profile, &http, options, prompt).await?;
        (resp, Some(nonce))
    };
    let tokens = finish(&resp, &meta, profile, nonce.as_deref(), None).await?;
    store.save(&profile.name, &tokens)?;
    Ok(tokens)
}

/// Verifies the ID token of a token response (when there is one) and builds the stored form.
pub(crate) async fn finish(
    resp: &TokenResponse,
    meta: &ProviderMetadata,
    profile: &Profile,
    nonce: Option<&str>,
    previous: Option<&TokenSet>,
) -> Result<TokenSet, AuthError> {
    let claims = match &resp.extra_fields().id_token {
        Some(id_token) => {
            let verifier =
                JwtVerifier::with_jwks_uri(&meta.issuer, &profile.client_id, &meta.jwks_uri);
            Some(verifier.verify_id_token(id_token, nonce).await?)
        }
        // A login that asked for openid must yield an ID token: its nonce is our replay check.
        None if nonce.is_some() && profile.scopes.iter().any(|s| s == "openid") => {
            return Err(AuthError::IdToken(super::VerifyError::Malformed(
                "the token response has no id_token although the openid scope was requested".into(),
            )));
        }
        None => None,
    };
    Ok(oauth::token_set(
        resp,
        &meta.issuer,
        &profile.client_id,
        &profile.scopes,
        claims.as_ref(),
        previous,
        unix_now(),
    ))
}

/// The authorization code flow with PKCE S256 (RFC 7636) and a loopback redirect (RFC 8252).
async fn code_flow(
    client: &oauth::OAuthClient,
    meta: &ProviderMetadata,
    profile: &Profile,
    http: &reqwest::Client,
    options: &LoginOptions,
    prompt: &(dyn Fn(Prompt) + Sync),
) -> Result<(TokenResponse, String), AuthError> {
    if let Some(methods) = &meta.code_challenge_methods_supported
        && !methods.iter().any(|m| m == "S256")
    {
        return Err(AuthError::Unsupported("PKCE with S256".into()));
    }
    let listener = Listener::bind().await?;
    let redirect = RedirectUrl::new(listener.redirect_uri.clone())
        .map_err(|e| AuthError::Callback(e.to_string()))?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random().secret().clone();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_redirect_uri(std::borrow::Cow::Borrowed(&redirect))
        .add_scopes(profile.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .add_extra_param("nonce", nonce.clone());
    if profile.scopes.iter().any(|s| s == "offline_access") {
        // OpenID Connect Core §11: offline_access is ignored unless the user is asked to consent.
        request = request.add_extra_param("prompt", "consent");
    }
    if let Some(audience) = &profile.audience {
        request = request.add_extra_param("audience", audience.clone());
    }
    let (url, state) = request.url();
    let opened =
        options.open_browser && loopback::open_browser(options.browser.as_deref(), url.as_str());
    prompt(Prompt::OpenUrl {
        url: url.to_string(),
        opened,
    });
    let expect = Expect {
        state: state.secret(),
        issuer: &meta.issuer,
        iss_required: meta.authorization_response_iss_parameter_supported,
    };
    let code = listener.wait_for_code(&expect, options.timeout).await?;
    let send = |req| http::send(http, req);
    let resp = client
        .exchange_code(AuthorizationCode::new(code))
        .set_redirect_uri(std::borrow::Cow::Borrowed(&redirect))
        .set_pkce_verifier(verifier)
        .request_async(&send)
        .await
        .map_err(|e| oauth::request_error("code exchange", e))?;
    Ok((resp, nonce))
}
