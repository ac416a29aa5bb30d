//! The router driven in-process with `oneshot`: every endpoint, the tiers (with a manual clock),
//! the problem bodies, and a property test that no request body produces a 5xx.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use proptest::prelude::*;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::serve::backend::Backend;
use crate::serve::redaction::{FnRedactor, Redacted};
use crate::serve::sessions::{ManualClock, MemoryStore};
use crate::serve::settings::{Settings, Tiers};
use crate::serve::{AppState, app};

fn settings() -> Settings {
    let mut s = Settings::with_data_dir("unused".into());
    s.tiers = Tiers {
        active: Duration::from_secs(60),
        inactive: Duration::from_secs(600),
        archive: Duration::from_secs(6000),
    };
    s
}

fn state_with(settings: Settings) -> (AppState, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_000_000));
    let mut state = AppState::new(settings, Arc::new(MemoryStore::default()), Backend::Echo);
    state.clock = clock.clone();
    (state, clock)
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, String, Value) {
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, kind, body)
}

fn post(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

async fn chat(app: &Router, body: Value) -> Value {
    let (status, _, body) = send(app, post("/v1/chat", body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_conversation_keeps_its_history() {
    let (state, _) = state_with(settings());
    let app = app(state);
    let first = chat(&app, json!({"message": "Hello there"})).await;
    assert_eq!(first["reply"], "echo: Hello there");
    assert_eq!(first["compressed"], false);
    assert_eq!(first["redactions"], 0);
    assert!(first["usage"]["prompt_tokens"].as_u64().unwrap() > 0);
    assert!(first["usage"]["completion_tokens"].as_u64().unwrap() > 0);
    let id = first["session_id"].as_str().unwrap().to_string();

    let second = chat(&app, json!({"session_id": id, "message": "Again"})).await;
    assert_eq!(second["session_id"], id.as_str());
    assert!(second["usage"]["prompt_tokens"].as_u64() > first["usage"]["prompt_tokens"].as_u64());

    let (status, _, session) = send(&app, get(&format!("/v1/sessions/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(session["tier"], "active");
    let contents: Vec<&str> = session["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        ["Hello there", "echo: Hello there", "Again", "echo: Again"]
    );
}

#[tokio::test]
async fn history_is_trimmed_to_the_budget() {
    let mut s = settings();
    s.context.budget = 120;
    s.context.reserve_output = 20;
    let (state, _) = state_with(s);
    let app = app(state);
    let long = "word ".repeat(30);
    let first = chat(&app, json!({"message": long})).await;
    assert_eq!(first["compressed"], false);
    let id = first["session_id"].as_str().unwrap().to_string();
    let mut last = first;
    for _ in 0..3 {
        last = chat(&app, json!({"session_id": id, "message": long})).await;
    }
    assert_eq!(last["compressed"], true);
    assert!(
        last["usage"]["prompt_tokens"].as_u64().unwrap() <= 100,
        "{last}"
    );
    // The store keeps everything; only what the model sees is trimmed.
    let (_, _, session) = send(&app, get(&format!("/v1/sessions/{id}"))).await;
    assert_eq!(session["messages"].as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn redaction_seam_is_applied_before_storing() {
    let (mut state, _) = state_with(settings());
    state.redactor = Arc::new(FnRedactor(|text: &str| Redacted {
        text: text.replace("secret", "[REDACTED]"),
        count: text.matches("secret").count(),
    }));
    let app = app(state);
    let reply = chat(&app, json!({"message": "my secret and secret"})).await;
    assert_eq!(reply["redactions"], 2);
    assert_eq!(reply["reply"], "echo: my [REDACTED] and [REDACTED]");
    let id = reply["session_id"].as_str().unwrap();
    let (_, _, session) = send(&app, get(&format!("/v1/sessions/{id}"))).await;
    assert!(!session.to_string().contains("secret"));
}

#[tokio::test]
async fn sessions_move_through_the_tiers() {
    let (state, clock) = state_with(settings());
    let app = app(state);
    let id = chat(&app, json!({"message": "hi"})).await["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/sessions/{id}");

    // Reading renews the sliding TTL: 50 s + 50 s stays active.
    clock.advance(Duration::from_secs(50));
    assert_eq!(send(&app, get(&path)).await.2["tier"], "active");
    clock.advance(Duration::from_secs(50));
    assert_eq!(send(&app, get(&path)).await.2["tier"], "active");

    // Past the active TTL: inactive, and a message revives it with its history.
    clock.advance(Duration::from_secs(61));
    assert_eq!(send(&app, get(&path)).await.2["tier"], "inactive");
    let revived = chat(&app, json!({"session_id": id, "message": "back"})).await;
    assert_eq!(revived["session_id"], id.as_str());
    let session = send(&app, get(&path)).await.2;
    assert_eq!(session["tier"], "active");
    assert_eq!(session["messages"].as_array().unwrap().len(), 4);

    // Past the inactive tier: archived, readable only on request, and closed to messages.
    clock.advance(Duration::from_secs(61 + 600));
    let (status, kind, problem) = send(&app, get(&path)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(kind, "application/problem+json");
    assert!(problem["detail"].as_str().unwrap().contains("archived"));
    let archived = send(&app, get(&format!("{path}?archived=true"))).await;
    assert_eq!(archived.0, StatusCode::OK);
    assert_eq!(archived.2["tier"], "archived");
    let (status, _, _) = send(
        &app,
        post(
            "/v1/chat",
            json!({"session_id": id, "message": "x"}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Past the archive: gone.
    clock.advance(Duration::from_secs(6000));
    let gone = send(&app, get(&format!("{path}?archived=true"))).await;
    assert_eq!(gone.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn delete_erases_a_session() {
    let (state, _) = state_with(settings());
    let app = app(state);
    let id = chat(&app, json!({"message": "hi"})).await["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/sessions/{id}");
    let del = || Request::delete(&path).body(Body::empty()).unwrap();
    assert_eq!(send(&app, del()).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(&app, del()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get(&path)).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn client_mistakes_are_problems_not_5xx() {
    let mut s = settings();
    s.body_limit = 1024;
    let (state, _) = state_with(s);
    let app = app(state);
    let cases: Vec<(Request<Body>, StatusCode)> = vec![
        (post("/v1/chat", "{not json"), StatusCode::BAD_REQUEST),
        (post("/v1/chat", "{}"), StatusCode::UNPROCESSABLE_ENTITY),
        (
            post("/v1/chat", r#"{"message": 5}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            post("/v1/chat", r#"{"message": "  "}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            post("/v1/chat", r#"{"message": "hi", "session_id": "nope"}"#),
            StatusCode::NOT_FOUND,
        ),
        (
            post("/v1/chat", json!({"message": "x".repeat(2000)}).to_string()),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Request::post("/v1/chat")
                .body(Body::from(r#"{"message": "hi"}"#))
                .unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (get("/v1/chat"), StatusCode::METHOD_NOT_ALLOWED),
        (get("/nowhere"), StatusCode::NOT_FOUND),
        (
            get("/v1/sessions/x?archived=maybe"),
            StatusCode::BAD_REQUEST,
        ),
        (get("/v1/sessions/%FF"), StatusCode::BAD_REQUEST),
        (
            post(
                "/v1/chat",
                json!({"message": "hi", "session_id": "é".repeat(129)}).to_string(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // 128 characters are within the limit, however many bytes they take.
        (
            post(
                "/v1/chat",
                json!({"message": "hi", "session_id": "é".repeat(128)}).to_string(),
            ),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (req, expected) in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let (status, kind, body) = send(&app, req).await;
        assert_eq!(status, expected, "{what}: {body}");
        assert_eq!(kind, "application/problem+json", "{what}");
        assert_eq!(body["status"], expected.as_u16(), "{what}");
        assert!(body["detail"].is_string(), "{what}");
    }
}

#[tokio::test]
async fn wrong_method_names_the_allowed_ones() {
    let (state, _) = state_with(settings());
    let response = app(state).oneshot(get("/v1/chat")).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "POST");
}

#[tokio::test]
async fn stream_is_openai_chunks_ending_with_done() {
    let (state, _) = state_with(settings());
    let app = app(state);
    let (status, kind, body) = send(
        &app,
        post(
            "/v1/chat",
            json!({"message": "one two three", "stream": true}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/event-stream"), "{kind}");
    let text = body.as_str().unwrap();
    let data: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .collect();
    assert_eq!(data.last(), Some(&"[DONE]"));
    let chunks: Vec<Value> = data[..data.len() - 1]
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let reply: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(reply, "echo: one two three");
    assert!(
        chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk")
    );
    let last = chunks.last().unwrap();
    assert_eq!(last["choices"][0]["finish_reason"], "stop");
    assert!(last["usage"]["completion_tokens"].as_u64().unwrap() > 0);
    // The streamed reply was stored.
    let id = last["session_id"].as_str().unwrap();
    let (_, _, session) = send(&app, get(&format!("/v1/sessions/{id}"))).await;
    assert_eq!(session["messages"][1]["content"], "echo: one two three");
}

#[tokio::test]
async fn probes_metrics_manifest_and_docs() {
    let mut s = settings();
    s.manifest.name_for_human = "My Plugin".into();
    let (state, _) = state_with(s);
    let app = app(state);
    assert_eq!(send(&app, get("/healthz")).await.2["status"], "ok");
    assert_eq!(send(&app, get("/readyz")).await.2["status"], "ready");
    chat(&app, json!({"message": "hi"})).await;

    let (status, kind, metrics) = send(&app, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/plain"));
    let metrics = metrics.as_str().unwrap();
    assert!(metrics.contains(
        "plugctl_http_requests_total{method=\"POST\",route=\"/v1/chat\",status=\"200\"} 1"
    ));
    assert!(metrics.contains("plugctl_sessions 1"));
    // A new session's turn is one commit: the message and the reply together.
    assert!(metrics.contains("plugctl_store_operations_total{op=\"update\",outcome=\"ok\"} 1"));

    let manifest = send(
        &app,
        Request::get("/.well-known/ai-plugin.json")
            .header(header::HOST, "localhost:9999")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .2;
    assert_eq!(manifest["schema_version"], "v1");
    assert_eq!(manifest["name_for_human"], "My Plugin");
    assert_eq!(manifest["api"]["url"], "http://localhost:9999/openapi.yaml");

    let doc = send(&app, get("/openapi.json")).await.2;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let ok = &doc["paths"]["/v1/chat"]["post"]["responses"]["200"]["content"];
    assert!(ok["application/json"].is_object(), "{ok}");
    assert!(ok["text/event-stream"].is_object(), "{ok}");
    assert!(doc["components"]["schemas"]["ChatResponse"].is_object());
    assert_eq!(send(&app, get("/static/swagger.json")).await.2, doc);
    let yaml = send(&app, get("/openapi.yaml")).await.2;
    assert!(yaml.as_str().unwrap().contains("/v1/sessions/{id}"));

    let (status, kind, page) = send(&app, get("/api/docs/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"));
    assert!(
        !page.as_str().unwrap().contains("http"),
        "the page loads nothing remote"
    );
    let (status, kind, _) = send(&app, get("/api/docs/swagger-ui-bundle.js")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/javascript"));
    assert_eq!(
        send(&app, get("/api/docs")).await.0,
        StatusCode::PERMANENT_REDIRECT
    );
}

/// A JSON value of any shape, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("message".to_string()),
                    Just("session_id".to_string()),
                    Just("user".to_string()),
                    Just("stream".to_string()),
                    "[a-z]{1,6}".prop_map(String::from),
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn no_request_body_causes_a_5xx(body in prop_oneof![
        any_json().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..64),
    ]) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (state, _) = state_with(settings());
        let app = app(state);
        let (status, kind, answer) = runtime.block_on(send(&app, post("/v1/chat", body)));
        prop_assert!(!status.is_server_error(), "{status}: {answer}");
        if !status.is_success() {
            prop_assert!(status.is_client_error(), "{status}: {answer}");
            prop_assert_eq!(kind, "application/problem+json");
            prop_assert_eq!(answer["status"].as_u64(), Some(u64::from(status.as_u16())));
            prop_assert!(answer["detail"].is_string(), "{answer}");
        }
    }
}
