//! schemathesis against the server's own `/openapi.json`: generated requests, valid and invalid,
//! to every documented operation must get no 5xx, and every answer must match what the document
//! says (status codes, content types, body schemas). schemathesis is pinned in
//! tests/schema/requirements.txt and installed into tests/schema/.venv by tests/run.sh.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::support::Sandbox;
use crate::support::serve_child::{ServeChild, missing, run_within};

/// Test cases per operation and phase; the whole run stays well under a minute.
const MAX_EXAMPLES: &str = "40";
/// The run is killed (and the test fails) past this.
const DEADLINE: Duration = Duration::from_secs(300);

fn schemathesis() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schema/.venv/bin/schemathesis")
}

#[test]
fn schemathesis_finds_no_5xx_and_no_answer_off_the_document() {
    let tool = schemathesis();
    if !tool.exists() {
        missing(
            "schemathesis (tests/schema/.venv)",
            "run tests/run.sh, which installs tests/schema/requirements.txt",
        );
        return;
    }
    let sb = Sandbox::new();
    let server = ServeChild::start(&sb, &["--store", "memory"]);
    let work = sb.path().join("schemathesis");
    std::fs::create_dir_all(&work).unwrap();
    let mut run = Command::new(&tool);
    run.arg("run")
        .arg(format!("{}/openapi.json", server.url))
        .args([
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance,\
             content_type_conformance",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "5",
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--generation-database",
            "none",
            "--no-color",
        ])
        // Everything it writes stays in the sandbox.
        .current_dir(&work)
        .env("HOME", &work)
        .env("NO_COLOR", "1");
    let (status, stdout, stderr) = run_within(run, DEADLINE);
    let report = format!("{stdout}{stderr}");
    let server_log = server.stderr();
    assert!(
        status.success(),
        "schemathesis found problems ({status}):\n{report}\n\nserver stderr:\n{server_log}"
    );
    // It really tested every operation of the document, not an empty selection.
    let number_after = |label: &str| -> usize {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|rest| rest.trim().split('/').next_back())
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {label:?} line in the report:\n{report}"))
    };
    let total = number_after("Selected:");
    assert!(
        total >= 7,
        "only {total} operations in the document:\n{report}"
    );
    assert_eq!(number_after("Tested:"), total, "{report}");
}
