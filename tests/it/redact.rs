//! `plugctl redact` end to end: the shipped binary on real-looking logs and transcripts,
//! lossless pass-through, inputs larger than the read buffer, atomic `--in-place` (also when
//! killed mid-write), `--check` and its exit code, rules files and the hash operator.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use plugctl::redact::{Redactor, stream};

use crate::support::{self, Sandbox};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(support::data(&format!("redact/{name}"))).unwrap()
}

#[test]
fn log_to_stdout_with_summary_on_stderr() {
    let sb = Sandbox::new();
    let log = sb.write("app.log", data("app.log"));
    let (code, out, err) = support::run(sb.cmd().arg("redact").arg(&log));
    assert_eq!(code, 0, "{err}");
    let expected = "\
2026-03-01T10:30:45.123Z INFO  req=7f3a9c user=[REDACTED:EMAIL] ip=203.0.113.0 ua=\"Mozilla/5.0 Chrome/36.0.854.0\" path=/checkout
2026-03-01T10:30:45.456Z DEBUG Authorization: Bearer [REDACTED:AUTHORIZATION]
2026-03-01T10:30:46.001Z INFO  order=4111111111111112 card=[REDACTED:CARD] amount=42.00 version 5.2.106.23
2026-03-01T10:30:46.002Z WARN  retrying with key [REDACTED:OPENAI_KEY] (attempt 2)
2026-03-01T10:30:47.000Z INFO  user 张伟 卡号[REDACTED:CARD] 电话[REDACTED:PHONE] 完成
2026-03-01T10:30:48.000Z INFO  done\r\n";
    assert_eq!(out, expected);
    for rule in [
        "authorization",
        "card",
        "email",
        "ipv4",
        "openai_key",
        "phone",
        "total",
    ] {
        assert!(err.contains(rule), "{rule} missing from summary:\n{err}");
    }
}

#[test]
fn bytes_outside_findings_pass_through() {
    let sb = Sandbox::new();
    let mut input = b"\x00\xff\xfe\tbin\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'z', 3 * stream::BLOCK)); // one very long line
    input.extend_from_slice(b" jane@example.com\r\n\xc3\x28 end");
    let path = sb.write("raw.bin", &input);
    let out = sb.cmd().args(["redact", "-q"]).arg(&path).output().unwrap();
    assert!(out.status.success());
    let mut expected = input.clone();
    let at = expected.len() - b"jane@example.com\r\n\xc3\x28 end".len();
    expected.splice(at..at + 16, b"[REDACTED:EMAIL]".iter().copied());
    assert_eq!(out.stdout, expected);
    assert!(out.stderr.is_empty());
}

#[test]
fn input_larger_than_the_read_buffer_matches_the_whole_slice_result() {
    let sb = Sandbox::new();
    // Findings at every offset modulo a prime, so many straddle read boundaries.
    let line =
        "user jane@example.com card 4111 1111 1111 1111 ip 10.1.2.3 key AKIAIOSFODNN7EXAMPLE ok\n";
    let mut input = String::new();
    let mut i = 0;
    while input.len() < 3 * stream::BLOCK + stream::OVERLAP {
        input.push_str(&"x".repeat(i % 97));
        input.push_str(line);
        i += 1;
    }
    let path = sb.write("big.log", &input);
    let out = sb.cmd().args(["redact", "-q"]).arg(&path).output().unwrap();
    assert!(out.status.success());
    let whole = Redactor::with_defaults()
        .redact(input.as_bytes())
        .into_owned();
    assert_eq!(out.stdout.len(), whole.len());
    assert!(
        out.stdout == whole,
        "streamed output differs from the whole-slice result"
    );
    assert_eq!(
        String::from_utf8(whole)
            .unwrap()
            .matches("[REDACTED:EMAIL]")
            .count(),
        i
    );
}

#[test]
fn jsonl_transcript_stays_valid_json_with_the_same_shape() {
    let sb = Sandbox::new();
    let path = sb.write("t.jsonl", data("transcript.jsonl"));
    let (code, out, err) = support::run(sb.cmd().args(["redact", "-q"]).arg(&path));
    assert_eq!(code, 0, "{err}");
    let input = String::from_utf8(data("transcript.jsonl")).unwrap();
    for (before, after) in input.lines().zip(out.lines()) {
        let b: serde_json::Value = serde_json::from_str(before).unwrap();
        let a: serde_json::Value = serde_json::from_str(after).unwrap();
        let keys =
            |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&b), keys(&a));
    }
    assert!(
        out.contains(r#""content":"My card is [REDACTED:CARD] and my email is [REDACTED:EMAIL]""#)
    );
    assert!(
        out.contains(r#""n":1.50e3"#),
        "numbers are copied, not re-printed"
    );
    assert!(out.contains(r#"\"ssn\": \"[REDACTED:SSN]\""#), "{out}");
    assert!(out.contains(r#"Basic [REDACTED:AUTHORIZATION]"#), "{out}");
    assert!(!out.contains("jane@example.com") && !out.contains("dXNlcjpwYXNzd29yZA"));
}

#[test]
fn in_place_with_backup_keeps_permissions() {
    let sb = Sandbox::new();
    let path = sb.write("a.log", "mail jane@example.com\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, out, err) = support::run(
        sb.cmd()
            .args(["redact", "--in-place", "--backup", ".orig"])
            .arg(&path),
    );
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "mail [REDACTED:EMAIL]\n"
    );
    let backup = sb.path().join("a.log.orig");
    assert_eq!(
        std::fs::read_to_string(backup).unwrap(),
        "mail jane@example.com\n"
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // Only the file and its backup: no temporary file left behind.
    assert_eq!(
        std::fs::read_dir(sb.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_file())
            .count(),
        2
    );
}

#[test]
fn killed_mid_write_leaves_the_original_or_the_full_result() {
    let sb = Sandbox::new();
    let line = "2026-03-01 user jane@example.com paid with 4111111111111111\n";
    let redacted = "2026-03-01 user [REDACTED:EMAIL] paid with [REDACTED:CARD]\n";
    let n = (48 << 20) / line.len();
    let path = sb.write("huge.log", line.repeat(n));
    for delay_ms in [150, 600] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_plugctl"))
            .args(["--no-config", "redact", "-q", "--in-place"])
            .arg(&path)
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let now = std::fs::read(&path).unwrap();
        let original = now.len() == line.len() * n && now.starts_with(line.as_bytes());
        if original {
            assert!(now == line.repeat(n).as_bytes(), "original was modified");
        } else {
            assert!(
                now == redacted.repeat(n).as_bytes(),
                "file is neither original nor complete"
            );
            // Put the original back for the second round.
            std::fs::write(&path, line.repeat(n)).unwrap();
        }
    }
}

#[test]
fn check_lists_masked_findings_and_exits_3() {
    let sb = Sandbox::new();
    let dirty_text = "ok\nssn 123-45-6789 and sk-ant-api03-Ab3dEfGhIjKlMnOpQrStUvWx0123\n";
    let dirty = sb.write("dirty.log", dirty_text);
    let clean = sb.write("clean.log", "nothing to see, order 4111111111111112\n");
    let (code, out, err) =
        support::run(sb.cmd().args(["redact", "--check"]).arg(&dirty).arg(&clean));
    assert_eq!(code, 3, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].ends_with("dirty.log:2:5: ssn: ***-**-6789"),
        "{out}"
    );
    assert!(
        lines[1].ends_with("dirty.log:2:21: anthropic_key: sk-a****"),
        "{out}"
    );
    assert!(
        !out.contains("Ab3dEf") && !out.contains("123-45"),
        "the secret must never be shown"
    );
    assert!(
        err.contains("check failed: 2 findings in 1 of 2 inputs"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&dirty).unwrap(),
        dirty_text,
        "--check changes nothing"
    );

    let (code, _, _) = support::run(sb.cmd().args(["redact", "--check"]).arg(&clean));
    assert_eq!(code, 0);
}

#[test]
fn rules_file_report_and_output_file() {
    let sb = Sandbox::new();
    let rules = sb.write("rules.yaml", data("rules.yaml"));
    let input = sb.write(
        "in.txt",
        "employee EMP-123456 mail support@example.com jane@example.com ping @bob call 415-555-2671\n",
    );
    let (code, out, err) = support::run(
        sb.cmd()
            .args(["redact", "--rules"])
            .arg(&rules)
            .args(["-o", "out.txt", "--report", "report.json"])
            .arg(&input),
    );
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(
        std::fs::read_to_string(sb.path().join("out.txt")).unwrap(),
        "employee EMP-[REDACTED:EMPLOYEE_ID] mail support@example.com ***@example.com ping @bob call 415-555-2671\n"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["total"], 2);
    assert_eq!(report["counts"]["employee_id"], 1);
    assert_eq!(report["inputs"][0]["format"], "text");
}

#[test]
fn invalid_rules_name_the_rule_and_exit_2() {
    let sb = Sandbox::new();
    sb.write(
        "bad.yaml",
        "rules:\n  - name: ticket\n    pattern: 'TCK-[0-9'\n",
    );
    let (code, _, err) = support::run(sb.cmd().args(["redact", "--rules", "bad.yaml"]).arg("-"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("invalid rule \"ticket\"") && err.contains("does not compile"),
        "{err}"
    );
    // Not YAML of rules at all (someone passed the wrong file): one short line, no type names.
    sb.write(
        "notes.yaml",
        "a long line of notes that is not a mapping ".repeat(50),
    );
    let (code, _, err) = support::run(sb.cmd().args(["redact", "--rules", "notes.yaml"]).arg("-"));
    assert_eq!(code, 2, "{err}");
    let first = err.lines().next().unwrap();
    assert!(first.len() < 160, "{err}");
    assert!(first.ends_with("…\", expected a mapping"), "{err}");
    let (code, _, err) = support::run(sb.cmd().args(["redact", "--disable", "creditcard"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown rule \"creditcard\"") && err.contains("--list-rules"),
        "{err}"
    );
}

#[test]
fn hash_operator_uses_the_key_from_the_environment() {
    let sb = Sandbox::new();
    let (code, _, err) = support::run(
        sb.cmd()
            .args(["redact", "--operator", "email=hash"])
            .write_stdin("jane@example.com"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("PLUGCTL_REDACT_KEY"), "{err}");
    let run = |key: &str| {
        let (code, out, err) = support::run(
            sb.cmd()
                .args(["redact", "-q", "--operator", "email=hash"])
                .env("PLUGCTL_REDACT_KEY", key)
                .write_stdin("a jane@example.com b JANE@example.com"),
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let one = run("key one");
    let words: Vec<&str> = one.split(' ').collect();
    assert!(
        words[1].starts_with("[EMAIL:") && words[1] == words[3],
        "{one}"
    );
    assert_ne!(one, run("key two"));
}

#[test]
fn hash_operator_takes_its_key_from_the_os_keyring_when_nothing_else_gives_one() {
    if !support::oidc::keyring_ready() {
        return;
    }
    let sb = Sandbox::new();
    let service = format!("plugctl-test-redact-{}", std::process::id());
    let hashed = |env: (&str, &str)| {
        let (code, out, err) = support::run(
            sb.cmd()
                .args(["redact", "-q", "--operator", "email=hash"])
                .env("PLUGCTL_KEYRING_SERVICE", &service)
                .env(env.0, env.1)
                .write_stdin("mail jane@example.com"),
        );
        (code, out, err)
    };
    // No entry yet: the usual error, whose hint names the keyring entry too.
    let (code, _, err) = hashed(("PLUGCTL_UNUSED", ""));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("username redact-hash-key"), "{err}");

    support::oidc::keyring_store(&service, "redact-hash-key", "key in the keyring");

    let (code, from_keyring, err) = hashed(("PLUGCTL_UNUSED", ""));
    assert_eq!(code, 0, "{err}");
    assert!(from_keyring.starts_with("mail [EMAIL:"), "{from_keyring}");
    // The same pseudonym as with that key given in the environment, a different one with another.
    let (_, from_env, _) = hashed(("PLUGCTL_REDACT_KEY", "key in the keyring"));
    assert_eq!(from_keyring, from_env);
    let (_, other, _) = hashed(("PLUGCTL_REDACT_KEY", "another key"));
    assert_ne!(from_keyring, other);

    support::oidc::keyring_clear(&service, "redact-hash-key");
}

#[test]
fn invalid_json_fails_and_keeps_the_file() {
    let sb = Sandbox::new();
    let text = "{\"a\": \"jane@example.com\",\n";
    let path = sb.write("broken.json", text);
    let (code, _, err) = support::run(sb.cmd().args(["redact", "--in-place"]).arg(&path));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("redacting") && err.contains("not valid JSON at line 2"),
        "{err}"
    );
    assert!(err.contains("--format text"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(
        std::fs::read_dir(sb.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_file())
            .count(),
        1
    );
}
