//! The command line as a whole: help, version, usage errors, exit codes, configuration and the
//! committed completion scripts.

use crate::support::{Sandbox, run};

#[test]
fn help_lists_every_subcommand_and_the_exit_codes() {
    let sb = Sandbox::new();
    let (code, out, _) = run(sb.cmd().arg("--help"));
    assert_eq!(code, 0);
    for word in [
        "tokens",
        "completions",
        "--output",
        "--config",
        "Exit codes",
    ] {
        assert!(out.contains(word), "{word} missing from --help:\n{out}");
    }
}

#[test]
fn version_is_the_package_version() {
    let sb = Sandbox::new();
    let (code, out, _) = run(sb.cmd().arg("--version"));
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("plugctl {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let sb = Sandbox::new();
    for args in [
        &["frobnicate"][..],
        &["tokens", "count", "--limit", "many"],
        &["--output", "xml", "tokens", "count"],
    ] {
        let (code, _, err) = run(sb.cmd().args(args));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.starts_with("error:"), "{args:?}: {err}");
    }
}

#[test]
fn errors_are_one_line_plus_a_hint_never_a_debug_dump() {
    let sb = Sandbox::new();
    let (code, out, err) = run(sb.cmd().args(["tokens", "count", "missing.txt"]));
    assert_eq!(code, 1);
    assert!(out.is_empty());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("error: opening missing.txt:"), "{err}");
    assert!(lines[1].starts_with("  hint: "), "{err}");
    assert!(!err.contains("panicked") && !err.contains("Os {"), "{err}");
}

#[test]
fn unknown_config_key_is_named() {
    let sb = Sandbox::new();
    sb.write("plugctl.yaml", "tokens:\n  modle: gpt-4\n");
    let (code, _, err) = run(sb.cmd().args(["tokens", "count", "-"]).write_stdin("hi"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown field `modle`"), "{err}");
    assert!(err.contains("plugctl.yaml:2:"), "{err}");
}

#[test]
fn explicit_config_must_exist() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb
        .cmd()
        .args(["--config", "nope.yaml", "tokens", "count"])
        .write_stdin("x"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("config file nope.yaml not found"), "{err}");
    // The same through the environment.
    let (code, _, _) = run(sb
        .cmd()
        .env("PLUGCTL_CONFIG", "nope.yaml")
        .args(["tokens", "count"])
        .write_stdin("x"));
    assert_eq!(code, 2);
}

#[test]
fn precedence_is_flag_then_env_then_file() {
    let sb = Sandbox::new();
    // "hello world" is 2 tokens in every encoding, so use text whose counts differ:
    // cl100k_base and o200k_base split this Cyrillic differently.
    let text = "Привет! Как дела? Всё хорошо, спасибо.";
    let count = |cmd: &mut assert_cmd::Command, extra: &[&str]| -> u64 {
        let (code, out, err) = run(cmd
            .args(["--output", "json", "tokens", "count"])
            .args(extra)
            .write_stdin(text));
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["total"].as_u64().unwrap()
    };
    let o200k = count(&mut sb.cmd(), &[]);
    let cl100k = count(sb.cmd().env("PLUGCTL_ENCODING", "cl100k_base"), &[]);
    assert_ne!(o200k, cl100k, "the test text must tell the encodings apart");

    sb.write("plugctl.yaml", "tokens:\n  model: gpt-4\n");
    assert_eq!(count(&mut sb.cmd(), &[]), cl100k, "file");
    assert_eq!(
        count(sb.cmd().env("PLUGCTL_MODEL", "gpt-4o"), &[]),
        o200k,
        "env beats file"
    );
    assert_eq!(
        count(
            sb.cmd().env("PLUGCTL_MODEL", "gpt-4o"),
            &["--encoding", "cl100k_base"]
        ),
        cl100k,
        "flag beats env"
    );
    assert_eq!(
        count(sb.cmd().arg("--no-config"), &[]),
        o200k,
        "--no-config ignores the file"
    );

    // The platform config dir is the last resort.
    std::fs::remove_file(sb.path().join("plugctl.yaml")).unwrap();
    sb.write(
        "home/.config/plugctl/plugctl.yaml",
        "tokens:\n  encoding: cl100k_base\n",
    );
    assert_eq!(count(&mut sb.cmd(), &[]), cl100k, "platform config dir");
}

#[test]
fn output_format_comes_from_the_config_file_too() {
    let sb = Sandbox::new();
    sb.write("plugctl.yaml", "output: json\n");
    let (code, out, _) = run(sb.cmd().args(["tokens", "count"]).write_stdin("hi"));
    assert_eq!(code, 0);
    assert!(
        serde_json::from_str::<serde_json::Value>(&out).is_ok(),
        "{out}"
    );
}

#[test]
fn closed_stdout_is_not_an_error() {
    use std::process::{Command, Stdio};
    let sb = Sandbox::new();
    let file = sb.write(
        "many.json",
        serde_json::to_string(&vec![
            serde_json::json!({"role": "user", "content": "x"});
            5000
        ])
        .unwrap(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_plugctl"))
        .args(["tokens", "count", "--per-message"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, as with `| head`
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn committed_completions_are_current() {
    // Regenerate with: UPDATE_COMPLETIONS=1 cargo test --test it committed_completions
    let sb = Sandbox::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "plugctl.bash"),
        ("zsh", "_plugctl"),
        ("fish", "plugctl.fish"),
        ("powershell", "_plugctl.ps1"),
        ("elvish", "plugctl.elv"),
    ] {
        let (code, out, err) = run(sb.cmd().args(["completions", shell]));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("plugctl"), "{shell}");
        let path = dir.join(file);
        if std::env::var_os("UPDATE_COMPLETIONS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &out).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == out,
            "completions/{file} is stale: run UPDATE_COMPLETIONS=1 cargo test --test it committed_completions"
        );
    }
}
