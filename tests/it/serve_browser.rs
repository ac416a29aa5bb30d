//! Swagger UI in a real browser: headless Debian Chromium, driven by playwright-core
//! (tests/browser/swagger-ui.js), opens `/api/docs` of a running `plugctl serve`, sees the
//! operations, and runs "Try it out" -> "Execute" on POST /v1/chat.
//!
//! tests/run.sh installs chromium and the node packages (tests/browser/node_modules).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::support::Sandbox;
use crate::support::serve_child::{ServeChild, missing, run_within};

const CHROMIUM: &str = "/usr/bin/chromium";
const DEADLINE: Duration = Duration::from_secs(120);

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// What is missing to run the browser, if anything.
fn prerequisites() -> Option<&'static str> {
    if !Path::new(CHROMIUM).exists() {
        return Some("chromium (/usr/bin/chromium)");
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("node");
    }
    if !browser_dir()
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        return Some("playwright-core (tests/browser/node_modules)");
    }
    None
}

#[test]
fn swagger_ui_renders_and_try_it_out_gets_a_reply() {
    if let Some(what) = prerequisites() {
        missing(what, "run tests/run.sh, which installs it");
        return;
    }
    let sb = Sandbox::new();
    let server = ServeChild::start(&sb, &["--store", "memory"]);
    let mut node = Command::new("node");
    node.arg(browser_dir().join("swagger-ui.js"))
        .arg(&server.url)
        .current_dir(sb.path())
        // The browser profile and anything else temporary stay in the sandbox.
        .env("TMPDIR", sb.path())
        .env("HOME", sb.path())
        .env("CHROMIUM", CHROMIUM);
    let (status, stdout, stderr) = run_within(node, DEADLINE);
    assert!(
        status.success(),
        "the browser run failed ({status}):\n{stderr}\n{stdout}\n\nserver stderr:\n{}",
        server.stderr()
    );
    let run: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("the driver's output is not JSON ({e}): {stdout}"));

    let operations: Vec<&str> = run["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for expected in [
        "POST /v1/chat",
        "GET /v1/sessions/{id}",
        "DELETE /v1/sessions/{id}",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /.well-known/ai-plugin.json",
    ] {
        assert!(
            operations.contains(&expected),
            "{expected} not rendered: {operations:?}"
        );
    }
    assert!(
        run["title"]
            .as_str()
            .unwrap()
            .contains("plugctl dev plugin server"),
        "{run}"
    );
    assert_eq!(run["status"], "200", "{run}");
    let response = &run["response"];
    assert!(
        response["reply"].as_str().is_some_and(|r| !r.is_empty()),
        "{run}"
    );
    assert!(response["session_id"].is_string(), "{run}");
    // The example body the page sent is the documented one.
    let sent: Value = serde_json::from_str(run["request_body"].as_str().unwrap()).unwrap();
    assert_eq!(sent["message"], "Hello!", "{run}");

    // The server's text log has the browser's turn.
    let (code, log) = server.terminate();
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("method=POST route=/v1/chat status=200"),
        "{log}"
    );
}
