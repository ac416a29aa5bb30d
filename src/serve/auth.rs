//! Who may call the API (`/v1/*`): nobody is asked by default (`auth: {type: none}`), or every
//! request needs `Authorization: Bearer <key>` with one of the configured API keys
//! (`auth: {type: api_key}`), or a JWT access token of an OpenID provider for this API's
//! audience (`auth: {type: jwt}`).
//!
//! An [`Authenticator`] turns the request headers into a [`Principal`] or an [`AuthFailure`]; the
//! middleware puts the principal into the request's extensions (the per-client rate limit keys
//! by it) or answers 401 with `WWW-Authenticate` (RFC 6750) and a problem body; 503 when the
//! token's issuer cannot be reached to fetch its keys (not the client's mistake).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use super::problem::{ApiError, Problem, problem_response};
use super::state::AppState;
use crate::auth::discovery::{self, ProviderMetadata};
use crate::auth::verify::{JwtVerifier, VerifyError};

/// The variable read for API keys (comma-separated) when `serve.auth.keys_env` names none.
pub const DEFAULT_KEYS_ENV: &str = crate::config::env::SERVE_API_KEYS;

/// The resolved `serve.auth` settings.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum AuthSettings {
    /// Every request is anonymous.
    #[default]
    None,
    /// `Authorization: Bearer <key>` with one of these keys.
    ApiKey { keys: Vec<String> },
    /// `Authorization: Bearer <JWT>` signed by `issuer` for `audience`.
    Jwt(JwtSettings),
}

/// `auth: {type: jwt}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtSettings {
    /// The OpenID provider whose tokens are accepted (its discovery document gives the keys).
    pub issuer: String,
    /// The `aud` a token must carry: this API's identifier at the provider.
    pub audience: String,
    /// The scope the manifest asks clients to request.
    pub scope: String,
    /// Clock skew tolerated on `exp`/`nbf`/`iat`.
    pub leeway: Duration,
}

impl AuthSettings {
    pub fn name(&self) -> &'static str {
        match self {
            AuthSettings::None => "none",
            AuthSettings::ApiKey { .. } => "api_key",
            AuthSettings::Jwt(_) => "jwt",
        }
    }
}

impl fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthSettings::None => f.write_str("None"),
            AuthSettings::ApiKey { keys } => write!(f, "ApiKey({} keys, REDACTED)", keys.len()),
            AuthSettings::Jwt(jwt) => write!(f, "{jwt:?}"),
        }
    }
}

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// A stable id that reveals no secret: `key:<fingerprint>` for an API key, `sub:<subject>`
    /// for a token's subject, `anonymous` without authentication.
    pub id: String,
}

impl Principal {
    pub fn anonymous() -> Self {
        Self {
            id: "anonymous".into(),
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.id == "anonymous"
    }
}

/// Why a request was not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    /// The RFC 6750 error code; `None` when no credentials were sent at all.
    pub error: Option<&'static str>,
    pub detail: String,
    /// The credentials could not be checked (the issuer is unreachable): 503, not 401.
    pub unavailable: bool,
}

impl AuthFailure {
    fn new(error: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self {
            error,
            detail: detail.into(),
            unavailable: false,
        }
    }
}

/// Where OAuth clients sign users in, for the manifest's `oauth` auth section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthEndpoints {
    pub authorization_url: String,
    pub token_url: String,
    pub scope: String,
}

/// Checks a request's credentials.
pub trait Authenticator: Send + Sync + fmt::Debug {
    /// The manifest's `auth.type`: `none`, `service_http` or `oauth`.
    fn manifest_type(&self) -> &'static str;

    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, AuthFailure>>;

    /// False when every request is let in as anonymous: the router then leaves the gate out.
    fn checks_credentials(&self) -> bool {
        true
    }

    /// The provider's endpoints when the manifest's type is `oauth`; an error says why they
    /// cannot be learnt now.
    fn oauth(&self) -> BoxFuture<'_, Result<Option<OAuthEndpoints>, String>> {
        Box::pin(std::future::ready(Ok(None)))
    }
}

/// The authenticator for the settings.
pub fn from_settings(settings: &AuthSettings) -> Arc<dyn Authenticator> {
    match settings {
        AuthSettings::None => Arc::new(NoAuth),
        AuthSettings::ApiKey { keys } => Arc::new(ApiKeys::new(keys)),
        AuthSettings::Jwt(jwt) => Arc::new(JwtAuth::new(jwt)),
    }
}

/// `auth: {type: none}`.
#[derive(Debug)]
pub struct NoAuth;

impl Authenticator for NoAuth {
    fn manifest_type(&self) -> &'static str {
        "none"
    }

    fn checks_credentials(&self) -> bool {
        false
    }

    fn authenticate<'a>(
        &'a self,
        _: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, AuthFailure>> {
        Box::pin(std::future::ready(Ok(Principal::anonymous())))
    }
}

/// `auth: {type: api_key}`. Only SHA-256 digests of the keys are kept; a presented key is hashed
/// and compared with every digest in constant time, so neither timing nor length tells how much
/// of a key was right or which key matched.
pub struct ApiKeys {
    digests: Vec<[u8; 32]>,
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeys({} keys)", self.digests.len())
    }
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

impl ApiKeys {
    pub fn new(keys: &[String]) -> Self {
        Self {
            digests: keys.iter().map(|k| digest(k)).collect(),
        }
    }

    /// Whether `key` is one of the keys, looking at every one of them whatever the answer.
    pub fn accepts(&self, key: &str) -> bool {
        let presented = digest(key);
        let found = self
            .digests
            .iter()
            .fold(Choice::from(0), |found, d| found | d.ct_eq(&presented));
        found.into()
    }

    fn check(&self, headers: &HeaderMap) -> Result<Principal, AuthFailure> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(AuthFailure::new(
                None,
                "this API needs `Authorization: Bearer <API key>`",
            ));
        };
        let key = bearer(value).ok_or_else(|| {
            AuthFailure::new(
                Some("invalid_request"),
                "the Authorization header must be `Bearer <API key>`",
            )
        })?;
        if !self.accepts(key) {
            return Err(AuthFailure::new(
                Some("invalid_token"),
                "the API key is not valid",
            ));
        }
        let fingerprint: String = digest(key)[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Principal {
            id: format!("key:{fingerprint}"),
        })
    }
}

impl Authenticator for ApiKeys {
    fn manifest_type(&self) -> &'static str {
        "service_http"
    }

    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, AuthFailure>> {
        Box::pin(std::future::ready(self.check(headers)))
    }
}

/// The credentials of `Authorization: Bearer <credentials>` (scheme case-insensitive).
fn bearer(value: &HeaderValue) -> Option<&str> {
    value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|k| !k.is_empty())
}

/// `auth: {type: jwt}`: a bearer JWT verified against the issuer's JWKS; the principal is its
/// `sub`. The discovery document is fetched once for the manifest's endpoints.
pub struct JwtAuth {
    verifier: JwtVerifier,
    scope: String,
    metadata: tokio::sync::OnceCell<ProviderMetadata>,
}

impl fmt::Debug for JwtAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JwtAuth({})", self.verifier.issuer())
    }
}

impl JwtAuth {
    pub fn new(settings: &JwtSettings) -> Self {
        Self {
            verifier: JwtVerifier::new(&settings.issuer, &settings.audience)
                .leeway(settings.leeway),
            scope: settings.scope.clone(),
            metadata: tokio::sync::OnceCell::new(),
        }
    }

    async fn check(&self, headers: &HeaderMap) -> Result<Principal, AuthFailure> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(AuthFailure::new(
                None,
                "this API needs `Authorization: Bearer <access token>`",
            ));
        };
        let token = bearer(value).ok_or_else(|| {
            AuthFailure::new(
                Some("invalid_request"),
                "the Authorization header must be `Bearer <access token>`",
            )
        })?;
        let claims = self.verifier.verify(token).await.map_err(|e| match e {
            VerifyError::Keys(why) => AuthFailure {
                error: None,
                detail: format!(
                    "the token issuer {} cannot be reached to check the token: {why}",
                    self.verifier.issuer()
                ),
                unavailable: true,
            },
            other => AuthFailure::new(Some("invalid_token"), other.to_string()),
        })?;
        match claims.sub.filter(|s| !s.is_empty()) {
            Some(sub) => Ok(Principal {
                id: format!("sub:{sub}"),
            }),
            None => Err(AuthFailure::new(
                Some("invalid_token"),
                "the token has no subject (sub)",
            )),
        }
    }
}

impl Authenticator for JwtAuth {
    fn manifest_type(&self) -> &'static str {
        "oauth"
    }

    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, AuthFailure>> {
        Box::pin(self.check(headers))
    }

    fn oauth(&self) -> BoxFuture<'_, Result<Option<OAuthEndpoints>, String>> {
        Box::pin(async move {
            let meta = self
                .metadata
                .get_or_try_init(|| async {
                    discovery::fetch(&crate::auth::http::client(), self.verifier.issuer()).await
                })
                .await
                .map_err(|e| format!("the token issuer cannot be reached: {e}"))?;
            Ok(Some(OAuthEndpoints {
                authorization_url: meta.authorization_endpoint.clone(),
                token_url: meta.token_endpoint.clone(),
                scope: self.scope.clone(),
            }))
        })
    }
}

/// Middleware: authenticates every API request; the principal goes into its extensions.
pub(crate) async fn layer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    match state.auth.authenticate(request.headers()).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(failure) if failure.unavailable => {
            ApiError::Unavailable(failure.detail).into_response()
        }
        Err(failure) => unauthorized(&failure),
    }
}

/// 401 with the RFC 6750 challenge.
fn unauthorized(failure: &AuthFailure) -> Response {
    let problem = Problem {
        kind: "about:blank".into(),
        title: "Unauthorized".into(),
        status: 401,
        detail: failure.detail.clone(),
    };
    let challenge = match failure.error {
        None => "Bearer realm=\"plugctl\"".to_string(),
        Some(code) => format!(
            "Bearer realm=\"plugctl\", error=\"{code}\", error_description=\"{}\"",
            failure.detail.replace(['"', '\\', '`'], "")
        ),
    };
    let mut response = problem_response(&problem);
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(a) = auth {
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(a).unwrap());
        }
        h
    }

    #[test]
    fn api_keys_accept_only_their_keys() {
        let keys = ApiKeys::new(&["alpha-key".into(), "beta-key".into()]);
        assert!(keys.accepts("alpha-key"));
        assert!(keys.accepts("beta-key"));
        assert!(!keys.accepts("alpha-ke"));
        assert!(!keys.accepts("alpha-key "));
        assert!(!keys.accepts(""));
        let a = keys.check(&headers(Some("Bearer alpha-key"))).unwrap();
        let b = keys.check(&headers(Some("bearer beta-key"))).unwrap();
        assert_ne!(a, b);
        assert!(a.id.starts_with("key:") && !a.id.contains("alpha"));
    }

    #[test]
    fn failures_say_why() {
        let keys = ApiKeys::new(&["alpha-key".into()]);
        assert_eq!(keys.check(&headers(None)).unwrap_err().error, None);
        assert_eq!(
            keys.check(&headers(Some("Basic YTpi"))).unwrap_err().error,
            Some("invalid_request")
        );
        assert_eq!(
            keys.check(&headers(Some("Bearer nope"))).unwrap_err().error,
            Some("invalid_token")
        );
        let response = unauthorized(&keys.check(&headers(Some("Bearer nope"))).unwrap_err());
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"plugctl\", error=\"invalid_token\", error_description=\"the API key is not valid\""
        );
    }

    proptest::proptest! {
        /// Whatever a client sends, the check answers (no panic), and only a configured key
        /// after `Bearer ` gets in.
        #[test]
        fn only_the_exact_key_gets_in(value in "\\PC{0,60}", key in "[!-~]{1,40}") {
            let keys = ApiKeys::new(std::slice::from_ref(&key));
            if let Ok(v) = HeaderValue::from_str(&value) {
                let mut h = HeaderMap::new();
                h.insert(header::AUTHORIZATION, v);
                let admitted = keys.check(&h).is_ok();
                let exact = value
                    .split_once(' ')
                    .is_some_and(|(scheme, rest)| {
                        scheme.eq_ignore_ascii_case("bearer") && rest.trim() == key
                    });
                proptest::prop_assert_eq!(admitted, exact);
            }
            let with_key = HeaderValue::from_str(&format!("Bearer {key}")).unwrap();
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, with_key);
            proptest::prop_assert!(keys.check(&h).is_ok());
        }
    }

    #[test]
    fn settings_never_show_keys() {
        let s = AuthSettings::ApiKey {
            keys: vec!["secret-value".into()],
        };
        assert!(!format!("{s:?}").contains("secret"));
    }
}
