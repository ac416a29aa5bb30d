//! `plugctl bench` end to end: the real binary against loopback targets with known behaviour
//! (tests/it/support/servers.rs), checking the numbers it reports.
//!
//! The tests take a shared lock so that only one load test runs at a time: on a small machine
//! two of them would share the CPU and blur each other's timings.

use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

use crate::support::servers::{Behavior, Server};
use crate::support::{Sandbox, run};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn exclusive() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `plugctl --output json bench ARGS` and returns (exit code, report, stderr).
fn bench(args: &[&str]) -> (i32, Value, String) {
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.cmd();
    cmd.args(["--output", "json", "bench"]).args(args);
    let (code, stdout, stderr) = run(&mut cmd);
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (code, report, stderr)
}

fn f(v: &Value, path: &str) -> f64 {
    v.pointer(path)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{path} missing in {v:#}"))
}

fn u(v: &Value, path: &str) -> u64 {
    v.pointer(path)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{path} missing in {v:#}"))
}

fn no_errors(r: &Value) {
    for kind in ["connect", "timeout", "reset", "tls", "other"] {
        assert_eq!(
            u(r, &format!("/errors/{kind}")),
            0,
            "{kind} errors in {r:#}"
        );
    }
}

#[test]
fn counts_every_request_of_a_closed_loop_run() {
    let _lock = exclusive();
    let server = Server::start(Behavior::Plain);
    let (code, r, err) = bench(&[&server.url("/v1/chat"), "-c", "4", "-n", "300"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/schema_version"), 1);
    assert_eq!(u(&r, "/requests"), 300);
    assert_eq!(u(&r, "/status_codes/200"), 300);
    assert_eq!(u(&r, "/latency_ms/count"), 300);
    assert_eq!(server.hits.load(std::sync::atomic::Ordering::Relaxed), 300);
    assert_eq!(f(&r, "/success_rate"), 1.0);
    assert_eq!(u(&r, "/rejected"), 0);
    no_errors(&r);
    assert!(f(&r, "/latency_ms/p50") > 0.0);
    assert!(f(&r, "/latency_ms/p50") <= f(&r, "/latency_ms/p99"));
    assert!(f(&r, "/ttfb_ms/p50") <= f(&r, "/latency_ms/p50"));
    assert!(u(&r, "/bytes_in") > 300 * 70);
    assert!(u(&r, "/bytes_out") > 300 * 30);
    assert!(f(&r, "/rps") > 0.0);
    assert!(r.pointer("/histograms/latency_us").unwrap().is_string());
    assert_eq!(r.pointer("/run/mode").unwrap(), "closed");
}

#[test]
fn a_slow_server_sets_the_pace_of_a_closed_loop() {
    let _lock = exclusive();
    let server = Server::start(Behavior::Slow(std::time::Duration::from_millis(50)));
    let (code, r, err) = bench(&[&server.url("/"), "-c", "5", "-d", "1s"]);
    assert_eq!(code, 0, "{err}");
    // 5 connections × 1 request per 50 ms = 100 req/s.
    let rps = f(&r, "/rps");
    assert!((60.0..=105.0).contains(&rps), "rps {rps}");
    let d = f(&r, "/duration_s");
    assert!((0.95..=1.3).contains(&d), "duration {d}");
    let p50 = f(&r, "/latency_ms/p50");
    assert!((49.0..=60.0).contains(&p50), "p50 {p50}");
}

#[test]
fn errors_fail_the_objectives_that_name_them() {
    let _lock = exclusive();
    let server = Server::start(Behavior::Status(500));
    let (code, r, err) = bench(&[
        &server.url("/"),
        "-c",
        "2",
        "-n",
        "50",
        "--fail-if",
        "error_rate>1%",
        "--fail-if",
        "p99>10s",
        "--fail-if",
        "rps<1",
    ]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(u(&r, "/status_codes/500"), 50);
    assert_eq!(f(&r, "/error_rate"), 1.0);
    assert_eq!(f(&r, "/success_rate"), 0.0);
    assert!(err.contains("check failed: error_rate>1%"), "{err}");
    assert!(!err.contains("p99>10s"), "{err}");
    assert!(!err.contains("rps<1"), "{err}");
}

#[test]
fn rejections_are_counted_apart_from_errors() {
    let _lock = exclusive();
    let server = Server::start(Behavior::RateLimited);
    let (code, r, err) = bench(&[&server.url("/"), "-c", "1", "-n", "40"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/rejected"), 20);
    assert_eq!(u(&r, "/status_codes/429"), 20);
    assert_eq!(u(&r, "/retry_after/1"), 20);
    assert_eq!(f(&r, "/error_rate"), 0.0);
    assert_eq!(f(&r, "/success_rate"), 0.5);
}

#[test]
fn servers_that_close_connections_cause_no_errors() {
    let _lock = exclusive();
    let server = Server::start(Behavior::Closing);
    let (code, r, err) = bench(&[&server.url("/"), "-c", "4", "-n", "200"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/requests"), 200);
    assert_eq!(u(&r, "/status_codes/200"), 200);
    no_errors(&r);
    // And the same with --no-keepalive against a keep-alive server.
    let server = Server::start(Behavior::Plain);
    let (code, r, err) = bench(&[&server.url("/"), "-c", "2", "-n", "100", "--no-keepalive"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/status_codes/200"), 100);
    no_errors(&r);
}

#[test]
fn transport_failures_are_bucketed() {
    let _lock = exclusive();
    // A port nobody listens on: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let (code, r, err) = bench(&[&url, "-c", "2", "-n", "20"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/errors/connect"), 20);
    assert_eq!(f(&r, "/error_rate"), 1.0);
    assert_eq!(u(&r, "/latency_ms/count"), 0);
    // No answer, no latency: an objective on it fails rather than pass on a zero.
    let (code, _, err) = bench(&[&url, "-c", "2", "-n", "5", "--fail-if", "p99>1s"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("p99 was not measured"), "{err}");
    let sandbox = Sandbox::new();
    let (_, table, _) = run(sandbox.cmd().args(["bench", &url, "-c", "1", "-n", "2"]));
    let latency = table.lines().find(|l| l.contains("latency")).unwrap();
    assert!(
        !latency.contains("0.000") && latency.contains(" - "),
        "{table}"
    );

    let server = Server::start(Behavior::Slow(std::time::Duration::from_millis(400)));
    let (code, r, err) = bench(&[&server.url("/"), "-c", "2", "-n", "4", "--timeout", "100ms"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/errors/timeout"), 4);
}

#[test]
fn sse_streams_report_time_to_first_token_and_token_pace() {
    let _lock = exclusive();
    let server = Server::start(Behavior::Sse {
        first: std::time::Duration::from_millis(40),
        gap: std::time::Duration::from_millis(10),
        tokens: 10,
    });
    let (code, r, err) = bench(&[
        &server.url("/v1/chat/completions"),
        "--sse",
        "-c",
        "2",
        "-n",
        "10",
        "--json",
        r#"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r.pointer("/run/method").unwrap(), "POST");
    assert_eq!(u(&r, "/sse/streams"), 10);
    assert_eq!(u(&r, "/sse/output_tokens"), 100);
    let ttft = f(&r, "/sse/ttft_ms/p50");
    assert!((39.0..=55.0).contains(&ttft), "ttft {ttft}");
    let itl = f(&r, "/sse/itl_ms/p50");
    assert!((9.5..=14.0).contains(&itl), "itl {itl}");
    let tpot = f(&r, "/sse/tpot_ms/p50");
    assert!((9.5..=14.0).contains(&tpot), "tpot {tpot}");
    // The whole stream: 40 ms + 9 gaps of 10 ms.
    let p50 = f(&r, "/latency_ms/p50");
    assert!((129.0..=150.0).contains(&p50), "latency {p50}");
    assert!(f(&r, "/sse/output_tokens_per_s") > 0.0);
}

#[test]
fn an_open_loop_keeps_its_rate() {
    let _lock = exclusive();
    let server = Server::start(Behavior::Plain);
    let (code, r, err) = bench(&[&server.url("/"), "--rate", "200", "-d", "2s", "-c", "4"]);
    assert_eq!(code, 0, "{err}");
    let n = u(&r, "/requests");
    assert!((390..=401).contains(&n), "requests {n}");
    let rps = f(&r, "/rps");
    assert!((190.0..=210.0).contains(&rps), "rps {rps}");
    assert_eq!(u(&r, "/schedule/missed_sends"), 0);
    assert_eq!(r.pointer("/run/mode").unwrap(), "open");

    // Poisson arrivals and a warm-up: the warm-up's requests are not counted.
    let (code, r, err) = bench(&[
        &server.url("/"),
        "--rate",
        "300",
        "--arrival",
        "poisson",
        "--warmup",
        "500ms",
        "-d",
        "1s",
    ]);
    assert_eq!(code, 0, "{err}");
    let n = u(&r, "/requests");
    assert!((220..=380).contains(&n), "requests {n}");
}

/// Accuracy against known truth, with generous bounds (the precise figures come from the
/// `accuracy_figures` run in scripts/bench/accuracy.sh): 2% of requests delayed 20 ms means
/// p99 = 20 ms; a 300 ms freeze once a second at 200 req/s means p90 ≈ 200 ms and p99 ≈ 290 ms,
/// whatever the number of connections, because a request waiting for a free connection is late.
#[test]
fn latency_is_measured_from_the_intended_send_time() {
    let _lock = exclusive();
    let server = Server::start(Behavior::TwoPercentDelayed);
    let (code, r, err) = bench(&[&server.url("/"), "--rate", "200", "-d", "3s", "-c", "10"]);
    assert_eq!(code, 0, "{err}");
    let p50 = f(&r, "/latency_ms/p50");
    let p99 = f(&r, "/latency_ms/p99");
    assert!(p50 < 2.0, "p50 {p50}");
    assert!((19.0..=23.0).contains(&p99), "p99 {p99}");

    let server = Server::start(Behavior::Freeze);
    let (code, r, err) = bench(&[&server.url("/"), "--rate", "200", "-d", "3s", "-c", "1"]);
    assert_eq!(code, 0, "{err}");
    let p90 = f(&r, "/latency_ms/p90");
    let p99 = f(&r, "/latency_ms/p99");
    assert!((150.0..=250.0).contains(&p90), "p90 {p90} in {r:#}");
    assert!((250.0..=320.0).contains(&p99), "p99 {p99}");
    assert!(u(&r, "/schedule/late_sends") > 100);
}

#[test]
fn merge_adds_histograms_exactly() {
    let _lock = exclusive();
    let fast = Server::start(Behavior::Plain);
    let slow = Server::start(Behavior::Slow(std::time::Duration::from_millis(30)));
    let sandbox = Sandbox::new();
    for (name, url, n) in [
        ("a.json", fast.url("/"), "90"),
        ("b.json", slow.url("/"), "10"),
    ] {
        let mut cmd = sandbox.cmd();
        cmd.args(["--output", "json", "bench", &url, "-c", "1", "-n", n]);
        let (code, stdout, err) = run(&mut cmd);
        assert_eq!(code, 0, "{err}");
        sandbox.write(name, stdout);
    }
    let mut cmd = sandbox.cmd();
    cmd.args(["--output", "json", "bench", "merge", "a.json", "b.json"]);
    let (code, stdout, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(u(&r, "/requests"), 100);
    assert_eq!(u(&r, "/run/sources"), 2);
    // The slow 10% sit above p90: p95 is a slow request, p50 a fast one.
    assert!(f(&r, "/latency_ms/p50") < 5.0);
    assert!(f(&r, "/latency_ms/p95") >= 29.0);

    let mut cmd = sandbox.cmd();
    cmd.args([
        "bench",
        "merge",
        "a.json",
        "b.json",
        "--fail-if",
        "p95>20ms",
    ]);
    let (code, stdout, err) = run(&mut cmd);
    assert_eq!(code, 3, "{err}");
    assert!(stdout.contains("latency histogram"), "{stdout}");

    let mut cmd = sandbox.cmd();
    sandbox.write("bad.json", "{}");
    cmd.args(["bench", "merge", "a.json", "bad.json"]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("bad.json"), "{err}");
}

#[test]
fn human_output_has_tables_and_a_histogram() {
    let _lock = exclusive();
    let server = Server::start(Behavior::Plain);
    let sandbox = Sandbox::new();
    let lines = sandbox.write("chats.jsonl", "{\"q\":1}\n{\"q\":2}\n");
    let mut cmd = sandbox.cmd();
    cmd.args(["bench", &server.url("/"), "-c", "2", "-n", "20"])
        .arg("--body-lines")
        .arg(&lines);
    let (code, stdout, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    for needle in [
        "requests",
        "req/s",
        "p99.9",
        "latency",
        "status codes: 200: 20",
        "latency histogram",
    ] {
        assert!(stdout.contains(needle), "{needle} missing in\n{stdout}");
    }
    assert!(err.contains("benchmarking"), "{err}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let _lock = exclusive();
    for args in [
        vec!["not a url"],
        vec!["ftp://127.0.0.1:9/"],
        vec!["http://127.0.0.1:9/", "--fail-if", "p99 is bad"],
        vec!["http://127.0.0.1:9/", "-H", "no colon"],
        vec!["http://127.0.0.1:9/", "--json", "{oops"],
        vec!["http://127.0.0.1:9/", "-c", "0"],
        vec!["http://127.0.0.1:9/", "-d", "soon"],
    ] {
        let (code, _, err) = bench(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
    }
}

/// The precise accuracy figures for docs/benchmarks (not a timed test; run by
/// scripts/bench/accuracy.sh): 10 s at 200 req/s against each known distribution.
#[test]
#[ignore = "takes 40 s; run by scripts/bench/accuracy.sh"]
fn accuracy_figures() {
    let _lock = exclusive();
    let secs = std::env::var("ACCURACY_SECONDS").unwrap_or_else(|_| "10".into());
    let duration = format!("{secs}s");
    println!("\n| target | -c | p50 ms | p90 ms | p99 ms | truth | late sends |");
    println!("| --- | ---: | ---: | ---: | ---: | --- | ---: |");
    for (name, behavior, truth, conns) in [
        (
            "2% delayed 20 ms",
            Behavior::TwoPercentDelayed,
            "p99 = 20 ms",
            "50",
        ),
        (
            "2% delayed 20 ms",
            Behavior::TwoPercentDelayed,
            "p99 = 20 ms",
            "1",
        ),
        (
            "freeze 300 ms/s",
            Behavior::Freeze,
            "p90 ≈ 200 ms, p99 ≈ 290 ms",
            "50",
        ),
        (
            "freeze 300 ms/s",
            Behavior::Freeze,
            "p90 ≈ 200 ms, p99 ≈ 290 ms",
            "1",
        ),
    ] {
        let server = Server::start(behavior);
        let (code, r, err) = bench(&[
            &server.url("/"),
            "--rate",
            "200",
            "-d",
            &duration,
            "-c",
            conns,
        ]);
        assert_eq!(code, 0, "{err}");
        println!(
            "| {name} | {conns} | {:.3} | {:.3} | {:.3} | {truth} | {} |",
            f(&r, "/latency_ms/p50"),
            f(&r, "/latency_ms/p90"),
            f(&r, "/latency_ms/p99"),
            u(&r, "/schedule/late_sends"),
        );
    }
}

#[test]
fn tls_targets_need_a_trusted_certificate_or_insecure() {
    let _lock = exclusive();
    let server = Server::start_tls(Behavior::Plain);
    let url = format!("https://localhost:{}/v1/chat", server.addr.port());
    let (code, r, err) = bench(&[&url, "-c", "2", "-n", "50", "--insecure"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/status_codes/200"), 50);
    no_errors(&r);
    // The self-signed certificate is refused without --insecure.
    let (code, r, err) = bench(&[&url, "-c", "2", "-n", "10"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/errors/tls"), 10);
}

#[test]
fn http2_with_prior_knowledge_and_over_tls() {
    let _lock = exclusive();
    let server = Server::start_h2(false);
    let (code, r, err) = bench(&[&server.url("/v1/chat"), "--http2", "-c", "3", "-n", "60"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/status_codes/200"), 60);
    no_errors(&r);
    assert_eq!(server.hits.load(std::sync::atomic::Ordering::Relaxed), 60);

    let server = Server::start_h2(true);
    let url = format!("https://localhost:{}/v1/chat", server.addr.port());
    let (code, r, err) = bench(&[&url, "--http2", "-k", "-c", "2", "-n", "40", "--json", "{}"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(u(&r, "/status_codes/200"), 40);
    no_errors(&r);
}

#[test]
fn defaults_come_from_flags_then_environment_then_plugctl_yaml() {
    let _lock = exclusive();
    let server = Server::start(Behavior::Plain);
    let sandbox = Sandbox::new();
    sandbox.write(
        "plugctl.yaml",
        "bench:\n  connections: 3\n  duration: 300ms\n  headers: ['X-Plugin: dev']\n",
    );
    let run_with = |extra: &[&str], env: Option<(&str, &str)>| {
        let mut cmd = sandbox.cmd();
        cmd.args(["--output", "json", "bench", &server.url("/")])
            .args(extra);
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let (code, stdout, err) = run(&mut cmd);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Value>(&stdout).unwrap()
    };
    let r = run_with(&[], None);
    assert_eq!(u(&r, "/run/connections"), 3);
    assert!(f(&r, "/duration_s") <= 0.35);
    let r = run_with(&[], Some(("PLUGCTL_BENCH_CONNECTIONS", "4")));
    assert_eq!(u(&r, "/run/connections"), 4);
    let r = run_with(&["-c", "2"], Some(("PLUGCTL_BENCH_CONNECTIONS", "4")));
    assert_eq!(u(&r, "/run/connections"), 2);
    // -n alone is not cut short by the file's duration.
    let r = run_with(&["-n", "5"], None);
    assert_eq!(u(&r, "/requests"), 5);

    sandbox.write("plugctl.yaml", "bench:\n  duration: soon\n");
    let mut cmd = sandbox.cmd();
    cmd.args(["bench", &server.url("/")]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bench.duration"), "{err}");
}
