//! `plugctl login`, `logout` and `auth ...` end to end: the real binary against a real OpenID
//! provider (npm oidc-provider on 127.0.0.1) with tokens in a real Secret Service keyring
//! (gnome-keyring in the private D-Bus session of tests/run.sh). The browser is a script that
//! submits the provider's login and consent pages, as a user would.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use crate::support::oidc::{self, Provider};
use crate::support::{Sandbox, run};

/// A sandbox wired to one provider and to its own keyring service name.
struct Login {
    sb: Sandbox,
    provider: Provider,
    service: String,
}

impl Login {
    fn new(provider_env: &[(&str, &str)]) -> Option<Self> {
        if !oidc::keyring_ready() {
            return None;
        }
        let provider = Provider::start(provider_env)?;
        let sb = Sandbox::new();
        let service = format!(
            "plugctl-test-{}",
            sb.path().file_name().unwrap().to_string_lossy()
        );
        Some(Self {
            sb,
            provider,
            service,
        })
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = self.sb.cmd();
        cmd.env("BROWSER", oidc::browser())
            .env("PLUGCTL_KEYRING_SERVICE", &self.service)
            .timeout(Duration::from_secs(90));
        cmd
    }

    /// The same command as a plain `std::process::Command`, for children watched while they run.
    fn child(&self) -> std::process::Command {
        let mut cmd = self.sb.command();
        cmd.env("BROWSER", oidc::browser())
            .env("PLUGCTL_KEYRING_SERVICE", &self.service);
        cmd
    }

    fn login(&self, extra: &[&str]) -> (i32, String, String) {
        let mut cmd = self.cmd();
        cmd.args(["login", "--issuer", &self.provider.issuer])
            .args(["--client-id", "plugctl-cli", "--timeout", "30"])
            .args(extra);
        run(&mut cmd)
    }

    /// The token set in the keyring, read with secret-tool (not through plugctl).
    fn stored(&self, profile: &str) -> Option<serde_json::Value> {
        oidc::keyring_lookup(&self.service, profile).map(|s| serde_json::from_str(&s).unwrap())
    }

    fn status_json(&self, extra: &[&str]) -> (i32, serde_json::Value) {
        let (code, out, err) = run(self
            .cmd()
            .args(["auth", "status", "--output", "json"])
            .args(extra));
        let value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
        (code, value)
    }
}

#[test]
fn browser_login_then_status_token_and_logout_with_revocation() {
    let Some(l) = Login::new(&[]) else { return };
    let (code, _, err) = l.login(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Logged in to") && err.contains("as alice@example.test"),
        "{err}"
    );

    // The tokens are in the OS keyring, under service/username, as compact JSON.
    let stored = l.stored("default").expect("keyring entry");
    assert_eq!(stored["issuer"], l.provider.issuer.as_str());
    assert_eq!(stored["subject"], "alice");
    let refresh_token = stored["refresh_token"]
        .as_str()
        .expect("offline_access gave a refresh token")
        .to_string();

    let (code, status) = l.status_json(&[]);
    assert_eq!(code, 0);
    assert_eq!(status["logged_in"], true);
    assert_eq!(status["source"], "keyring");
    assert_eq!(status["email"], "alice@example.test");
    assert_eq!(status["refresh_token"], true);
    assert!(
        !status.to_string().contains(&refresh_token),
        "status shows no secret"
    );

    // `auth token` prints exactly the access token, and the provider accepts it.
    let (code, out, err) = run(l.cmd().args(["auth", "token"]));
    assert_eq!(code, 0, "{err}");
    let token = out.trim_end();
    assert_eq!(out, format!("{token}\n"), "only the token on stdout");
    assert_eq!(
        token,
        stored["access_token"].as_str().unwrap(),
        "fresh token: no refresh"
    );
    assert_eq!(l.provider.userinfo_sub(token).as_deref(), Some("alice"));

    // Logout revokes at the provider and deletes the entry.
    let (code, _, err) = run(l.cmd().arg("logout"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("revoked"), "{err}");
    assert!(l.stored("default").is_none(), "keyring entry deleted");
    assert_eq!(l.provider.userinfo_sub(token), None, "access token revoked");
    let answer = l.provider.refresh_directly(&refresh_token);
    assert_eq!(
        answer["error"], "invalid_grant",
        "refresh token revoked: {answer}"
    );

    // Not logged in any more: exit 4 for every auth command.
    let (code, status) = l.status_json(&[]);
    assert_eq!((code, &status["logged_in"]), (4, &serde_json::json!(false)));
    let (code, out, err) = run(l.cmd().args(["auth", "token"]));
    assert_eq!((code, out.as_str()), (4, ""));
    assert!(
        err.contains("not logged in") && err.contains("hint: run `plugctl login`"),
        "{err}"
    );
    let (code, _, err) = run(l.cmd().arg("logout"));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("was not logged in"), "{err}");
}

#[test]
fn refresh_rotates_the_refresh_token_and_concurrent_refreshes_keep_the_grant() {
    // Access tokens that live 30 s are always within the refresh margin: every `auth token`
    // refreshes, and every refresh rotates the refresh token.
    let Some(l) = Login::new(&[("ACCESS_TTL", "30")]) else {
        return;
    };
    let (code, _, err) = l.login(&[]);
    assert_eq!(code, 0, "{err}");
    let first = l.stored("default").unwrap();

    let (code, out, err) = run(l.cmd().args(["auth", "token"]));
    assert_eq!(code, 0, "{err}");
    let second = l.stored("default").unwrap();
    assert_ne!(second["access_token"], first["access_token"]);
    assert_eq!(out.trim_end(), second["access_token"].as_str().unwrap());
    assert_ne!(second["refresh_token"], first["refresh_token"], "rotated");
    assert_eq!(second["subject"], "alice", "identity kept across refreshes");

    // Reusing a rotated refresh token makes the provider revoke the grant; six processes at
    // once must therefore take turns (the lock) and each use the newest one.
    let children: Vec<_> = (0..6)
        .map(|_| {
            l.child()
                .args(["auth", "token"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (code, out, err) = run(l.cmd().args(["auth", "refresh"]));
    assert_eq!(code, 0, "{out}{err}");
    let token = l.stored("default").unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        l.provider.userinfo_sub(&token).as_deref(),
        Some("alice"),
        "grant alive"
    );

    // The first refresh token was rotated away: the provider refuses it now.
    let stale = first["refresh_token"].as_str().unwrap();
    assert_eq!(l.provider.refresh_directly(stale)["error"], "invalid_grant");
}

#[test]
fn an_expired_token_without_a_refresh_token_is_exit_4() {
    let Some(l) = Login::new(&[("ACCESS_TTL", "1")]) else {
        return;
    };
    let (code, _, err) = l.login(&["--scope", "openid", "--scope", "email"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no refresh token"), "{err}");
    std::thread::sleep(Duration::from_millis(1100));
    let (code, out, err) = run(l.cmd().args(["auth", "token"]));
    assert_eq!((code, out.as_str()), (4, ""), "{err}");
    assert!(
        err.contains("has expired and there is no refresh token"),
        "{err}"
    );
    let (code, status) = l.status_json(&[]);
    assert_eq!(code, 4);
    assert_eq!(status["logged_in"], false);
    assert!(status["expires_in_secs"].as_i64().unwrap() <= 0);
}

#[test]
fn device_login_polls_until_the_user_confirms() {
    let Some(l) = Login::new(&[]) else { return };
    let mut child = l
        .child()
        .args(["login", "--device", "--issuer", &l.provider.issuer])
        .args([
            "--client-id",
            "plugctl-cli",
            "--profile",
            "dev",
            "--timeout",
            "60",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let complete = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "no device prompt: {seen}"
        );
        seen.push_str(&line);
        if let Some(url) = line.trim().strip_prefix("or open ") {
            break url.to_string();
        }
    };
    assert!(seen.contains("enter the code"), "{seen}");
    assert!(oidc::browse(&complete).success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{seen}{rest}");
    assert!(
        rest.contains("as alice@example.test (profile dev"),
        "{rest}"
    );
    assert_eq!(l.stored("dev").unwrap()["subject"], "alice");
}

#[test]
fn a_declined_sign_in_is_one_line_with_the_providers_description() {
    let Some(l) = Login::new(&[]) else { return };
    let mut cmd = l.cmd();
    // Over SSH the browser flow still runs, and the device flow is suggested.
    cmd.env("BROWSER_ACTION", "deny")
        .env("SSH_CONNECTION", "192.0.2.10 52814 192.0.2.1 22");
    let (code, _, err) = run(cmd.args([
        "login",
        "--issuer",
        &l.provider.issuer,
        "--client-id",
        "plugctl-cli",
    ]));
    assert_eq!(code, 1, "{err}");
    let first = err.lines().find(|l| l.starts_with("error:")).unwrap();
    assert!(first.contains("access_denied: "), "{err}");
    assert!(err.contains("hint: the sign-in was declined"), "{err}");
    assert!(err.contains("`plugctl login --device`"), "{err}");
    assert!(l.stored("default").is_none());
}

#[test]
fn a_forged_state_or_issuer_on_the_redirect_is_refused() {
    let Some(l) = Login::new(&[]) else { return };
    for (action, expected) in [
        ("wrong-state", "state that does not match"),
        ("wrong-iss", "mix-up"),
    ] {
        let mut cmd = l.cmd();
        // A local desktop session: no device-flow suggestion.
        cmd.env("BROWSER_ACTION", action)
            .env("DISPLAY", ":0")
            .env_remove("SSH_CONNECTION")
            .env_remove("SSH_TTY");
        let (code, _, err) = run(cmd.args([
            "login",
            "--issuer",
            &l.provider.issuer,
            "--client-id",
            "plugctl-cli",
        ]));
        assert_eq!(code, 1, "{action}: {err}");
        assert!(err.contains(expected), "{action}: {err}");
        assert!(!err.contains("--device"), "{action}: {err}");
        assert!(l.stored("default").is_none());
    }
}

#[test]
fn provider_errors_are_one_clear_line() {
    let Some(l) = Login::new(&[]) else { return };
    // Nothing listens on port 1.
    let (code, _, err) = run(l.cmd().args([
        "login",
        "--issuer",
        "http://127.0.0.1:1",
        "--client-id",
        "x",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("issuer unreachable: cannot connect"), "{err}");
    // The issuer must be spelled exactly as the provider does.
    let slash = format!("{}/", l.provider.issuer);
    let (code, _, err) = run(l
        .cmd()
        .args(["login", "--issuer", &slash, "--client-id", "x"]));
    assert_eq!(code, 1);
    assert!(err.contains("expected exactly"), "{err}");
    // No issuer at all is a usage error.
    let (code, _, err) = run(l.cmd().args(["login", "--client-id", "x"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("has no issuer"), "{err}");
    // A client the provider does not know: its error page never redirects back.
    let (code, _, err) = run(l.cmd().args([
        "login",
        "--issuer",
        &l.provider.issuer,
        "--client-id",
        "nobody",
        "--timeout",
        "3",
    ]));
    assert_eq!(code, 1);
    assert!(err.contains("no sign-in completed within 3s"), "{err}");
}

#[test]
fn without_a_keyring_login_fails_before_the_browser_then_insecure_storage_works() {
    let Some(provider) = Provider::start(&[]) else {
        return;
    };
    let sb = Sandbox::new();
    let browser_log = sb.path().join("browser.log");
    let cmd = || {
        let mut c = sb.cmd();
        c.env("BROWSER", oidc::browser())
            .env("BROWSER_LOG", &browser_log)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .timeout(Duration::from_secs(60));
        c
    };
    let login = [
        "login",
        "--issuer",
        &provider.issuer,
        "--client-id",
        "plugctl-cli",
    ];
    let (code, _, err) = run(cmd().args(login));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("OS keyring unusable: no D-Bus session bus"),
        "{err}"
    );
    assert!(err.contains("--insecure-storage"), "{err}");
    assert!(
        !browser_log.exists(),
        "the browser must not start before the store works"
    );

    let (code, _, err) = run(cmd().args(login).arg("--insecure-storage"));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: tokens of profile \"default\" go to a plain file"),
        "{err}"
    );
    let file = sb
        .path()
        .join("home/.local/share/plugctl/credentials/default.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Later commands find the file by themselves, still without any bus, and say so.
    let (code, out, _) = run(cmd().args(["auth", "status", "--output", "json"]));
    assert_eq!(code, 0);
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["source"], "insecure_file");
    let (code, out, _) = run(cmd().args(["auth", "token"]));
    assert_eq!(code, 0);
    assert_eq!(provider.userinfo_sub(out.trim()).as_deref(), Some("alice"));
    let (code, _, err) = run(cmd().arg("logout"));
    assert_eq!(code, 0, "{err}");
    assert!(!file.exists());
}

#[test]
fn plugctl_token_overrides_the_store_and_status_says_so() {
    let sb = Sandbox::new();
    let (code, out, _) = run(sb
        .cmd()
        .env("PLUGCTL_TOKEN", "from-env")
        .args(["auth", "token"]));
    assert_eq!((code, out.as_str()), (0, "from-env\n"));
    let (code, out, _) = run(sb.cmd().env("PLUGCTL_TOKEN", "from-env").args([
        "auth",
        "status",
        "--insecure-storage",
    ]));
    assert_eq!(code, 0);
    assert!(
        out.contains("$PLUGCTL_TOKEN (overrides the stored token)"),
        "{out}"
    );
    assert!(
        !out.contains("from-env"),
        "status never shows a token: {out}"
    );
}

#[test]
fn switch_needs_a_known_profile_and_changes_the_default() {
    let sb = Sandbox::new();
    sb.write(
        "plugctl.yaml",
        "auth:\n  profiles:\n    work:\n      issuer: https://id.example\n      client_id: cli\n",
    );
    let (code, _, err) = run(sb.cmd().args(["auth", "switch", "nope"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no profile \"nope\""), "{err}");
    let (code, _, err) = run(sb.cmd().args(["auth", "switch", "work"]));
    assert_eq!(code, 0, "{err}");
    let (code, out, _) =
        run(sb
            .cmd()
            .args(["auth", "status", "--insecure-storage", "--output", "json"]));
    assert_eq!(code, 4);
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["profile"], "work");
}
