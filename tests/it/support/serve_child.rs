//! A `plugctl serve` child on 127.0.0.1:0, the one harness of the end-to-end server tests: its
//! address is read from its JSON report on stdout (`--output json`), which it prints whatever
//! the log format, and everything it writes on stderr is kept for the test to read.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Sandbox;

/// A running server; killed if the test ends without stopping it.
pub struct ServeChild {
    pub child: Child,
    pub url: String,
    stderr: Arc<Mutex<String>>,
}

impl ServeChild {
    /// Starts `plugctl --output json serve --bind 127.0.0.1:0 ARGS...` (the embedded store in
    /// the sandbox's data directory unless ARGS pick another).
    pub fn start(sb: &Sandbox, args: &[&str]) -> Self {
        Self::start_env(sb, args, &[])
    }

    /// The same, with these environment variables.
    pub fn start_env(sb: &Sandbox, args: &[&str], envs: &[(&str, &str)]) -> Self {
        let mut child = sb
            .command()
            .envs(envs.iter().copied())
            .args(["--output", "json", "serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start plugctl serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let mut pipe = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        });
        // The report is one pretty-printed object: read up to its closing brace.
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            let mut text = String::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                text.push_str(&line);
                if line == "}" {
                    let _ = tx.send(text.clone());
                }
            }
        });
        let report = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(report) => report,
            Err(_) => {
                let _ = child.kill();
                panic!("no report on stdout; stderr:\n{}", stderr.lock().unwrap());
            }
        };
        let report: serde_json::Value = serde_json::from_str(&report).expect("JSON report");
        let url = report["url"]
            .as_str()
            .expect("url in the report")
            .to_string();
        let server = Self { child, url, stderr };
        server.wait_for_banner();
        server
    }

    /// The report comes first; the banner (or, with JSON logs, the `listening` line) follows on
    /// stderr. Tests read it, so it is there before `start` returns.
    fn wait_for_banner(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let stderr = self.stderr();
            if stderr.contains("Press Ctrl-C") || stderr.contains("\"listening\"") {
                return;
            }
            assert!(Instant::now() < deadline, "no banner on stderr:\n{stderr}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Everything written on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGTERM, then the exit code and all of stderr (within 20 s).
    pub fn terminate(mut self) -> (i32, String) {
        let id = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &id])
            .status()
            .expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // Let the reader thread take the last lines.
                std::thread::sleep(Duration::from_millis(200));
                return (status.code().unwrap_or(-1), self.stderr());
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the suite runs in CI, where a missing tool is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A prerequisite is missing: fail under CI, otherwise say so loudly and let the test return.
// The skip message is for whoever runs the suite, on the test's stderr.
#[allow(clippy::print_stderr)]
pub fn missing(what: &str, how: &str) {
    assert!(!in_ci(), "{what} is missing under CI=true: {how}");
    eprintln!(
        "\n*** SKIPPED: {what} is missing; {how} ***\n*** (under CI=true this is a failure) ***\n"
    );
}

/// Runs a command to its end and returns (status, stdout, stderr); kills it and panics, with what
/// it wrote, if it runs past `deadline`.
pub fn run_within(
    mut cmd: std::process::Command,
    deadline: Duration,
) -> (std::process::ExitStatus, String, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{cmd:?} ran past {deadline:?}:\n{}\n{}",
                stdout.join().unwrap(),
                stderr.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (status, stdout.join().unwrap(), stderr.join().unwrap())
}
