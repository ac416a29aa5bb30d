//! Hot reload of `plugctl serve`, end to end: the real binary with a plugctl.yaml that the test
//! rewrites (and SIGHUP). New limits, API keys and plugins apply to the next requests, while a
//! stream started before the reload runs to its end and sessions carry on; an invalid file is
//! refused with one log line and the running configuration stays.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::{client, get_json};
use crate::serve_resilience::turn_as;
use crate::support::Sandbox;
use crate::support::serve_child::ServeChild;
use crate::support::servers::{Behavior, Server as Upstream};

/// Logs reloads (info) without every request.
const LOG: (&str, &str) = ("PLUGCTL_LOG", "warn,plugctl::cli::serve=info");

/// Replaces the file in one step, as a deploy tool would: the server never reads half of it.
pub(crate) fn replace(path: &Path, contents: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, contents).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn config(rps: u32, burst: u32, key: &str, plugins: &str) -> String {
    format!(
        "serve:\n  store: memory\n  rate_limit:\n    rps: {rps}\n    burst: {burst}\n  auth:\n    type: api_key\n    \
         keys: [{key}]\n  plugins:\n{plugins}"
    )
}

fn slow_plugin(upstream: &Upstream) -> String {
    format!(
        "    - name: slow\n      backend: openai\n      url: {}\n      timeout: 30s\n",
        upstream.url("/v1/chat/completions")
    )
}

async fn ready(url: &str) -> Value {
    get_json(&format!("{url}/readyz"), None).await
}

/// Waits until /readyz reports config version `version` (or a later one).
pub(crate) async fn until_version(url: &str, version: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = ready(url).await;
        if body["config"]["version"].as_u64() >= Some(version) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "no config version {version}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Status and body of a turn with `key`; the body also names the plugin that answered.
async fn chat(url: &str, key: &str, body: Value) -> (u16, Value) {
    let (status, plugin, mut body) = turn_as(url, "/v1/chat", Some(key), body).await;
    if let Some(fields) = body.as_object_mut() {
        fields.insert("answered_by".into(), plugin.into());
    }
    (status, body)
}

/// The store comes from the file (`store: memory`), so that the file can change it.
fn start(sb: &Sandbox, path: &Path) -> ServeChild {
    let path = path.to_str().unwrap();
    ServeChild::start_env(sb, &[], &[("PLUGCTL_CONFIG", path), LOG])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_file_applies_to_new_requests_while_a_stream_finishes() {
    // A stream of 50 tokens 100 ms apart: about 5 s, across the reload.
    let upstream = Upstream::start(Behavior::Sse {
        first: Duration::from_millis(100),
        gap: Duration::from_millis(100),
        tokens: 50,
    });
    let sb = Sandbox::new();
    let path = sb.write(
        "plugctl.yaml",
        config(1000, 1000, "old-key", &slow_plugin(&upstream)),
    );
    let server = start(&sb, &path);
    let url = server.url.clone();
    let first = ready(&url).await;
    assert_eq!(first["config"]["version"], 1, "{first}");
    let first_hash = first["config"]["hash"].as_str().unwrap().to_string();
    assert_eq!(first_hash.len(), 12, "{first}");

    // A session and a stream, both under the first configuration.
    let (status, turn) = chat(&url, "old-key", json!({"message": "before"})).await;
    assert_eq!(status, 200, "{turn}");
    let session = turn["session_id"].as_str().unwrap().to_string();
    let mut stream = client()
        .post(format!("{url}/v1/chat"))
        .bearer_auth("old-key")
        .json(&json!({"message": "long", "plugin": "slow", "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut streamed = String::from_utf8(stream.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    let stream_started = Instant::now();

    // New limits (1/s, burst 2), a new key, one more plugin.
    let plugins = format!(
        "{}    - name: second\n      backend: echo\n      route:\n        keywords: [second]\n",
        slow_plugin(&upstream)
    );
    replace(&path, &config(1, 2, "new-key", &plugins));
    let body = until_version(&url, 2).await;
    assert_ne!(body["config"]["hash"], first_hash.as_str(), "{body}");
    assert!(
        stream_started.elapsed() < Duration::from_secs(4),
        "the reload took too long to test a stream across it"
    );

    // The old key is refused (and counts against the new global limit: 1 of its burst of 2).
    let (status, _) = chat(&url, "old-key", json!({"message": "x"})).await;
    assert_eq!(status, 401);
    // The new key works, the new plugin answers, and the old session carries on.
    let (status, turn) = chat(
        &url,
        "new-key",
        json!({"session_id": session, "message": "second please", "plugin": "second"}),
    )
    .await;
    assert_eq!(status, 200, "{turn}");
    assert_eq!(turn["answered_by"], "second", "{turn}");
    // The new limit: the burst of 2 is spent.
    let (status, refused) = chat(&url, "new-key", json!({"message": "third"})).await;
    assert_eq!(status, 429, "{refused}");

    // The stream started before the reload ends normally, every token delivered.
    while let Some(chunk) = stream.chunk().await.unwrap() {
        streamed.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(streamed.trim_end().ends_with("data: [DONE]"), "{streamed}");
    assert_eq!(streamed.matches("hello").count(), 50, "{streamed}");
    assert!(
        stream_started.elapsed() > Duration::from_secs(4),
        "the stream was not long"
    );
    // The session holds the turns of both configurations (once the limit lets a read through).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let history = get_json(&format!("{url}/v1/sessions/{session}"), Some("new-key")).await;
    let said: Vec<&str> = history["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("{history}"))
        .iter()
        .filter(|m| m["role"] == "user")
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(said, ["before", "second please"], "{history}");

    // An invalid file: refused with one line, version 2 keeps serving.
    replace(&path, "serve:\n  rate_limit:\n    rps: lots\n");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.stderr().contains("refused, still serving version 2") {
        assert!(Instant::now() < deadline, "{}", server.stderr());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let log = server.stderr();
    assert_eq!(log.matches("refused, still serving").count(), 1, "{log}");
    assert!(log.contains("serve.rate_limit.rps"), "{log}");
    assert_eq!(ready(&url).await["config"]["version"], 2);
    let (status, _) = chat(&url, "old-key", json!({"message": "x"})).await;
    assert_eq!(status, 401, "the old configuration came back");
    assert_eq!(log.matches("configuration reloaded").count(), 1, "{log}");
    assert_eq!(server.terminate().0, 0);
}

/// The router leaves out the gates that have nothing to check; a reload that configures them
/// must bring them in, and one that drops them must take them out.
#[tokio::test(flavor = "multi_thread")]
async fn limits_and_authentication_come_and_go_with_reloads() {
    let sb = Sandbox::new();
    let open = "serve:\n  store: memory\n  rate_limit:\n    rps: 0\n";
    let path = sb.write("plugctl.yaml", open);
    let server = start(&sb, &path);
    let url = server.url.clone();
    let anonymous = |n: u32| turn_as(&url, "/v1/chat", None, json!({"message": format!("m{n}")}));
    for n in 0..5 {
        assert_eq!(anonymous(n).await.0, 200, "open: no key needed, no limit");
    }

    replace(&path, &config(1, 2, "the-key", ""));
    until_version(&url, 2).await;
    assert_eq!(anonymous(5).await.0, 401, "authentication came in");
    let (status, _) = chat(&url, "the-key", json!({"message": "keyed"})).await;
    // The refused request took the first of the burst of 2.
    assert_eq!(status, 200);
    let (status, refused) = chat(&url, "the-key", json!({"message": "over"})).await;
    assert_eq!(status, 429, "the limit came in: {refused}");

    replace(&path, open);
    until_version(&url, 3).await;
    for n in 6..11 {
        assert_eq!(anonymous(n).await.0, 200, "both gates went out again");
    }
    assert_eq!(server.terminate().0, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_reloads_and_a_new_store_needs_a_restart() {
    let sb = Sandbox::new();
    let path = sb.write("plugctl.yaml", config(1000, 1000, "key-1", ""));
    let server = start(&sb, &path);
    let url = server.url.clone();
    assert_eq!(ready(&url).await["config"]["version"], 1);

    // The same file again: only SIGHUP reloads it.
    let hup = |server: &ServeChild| {
        let status = Command::new("kill")
            .args(["-HUP", &server.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    hup(&server);
    let body = until_version(&url, 2).await;
    assert_eq!(body["status"], "ready");

    // Another store (and a new key): the key applies, the store waits for a restart.
    let moved = config(1000, 1000, "key-2", "").replace("store: memory", "store: embedded");
    replace(&path, &moved);
    hup(&server);
    until_version(&url, 3).await;
    let (status, _) = chat(&url, "key-2", json!({"message": "hi"})).await;
    assert_eq!(status, 200);
    let (status, _) = chat(&url, "key-1", json!({"message": "hi"})).await;
    assert_eq!(status, 401);
    let log = server.stderr();
    assert!(
        log.contains("takes effect only after a restart") && log.contains("serve.store"),
        "{log}"
    );
    assert_eq!(server.terminate().0, 0);
}
