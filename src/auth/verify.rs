//! Verification of JWTs signed by an OpenID provider: ID tokens after login, and (through the same
//! [`JwtVerifier`]) bearer tokens that `plugctl serve` receives.
//!
//! The signature is checked against the issuer's JWKS, fetched once and cached; a token whose
//! `kid` is not in the cache triggers one refetch (providers rotate keys), no more often than the
//! cooldown allows, so a flood of made-up `kid`s cannot turn into a flood of fetches. Only
//! asymmetric algorithms are accepted (RS256/384/512, PS256/384/512, ES256/384): `none` and the
//! HMAC family are refused before anything else, because a verifier that knows only public keys
//! must never treat one as an HMAC secret. The claims are checked here rather than by
//! `jsonwebtoken`'s `Validation`, so that each failure has its own error with the values that
//! differ (OpenID Connect Core §3.1.3.7).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::discovery;

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// Least time between two JWKS fetches caused by an unknown `kid`.
pub const DEFAULT_REFETCH_COOLDOWN: Duration = Duration::from_secs(30);

/// The algorithms a token may be signed with.
const ALLOWED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Why a token was refused. Each check has its own variant, so callers (and users) learn which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed token: {0}")]
    Malformed(String),
    #[error(
        "token signed with algorithm {0:?}, which is not accepted (only RS*, PS* and ES256/384)"
    )]
    AlgorithmNotAllowed(String),
    #[error("token signed with key {kid:?}, which is not in the issuer's JWKS")]
    UnknownKey { kid: String },
    #[error("token signature does not verify with the issuer's key")]
    BadSignature,
    #[error("token issuer is {found:?}, expected {expected:?}")]
    Issuer { found: String, expected: String },
    #[error("token audience {found:?} does not contain {expected:?}")]
    Audience {
        found: Vec<String>,
        expected: String,
    },
    #[error("token has several audiences and its azp is {found:?}, expected {expected:?}")]
    AuthorizedParty {
        found: Option<String>,
        expected: String,
    },
    #[error("token expired {ago}s ago")]
    Expired { ago: u64 },
    #[error("token is not valid for another {in_secs}s (nbf)")]
    NotYetValid { in_secs: u64 },
    #[error("token was issued {in_secs}s in the future (iat)")]
    IssuedInFuture { in_secs: u64 },
    #[error("token nonce does not match the one sent with the login request")]
    NonceMismatch,
    #[error("token has no nonce, but one was sent with the login request")]
    NonceMissing,
    #[error("fetching the issuer's keys: {0}")]
    Keys(String),
}

/// The `aud` claim: one string or an array of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Audience::One(a) => vec![a.clone()],
            Audience::Many(v) => v.clone(),
        }
    }
}

/// The claims plugctl reads; everything else the token carries is kept in `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    #[serde(default)]
    pub sub: Option<String>,
    pub aud: Audience,
    pub exp: u64,
    #[serde(default)]
    pub iat: Option<u64>,
    #[serde(default)]
    pub nbf: Option<u64>,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// What kind of token is verified: the checks differ slightly.
#[derive(Debug, Clone, Copy)]
pub enum TokenKind<'a> {
    /// An access token presented to an API (`Authorization: Bearer`).
    Bearer,
    /// An OpenID Connect ID token, with the nonce of the request that produced it.
    IdToken { nonce: Option<&'a str> },
}

/// Where the verification keys come from.
#[derive(Debug)]
enum KeySource {
    /// The `jwks_uri` of the issuer's discovery document.
    Discover(reqwest::Client),
    /// A known JWKS URL.
    Url(reqwest::Client, String),
    /// A fixed key set (tests, or keys configured by hand).
    Fixed(JwkSet),
}

#[derive(Debug, Default)]
struct Cache {
    keys: Option<JwkSet>,
    fetched_at: Option<Instant>,
    jwks_uri: Option<String>,
}

/// Verifies JWTs of one issuer for one audience. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct JwtVerifier {
    issuer: String,
    audience: String,
    leeway: Duration,
    cooldown: Duration,
    source: KeySource,
    cache: Mutex<Cache>,
}

impl JwtVerifier {
    /// A verifier that finds the issuer's JWKS through its discovery document.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self::with_source(issuer, audience, KeySource::Discover(super::http::client()))
    }

    /// A verifier that fetches keys from a known JWKS URL.
    pub fn with_jwks_uri(
        issuer: impl Into<String>,
        audience: impl Into<String>,
        jwks_uri: impl Into<String>,
    ) -> Self {
        Self::with_source(
            issuer,
            audience,
            KeySource::Url(super::http::client(), jwks_uri.into()),
        )
    }

    /// A verifier with a fixed key set; it never fetches.
    pub fn with_keys(issuer: impl Into<String>, audience: impl Into<String>, keys: JwkSet) -> Self {
        Self::with_source(issuer, audience, KeySource::Fixed(keys))
    }

    fn with_source(
        issuer: impl Into<String>,
        audience: impl Into<String>,
        source: KeySource,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            leeway: DEFAULT_LEEWAY,
            cooldown: DEFAULT_REFETCH_COOLDOWN,
            source,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// Changes the clock skew tolerated on time claims.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Changes the least time between two refetches caused by an unknown `kid`.
    pub fn refetch_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// The issuer this verifier accepts.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Verifies a bearer JWT (signature, issuer, audience, time claims) and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, VerifyError> {
        self.verify_at(token, TokenKind::Bearer, unix_now()).await
    }

    /// Verifies an ID token: as [`verify`](Self::verify), and its `nonce` must equal the one
    /// sent with the authorization request (`None` for an ID token from a refresh, which need
    /// not carry one), and `azp` must name this client when there are several audiences.
    pub async fn verify_id_token(
        &self,
        token: &str,
        nonce: Option<&str>,
    ) -> Result<Claims, VerifyError> {
        self.verify_at(token, TokenKind::IdToken { nonce }, unix_now())
            .await
    }

    /// The verification itself, at a given time (seconds since the epoch).
    pub async fn verify_at(
        &self,
        token: &str,
        kind: TokenKind<'_>,
        now: u64,
    ) -> Result<Claims, VerifyError> {
        let header = RawHeader::parse(token)?;
        let alg = ALLOWED
            .iter()
            .copied()
            .find(|a| format!("{a:?}") == header.alg)
            .ok_or_else(|| VerifyError::AlgorithmNotAllowed(header.alg.clone()))?;
        let key = self.key_for(header.kid.as_deref(), alg).await?;

        let mut validation = Validation::new(alg);
        // Only the signature here; the claims are checked below with precise errors.
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation).map_err(
            |e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => VerifyError::BadSignature,
                _ => VerifyError::Malformed(e.to_string()),
            },
        )?;
        let claims: Claims = serde_json::from_value(data.claims)
            .map_err(|e| VerifyError::Malformed(format!("claims: {e}")))?;
        self.check_claims(&claims, kind, now)?;
        Ok(claims)
    }

    fn check_claims(&self, c: &Claims, kind: TokenKind<'_>, now: u64) -> Result<(), VerifyError> {
        if c.iss != self.issuer {
            return Err(VerifyError::Issuer {
                found: c.iss.clone(),
                expected: self.issuer.clone(),
            });
        }
        let audiences = c.aud.to_vec();
        if !audiences.contains(&self.audience) {
            return Err(VerifyError::Audience {
                found: audiences,
                expected: self.audience.clone(),
            });
        }
        let id_token = matches!(kind, TokenKind::IdToken { .. });
        if id_token
            && (audiences.len() > 1 || c.azp.is_some())
            && c.azp.as_deref() != Some(&self.audience)
        {
            return Err(VerifyError::AuthorizedParty {
                found: c.azp.clone(),
                expected: self.audience.clone(),
            });
        }
        let leeway = self.leeway.as_secs();
        if now > c.exp.saturating_add(leeway) {
            return Err(VerifyError::Expired { ago: now - c.exp });
        }
        if let Some(nbf) = c.nbf
            && nbf > now.saturating_add(leeway)
        {
            return Err(VerifyError::NotYetValid { in_secs: nbf - now });
        }
        if let Some(iat) = c.iat
            && iat > now.saturating_add(leeway)
        {
            return Err(VerifyError::IssuedInFuture { in_secs: iat - now });
        }
        if let TokenKind::IdToken {
            nonce: Some(expected),
        } = kind
        {
            match c.nonce.as_deref() {
                None => return Err(VerifyError::NonceMissing),
                Some(found) if found != expected => return Err(VerifyError::NonceMismatch),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The decoding key for a token's `kid`, refetching the JWKS once when it is unknown.
    async fn key_for(&self, kid: Option<&str>, alg: Algorithm) -> Result<DecodingKey, VerifyError> {
        let mut cache = self.cache.lock().await;
        if cache.keys.is_none() {
            self.refresh(&mut cache).await?;
        }
        if let Some(key) = find_key(cache.keys.as_ref(), kid, alg)? {
            return Ok(key);
        }
        let cooled = cache
            .fetched_at
            .is_none_or(|at| at.elapsed() >= self.cooldown);
        if cooled && !matches!(self.source, KeySource::Fixed(_)) {
            self.refresh(&mut cache).await?;
            if let Some(key) = find_key(cache.keys.as_ref(), kid, alg)? {
                return Ok(key);
            }
        }
        Err(VerifyError::UnknownKey {
            kid: kid.unwrap_or("(none)").to_string(),
        })
    }

    async fn refresh(&self, cache: &mut Cache) -> Result<(), VerifyError> {
        let keys = match &self.source {
            KeySource::Fixed(keys) => keys.clone(),
            KeySource::Url(http, url) => fetch_jwks(http, url).await?,
            KeySource::Discover(http) => {
                if cache.jwks_uri.is_none() {
                    let meta = discovery::fetch(http, &self.issuer)
                        .await
                        .map_err(|e| VerifyError::Keys(e.to_string()))?;
                    cache.jwks_uri = Some(meta.jwks_uri);
                }
                let uri = cache.jwks_uri.clone().unwrap_or_default();
                fetch_jwks(http, &uri).await?
            }
        };
        tracing::debug!(keys = keys.keys.len(), "fetched JWKS");
        cache.keys = Some(keys);
        cache.fetched_at = Some(Instant::now());
        Ok(())
    }
}

/// Finds the key a token names; without a `kid`, the single key that fits the algorithm.
fn find_key(
    keys: Option<&JwkSet>,
    kid: Option<&str>,
    alg: Algorithm,
) -> Result<Option<DecodingKey>, VerifyError> {
    let Some(keys) = keys else { return Ok(None) };
    let jwk = match kid {
        Some(kid) => keys.find(kid),
        None => {
            let fitting: Vec<_> = keys
                .keys
                .iter()
                .filter(|k| DecodingKey::from_jwk(k).is_ok() && key_fits(k, alg))
                .collect();
            (fitting.len() == 1).then(|| fitting[0])
        }
    };
    jwk.map(|k| {
        DecodingKey::from_jwk(k).map_err(|e| VerifyError::Keys(format!("unusable key: {e}")))
    })
    .transpose()
}

fn key_fits(jwk: &jsonwebtoken::jwk::Jwk, alg: Algorithm) -> bool {
    use jsonwebtoken::jwk::AlgorithmParameters as P;
    matches!(
        (&jwk.algorithm, alg),
        (
            P::RSA(_),
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ) | (P::EllipticCurve(_), Algorithm::ES256 | Algorithm::ES384)
    )
}

async fn fetch_jwks(http: &reqwest::Client, url: &str) -> Result<JwkSet, VerifyError> {
    let fail = |e: String| VerifyError::Keys(format!("{url}: {e}"));
    let resp = http
        .get(url)
        .send()
        .await
        .map_err(|e| fail(super::http::describe(&e)))?;
    if !resp.status().is_success() {
        return Err(fail(format!("HTTP {}", resp.status())));
    }
    let body = resp.bytes().await.map_err(|e| fail(e.to_string()))?;
    // Keys of types this crate cannot use (e.g. "OKP" curves it lacks) are skipped, not fatal.
    let raw: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| fail(format!("not JSON: {e}")))?;
    let keys = raw
        .get("keys")
        .and_then(|k| k.as_array())
        .ok_or_else(|| fail("no \"keys\" array".into()))?
        .iter()
        .filter_map(|k| serde_json::from_value(k.clone()).ok())
        .collect();
    Ok(JwkSet { keys })
}

/// The first part of a JWT, read by hand so that `alg: none` gets its own error.
#[derive(Debug, Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

impl RawHeader {
    fn parse(token: &str) -> Result<Self, VerifyError> {
        let mut parts = token.split('.');
        let (Some(head), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(VerifyError::Malformed(
                "a JWT has three dot-separated parts".into(),
            ));
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(head.trim_end_matches('='))
            .map_err(|e| VerifyError::Malformed(format!("header is not base64url: {e}")))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| VerifyError::Malformed(format!("header is not a JOSE header: {e}")))
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests;
