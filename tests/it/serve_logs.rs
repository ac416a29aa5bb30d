//! The logs of `plugctl serve --log-format json`: a session full of secrets (cards, e-mails,
//! bearer tokens and a JWT in the Authorization header and in messages, API keys, IP addresses),
//! then every line on stderr must be a JSON object and none may hold any of the secrets.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::Sandbox;
use crate::support::serve_child::ServeChild;

const EMAIL: &str = "ada.lovelace@example.com";
const CARD: &str = "4111 1111 1111 1111";
const CARD_PLAIN: &str = "5555555555554444";
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
                   eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkYSJ9.\
                   c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
const OPENAI_KEY: &str = "sk-proj-Zx81mQ2vLp0aWs7Rt4Yu9Io3Kj6Hg5Fd";
const GITHUB_TOKEN: &str = "ghp_R8x2Lm4Qv7Tn1Wz5Yc9Bd3Fg6Hj0Kp2Ns4Ua";
const AWS_KEY: &str = "AKIAZ7Q4N2R5T8W1X3Y6";
const API_KEY_HEADER: &str = "pk_7f3a9c2e5b8d1f4a6c0e";
const COOKIE: &str = "sid=c0ok1e-v4lue-9f8e7d";
const MESSAGE_IP: &str = "203.0.113.77";
/// The client connects from this loopback address; only its /24 may show.
const CLIENT_IP: &str = "127.0.0.2";

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .local_address(CLIENT_IP.parse::<IpAddr>().ok())
        .user_agent(format!("secret-agent/1.0 ({EMAIL})"))
        .build()
        .unwrap()
}

/// A method no standard names, which is a card number: any token is a valid HTTP method.
fn card_method() -> reqwest::Method {
    reqwest::Method::from_bytes(CARD_PLAIN.as_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn json_logs_of_a_session_full_of_secrets_hold_none_of_them() {
    let sb = Sandbox::new();
    let server = ServeChild::start(&sb, &["--store", "memory", "--log-format", "json"]);
    let url = server.url.clone();
    let http = client();
    let secret_headers = |request: reqwest::RequestBuilder| {
        request
            .header("Authorization", format!("Bearer {JWT}"))
            .header("X-Api-Key", API_KEY_HEADER)
            .header("Cookie", COOKIE)
    };

    // A conversation whose every message is full of secrets.
    let messages = [
        format!("my card is {CARD}, mail me at {EMAIL}"),
        format!("Authorization: Bearer {JWT}"),
        format!("keys: {OPENAI_KEY} {GITHUB_TOKEN} {AWS_KEY}; from {MESSAGE_IP}"),
        format!("{{\"password\": \"hunter2hunter2\", \"card\": \"{CARD_PLAIN}\"}}"),
    ];
    let mut session: Option<String> = None;
    for message in &messages {
        let mut body = json!({"message": message});
        if let Some(id) = &session {
            body["session_id"] = json!(id);
        }
        let answer = secret_headers(http.post(format!("{url}/v1/chat")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let answer: Value = answer.json().await.unwrap();
        session = Some(answer["session_id"].as_str().unwrap().to_string());
    }
    let session = session.unwrap();

    // Client mistakes whose problem details quote what the client sent.
    let mistakes = [
        // serde quotes a string of the wrong type.
        json!({"message": "hi", "stream": EMAIL}),
        json!({"message": "hi", "session_id": CARD_PLAIN}),
        json!({"message": "hi", "user": format!("{EMAIL} {}", "x".repeat(200))}),
    ];
    for body in &mistakes {
        let answer = secret_headers(http.post(format!("{url}/v1/chat")))
            .json(body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_client_error(), "{body}");
    }
    for path in [
        format!("/v1/sessions/{EMAIL}"),
        format!("/v1/sessions/{session}"),
        format!("/users/{EMAIL}?token={OPENAI_KEY}"),
    ] {
        let answer = secret_headers(http.get(format!("{url}{path}")))
            .send()
            .await
            .unwrap();
        assert!(answer.status().as_u16() < 500, "{path}");
    }
    // Words of the client's own choosing: an extension method and a credential header's name.
    let answer = secret_headers(http.request(card_method(), format!("{url}/v1/chat")))
        .header(format!("x-token-{CARD_PLAIN}"), "v")
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_client_error());
    let (code, stderr) = server.terminate();
    assert_eq!(code, 0, "{stderr}");

    let lines: Vec<Value> = stderr
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| {
                panic!("not a JSON line ({e}): {line}\n\nall of stderr:\n{stderr}")
            })
        })
        .collect();
    let secrets = [
        EMAIL,
        "ada.lovelace",
        CARD,
        CARD_PLAIN,
        JWT,
        OPENAI_KEY,
        GITHUB_TOKEN,
        AWS_KEY,
        API_KEY_HEADER,
        COOKIE,
        "hunter2",
        MESSAGE_IP,
        CLIENT_IP,
    ];
    for secret in secrets {
        assert!(
            !stderr.contains(secret),
            "{secret:?} is in the logs:\n{stderr}"
        );
    }

    let requests: Vec<&Value> = lines.iter().filter(|l| l["message"] == "request").collect();
    let sent = messages.len() + mistakes.len() + 3 + 1;
    assert_eq!(requests.len(), sent, "one line per request:\n{stderr}");
    for line in &requests {
        assert!(line["timestamp"].is_string(), "{line}");
        assert_eq!(line["level"], "INFO", "{line}");
        assert!(line["method"].is_string(), "{line}");
        assert!(line["route"].is_string(), "{line}");
        assert!(line["status"].is_u64(), "{line}");
        assert!(line["latency_ms"].is_f64(), "{line}");
        assert_eq!(line["client_ip"], "127.0.0.0", "{line}");
        let auth = line["auth"].as_str().unwrap_or_default();
        for masked in [
            "authorization (Bearer ********)",
            "x-api-key (********)",
            "cookie (********)",
        ] {
            assert!(auth.contains(masked), "{line}");
        }
        assert!(
            line["user_agent"]
                .as_str()
                .unwrap()
                .starts_with("secret-agent/1.0 ("),
            "{line}"
        );
    }
    // The turns carry their session; the matched route stands for the raw path.
    let turns: Vec<_> = requests
        .iter()
        .filter(|l| l["route"] == "/v1/chat" && l["status"] == 200)
        .collect();
    assert_eq!(turns.len(), messages.len());
    assert!(turns.iter().all(|l| l["session_id"] == session.as_str()));
    assert!(requests.iter().any(|l| l["route"] == "/v1/sessions/{id}"
        && l["status"] == 200
        && l["session_id"] == session.as_str()));
    assert!(
        requests
            .iter()
            .any(|l| l["route"] == "unmatched" && l["status"] == 404)
    );
    // A problem's detail is logged, with what it quotes redacted.
    let quoted = requests
        .iter()
        .find(|l| l["status"] == 422 && l["error"].as_str().is_some_and(|e| e.contains("boolean")))
        .unwrap_or_else(|| panic!("no 422 line quoting the stream value:\n{stderr}"));
    assert!(
        quoted["error"]
            .as_str()
            .unwrap()
            .contains("[REDACTED:EMAIL]"),
        "the e-mail is replaced: {quoted}"
    );
    assert!(
        lines.iter().any(|l| l["message"] == "listening"),
        "the start is a JSON line too:\n{stderr}"
    );
}

/// The text lines: every value a client chose is redacted where it stands, the rest is kept.
#[tokio::test(flavor = "multi_thread")]
async fn text_logs_redact_what_the_client_chose() {
    let sb = Sandbox::new();
    let server = ServeChild::start(&sb, &["--store", "memory"]);
    let url = server.url.clone();
    let http = client();
    let turn: Value = http
        .post(format!("{url}/v1/chat"))
        .header("Authorization", format!("Bearer {JWT}"))
        .json(&json!({"message": format!("card {CARD}, key {OPENAI_KEY}")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = turn["session_id"].as_str().unwrap().to_string();
    let client_words = [
        http.get(format!("{url}/v1/sessions/{EMAIL}")),
        http.get(format!("{url}/v1/sessions/{session}")),
        http.request(card_method(), format!("{url}/v1/chat")),
        http.get(format!("{url}/healthz"))
            .header(format!("x-token-{CARD_PLAIN}"), "v"),
        http.post(format!("{url}/v1/chat"))
            .json(&json!({"message": "hi", "stream": EMAIL})),
    ];
    for request in client_words {
        let answer = request.send().await.unwrap();
        assert!(answer.status().as_u16() < 500);
    }
    let (code, stderr) = server.terminate();
    assert_eq!(code, 0, "{stderr}");
    for secret in [EMAIL, CARD, CARD_PLAIN, JWT, OPENAI_KEY, CLIENT_IP] {
        assert!(
            !stderr.contains(secret),
            "{secret:?} is in the logs:\n{stderr}"
        );
    }
    let requests: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(" INFO request "))
        .collect();
    assert_eq!(requests.len(), 6, "one line per request:\n{stderr}");
    let has = |needle: &str| requests.iter().any(|l| l.contains(needle));
    for expected in [
        "user_agent=\"secret-agent/1.0 ([REDACTED:EMAIL])\"",
        "auth=\"authorization (Bearer ********)\"",
        "auth=\"x-token-[REDACTED:CARD] (********)\"",
        "method=[REDACTED:CARD] route=/v1/chat status=405",
        "route=/v1/sessions/{id} status=404",
        "session_id=\"[REDACTED:EMAIL]\"",
        "route=/v1/sessions/{id} status=200 ",
        &format!("session_id=\"{session}\""),
        "client_ip=\"127.0.0.0\"",
    ] {
        assert!(
            has(expected),
            "no request line with {expected:?}:\n{stderr}"
        );
    }
}

#[test]
fn an_unknown_log_format_is_a_usage_error() {
    let sb = Sandbox::new();
    let (code, _, stderr) = crate::support::run(
        sb.cmd()
            .args(["serve", "--bind", "127.0.0.1:0", "--store", "memory"])
            .args(["--log-format", "xml"]),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("serve.log_format"), "{stderr}");
    assert!(stderr.contains("use text or json"), "{stderr}");
}

#[test]
fn the_log_format_comes_from_plugctl_yaml_too() {
    let sb = Sandbox::new();
    sb.write("plugctl.yaml", "serve:\n  log_format: yaml\n");
    let (code, _, stderr) =
        crate::support::run(
            sb.cmd()
                .args(["serve", "--bind", "127.0.0.1:0", "--store", "memory"]),
        );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("serve.log_format"), "{stderr}");
}

/// Request lines are written in batches, yet one shows up promptly while the server runs, and at
/// shutdown every line waiting is written before the server says it stopped.
#[tokio::test(flavor = "multi_thread")]
async fn request_lines_show_while_the_server_runs_and_before_it_stops() {
    let sb = Sandbox::new();
    let server = ServeChild::start(&sb, &["--store", "memory"]);
    let url = server.url.clone();
    let http = client();
    let request_lines = |stderr: &str| stderr.matches(" INFO request ").count();
    let answer = http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let sent = std::time::Instant::now();
    while request_lines(&server.stderr()) == 0 {
        assert!(
            sent.elapsed() < Duration::from_secs(2),
            "no request line within 2 s:\n{}",
            server.stderr()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A burst, then the end: no line may be lost or come after the last word.
    for _ in 0..200 {
        let answer = http.get(format!("{url}/healthz")).send().await.unwrap();
        assert_eq!(answer.status(), 200);
    }
    let (code, stderr) = server.terminate();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(request_lines(&stderr), 201, "{stderr}");
    let last_request = stderr.rfind(" INFO request ").unwrap();
    let stopped = stderr.find("stopped: every request finished").unwrap();
    assert!(last_request < stopped, "{stderr}");
}
