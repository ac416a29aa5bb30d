//! Who may call the API (`/v1/*`): nobody is asked by default (`auth: {type: none}`), or every
//! request needs `Authorization: Bearer <key>` with one of the configured API keys
//! (`auth: {type: api_key}`).
//!
//! An [`Authenticator`] turns the request headers into a [`Principal`] or an [`AuthFailure`]; the
//! middleware puts the principal into the request's extensions (the per-client rate limit keys
//! by it) or answers 401 with `WWW-Authenticate` (RFC 6750) and a problem body. Another scheme
//! (a JWT verifier) is one more implementation of the trait and one more arm in [`from_settings`].

use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::future::BoxFuture;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use super::problem::{Problem, problem_response};
use super::state::AppState;

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
}

impl AuthSettings {
    pub fn name(&self) -> &'static str {
        match self {
            AuthSettings::None => "none",
            AuthSettings::ApiKey { .. } => "api_key",
        }
    }
}

impl fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthSettings::None => f.write_str("None"),
            AuthSettings::ApiKey { keys } => write!(f, "ApiKey({} keys, REDACTED)", keys.len()),
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
}

/// Checks a request's credentials.
pub trait Authenticator: Send + Sync + fmt::Debug {
    /// The manifest's `auth.type`: `none`, `service_http` or `oauth`.
    fn manifest_type(&self) -> &'static str;

    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Principal, AuthFailure>>;
}

/// The authenticator for the settings.
pub fn from_settings(settings: &AuthSettings) -> Arc<dyn Authenticator> {
    match settings {
        AuthSettings::None => Arc::new(NoAuth),
        AuthSettings::ApiKey { keys } => Arc::new(ApiKeys::new(keys)),
    }
}

/// `auth: {type: none}`.
#[derive(Debug)]
pub struct NoAuth;

impl Authenticator for NoAuth {
    fn manifest_type(&self) -> &'static str {
        "none"
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
            return Err(AuthFailure {
                error: None,
                detail: "this API needs `Authorization: Bearer <API key>`".into(),
            });
        };
        let key = value
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, rest) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|k| !k.is_empty())
            .ok_or_else(|| AuthFailure {
                error: Some("invalid_request"),
                detail: "the Authorization header must be `Bearer <API key>`".into(),
            })?;
        if !self.accepts(key) {
            return Err(AuthFailure {
                error: Some("invalid_token"),
                detail: "the API key is not valid".into(),
            });
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
