//! The issuer's discovery document (OpenID Connect Discovery 1.0, `.well-known/openid-configuration`).
//!
//! The document's `issuer` must equal the configured issuer exactly (§4.3): no normalisation of
//! a trailing slash or of `localhost` versus `127.0.0.1`, because ID tokens carry the issuer
//! string and are compared exactly too.

use serde::Deserialize;

use super::http::describe;

/// What plugctl needs from the discovery document.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub scopes_supported: Option<Vec<String>>,
    #[serde(default)]
    pub grant_types_supported: Option<Vec<String>>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// RFC 9207: the provider sends `iss` with every authorization response.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

impl ProviderMetadata {
    /// Whether the provider says it can issue refresh tokens for `offline_access`.
    pub fn supports_offline_access(&self) -> bool {
        self.scopes_supported
            .as_ref()
            .is_some_and(|s| s.iter().any(|s| s == "offline_access"))
    }
}

/// Why discovery failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("issuer {issuer} is not a URL: {message}")]
    BadIssuer { issuer: String, message: String },
    #[error("issuer unreachable: {0}")]
    Unreachable(String),
    #[error("discovery document {url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("bad discovery document at {url}: {message}")]
    BadDocument { url: String, message: String },
    #[error("discovery document names issuer {found:?}, expected exactly {expected:?}")]
    IssuerMismatch { found: String, expected: String },
}

/// The URL of an issuer's discovery document (§4.1: appended to the issuer path).
pub fn document_url(issuer: &str) -> Result<String, DiscoveryError> {
    let parsed = reqwest::Url::parse(issuer).map_err(|e| DiscoveryError::BadIssuer {
        issuer: issuer.into(),
        message: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.query().is_some() {
        return Err(DiscoveryError::BadIssuer {
            issuer: issuer.into(),
            message: "an issuer is an https URL without query or fragment".into(),
        });
    }
    Ok(format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    ))
}

/// Fetches and checks the issuer's discovery document.
pub async fn fetch(
    http: &reqwest::Client,
    issuer: &str,
) -> Result<ProviderMetadata, DiscoveryError> {
    let url = document_url(issuer)?;
    let resp = http
        .get(&url)
        .send()
        .await
        .map_err(|e| DiscoveryError::Unreachable(describe(&e)))?;
    if !resp.status().is_success() {
        return Err(DiscoveryError::Status {
            url,
            status: resp.status().as_u16(),
        });
    }
    let body = resp
        .bytes()
        .await
        .map_err(|e| DiscoveryError::Unreachable(describe(&e)))?;
    parse(issuer, &url, &body)
}

/// Parses a discovery document and checks its issuer.
pub fn parse(issuer: &str, url: &str, body: &[u8]) -> Result<ProviderMetadata, DiscoveryError> {
    let meta: ProviderMetadata =
        serde_json::from_slice(body).map_err(|e| DiscoveryError::BadDocument {
            url: url.into(),
            message: e.to_string(),
        })?;
    if meta.issuer != issuer {
        return Err(DiscoveryError::IssuerMismatch {
            found: meta.issuer,
            expected: issuer.into(),
        });
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"issuer":"https://id.example","authorization_endpoint":"https://id.example/auth",
        "token_endpoint":"https://id.example/token","jwks_uri":"https://id.example/jwks",
        "scopes_supported":["openid","offline_access"],"authorization_response_iss_parameter_supported":true}"#;

    #[test]
    fn document_url_appends_the_well_known_path() {
        assert_eq!(
            document_url("https://id.example").unwrap(),
            "https://id.example/.well-known/openid-configuration"
        );
        assert_eq!(
            document_url("https://id.example/tenant/").unwrap(),
            "https://id.example/tenant/.well-known/openid-configuration"
        );
        assert!(matches!(
            document_url("id.example"),
            Err(DiscoveryError::BadIssuer { .. })
        ));
        assert!(matches!(
            document_url("ftp://id.example"),
            Err(DiscoveryError::BadIssuer { .. })
        ));
    }

    #[test]
    fn parses_a_document_with_the_exact_issuer() {
        let meta = parse("https://id.example", "u", DOC.as_bytes()).unwrap();
        assert_eq!(meta.token_endpoint, "https://id.example/token");
        assert!(meta.supports_offline_access());
        assert!(meta.authorization_response_iss_parameter_supported);
        assert!(meta.device_authorization_endpoint.is_none());
    }

    #[test]
    fn issuer_must_match_exactly() {
        for other in [
            "https://id.example/",
            "http://id.example",
            "https://ID.example",
        ] {
            let err = parse(other, "u", DOC.as_bytes()).unwrap_err();
            assert!(
                matches!(err, DiscoveryError::IssuerMismatch { .. }),
                "{other}: {err}"
            );
        }
    }

    #[test]
    fn a_document_without_required_endpoints_is_refused() {
        let err = parse(
            "https://id.example",
            "u",
            br#"{"issuer":"https://id.example"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("authorization_endpoint"), "{err}");
        let err = parse("https://id.example", "u", b"<html>").unwrap_err();
        assert!(matches!(err, DiscoveryError::BadDocument { .. }));
    }
}
