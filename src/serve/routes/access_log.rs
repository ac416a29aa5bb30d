//! The access log and the request metrics: one structured line and one metrics sample per
//! request.
//!
//! A line carries the method, the matched route (the template, `/v1/sessions/{id}`, never the raw
//! path, which can hold anything a client typed), the status, the latency, the session id when
//! one is known, the client address anonymized (`crate::logging::anonymize_ip`), the user agent,
//! which credentials came with the request (masked: the scheme of `Authorization` at most), and
//! the detail of a problem answer. Every value a client chose goes through the redact engine
//! here, field by field (`crate::logging::redact_log_value`); the line is logged under
//! `crate::logging::ACCESS_TARGET`, which tells the log formatter not to redact it again.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{ConnectInfo, MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::logging::{ACCESS_TARGET, anonymize_ip, redact_log_value};
use crate::serve::problem::Problem;
use crate::serve::state::AppState;

/// The session a response belongs to, for the access log (handlers attach it to responses).
#[derive(Debug, Clone)]
pub(crate) struct SessionId(pub String);

/// What replaces a credential's value.
const MASK: &str = "********";

const STANDARD_METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::CONNECT,
    Method::OPTIONS,
    Method::TRACE,
    Method::PATCH,
];

/// A session id as logged: the ids plugctl makes (hyphenated UUIDs) cannot hold a secret;
/// anything else a client sent goes through the redact engine.
fn session_for_log(id: &str) -> String {
    if id.len() == 36 && uuid::Uuid::try_parse(id).is_ok() {
        id.to_string()
    } else {
        redact_log_value(id)
    }
}

/// The middleware: times the request, then logs it and counts it in the metrics.
pub(crate) async fn track(
    State(state): State<AppState>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let client_ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| anonymize_ip(addr.ip()).to_string());
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .map(|v| redact_log_value(&String::from_utf8_lossy(v.as_bytes())));
    // Header names are the client's words too.
    let auth = credentials(request.headers()).map(|shown| redact_log_value(&shown));
    let path_session = params.ok().and_then(|params| {
        params
            .iter()
            .find(|(name, _)| *name == "id")
            .map(|(_, value)| session_for_log(value))
    });

    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .request(method.as_str(), &route, status, elapsed);
    let session_id = response
        .extensions()
        .get::<SessionId>()
        .map(|s| session_for_log(&s.0))
        .or(path_session);
    let problem = response
        .extensions()
        .get::<Problem>()
        .map(|p| redact_log_value(&p.detail));
    // Extension methods are any token a client sends; the standard ones are plugctl's words.
    let method = if STANDARD_METHODS.contains(&method) {
        method.as_str().to_string()
    } else {
        redact_log_value(method.as_str())
    };
    tracing::info!(
        target: ACCESS_TARGET,
        method = %method,
        route = %route,
        status,
        // Microseconds are plenty, and keep the number short.
        latency_ms = elapsed.as_micros() as f64 / 1000.0,
        session_id,
        client_ip,
        user_agent,
        auth,
        error = problem,
        "request"
    );
    response
}

/// Whether a header carries a credential: the standard ones, and any name that says so.
fn is_credential(name: &str) -> bool {
    match name {
        "authorization" | "proxy-authorization" | "cookie" | "x-api-key" => true,
        // The headers of nearly every request, answered without searching their names for the
        // words below (six substring searches per header were 5% of a turn's instructions).
        "host" | "content-type" | "content-length" | "user-agent" | "accept"
        | "accept-encoding" | "accept-language" | "connection" | "origin" | "referer"
        | "traceparent" => false,
        _ => [
            "token", "secret", "api-key", "apikey", "password", "session",
        ]
        .iter()
        .any(|word| name.contains(word)),
    }
}

/// The credentials of a request as they may be logged: `authorization (Bearer ********), cookie
/// (********)`; `None` when there are none. Not `name: value`: the redact engine would take that
/// for a header and redact the mask.
fn credentials(headers: &HeaderMap) -> Option<String> {
    let mut shown = Vec::new();
    for (name, value) in headers {
        let name = name.as_str();
        if !is_credential(name) {
            continue;
        }
        let masked = if name.ends_with("authorization") {
            // The scheme says how the client authenticated and is not secret.
            let value = String::from_utf8_lossy(value.as_bytes());
            match value.split_once(' ') {
                Some((scheme, _))
                    if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
                {
                    format!("{scheme} {MASK}")
                }
                _ => MASK.to_string(),
            }
        } else {
            MASK.to_string()
        };
        shown.push(format!("{name} ({masked})"));
    }
    (!shown.is_empty()).then(|| shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn credentials_are_masked_and_the_scheme_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer sk-live-abcdef0123456789"),
        );
        headers.insert(header::COOKIE, HeaderValue::from_static("sid=s3cr3t"));
        headers.insert("x-api-key", HeaderValue::from_static("key-0123456789"));
        headers.insert("x-session-token", HeaderValue::from_static("tok"));
        headers.insert(header::USER_AGENT, HeaderValue::from_static("curl/8"));
        let shown = credentials(&headers).unwrap();
        assert_eq!(
            shown,
            "authorization (Bearer ********), cookie (********), x-api-key (********), \
             x-session-token (********)"
        );
    }

    #[test]
    fn credential_headers_are_known_by_name_or_by_a_word_in_it() {
        for name in [
            "authorization",
            "x-auth-token",
            "x-client-secret",
            "x-session-id",
        ] {
            assert!(is_credential(name), "{name}");
        }
        for name in [
            "host",
            "content-type",
            "user-agent",
            "x-request-id",
            "accept",
        ] {
            assert!(!is_credential(name), "{name}");
        }
    }

    #[test]
    fn an_authorization_without_a_scheme_is_masked_whole() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("abc.def/ghi jkl"),
        );
        assert_eq!(credentials(&headers).unwrap(), "authorization (********)");
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("opaque"));
        assert_eq!(credentials(&headers).unwrap(), "authorization (********)");
    }

    #[test]
    fn the_log_redactor_leaves_the_masked_form_alone() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        headers.insert("x-api-key", HeaderValue::from_static("k"));
        let shown = credentials(&headers).unwrap();
        let redactor =
            crate::logging::redactor_for_logs(&crate::redact::Settings::default(), &[]).unwrap();
        assert_eq!(redactor.redact_str(&shown), shown);
    }

    #[test]
    fn no_credentials_no_field() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        assert_eq!(credentials(&headers), None);
    }
}
