//! `POST /v1/chat`: one turn of a conversation.
//!
//! The turn: redact the message (the seam in `redaction.rs`), append it to the session (created
//! when no id is given, revived when inactive), trim the history to the context budget with the
//! tokens module, ask the backend, store the reply and answer, whole or as Server-Sent Events in
//! OpenAI's `chat.completion.chunk` format ending with `data: [DONE]`. The user's message is
//! stored before the backend is asked, so a backend failure (502/504) loses nothing.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, State};
use axum::http::HeaderValue;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use utoipa::ToSchema;

use super::access_log::SessionId;
use crate::serve::backend::Backend;
use crate::serve::backend::BackendError;
use crate::serve::breaker::{Breaker, Permit};
use crate::serve::fanout::{self, FanOutSettings, Part};
use crate::serve::history::{self, Fitted};
use crate::serve::metrics::Metrics;
use crate::serve::plugins::Plugins;
use crate::serve::problem::{ApiError, ApiJson, Problem};
use crate::serve::sessions::{Message, Millis, Session, Tier, Update, UpdateRefused};
use crate::serve::state::AppState;

/// Longest accepted `session_id` and `user`, in characters (as JSON Schema's `maxLength` counts).
const MAX_ID_LEN: usize = 128;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/chat", post(chat))
}

/// The paths of their own that plugins take turns on (same body and answer as `/v1/chat`).
/// Their prefixes were checked when the settings were read: literal, under `/v1/`, apart.
pub(crate) fn plugin_paths(state: &AppState) -> Router<AppState> {
    Plugins::routes(&state.settings.plugins)
        .fold(Router::new(), |r, path| r.route(&path, post(chat)))
}

/// Where a turn goes: the server's backend or a plugin, with its breaker and a slot of its
/// concurrency limit.
struct Target {
    name: String,
    backend: Arc<Backend>,
    breaker: Arc<Breaker>,
    slot: Option<OwnedSemaphorePermit>,
}

impl Target {
    fn pick(state: &AppState, req: &ChatRequest, path: &str) -> Result<Self, ApiError> {
        let main = state.settings.backend.name();
        Ok(
            match state
                .plugins
                .route(req.plugin.as_deref(), path, &req.message, main)?
            {
                None => Self {
                    name: main.to_string(),
                    backend: Arc::clone(&state.backend),
                    breaker: Arc::clone(&state.breaker),
                    slot: None,
                },
                Some(p) => Self {
                    name: p.name().to_string(),
                    backend: Arc::clone(&p.backend),
                    breaker: Arc::clone(&p.breaker),
                    slot: p.slot()?,
                },
            },
        )
    }
}

/// What a turn holds while the backend works: the breaker's permit and the plugin's slot.
struct Lease {
    permit: Permit,
    model: String,
    plugin: String,
    _slot: Option<OwnedSemaphorePermit>,
}

/// Names the plugin that answered.
fn mark_plugin(response: &mut Response, plugin: &str) {
    if let Ok(v) = HeaderValue::from_str(plugin) {
        response.headers_mut().insert("x-plugctl-plugin", v);
    }
}

/// One user message.
// The example is what Swagger UI's "Try it out" sends: a new session, so it works as it stands.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[schema(example = json!({"message": "Hello!"}))]
pub struct ChatRequest {
    /// The session to continue; omit it to start a new one.
    #[schema(max_length = 128)]
    pub session_id: Option<String>,
    /// The user's message: some text besides white space.
    #[schema(min_length = 1, pattern = r"\S", example = "Hello!")]
    pub message: String,
    /// An opaque id of the end user, stored with a new session.
    #[schema(max_length = 128)]
    pub user: Option<String>,
    /// Answer as Server-Sent Events (`chat.completion.chunk`, then `[DONE]`).
    pub stream: Option<bool>,
    /// The plugin to ask (`serve.plugins`); by default the routing rules pick it.
    #[schema(max_length = 128)]
    pub plugin: Option<String>,
}

/// One Server-Sent Event of a streamed reply (`stream: true`), as OpenAPI describes an event of
/// a `text/event-stream`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatStreamEvent {
    /// A `chat.completion.chunk` object as JSON (the last one carries `usage`, `compressed` and
    /// `redactions`), then `[DONE]`; for an `error` event, a problem document.
    pub data: String,
    /// `message`, or `error` when the backend fails after the stream has started.
    pub event: Option<String>,
    pub id: Option<String>,
    pub retry: Option<u64>,
}

/// Token usage of a turn.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct Usage {
    /// Tokens of the trimmed history the model received (chat formula, reply priming included).
    pub prompt_tokens: usize,
    /// Tokens of the reply.
    pub completion_tokens: usize,
}

/// The reply to one message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatResponse {
    pub session_id: String,
    pub reply: String,
    pub usage: Usage,
    /// Whether the history was trimmed to fit the context budget.
    pub compressed: bool,
    /// How many values were redacted from the message.
    pub redactions: usize,
    /// A fan-out only: what each plugin contributed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<Part>>,
    /// A fan-out only: whether some plugin failed (its part says why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<bool>,
}

/// Send a message and get the reply.
#[utoipa::path(
    post,
    path = "/v1/chat",
    tag = "chat",
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The reply; with `stream: true`, an event stream of \
            chat.completion.chunk objects ending with `data: [DONE]`", content(
            (ChatResponse = "application/json"),
            (ChatStreamEvent = "text/event-stream"),
        )),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or archived session", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Well-formed JSON of the wrong shape", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong API key (with `auth: {type: api_key}`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over a rate limit; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The model backend failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The backend's circuit breaker is open, or the plugin is at its concurrency limit; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 504, description = "The model backend timed out", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn chat(
    State(state): State<AppState>,
    path: MatchedPath,
    ApiJson(req): ApiJson<ChatRequest>,
) -> Response {
    let asked = req.session_id.clone();
    let mut response = turn(state, req, path.as_str()).await.into_response();
    // For the access log: the session of the turn, or the one the client asked for.
    if let Some(id) = asked
        && response.extensions().get::<SessionId>().is_none()
    {
        response.extensions_mut().insert(SessionId(id));
    }
    response
}

async fn turn(state: AppState, req: ChatRequest, path: &str) -> Result<Response, ApiError> {
    validate(&req)?;
    if let Some(group) = state
        .settings
        .fan_out
        .iter()
        .find(|g| req.plugin.as_deref() == Some(g.name.as_str()))
    {
        return fan_out_turn(&state, &req, group).await;
    }
    // An open circuit or a busy plugin answers before anything is stored: the client can send
    // the same request again later.
    let target = Target::pick(&state, &req, path)?;
    let permit = target.breaker.acquire()?;
    let lease = Lease {
        permit,
        model: target.backend.model().to_string(),
        plugin: target.name,
        _slot: target.slot,
    };
    let redacted = state.redactor.redact(&req.message);
    let now = state.clock.now_ms();
    let is_new = req.session_id.is_none();
    let stream = req.stream.unwrap_or(false);
    // A stream may run for minutes: its user message is stored before it starts. A whole answer
    // is stored together with the message in one commit (one fsync per turn); until then nothing
    // has been acknowledged, and a failed backend call still stores the message.
    let (session, fresh) = if stream {
        (
            append_user_message(&state, &req, redacted.text, now).await?,
            None,
        )
    } else {
        load_for_turn(&state, &req, redacted.text, now).await?
    };
    if is_new {
        Metrics::add(&state.metrics.sessions_created, 1);
    }
    Metrics::add(&state.metrics.redactions, redacted.count as u64);

    let turn = prepare_turn(&state, &session)?;
    if turn.compressed {
        Metrics::add(&state.metrics.compressed_turns, 1);
    }
    let base = TurnInfo {
        session_id: session.id,
        prompt_tokens: turn.prompt_tokens,
        compressed: turn.compressed,
        redactions: redacted.count,
    };
    if stream {
        let deltas = match target.backend.stream(&turn.messages).await {
            Ok(deltas) => deltas,
            Err(e) => {
                lease.permit.failure();
                return Err(backend_error(e));
            }
        };
        let session_id = SessionId(base.session_id.clone());
        let mut response = stream_reply(state, base, deltas, lease);
        response.extensions_mut().insert(session_id);
        return Ok(response);
    }
    let user_message = session
        .messages
        .last()
        .cloned()
        .into_iter()
        .collect::<Vec<_>>();
    let reply = match target.backend.complete(&turn.messages).await {
        Ok(reply) => {
            lease.permit.success();
            reply
        }
        Err(e) => {
            lease.permit.failure();
            store_messages(&state, &base.session_id, fresh, user_message).await?;
            return Err(backend_error(e));
        }
    };
    let mut messages = user_message;
    messages.push(Message {
        role: "assistant".into(),
        content: reply.clone(),
        at_ms: state.clock.now_ms(),
    });
    store_messages(&state, &base.session_id, fresh, messages).await?;
    Metrics::add(&state.metrics.turns, 1);
    let completion_tokens = state.counter.count(&reply);
    let session_id = SessionId(base.session_id.clone());
    let mut response = ApiJson(ChatResponse {
        session_id: base.session_id,
        reply,
        usage: Usage {
            prompt_tokens: base.prompt_tokens,
            completion_tokens,
        },
        compressed: base.compressed,
        redactions: base.redactions,
        parts: None,
        partial: None,
    })
    .into_response();
    mark_plugin(&mut response, &lease.plugin);
    response.extensions_mut().insert(session_id);
    Ok(response)
}

/// A turn asked of several plugins (`serve.fan_out`); stored like any turn, with the combined
/// reply.
async fn fan_out_turn(
    state: &AppState,
    req: &ChatRequest,
    group: &FanOutSettings,
) -> Result<Response, ApiError> {
    if req.stream.unwrap_or(false) {
        return Err(ApiError::Unprocessable(format!(
            "{:?} asks several plugins: it answers whole, not as a stream",
            group.name
        )));
    }
    let redacted = state.redactor.redact(&req.message);
    let now = state.clock.now_ms();
    let (session, fresh) = load_for_turn(state, req, redacted.text, now).await?;
    if req.session_id.is_none() {
        Metrics::add(&state.metrics.sessions_created, 1);
    }
    Metrics::add(&state.metrics.redactions, redacted.count as u64);
    let turn = prepare_turn(state, &session)?;
    let mut messages: Vec<Message> = session.messages.last().cloned().into_iter().collect();
    let outcome = match fanout::run(&state.plugins, group, &turn.messages).await {
        Ok(outcome) => outcome,
        Err(e) => {
            store_messages(state, &session.id, fresh, messages).await?;
            return Err(e);
        }
    };
    messages.push(Message {
        role: "assistant".into(),
        content: outcome.reply.clone(),
        at_ms: state.clock.now_ms(),
    });
    store_messages(state, &session.id, fresh, messages).await?;
    Metrics::add(&state.metrics.turns, 1);
    let completion_tokens = state.counter.count(&outcome.reply);
    let mut response = ApiJson(ChatResponse {
        session_id: session.id,
        reply: outcome.reply,
        usage: Usage {
            prompt_tokens: turn.prompt_tokens,
            completion_tokens,
        },
        compressed: turn.compressed,
        redactions: redacted.count,
        parts: Some(outcome.parts),
        partial: Some(outcome.partial),
    })
    .into_response();
    mark_plugin(&mut response, &group.name);
    Ok(response)
}

fn validate(req: &ChatRequest) -> Result<(), ApiError> {
    if req.message.trim().is_empty() {
        return Err(ApiError::Unprocessable(
            "`message` must not be empty".into(),
        ));
    }
    for (name, value) in [
        ("session_id", &req.session_id),
        ("user", &req.user),
        ("plugin", &req.plugin),
    ] {
        if value
            .as_ref()
            .is_some_and(|v| v.is_empty() || v.chars().count() > MAX_ID_LEN)
        {
            return Err(ApiError::Unprocessable(format!(
                "`{name}` must be 1 to {MAX_ID_LEN} characters long"
            )));
        }
    }
    Ok(())
}

fn backend_error(e: BackendError) -> ApiError {
    match e {
        BackendError::Upstream(m) => ApiError::BadGateway(m),
        BackendError::Timeout(d) => ApiError::GatewayTimeout(d),
    }
}

/// A new session's id: a UUIDv7, whose 74 random bits make it as unguessable as a capability
/// needs to be, and whose leading timestamp makes new sessions sort after the existing ones, so
/// that the embedded store's B-tree grows at its right edge instead of rewriting pages all over.
fn new_session_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Stores the user's message: in the given session (reviving an inactive one) or a new one.
async fn append_user_message(
    state: &AppState,
    req: &ChatRequest,
    text: String,
    now: Millis,
) -> Result<Session, ApiError> {
    let tiers = state.settings.tiers;
    let id = req.session_id.clone().unwrap_or_else(new_session_id);
    let given = req.session_id.is_some();
    let user = req.user.clone();
    let key = id.clone();
    let result = state
        .store_update(
            &key,
            Box::new(move |current| {
                let mut session = match current {
                    None if given => return Update::Keep(Err(UpdateRefused::NotFound)),
                    None => Session {
                        id: id.clone(),
                        user: user.clone(),
                        created_ms: now,
                        last_access_ms: now,
                        messages: Vec::new(),
                    },
                    Some(s) => match tiers.tier_at(s.last_access_ms, now) {
                        Tier::Active | Tier::Inactive => s,
                        Tier::Archived => return Update::Keep(Err(UpdateRefused::Archived)),
                        Tier::Expired => return Update::Keep(Err(UpdateRefused::NotFound)),
                    },
                };
                session.last_access_ms = now;
                session.messages.push(Message {
                    role: "user".into(),
                    content: text.clone(),
                    at_ms: now,
                });
                Update::Save(session.clone(), Ok(session))
            }),
        )
        .await?;
    result.map_err(|refused| refused_error(refused, req.session_id.as_deref().unwrap_or("")))
}

pub(crate) fn refused_error(refused: UpdateRefused, id: &str) -> ApiError {
    match refused {
        UpdateRefused::NotFound => ApiError::NotFound(format!("no session {id:?}")),
        UpdateRefused::Archived => ApiError::NotFound(format!(
            "session {id:?} is archived: read it with GET /v1/sessions/{id}?archived=true, or \
             start a new session"
        )),
    }
}

/// Reads the session for a turn (or starts one) and appends the user's message in memory only.
/// Returns the session and, for a new one, what to create when storing.
async fn load_for_turn(
    state: &AppState,
    req: &ChatRequest,
    text: String,
    now: Millis,
) -> Result<(Session, Option<Session>), ApiError> {
    let tiers = state.settings.tiers;
    let (mut session, fresh) = match &req.session_id {
        Some(id) => {
            let key = id.clone();
            let found = state.store_call("get", move |s| s.get(&key)).await?;
            let refused = match found {
                Some(s) => match tiers.tier_at(s.last_access_ms, now) {
                    Tier::Active | Tier::Inactive => Ok(s),
                    Tier::Archived => Err(UpdateRefused::Archived),
                    Tier::Expired => Err(UpdateRefused::NotFound),
                },
                None => Err(UpdateRefused::NotFound),
            };
            (refused.map_err(|r| refused_error(r, id))?, None)
        }
        None => {
            let session = Session {
                id: new_session_id(),
                user: req.user.clone(),
                created_ms: now,
                last_access_ms: now,
                messages: Vec::new(),
            };
            (session.clone(), Some(session))
        }
    };
    session.messages.push(Message {
        role: "user".into(),
        content: text,
        at_ms: now,
    });
    Ok((session, fresh))
}

/// The history the model gets on this turn.
fn prepare_turn(state: &AppState, session: &Session) -> Result<Fitted, ApiError> {
    history::fit(
        &state.counter,
        &state.formula,
        &state.settings.context,
        &session.messages,
    )
    .map_err(|e| ApiError::Internal(format!("trimming the history: {e}")))
}

/// Appends messages to a session in one commit, creating it from `fresh` when it is new. A
/// session deleted meanwhile stays deleted.
async fn store_messages(
    state: &AppState,
    id: &str,
    fresh: Option<Session>,
    messages: Vec<Message>,
) -> Result<(), ApiError> {
    let now = state.clock.now_ms();
    let key = id.to_string();
    state
        .store_update(
            &key,
            Box::new(move |current| match current.or_else(|| fresh.clone()) {
                Some(mut s) => {
                    s.last_access_ms = now;
                    s.messages.extend(messages.iter().cloned());
                    Update::Save(s.clone(), Ok(s))
                }
                None => Update::Keep(Err(UpdateRefused::NotFound)),
            }),
        )
        .await
        .map(|_| ())
}

/// Appends the assistant's reply of a stream.
async fn store_reply(state: &AppState, id: &str, reply: &str) -> Result<(), ApiError> {
    let message = Message {
        role: "assistant".into(),
        content: reply.to_string(),
        at_ms: state.clock.now_ms(),
    };
    store_messages(state, id, None, vec![message]).await
}

/// What the chunks of a streamed turn repeat.
struct TurnInfo {
    session_id: String,
    prompt_tokens: usize,
    compressed: bool,
    redactions: usize,
}

/// The reply as `chat.completion.chunk` events. The stream is produced by a task so that the
/// reply is stored even if the client goes away half-way.
fn stream_reply(
    state: AppState,
    info: TurnInfo,
    mut deltas: crate::serve::backend::Deltas,
    lease: Lease,
) -> Response {
    let (tx, rx) = mpsc::channel::<Event>(32);
    let id = format!("chatcmpl-{}", uuid::Uuid::new_v4().simple());
    let created = state.clock.now_ms() / 1000;
    let model = lease.model.clone();
    let plugin = lease.plugin.clone();
    let session_id = info.session_id.clone();
    tokio::spawn(async move {
        let chunk = |delta: Value, finish: Value| {
            json!({
                "id": id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "session_id": info.session_id,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            })
        };
        let send = |v: Value| Event::default().data(v.to_string());
        let _ = tx
            .send(send(chunk(
                json!({"role": "assistant", "content": ""}),
                Value::Null,
            )))
            .await;
        let mut reply = String::new();
        while let Some(delta) = deltas.recv().await {
            match delta {
                Ok(text) => {
                    reply.push_str(&text);
                    let _ = tx
                        .send(send(chunk(json!({"content": text}), Value::Null)))
                        .await;
                }
                Err(e) => {
                    lease.permit.failure();
                    // Headers are gone already: the failure travels as an `error` event.
                    let problem = backend_error(e).problem();
                    let _ = tx
                        .send(
                            Event::default()
                                .event("error")
                                .data(serde_json::to_string(&problem).unwrap_or_default()),
                        )
                        .await;
                    let _ = tx.send(Event::default().data("[DONE]")).await;
                    return;
                }
            }
        }
        lease.permit.success();
        if let Err(e) = store_reply(&state, &info.session_id, &reply).await {
            tracing::error!(error = %e, "storing a streamed reply");
        }
        Metrics::add(&state.metrics.turns, 1);
        let mut last = chunk(json!({}), json!("stop"));
        last["usage"] = json!({
            "prompt_tokens": info.prompt_tokens,
            "completion_tokens": state.counter.count(&reply),
        });
        last["compressed"] = json!(info.compressed);
        last["redactions"] = json!(info.redactions);
        let _ = tx.send(send(last)).await;
        let _ = tx.send(Event::default().data("[DONE]")).await;
    });
    let events = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&session_id) {
        response.headers_mut().insert("x-session-id", v);
    }
    mark_plugin(&mut response, &plugin);
    response
}
