//! Fan-out across plugins, end to end: `all` combines every answer and marks a failing plugin's
//! part (and only it) partial with the reason; `first_success` takes the quickest answer;
//! `priority` falls back in order; no answer at all is a 502.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve_resilience::turn_as;
use crate::support::Sandbox;
use crate::support::faults::{Fault, FaultyUpstream};
use crate::support::serve_child::ServeChild;

async fn ask(url: &str, group: &str, message: &str) -> (u16, String, Value) {
    turn_as(
        url,
        "/v1/chat",
        None,
        json!({"message": message, "plugin": group}),
    )
    .await
}

/// (plugin, status, reason) of every part.
fn parts(reply: &Value) -> Vec<(String, String, String)> {
    reply["parts"]
        .as_array()
        .unwrap_or_else(|| panic!("{reply}"))
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
            (s("plugin"), s("status"), s("reason"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn fan_out_aggregates_and_a_failing_plugin_marks_only_its_part() {
    let (a, b, slow) = (
        FaultyUpstream::start().await,
        FaultyUpstream::start().await,
        FaultyUpstream::start().await,
    );
    slow.set(Fault::Stall(Duration::from_millis(1500)));
    let sb = Sandbox::new();
    let plugin = |name: &str, up: &FaultyUpstream| {
        format!(
            "    - name: {name}\n      url: {}\n      timeout: 5s\n",
            up.url()
        )
    };
    sb.write(
        "plugctl.yaml",
        format!(
            "serve:\n  store: memory\n  plugins:\n{}{}{}  fan_out:\n    \
             - {{name: both, plugins: [a, b]}}\n    \
             - {{name: race, mode: first_success, plugins: [slow, a]}}\n    \
             - {{name: fallback, mode: priority, plugins: [b, a]}}\n",
            plugin("a", &a),
            plugin("b", &b),
            plugin("slow", &slow),
        ),
    );
    let server = ServeChild::start(&sb, &[]);
    let url = server.url.clone();

    // all, both healthy: one combined reply, two ok parts.
    let (status, by, reply) = ask(&url, "both", "hi").await;
    assert_eq!((status, by.as_str()), (200, "both"), "{reply}");
    assert_eq!(
        reply["reply"],
        "[a] upstream says: hi\n\n[b] upstream says: hi"
    );
    assert_eq!(reply["partial"], false);
    assert_eq!(parts(&reply)[1].1, "ok");

    // all, b failing: a's answer, b's part failed with the reason, the whole partial.
    b.set(Fault::Status(500));
    let (status, _, reply) = ask(&url, "both", "again").await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["reply"], "upstream says: again");
    assert_eq!(reply["partial"], true);
    let p = parts(&reply);
    assert_eq!((p[0].0.as_str(), p[0].1.as_str()), ("a", "ok"));
    assert_eq!((p[1].0.as_str(), p[1].1.as_str()), ("b", "failed"));
    assert!(p[1].2.contains("500"), "{reply}");

    // priority: b fails, a answers; the session holds the turns.
    let (status, _, reply) = ask(&url, "fallback", "in order").await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["reply"], "upstream says: in order");
    let p = parts(&reply);
    assert_eq!(
        p.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
        ["failed", "ok"]
    );

    // first_success: a answers long before the stalled plugin, which is cancelled.
    let started = Instant::now();
    let (status, _, reply) = ask(&url, "race", "quick").await;
    assert_eq!(status, 200, "{reply}");
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(reply["reply"], "upstream says: quick");
    let p = parts(&reply);
    assert_eq!((p[0].0.as_str(), p[0].1.as_str()), ("slow", "skipped"));
    assert_eq!(p[1].1, "ok");
    assert_eq!(reply["partial"], false);

    // Nobody answers: 502 naming each reason.
    a.set(Fault::Status(503));
    let (status, _, problem) = ask(&url, "both", "lost").await;
    assert_eq!(status, 502, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("a:") && detail.contains("b:"), "{detail}");
    // A fan-out does not stream.
    let (status, _, _) = turn_as(
        &url,
        "/v1/chat",
        None,
        json!({"message": "s", "plugin": "both", "stream": true}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(server.terminate().0, 0);
}

#[test]
fn a_fan_out_of_an_unknown_plugin_is_a_usage_error() {
    let sb = Sandbox::new();
    sb.write(
        "plugctl.yaml",
        "serve:\n  store: memory\n  plugins:\n    - {name: a, backend: echo}\n  fan_out:\n    \
         - {name: both, plugins: [a, nope]}\n",
    );
    let (code, _, err) = crate::support::run(sb.cmd().timeout(Duration::from_secs(20)).args([
        "serve",
        "--bind",
        "127.0.0.1:0",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("serve.fan_out") && err.contains("\"nope\""),
        "{err}"
    );
}
