//! `plugctl serve` end to end: the real binary on 127.0.0.1:0, a real HTTP client, SIGTERM.
//!
//! Covers a multi-turn chat, trimming past the budget, the SSE stream, problem bodies, restart
//! durability of the embedded store, graceful shutdown, a port already in use, and the `openai`
//! backend against a fake upstream on loopback.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::serve_child::ServeChild;
use crate::support::{Sandbox, oidc, run};

pub(crate) fn client() -> reqwest::Client {
    // reqwest is built without a default TLS provider (see Cargo.toml).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// `GET /v1/sessions/{id}` on a server: the JSON body, whatever the status.
pub(crate) async fn get_session(url: &str, id: &str) -> Value {
    get_json(&format!("{url}/v1/sessions/{id}"), None).await
}

/// `GET /metrics`: the Prometheus text.
pub(crate) async fn metrics(url: &str) -> String {
    client()
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A GET answered with JSON, with an API key when given.
pub(crate) async fn get_json(url: &str, key: Option<&str>) -> Value {
    let mut request = client().get(url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// `POST /v1/chat` with a JSON body on a server: the response, whatever its status.
pub(crate) async fn post_chat(url: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{url}/v1/chat"))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A turn that must succeed: its JSON answer.
pub(crate) async fn chat(url: &str, body: Value) -> Value {
    let response = post_chat(url, &body).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_stream_problems_restart_and_sigterm() {
    let sb = Sandbox::new();
    let data = sb.path().join("data");
    let args = [
        "--data-dir",
        data.to_str().unwrap(),
        "--context-budget",
        "100",
        "--reserve-output",
        "10",
    ];
    let server = ServeChild::start(&sb, &args);
    let url = server.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let banner = server.stderr();
    for part in ["/v1/chat", "/api/docs", "/.well-known/ai-plugin.json"] {
        assert!(banner.contains(part), "{part} missing from:\n{banner}");
    }

    // Multi-turn, and the history is trimmed once it outgrows the budget.
    let first = chat(&url, json!({"message": "Hello"})).await;
    assert_eq!(first["reply"], "echo: Hello");
    let id = first["session_id"].as_str().unwrap().to_string();
    let long = "lorem ipsum ".repeat(10);
    let mut compressed = false;
    for _ in 0..4 {
        let turn = chat(&url, json!({"session_id": id, "message": long})).await;
        assert_eq!(turn["session_id"], id.as_str());
        compressed |= turn["compressed"].as_bool().unwrap();
        assert!(
            turn["usage"]["prompt_tokens"].as_u64().unwrap() <= 90,
            "{turn}"
        );
    }
    assert!(compressed, "the history never needed trimming");

    // Streaming: OpenAI chunks, then [DONE].
    let text = post_chat(
        &url,
        &json!({"session_id": id, "message": "stream me", "stream": true}),
    )
    .await
    .text()
    .await
    .unwrap();
    let data_lines: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .collect();
    assert_eq!(data_lines.last(), Some(&"[DONE]"), "{text}");
    let streamed: String = data_lines[..data_lines.len() - 1]
        .iter()
        .map(|d| serde_json::from_str::<Value>(d).unwrap())
        .filter_map(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .map(String::from)
        })
        .collect();
    assert_eq!(streamed, "echo: stream me");

    // Client mistakes: problem bodies, never 5xx.
    let bad = client()
        .post(format!("{url}/v1/chat"))
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let unknown = post_chat(&url, &json!({"session_id": "nope", "message": "hi"})).await;
    assert_eq!(unknown.status(), 404);

    // SIGTERM: a clean exit 0.
    let (code, stderr) = server.terminate();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");

    // A restart on the same data dir still has the session (6 turns = 12 messages).
    let server = ServeChild::start(&sb, &args);
    let session = get_session(&server.url, &id).await;
    assert_eq!(
        session["messages"].as_array().unwrap().len(),
        12,
        "{session}"
    );
    let (code, _) = server.terminate();
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_acknowledged_message_survives_kill_9() {
    let sb = Sandbox::new();
    let data = sb.path().join("data");
    let args = ["--data-dir", data.to_str().unwrap()];
    let mut server = ServeChild::start(&sb, &args);
    let reply = chat(&server.url, json!({"message": "keep me"})).await;
    let id = reply["session_id"].as_str().unwrap().to_string();
    // SIGKILL: no shutdown code runs, no flush.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);

    let server = ServeChild::start(&sb, &args);
    let session = get_session(&server.url, &id).await;
    let contents: Vec<&str> = session["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["keep me", "echo: keep me"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn tiers_run_in_seconds_with_short_durations() {
    let sb = Sandbox::new();
    sb.write(
        "plugctl.yaml",
        "serve:\n  sweep_interval: 200ms\n  sessions:\n    active_ttl: 2s\n    inactive_ttl: 2s\n    archive_ttl: 2s\n",
    );
    let data = sb.path().join("data");
    let server = ServeChild::start(&sb, &["--data-dir", data.to_str().unwrap()]);
    let url = server.url.clone();
    let id = chat(&url, json!({"message": "hi"})).await["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let get = |query: &'static str| {
        let url = format!("{url}/v1/sessions/{id}{query}");
        async move {
            let response = client().get(url).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let started = Instant::now();
    let at = |secs: f64| tokio::time::sleep_until((started + Duration::from_secs_f64(secs)).into());

    at(3.0).await;
    let (status, body) = get("").await;
    assert_eq!(
        (status, body["tier"].as_str()),
        (200, Some("inactive")),
        "{body}"
    );
    at(5.0).await;
    assert_eq!(get("").await.0, 404);
    let (status, body) = get("?archived=true").await;
    assert_eq!(
        (status, body["tier"].as_str()),
        (200, Some("archived")),
        "{body}"
    );
    at(7.5).await;
    assert_eq!(get("?archived=true").await.0, 404);
    let metrics = metrics(&url).await;
    assert!(
        metrics.contains("plugctl_sessions 0"),
        "the sweep did not purge:\n{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_an_in_flight_request_finish() {
    let sb = Sandbox::new();
    // A slow upstream keeps a request in flight while the signal arrives.
    let upstream = fake_upstream(Duration::from_millis(1500)).await;
    let server = ServeChild::start(
        &sb,
        &[
            "--store",
            "memory",
            "--backend",
            "openai",
            "--upstream-url",
            &format!("{upstream}/v1/chat/completions"),
        ],
    );
    let url = server.url.clone();
    let in_flight = tokio::spawn(async move { chat(&url, json!({"message": "slow"})).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (code, stderr) = tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap();
    assert_eq!(code, 0, "{stderr}");
    let reply = in_flight.await.unwrap();
    assert_eq!(reply["reply"], "upstream says: slow");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let sb = Sandbox::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, _, err) = run(sb
        .cmd()
        .args(["serve", "--store", "memory", "--bind", &addr]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot listen on"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn bad_settings_are_usage_errors() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb.cmd().args(["serve", "--active-ttl", "soon"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("serve.sessions.active_ttl"), "{err}");
    sb.write("plugctl.yaml", "serve:\n  backend: gpt\n");
    let (code, _, err) = run(sb.cmd().args(["serve"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("serve.backend"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn openai_backend_against_a_fake_upstream() {
    let sb = Sandbox::new();
    let upstream = fake_upstream(Duration::ZERO).await;
    sb.write(
        "plugctl.yaml",
        format!(
            "serve:\n  backend: openai\n  store: memory\n  openai:\n    url: {upstream}/v1/chat/completions\n    model: test-model\n    timeout: 1s\n"
        ),
    );
    let server = ServeChild::start_env(&sb, &[], &[("OPENAI_API_KEY", "sk-test")]);
    let url = server.url.clone();

    let reply = chat(&url, json!({"message": "hi"})).await;
    assert_eq!(reply["reply"], "upstream says: hi");

    let text = post_chat(&url, &json!({"message": "a b c", "stream": true}))
        .await
        .text()
        .await
        .unwrap();
    assert!(text.trim_end().ends_with("data: [DONE]"), "{text}");
    assert!(text.contains("\"content\":\"a \""), "{text}");

    // Upstream failure: 502, and the user's message is kept in the session.
    let failed = post_chat(
        &url,
        &json!({"session_id": reply["session_id"], "message": "fail"}),
    )
    .await;
    assert_eq!(failed.status(), 502);
    assert_eq!(
        failed.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let session = get_session(&url, reply["session_id"].as_str().unwrap()).await;
    let last = session["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["content"], "fail");

    // Upstream slower than the timeout: 504.
    let slow = post_chat(&url, &json!({"message": "sleep"})).await;
    assert_eq!(slow.status(), 504);
    drop(server);
}

/// Without `$OPENAI_API_KEY`, the `openai` backend's key comes from the OS keyring entry
/// `openai-api-key`: a wrong key there makes the upstream refuse (502), the right one works.
#[tokio::test(flavor = "multi_thread")]
async fn openai_key_comes_from_the_os_keyring() {
    if !oidc::keyring_ready() {
        return;
    }
    let sb = Sandbox::new();
    let service = format!("plugctl-test-openai-{}", std::process::id());
    let upstream = fake_upstream(Duration::ZERO).await;
    sb.write(
        "plugctl.yaml",
        format!(
            "serve:\n  backend: openai\n  store: memory\n  openai:\n    url: {upstream}/v1/chat/completions\n"
        ),
    );
    let status_with = |key: &str| {
        oidc::keyring_store(&service, "openai-api-key", key);
        let server = ServeChild::start_env(&sb, &[], &[("PLUGCTL_KEYRING_SERVICE", &service)]);
        let url = server.url.clone();
        async move {
            let response = post_chat(&url, &json!({"message": "hi"})).await;
            drop(server);
            response.status()
        }
    };
    assert_eq!(status_with("sk-wrong").await, 502);
    assert_eq!(status_with("sk-test").await, 200);
    oidc::keyring_clear(&service, "openai-api-key");
}

/// An OpenAI-compatible endpoint on loopback: replies "upstream says: <last message>", word by
/// word when streaming; "fail" gets a 500, "sleep" waits 3 s; every answer waits `delay` first.
/// Requests without `Authorization: Bearer sk-test` are accepted only when no key is expected.
async fn fake_upstream(delay: Duration) -> String {
    use axum::Json;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;

    async fn complete(delay: Duration, headers: HeaderMap, Json(body): Json<Value>) -> Response {
        tokio::time::sleep(delay).await;
        let auth = headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string());
        if auth.as_deref().is_some_and(|a| a != "Bearer sk-test") {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let last = body["messages"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"].as_str())
            .unwrap_or("")
            .to_string();
        if last == "fail" {
            return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
        }
        if last == "sleep" {
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        let reply = format!("upstream says: {last}");
        if body["stream"] == true {
            let text = crate::support::faults::chunk_events(&reply);
            return ([("content-type", "text/event-stream")], text).into_response();
        }
        Json(json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": reply}}]}))
            .into_response()
    }

    let app = axum::Router::new().route(
        "/v1/chat/completions",
        post(move |h: HeaderMap, b: Json<Value>| complete(delay, h, b)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_are_redacted_with_the_rules_of_plugctl_yaml() {
    let sb = Sandbox::new();
    // The config's redact section applies: e-mails are masked, cards replaced.
    sb.write("plugctl.yaml", "redact:\n  operators: {email: mask}\n");
    let data = sb.path().join("data");
    let server = ServeChild::start(&sb, &["--data-dir", data.to_str().unwrap()]);
    let reply = chat(
        &server.url,
        json!({"message": "card 4111 1111 1111 1111, mail jane@example.com"}),
    )
    .await;
    assert_eq!(reply["redactions"], 2, "{reply}");
    let id = reply["session_id"].as_str().unwrap();
    let session = get_session(&server.url, id).await;
    let stored = session.to_string();
    assert!(!stored.contains("4111 1111 1111 1111"), "{stored}");
    assert!(!stored.contains("jane@example.com"), "{stored}");
    assert!(
        stored.contains("[REDACTED:CARD]") && stored.contains("@example.com"),
        "{stored}"
    );
}
