//! `plugctl serve` under pressure, end to end: the real binary on 127.0.0.1:0.
//!
//! - the global rate limit admits the configured rate (within 10%, burst included) of a bounded
//!   load that offers more, and every refusal is a 429 counted in /metrics;
//! - the circuit breaker opens, fails fast, half-opens, reopens and closes exactly when it
//!   should, against a fault-injecting upstream (errors, resets, stalls) with short windows;
//! - API keys: 401 with a challenge without a valid key, and per-key rate limits.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::{client, get_json, metrics};
use crate::support::faults::{Fault, FaultyUpstream};
use crate::support::serve_child::ServeChild;
use crate::support::{Sandbox, run};

async fn post_chat(url: &str, key: Option<&str>) -> reqwest::Response {
    let mut req = client()
        .post(format!("{url}/v1/chat"))
        .json(&json!({"message": "hi"}));
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    req.send().await.unwrap()
}

/// The value of one series in a Prometheus text, 0 when absent.
fn series(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_global_limit_admits_the_configured_rate() {
    const RPS: f64 = 100.0;
    const BURST: f64 = 10.0;
    const LOAD: Duration = Duration::from_secs(3);
    const MAX_REQUESTS: u64 = 60_000;
    let sb = Sandbox::new();
    let server = ServeChild::start(
        &sb,
        &[
            "--store",
            "memory",
            "--rate-limit",
            "100",
            "--rate-burst",
            "10",
        ],
    );
    let url = server.url.clone();
    let http = client();
    let (admitted, refused, other) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let checked_429 = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let deadline = started + LOAD;
    // Closed loops on 8 connections: far more than 100 requests/s on loopback, bounded in time
    // and in count.
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (http, url) = (http.clone(), url.clone());
            let (admitted, refused, other) = (
                Arc::clone(&admitted),
                Arc::clone(&refused),
                Arc::clone(&other),
            );
            let checked_429 = Arc::clone(&checked_429);
            tokio::spawn(async move {
                while Instant::now() < deadline
                    && admitted.load(Ordering::Relaxed) + refused.load(Ordering::Relaxed)
                        < MAX_REQUESTS
                {
                    let response = http
                        .post(format!("{url}/v1/chat"))
                        .json(&json!({"message": "hi"}))
                        .send()
                        .await
                        .unwrap();
                    match response.status().as_u16() {
                        200 => admitted.fetch_add(1, Ordering::Relaxed),
                        429 => {
                            if !checked_429.swap(true, Ordering::Relaxed) {
                                let h = response.headers();
                                assert_eq!(h["retry-after"], "1");
                                assert_eq!(h["ratelimit-limit"], "10");
                                assert_eq!(h["ratelimit-remaining"], "0");
                                assert_eq!(h["content-type"], "application/problem+json");
                            }
                            refused.fetch_add(1, Ordering::Relaxed)
                        }
                        _ => other.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (admitted, refused) = (
        admitted.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
    );
    assert_eq!(other.load(Ordering::Relaxed), 0);
    let offered = (admitted + refused) as f64 / elapsed;
    assert!(
        offered > 2.0 * RPS,
        "the load offered only {offered:.0} requests/s: not enough to test a limit of {RPS}"
    );
    let expected = BURST + RPS * elapsed;
    let ratio = admitted as f64 / expected;
    eprintln!(
        "admitted {admitted} of {} in {elapsed:.2} s (offered {offered:.0}/s); expected \
         {expected:.0}, ratio {ratio:.3}",
        admitted + refused
    );
    assert!(
        (0.9..=1.1).contains(&ratio),
        "admitted {admitted}, expected {expected:.0} ± 10%"
    );
    // Every refusal is counted, and health checks are never limited.
    let text = metrics(&url).await;
    assert_eq!(
        series(&text, "plugctl_rate_limited_total{limit=\"global\"}"),
        refused,
        "{text}"
    );
    for path in ["/healthz", "/readyz", "/.well-known/ai-plugin.json"] {
        let status = client()
            .get(format!("{url}{path}"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200, "{path}");
    }
}

/// Status and `Retry-After` of one chat turn, and how long it took.
async fn turn(url: &str) -> (u16, Option<String>, Duration) {
    let started = Instant::now();
    let response = post_chat(url, None).await;
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (response.status().as_u16(), retry, started.elapsed())
}

async fn circuit(url: &str) -> String {
    let ready = get_json(&format!("{url}/readyz"), None).await;
    assert_eq!(ready["status"], "ready", "{ready}");
    ready["circuits"]["openai"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_breaker_opens_fails_fast_probes_and_closes() {
    let upstream = FaultyUpstream::start().await;
    let sb = Sandbox::new();
    sb.write(
        "plugctl.yaml",
        format!(
            "serve:\n  backend: openai\n  store: memory\n  openai:\n    url: {}\n    timeout: 500ms\n  \
             breaker:\n    window: 30s\n    error_rate_percent: 50\n    min_calls: 4\n    \
             cool_down: 1s\n    probes: 2\n",
            upstream.url()
        ),
    );
    let server = ServeChild::start_env(&sb, &[], &[("PLUGCTL_LOG", "plugctl=info")]);
    let url = server.url.clone();
    let cool_down = Duration::from_millis(1100);

    // Healthy: closed.
    for _ in 0..4 {
        assert_eq!(turn(&url).await.0, 200);
    }
    assert_eq!(circuit(&url).await, "closed");

    // Errors: 502 while closed. 4 successes and 5 failures is 5 of 9 (above 50%): the fifth
    // failure opens the circuit, and the next call is refused at once.
    upstream.set(Fault::Status(500));
    for i in 0..5 {
        // One of them streamed: a stream that cannot start counts the same.
        let status = if i == 2 {
            let response = client()
                .post(format!("{url}/v1/chat"))
                .json(&json!({"message": "hi", "stream": true}))
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        } else {
            turn(&url).await.0
        };
        assert_eq!(status, 502, "failure {i}");
        let expected = if i < 4 { "closed" } else { "open" };
        assert_eq!(circuit(&url).await, expected, "after failure {i}");
    }
    // While open, a call would stall for the whole 500 ms timeout: the answers come at once,
    // and the upstream sees nothing.
    upstream.set(Fault::Stall(Duration::from_secs(2)));
    let hits = upstream.hits();
    for _ in 0..3 {
        let (status, retry, took) = turn(&url).await;
        assert_eq!((status, retry.as_deref()), (503, Some("1")));
        assert!(took < Duration::from_millis(400), "{took:?}");
    }
    assert_eq!(upstream.hits(), hits, "an open circuit called the backend");
    upstream.set(Fault::Status(500));

    // After the cool-down: half-open; a failing probe opens it again.
    tokio::time::sleep(cool_down).await;
    assert_eq!(circuit(&url).await, "half_open");
    assert_eq!(turn(&url).await.0, 502);
    assert_eq!(circuit(&url).await, "open");
    assert_eq!(turn(&url).await.0, 503);
    assert_eq!(upstream.hits(), hits + 1);

    // A reset connection is a failure too.
    upstream.set(Fault::Reset);
    tokio::time::sleep(cool_down).await;
    assert_eq!(turn(&url).await.0, 502);
    assert_eq!(circuit(&url).await, "open");

    // Recovered: two successful probes close it.
    upstream.set(Fault::Healthy);
    tokio::time::sleep(cool_down).await;
    assert_eq!(turn(&url).await.0, 200);
    assert_eq!(circuit(&url).await, "half_open");
    assert_eq!(turn(&url).await.0, 200);
    assert_eq!(circuit(&url).await, "closed");

    // Stalls past the timeout are 504s, and four of them (a fresh window) open it.
    upstream.set(Fault::Stall(Duration::from_secs(2)));
    for i in 0..4 {
        assert_eq!(turn(&url).await.0, 504, "stall {i}");
    }
    assert_eq!(circuit(&url).await, "open");
    assert_eq!(turn(&url).await.0, 503);

    let text = metrics(&url).await;
    let count = |to: &str| {
        series(
            &text,
            &format!("plugctl_circuit_transitions_total{{backend=\"openai\",to=\"{to}\"}}"),
        )
    };
    assert_eq!(
        (count("open"), count("half_open"), count("closed")),
        (4, 3, 1),
        "{text}"
    );
    assert_eq!(
        series(
            &text,
            "plugctl_circuit_state{backend=\"openai\",state=\"open\"}"
        ),
        1
    );
    assert_eq!(
        series(&text, "plugctl_circuit_rejected_total{backend=\"openai\"}"),
        5
    );
    let log = server.stderr();
    for line in [
        "circuit opened: calls to the backend fail fast",
        "circuit half-open",
        "circuit opened again: a probe call failed",
        "circuit closed: the probe calls succeeded",
    ] {
        assert!(log.contains(line), "{line:?} not logged:\n{log}");
    }
}

#[test]
fn bad_resilience_settings_are_usage_errors() {
    let sb = Sandbox::new();
    let (code, _, err) =
        run(sb
            .cmd()
            .timeout(Duration::from_secs(20))
            .args(["serve", "--rate-limit", "fast"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("serve.rate_limit.rps"), "{err}");
    let (code, _, err) = run(sb.cmd().timeout(Duration::from_secs(20)).args([
        "serve",
        "--client-rate-limit",
        "5",
        "--client-key",
        "api_key",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("needs auth"), "{err}");
    sb.write(
        "plugctl.yaml",
        "serve:\n  breaker:\n    error_rate_percent: 150\n",
    );
    let (code, _, err) = run(sb.cmd().timeout(Duration::from_secs(20)).args(["serve"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("serve.breaker.error_rate_percent"), "{err}");
    for (plugins, says) in [
        ("[{name: a}]", "needs a url"),
        (
            "[{name: a, backend: echo}, {name: a, backend: echo}]",
            "share this name",
        ),
        ("[{name: echo, backend: echo}]", "share this name"),
        (
            "[{name: a, backend: echo, route: {path_prefix: /v1/chat}}]",
            "overlaps",
        ),
        (
            "[{name: a, backend: echo, route: {path_prefix: '/v1/{x}'}}]",
            "literal segments",
        ),
        (
            "[{name: a, backend: echo, route: {path_prefix: /v1/a}}, {name: b, backend: echo, route: {path_prefix: /v1/a/b}}]",
            "overlaps",
        ),
        (
            "[{name: a, backend: echo, route: {pattern: '(oops'}}]",
            "route.pattern",
        ),
    ] {
        sb.write("plugctl.yaml", format!("serve:\n  plugins: {plugins}\n"));
        let (code, _, err) = run(sb.cmd().timeout(Duration::from_secs(20)).args(["serve"]));
        assert_eq!(code, 2, "{plugins}: {err}");
        assert!(
            err.contains("serve.plugins") && err.contains(says),
            "{plugins}: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn api_keys_guard_the_api_and_each_key_has_its_own_limit() {
    let sb = Sandbox::new();
    sb.write(
        "plugctl.yaml",
        "serve:\n  store: memory\n  auth:\n    type: api_key\n  rate_limit:\n    per_client: {key: api_key, rps: 1, burst: 2}\n",
    );
    let server = ServeChild::start_env(
        &sb,
        &[],
        // Debug logs show the resolved settings: the keys must not be in them.
        &[
            ("PLUGCTL_SERVE_API_KEYS", "key-alpha, key-beta"),
            ("PLUGCTL_LOG", "plugctl=debug"),
        ],
    );
    let url = server.url.clone();

    let missing = post_chat(&url, None).await;
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.headers()["www-authenticate"],
        "Bearer realm=\"plugctl\""
    );
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    let wrong = post_chat(&url, Some("key-gamma")).await;
    assert_eq!(wrong.status(), 401);
    let challenge = wrong.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let session = client()
        .get(format!("{url}/v1/sessions/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 401);

    // Each key has a burst of 2: alpha's third request is refused, beta is still served.
    for _ in 0..2 {
        assert_eq!(post_chat(&url, Some("key-alpha")).await.status(), 200);
    }
    let refused = post_chat(&url, Some("key-alpha")).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["ratelimit-limit"], "2");
    assert_eq!(post_chat(&url, Some("key-beta")).await.status(), 200);

    // Probes and the manifest need no key; the manifest says how to authenticate.
    assert_eq!(
        get_json(&format!("{url}/healthz"), None).await["status"],
        "ok"
    );
    let manifest = get_json(&format!("{url}/.well-known/ai-plugin.json"), None).await;
    assert_eq!(
        manifest["auth"],
        json!({"type": "service_http", "authorization_type": "bearer"})
    );
    let text = metrics(&url).await;
    assert_eq!(
        series(&text, "plugctl_rate_limited_total{limit=\"client\"}"),
        1
    );
    let log = server.stderr();
    assert!(log.contains("resolved serve settings"), "{log}");
    assert!(!log.contains("key-alpha"), "a key was logged:\n{log}");
}

#[test]
fn api_key_auth_without_keys_is_refused() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb
        .cmd()
        .timeout(Duration::from_secs(20))
        .args(["serve", "--auth", "api_key"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("PLUGCTL_SERVE_API_KEYS"), "{err}");
}

/// One turn with a body of its own on a path; (status, answering plugin, reply).
async fn turn_on(url: &str, path: &str, body: Value) -> (u16, String, Value) {
    turn_as(url, path, None, body).await
}

/// One turn, with an API key when given; (status, answering plugin, reply).
pub(crate) async fn turn_as(
    url: &str,
    path: &str,
    key: Option<&str>,
    body: Value,
) -> (u16, String, Value) {
    let mut request = client().post(format!("{url}{path}")).json(&body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let plugin = response
        .headers()
        .get("x-plugctl-plugin")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, plugin, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn plugins_are_routed_and_a_failing_one_harms_no_other() {
    let weather = FaultyUpstream::start().await;
    let news = FaultyUpstream::start().await;
    let sb = Sandbox::new();
    sb.write(
        "plugctl.yaml",
        format!(
            "serve:\n  store: memory\n  breaker: {{window: 30s, error_rate_percent: 50, min_calls: 2, cool_down: 60s, probes: 1}}\n  \
             plugins:\n    - name: weather\n      url: {}\n      timeout: 2s\n      concurrency: 1\n      \
             route: {{keywords: [weather, forecast]}}\n    - name: news\n      url: {}\n      timeout: 2s\n      \
             route: {{path_prefix: /v1/news, pattern: '(?i)\\bheadlines?\\b'}}\n",
            weather.url(),
            news.url()
        ),
    );
    let server = ServeChild::start(&sb, &[]);
    let url = server.url.clone();

    // Routing: no rule → the server's own backend; keywords; a path; the explicit field.
    let (status, plugin, reply) = turn_on(&url, "/v1/chat", json!({"message": "hello"})).await;
    assert_eq!((status, plugin.as_str()), (200, "echo"));
    assert_eq!(reply["reply"], "echo: hello");
    let (status, plugin, reply) =
        turn_on(&url, "/v1/chat", json!({"message": "Weather in Paris?"})).await;
    assert_eq!((status, plugin.as_str()), (200, "weather"));
    assert_eq!(reply["reply"], "upstream says: Weather in Paris?");
    let (status, plugin, _) = turn_on(&url, "/v1/news", json!({"message": "hi"})).await;
    assert_eq!((status, plugin.as_str()), (200, "news"));
    let (status, plugin, _) = turn_on(&url, "/v1/news/world/today", json!({"message": "hi"})).await;
    assert_eq!((status, plugin.as_str()), (200, "news"));
    let (_, plugin, _) = turn_on(
        &url,
        "/v1/chat",
        json!({"message": "the forecast", "plugin": "news"}),
    )
    .await;
    assert_eq!(plugin, "news");
    let (_, plugin, _) = turn_on(&url, "/v1/chat", json!({"message": "Today's HEADLINES"})).await;
    assert_eq!(plugin, "news");
    let (status, _, problem) =
        turn_on(&url, "/v1/chat", json!({"message": "x", "plugin": "sport"})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!((weather.hits(), news.hits()), (1, 4));

    // news fails: 4 successes then 5 failures (5 of 9, above 50%) open its circuit only.
    news.set(Fault::Status(500));
    for _ in 0..5 {
        assert_eq!(
            turn_on(&url, "/v1/news", json!({"message": "hi"})).await.0,
            502
        );
    }
    assert_eq!(
        turn_on(&url, "/v1/news", json!({"message": "hi"})).await.0,
        503
    );
    let (status, plugin, _) = turn_on(&url, "/v1/chat", json!({"message": "weather?"})).await;
    assert_eq!((status, plugin.as_str()), (200, "weather"));
    assert_eq!(
        turn_on(&url, "/v1/chat", json!({"message": "hi"})).await.0,
        200
    );
    let ready = get_json(&format!("{url}/readyz"), None).await;
    assert_eq!(
        ready["circuits"],
        json!({"echo": "closed", "news": "open", "weather": "closed"}),
        "{ready}"
    );
    let text = metrics(&url).await;
    assert_eq!(
        series(
            &text,
            "plugctl_circuit_state{backend=\"news\",state=\"open\"}"
        ),
        1
    );

    // weather takes one call at a time: a second one while the first stalls is 503 at once,
    // and does not count against its breaker.
    weather.set(Fault::Stall(Duration::from_millis(800)));
    let first = tokio::spawn({
        let url = url.clone();
        async move { turn_on(&url, "/v1/chat", json!({"message": "weather now"})).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let (status, _, problem) = turn_on(&url, "/v1/chat", json!({"message": "weather later"})).await;
    assert_eq!(status, 503, "{problem}");
    assert!(started.elapsed() < Duration::from_millis(400));
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("calls in flight"),
        "{problem}"
    );
    assert_eq!(first.await.unwrap().0, 200);
    assert_eq!(
        turn_on(&url, "/v1/chat", json!({"message": "weather"}))
            .await
            .0,
        200
    );
    let ready = get_json(&format!("{url}/readyz"), None).await;
    assert_eq!(ready["circuits"]["weather"], "closed");
}
