//! Errors of the HTTP API as RFC 9457 problem details (`application/problem+json`).
//!
//! Every handler returns `Result<_, ApiError>`. Client mistakes are 4xx with a `detail` saying
//! what to fix; only a failure of plugctl itself (the store) is a 5xx, and an upstream model's
//! failure is 502/504. [`ApiJson`] replaces axum's `Json` extractor so that malformed JSON,
//! wrong shapes and oversized bodies get the same format instead of axum's plain text.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use super::breaker::Rejected;
use super::sessions::StoreError;

/// The problem document (RFC 9457 §3.1). `type` is left at its default, `about:blank`, so
/// `title` is the status's reason phrase.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("the request body is larger than the server's limit (serve.body_limit)")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the model backend failed: {0}")]
    BadGateway(String),
    #[error("the model backend did not answer within {0:?}")]
    GatewayTimeout(std::time::Duration),
    #[error(
        "the model backend {:?} is failing, so it is not called for now (circuit breaker {})",
        .0.backend, .0.state
    )]
    CircuitOpen(#[from] Rejected),
    /// A plugin at its concurrency limit.
    #[error("{0}")]
    Busy(String),
    #[error("session store: {0}")]
    Store(#[from] StoreError),
    /// A service the server depends on (e.g. the token issuer) cannot be reached.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            ApiError::GatewayTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Store(_)
            | ApiError::CircuitOpen(_)
            | ApiError::Busy(_)
            | ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: self.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            ApiError::CircuitOpen(rejected) => Some(rejected.retry_after),
            ApiError::Busy(_) => Some(std::time::Duration::from_secs(1)),
            _ => None,
        };
        if let Some(retry_after) = retry_after {
            // Expected under load or while a circuit is open (the breaker logs its transitions):
            // no log line, and the client learns when to come back.
            let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            let mut response = problem_response(&self.problem());
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            return response;
        }
        if self.status().is_server_error() {
            // Logged once here; client mistakes are not worth a log line of their own.
            tracing::error!(error = %self, "request failed");
        }
        problem_response(&self.problem())
    }
}

/// A problem document as a response with the right status and content type.
pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    // For the access log, which shows the detail.
    response.extensions_mut().insert(problem.clone());
    response
}

/// `axum::Json` with problem-details rejections: syntax errors are 400, a well-formed body of the
/// wrong shape is 422, a body over the limit is 413, a missing JSON content type is 415.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(rejection_to_error(&rejection)),
        }
    }
}

fn rejection_to_error(rejection: &JsonRejection) -> ApiError {
    let text = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => ApiError::Unprocessable(text),
        JsonRejection::JsonSyntaxError(_) => ApiError::BadRequest(text),
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType(
            "send the body as JSON with `Content-Type: application/json`".into(),
        ),
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::BadRequest(text),
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
