//! The model behind `/v1/chat`: `echo` (deterministic, offline) or any OpenAI-compatible
//! `/v1/chat/completions` endpoint.
//!
//! A backend gets the trimmed history as chat messages (`{"role", "content"}`) and answers either
//! whole ([`Backend::complete`]) or as a stream of text deltas ([`Backend::stream`]). Failures are
//! [`BackendError`]s that the chat route turns into 502 or 504; the user's message is already
//! stored by then.

use std::time::Duration;

use futures_util::StreamExt as _;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::settings::{BackendSettings, OpenAiSettings};

/// The OS keyring entry (account name under plugctl's keyring service) that holds the `openai`
/// backend's API key when no environment variable gives one.
pub const API_KEY_ENTRY: &str = "openai-api-key";

/// A backend failure.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BackendError {
    #[error("{0}")]
    Upstream(String),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

/// Text deltas of a streamed reply; the channel closes when the reply is complete.
pub type Deltas = mpsc::Receiver<Result<String, BackendError>>;

/// The configured backend.
#[derive(Debug, Clone)]
pub enum Backend {
    Echo,
    OpenAi(OpenAi),
}

impl Backend {
    pub fn new(settings: &BackendSettings) -> Result<Self, BackendError> {
        Ok(match settings {
            BackendSettings::Echo => Backend::Echo,
            BackendSettings::OpenAi(s) => Backend::OpenAi(OpenAi::new(s.clone())?),
        })
    }

    /// The model name reported in responses.
    pub fn model(&self) -> &str {
        match self {
            Backend::Echo => "echo",
            Backend::OpenAi(o) => &o.settings.model,
        }
    }

    /// The whole reply.
    pub async fn complete(&self, messages: &[Value]) -> Result<String, BackendError> {
        match self {
            Backend::Echo => Ok(echo(messages)),
            Backend::OpenAi(o) => o.complete(messages).await,
        }
    }

    /// The reply as it is produced.
    pub async fn stream(&self, messages: &[Value]) -> Result<Deltas, BackendError> {
        match self {
            Backend::Echo => {
                let reply = echo(messages);
                let (tx, rx) = mpsc::channel(16);
                tokio::spawn(async move {
                    // Word by word, the way a model streams; each piece keeps its space.
                    for piece in reply.split_inclusive(' ') {
                        if tx.send(Ok(piece.to_string())).await.is_err() {
                            return;
                        }
                    }
                });
                Ok(rx)
            }
            Backend::OpenAi(o) => o.stream(messages).await,
        }
    }
}

/// The echo backend's reply: the last user message as the model received it (after trimming),
/// so what a client sees shows what the model would have seen.
pub fn echo(messages: &[Value]) -> String {
    let last = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or("");
    format!("echo: {last}")
}

/// An OpenAI-compatible chat completions endpoint.
#[derive(Debug, Clone)]
pub struct OpenAi {
    settings: OpenAiSettings,
    client: reqwest::Client,
}

impl OpenAi {
    fn new(settings: OpenAiSettings) -> Result<Self, BackendError> {
        // rustls needs a process-wide crypto provider; installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(concat!("plugctl/", env!("CARGO_PKG_VERSION")))
            // A model endpoint has no business redirecting; following would leak the key.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.timeout)
            .build()
            .map_err(|e| BackendError::Upstream(format!("building the HTTP client: {e}")))?;
        Ok(Self { settings, client })
    }

    fn request(&self, messages: &[Value], stream: bool) -> reqwest::RequestBuilder {
        let body = json!({
            "model": self.settings.model,
            "messages": messages,
            "stream": stream,
        });
        let mut req = self.client.post(&self.settings.url).json(&body);
        if let Some(key) = &self.settings.api_key {
            req = req.bearer_auth(key);
        }
        req
    }

    async fn send(
        &self,
        messages: &[Value],
        stream: bool,
    ) -> Result<reqwest::Response, BackendError> {
        let timeout = self.settings.timeout;
        let response = tokio::time::timeout(timeout, self.request(messages, stream).send())
            .await
            .map_err(|_| BackendError::Timeout(timeout))?
            .map_err(|e| {
                if e.is_timeout() {
                    BackendError::Timeout(timeout)
                } else {
                    BackendError::Upstream(format!("{}: {e}", self.settings.url))
                }
            })?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            let excerpt: String = text.chars().take(200).collect();
            return Err(BackendError::Upstream(format!(
                "{} answered {status}: {excerpt}",
                self.settings.url
            )));
        }
        Ok(response)
    }

    async fn complete(&self, messages: &[Value]) -> Result<String, BackendError> {
        let timeout = self.settings.timeout;
        let body: Value = tokio::time::timeout(timeout, async {
            let response = self.send(messages, false).await?;
            response
                .json::<Value>()
                .await
                .map_err(|e| BackendError::Upstream(format!("reading the answer: {e}")))
        })
        .await
        .map_err(|_| BackendError::Timeout(timeout))??;
        body["choices"][0]["message"]["content"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| {
                BackendError::Upstream("the answer has no choices[0].message.content".into())
            })
    }

    async fn stream(&self, messages: &[Value]) -> Result<Deltas, BackendError> {
        let response = self.send(messages, true).await?;
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(async move {
            let mut body = response.bytes_stream();
            let mut buffer: Vec<u8> = Vec::new();
            while let Some(chunk) = body.next().await {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = tx
                            .send(Err(BackendError::Upstream(format!("stream broke: {e}"))))
                            .await;
                        return;
                    }
                };
                buffer.extend_from_slice(&chunk);
                while let Some(end) = buffer.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = buffer.drain(..=end).collect();
                    match parse_sse_line(&line) {
                        SseLine::Delta(text) => {
                            if tx.send(Ok(text)).await.is_err() {
                                return;
                            }
                        }
                        SseLine::Done => return,
                        SseLine::Other => {}
                    }
                }
            }
        });
        Ok(rx)
    }
}

enum SseLine {
    Delta(String),
    Done,
    Other,
}

/// One line of an upstream chat.completion.chunk stream.
fn parse_sse_line(line: &[u8]) -> SseLine {
    let line = String::from_utf8_lossy(line);
    let Some(data) = line.trim_end().strip_prefix("data:") else {
        return SseLine::Other;
    };
    let data = data.trim_start();
    if data == "[DONE]" {
        return SseLine::Done;
    }
    match serde_json::from_str::<Value>(data) {
        Ok(v) => match v["choices"][0]["delta"]["content"].as_str() {
            Some(text) if !text.is_empty() => SseLine::Delta(text.to_string()),
            _ => SseLine::Other,
        },
        Err(_) => SseLine::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_repeats_the_last_user_message() {
        let messages = vec![
            json!({"role": "user", "content": "first"}),
            json!({"role": "assistant", "content": "echo: first"}),
            json!({"role": "user", "content": "second"}),
        ];
        assert_eq!(echo(&messages), "echo: second");
        assert_eq!(echo(&[]), "echo: ");
    }

    #[test]
    fn sse_lines_yield_deltas_and_done() {
        let line = br#"data: {"choices":[{"delta":{"content":"Hi"}}]}"#;
        assert!(matches!(parse_sse_line(line), SseLine::Delta(t) if t == "Hi"));
        assert!(matches!(parse_sse_line(b"data: [DONE]\n"), SseLine::Done));
        assert!(matches!(parse_sse_line(b": keep-alive\n"), SseLine::Other));
    }
}
