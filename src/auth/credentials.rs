//! What a login leaves behind: the token set stored per profile, and when it needs a refresh.
//!
//! Secrets are [`Secret`]s: no `Display`, a `Debug` that prints `REDACTED`, and
//! [`Secret::expose`] at the one place where the value leaves. The stored form is compact JSON
//! without the ID token, so it stays within every platform keyring's size limit (Windows'
//! credential manager allows 2,560 bytes).

use serde::{Deserialize, Serialize};

/// A secret string: tokens, client secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; every call is a place where it leaves the wrapper.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("REDACTED")
    }
}

/// The tokens of one profile, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub issuer: String,
    pub client_id: String,
    pub access_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Seconds since the epoch; `None` when the provider did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// How long before expiry a token counts as "about to expire" and is refreshed first.
pub const REFRESH_MARGIN_SECS: u64 = 60;

/// Whether a stored access token can be handed out as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Valid for more than the margin (or of unknown lifetime).
    Fresh,
    /// Expires within the margin.
    ExpiresSoon,
    /// Past its expiry.
    Expired,
}

impl TokenSet {
    pub fn freshness(&self, now: u64) -> Freshness {
        match self.expires_at {
            None => Freshness::Fresh,
            Some(at) if at <= now => Freshness::Expired,
            Some(at) if at <= now + REFRESH_MARGIN_SECS => Freshness::ExpiresSoon,
            Some(_) => Freshness::Fresh,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(expires_at: Option<u64>) -> TokenSet {
        TokenSet {
            issuer: "https://id.example".into(),
            client_id: "cli".into(),
            access_token: Secret::new("at-123"),
            refresh_token: Some(Secret::new("rt-456")),
            expires_at,
            scopes: vec!["openid".into()],
            subject: Some("alice".into()),
            email: None,
        }
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let text = format!("{:?}", set(Some(1)));
        assert!(
            !text.contains("at-123") && !text.contains("rt-456"),
            "{text}"
        );
        assert!(text.contains("REDACTED"));
    }

    #[test]
    fn freshness_has_a_margin() {
        assert_eq!(set(None).freshness(100), Freshness::Fresh);
        assert_eq!(set(Some(1000)).freshness(100), Freshness::Fresh);
        assert_eq!(set(Some(150)).freshness(100), Freshness::ExpiresSoon);
        assert_eq!(set(Some(100)).freshness(100), Freshness::Expired);
    }

    #[test]
    fn round_trips_through_json() {
        let s = set(Some(5));
        assert_eq!(TokenSet::from_json(&s.to_json()).unwrap(), s);
        assert!(s.to_json().len() < 2560);
    }
}
