//! The real components of the login tests: npm's `oidc-provider` on 127.0.0.1 (tests/oidc,
//! installed by tests/run.sh) and the Secret Service keyring that tests/run.sh starts in a
//! private D-Bus session. Outside CI a missing one skips the test loudly; under `CI=true` it
//! fails the test.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

fn oidc_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Says why a test cannot run: a failure under CI, a loud skip elsewhere. Returns false.
#[allow(clippy::print_stderr)] // a skip must be loud
pub fn unavailable(what: &str) -> bool {
    assert!(
        !in_ci(),
        "{what} is missing, and CI=true: run the tests with tests/run.sh"
    );
    eprintln!("SKIPPED: {what} is missing; run tests/run.sh to install and start it");
    false
}

/// Whether tests/run.sh started an unlocked gnome-keyring for this run.
pub fn keyring_ready() -> bool {
    std::env::var("PLUGCTL_TEST_KEYRING").is_ok_and(|v| v == "1")
        || unavailable("the Secret Service keyring session")
}

/// Stores `secret` in the test keyring under `service` / `account`, with secret-tool (not
/// through plugctl).
pub fn keyring_store(service: &str, account: &str, secret: &str) {
    use std::io::Write as _;
    let mut store = Command::new("secret-tool")
        .args(["store", "--label=plugctl test secret", "service", service])
        .args(["username", account])
        .stdin(Stdio::piped())
        .spawn()
        .expect("secret-tool (tests/run.sh installs libsecret-tools)");
    let mut stdin = store.stdin.take().expect("stdin");
    stdin
        .write_all(secret.as_bytes())
        .expect("write the secret");
    drop(stdin);
    assert!(store.wait().expect("secret-tool store").success());
}

/// Removes what [`keyring_store`] stored.
pub fn keyring_clear(service: &str, account: &str) {
    let cleared = Command::new("secret-tool")
        .args(["clear", "service", service, "username", account])
        .status()
        .expect("secret-tool clear");
    assert!(cleared.success());
}

/// A running oidc-provider; killed when dropped.
pub struct Provider {
    child: Child,
    pub issuer: String,
}

impl Provider {
    /// Starts a provider with the given environment (e.g. `ACCESS_TTL`), or `None` when Node or
    /// the npm package is missing outside CI.
    pub fn start(env: &[(&str, &str)]) -> Option<Self> {
        if !oidc_dir().join("node_modules/oidc-provider").is_dir() {
            unavailable("npm oidc-provider (tests/oidc/node_modules)");
            return None;
        }
        let mut child = Command::new("node")
            .arg(oidc_dir().join("provider.mjs"))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node (tests/run.sh installs it)");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut line).expect("provider's first line");
        // Keep the pipe open and drained: a provider writing to a closed pipe dies of EPIPE.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let value: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("provider did not start ({e}): {line:?}"));
        let issuer = value["issuer"].as_str().expect("issuer").to_string();
        Some(Self { child, issuer })
    }

    /// The provider's userinfo answer for an access token: Some(sub) while it is active.
    pub fn userinfo_sub(&self, access_token: &str) -> Option<String> {
        let out = Command::new("curl")
            .args(["-s", "-H"])
            .arg(format!("Authorization: Bearer {access_token}"))
            .arg(format!("{}/me", self.issuer))
            .output()
            .expect("curl");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        v["sub"].as_str().map(str::to_string)
    }

    /// Sends a refresh token to the token endpoint directly; returns the JSON answer.
    pub fn refresh_directly(&self, refresh_token: &str) -> serde_json::Value {
        let out = Command::new("curl")
            .args([
                "-s",
                "-d",
                "grant_type=refresh_token",
                "-d",
                "client_id=plugctl-cli",
            ])
            .arg("--data-urlencode")
            .arg(format!("refresh_token={refresh_token}"))
            .arg(format!("{}/token", self.issuer))
            .output()
            .expect("curl");
        serde_json::from_slice(&out.stdout).expect("token endpoint JSON")
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `$BROWSER` for plugctl: the scripted browser that signs in on the provider's dev pages.
pub fn browser() -> String {
    format!("node {}", oidc_dir().join("browser.mjs").display())
}

/// Runs the scripted browser on a URL (the device flow's verification page).
pub fn browse(url: &str) -> std::process::ExitStatus {
    Command::new("node")
        .arg(oidc_dir().join("browser.mjs"))
        .arg(url)
        .status()
        .expect("run the browser script")
}

/// The secret stored in the keyring under `service`/`profile`, read with `secret-tool`.
pub fn keyring_lookup(service: &str, profile: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", profile])
        .output()
        .expect("secret-tool (tests/run.sh installs libsecret-tools)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        .filter(|s| !s.is_empty())
}
