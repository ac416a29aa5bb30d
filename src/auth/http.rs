//! The HTTP client every auth request goes through, and its adapter for the `oauth2` crate.
//!
//! Redirects are never followed: a token endpoint that redirects would have the client resend
//! the code or the refresh token to wherever it points.

use std::time::Duration;

/// The shared client: rustls with the ring provider, plugctl's user agent, bounded timeouts.
pub fn client() -> reqwest::Client {
    // rustls needs a process-wide crypto provider; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("plugctl/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        // Building fails only when the TLS backend cannot initialise: nothing can work then.
        .unwrap_or_default()
}

/// One readable line for a transport error: the innermost cause says what really happened
/// ("Connection refused", "invalid peer certificate: UnknownIssuer"), reqwest's own text rarely.
pub fn describe(e: &reqwest::Error) -> String {
    let mut root: &dyn std::error::Error = e;
    while let Some(inner) = root.source() {
        root = inner;
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let url = e.url().map(|u| format!(" to {u}")).unwrap_or_default();
    let root = root.to_string();
    if root == e.to_string() {
        format!("{what}{url}")
    } else {
        format!("{what}{url}: {root}")
    }
}

/// A transport failure seen by the `oauth2` crate.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// Sends an `oauth2` request with the shared client (`oauth2`'s `AsyncHttpClient` is any such
/// function).
pub async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, TransportError> {
    let (parts, body) = request.into_parts();
    let resp = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| TransportError(describe(&e)))?;
    let mut builder = http::Response::builder().status(resp.status());
    for (name, value) in resp.headers() {
        builder = builder.header(name, value);
    }
    let body = resp
        .bytes()
        .await
        .map_err(|e| TransportError(describe(&e)))?;
    builder
        .body(body.to_vec())
        .map_err(|e| TransportError(e.to_string()))
}
