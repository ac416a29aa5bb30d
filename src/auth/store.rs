//! Where tokens live: the OS keyring (one entry per profile, service `plugctl`), or, only when
//! the user asks with `--insecure-storage`, a 0600 file. There is no silent fallback from one to
//! the other: a keyring that does not work is an error that names the cause.
//!
//! Keyring calls are blocking D-Bus round trips, and with a desktop an unlock prompt can block
//! for as long as nobody answers it, so each call runs on its own thread with a deadline.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use super::credentials::TokenSet;
use super::error::{KeyringCause, StoreError};

/// The default service name of keyring entries.
pub const DEFAULT_SERVICE: &str = "plugctl";
/// How long one keyring call may take.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

/// Which store holds a profile's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// The OS keyring.
    Keyring,
    /// A plain file, readable only by the user (`--insecure-storage`).
    InsecureFile,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Keyring => "keyring",
            Backend::InsecureFile => "insecure file",
        })
    }
}

/// A place to keep token sets, one per profile.
pub trait TokenStore: Send + Sync {
    fn backend(&self) -> Backend;
    /// Where, in words (for `auth status`).
    fn location(&self) -> String;
    fn load(&self, profile: &str) -> Result<Option<TokenSet>, StoreError>;
    fn save(&self, profile: &str, tokens: &TokenSet) -> Result<(), StoreError>;
    /// Removes the profile's tokens; false when there were none.
    fn delete(&self, profile: &str) -> Result<bool, StoreError>;
    /// Proves the store works (write, read back, delete) before anyone signs in.
    fn probe(&self) -> Result<(), StoreError>;
}

/// The OS keyring through `keyring-core`.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The text stored under `account` (a profile's token set, or another secret of plugctl's
    /// such as redact's hash key); `None` when there is no such entry.
    pub fn secret(&self, account: &str) -> Result<Option<String>, StoreError> {
        self.call(account, |e| match e.get_password() {
            Ok(t) => Ok(Some(t)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(err) => Err(err),
        })
    }

    fn call<T: Send + 'static>(
        &self,
        profile: &str,
        op: impl FnOnce(keyring_core::Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (service, user) = (self.service.clone(), profile.to_string());
        with_deadline(KEYRING_TIMEOUT, move || {
            install_default_store()?;
            let entry = keyring_core::Entry::new(&service, &user)?;
            op(entry)
        })
        .ok_or_else(|| StoreError::Keyring {
            cause: KeyringCause::Timeout,
            detail: format!(
                "no answer within {}s (an unlock prompt may be waiting)",
                KEYRING_TIMEOUT.as_secs()
            ),
        })?
        .map_err(classify)
    }
}

impl TokenStore for KeyringStore {
    fn backend(&self) -> Backend {
        Backend::Keyring
    }

    fn location(&self) -> String {
        format!("OS keyring (service {})", self.service)
    }

    fn load(&self, profile: &str) -> Result<Option<TokenSet>, StoreError> {
        self.secret(profile)?
            .map(|t| {
                TokenSet::from_json(&t).map_err(|e| StoreError::Corrupt {
                    profile: profile.into(),
                    message: e.to_string(),
                })
            })
            .transpose()
    }

    fn save(&self, profile: &str, tokens: &TokenSet) -> Result<(), StoreError> {
        // One set_password replaces the item in a single D-Bus call: readers see the old
        // token set or the new one, never a mix.
        let text = tokens.to_json();
        self.call(profile, move |e| e.set_password(&text))
    }

    fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        self.call(profile, |e| match e.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(err) => Err(err),
        })
    }

    fn probe(&self) -> Result<(), StoreError> {
        let value = format!("probe-{}", std::process::id());
        let expected = value.clone();
        let read = self.call("plugctl-probe", move |e| {
            e.set_password(&value)?;
            let read = e.get_password();
            e.delete_credential()?;
            read
        })?;
        if read != expected {
            return Err(StoreError::Keyring {
                cause: KeyringCause::Other,
                detail: "the probe entry read back differently from what was written".into(),
            });
        }
        Ok(())
    }
}

/// Sets the platform's store as keyring-core's default, once per process.
fn install_default_store() -> keyring_core::Result<()> {
    if keyring_core::get_default_store().is_some() {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    {
        // Without a bus address zbus would guess /run/user/UID/bus; say what is missing instead.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            return Err(keyring_core::Error::NoStorageAccess(
                "DBUS_SESSION_BUS_ADDRESS is not set: no D-Bus session bus".into(),
            ));
        }
        let store = zbus_secret_service_keyring_store::Store::new()?;
        keyring_core::set_default_store(store);
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        Err(keyring_core::Error::NotSupportedByStore(
            "this build of plugctl has no keyring store for this platform".into(),
        ))
    }
}

/// Runs `f` on its own thread and waits at most `limit` for it.
fn with_deadline<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

/// Names the cause of a keyring failure from what the store reported.
fn classify(err: keyring_core::Error) -> StoreError {
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        let text = s.to_string();
        if !detail.contains(&text) {
            detail = format!("{detail}: {text}");
        }
        source = s.source();
    }
    let lower = detail.to_lowercase();
    let cause = if lower.contains("dbus_session_bus_address")
        || lower.contains("failed to connect")
        || lower.contains("autolaunch")
        || lower.contains("no such file or directory")
    {
        KeyringCause::NoSessionBus
    } else if lower.contains("serviceunknown") || lower.contains("not provided by any .service") {
        KeyringCause::NoSecretService
    } else if lower.contains("prompt") || lower.contains("locked") {
        KeyringCause::Locked
    } else if lower.contains("result not returned") || lower.contains("no such object") {
        KeyringCause::NoCollection
    } else if matches!(err, keyring_core::Error::NotSupportedByStore(_)) {
        KeyringCause::Unsupported
    } else {
        KeyringCause::Other
    };
    StoreError::Keyring { cause, detail }
}

/// Tokens in a JSON file per profile, mode 0600, written atomically. Only on explicit request.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn path(&self, profile: &str) -> PathBuf {
        self.dir.join(format!("{profile}.json"))
    }

    /// Whether a profile has tokens in this store (decides the backend before any D-Bus call).
    pub fn has(&self, profile: &str) -> bool {
        self.path(profile).is_file()
    }

    fn io(&self, path: &Path, e: std::io::Error) -> StoreError {
        StoreError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

impl TokenStore for FileStore {
    fn backend(&self) -> Backend {
        Backend::InsecureFile
    }

    fn location(&self) -> String {
        format!("insecure file in {}", self.dir.display())
    }

    fn load(&self, profile: &str) -> Result<Option<TokenSet>, StoreError> {
        let path = self.path(profile);
        match std::fs::read_to_string(&path) {
            Ok(text) => TokenSet::from_json(&text)
                .map(Some)
                .map_err(|e| StoreError::Corrupt {
                    profile: profile.into(),
                    message: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(&path, e)),
        }
    }

    fn save(&self, profile: &str, tokens: &TokenSet) -> Result<(), StoreError> {
        let path = self.path(profile);
        create_private_dir(&self.dir).map_err(|e| self.io(&self.dir, e))?;
        // The temporary file is created 0600 by tempfile and keeps that mode through the rename.
        crate::files::write_atomic(&path, tokens.to_json().as_bytes())
            .map_err(|e| self.io(&path, e))?;
        restrict(&path).map_err(|e| self.io(&path, e))
    }

    fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        let path = self.path(profile);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.io(&path, e)),
        }
    }

    fn probe(&self) -> Result<(), StoreError> {
        create_private_dir(&self.dir).map_err(|e| self.io(&self.dir, e))
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// A store in memory, for unit tests of the flows.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: std::sync::Mutex<std::collections::BTreeMap<String, TokenSet>>,
}

impl TokenStore for MemoryStore {
    fn backend(&self) -> Backend {
        Backend::Keyring
    }

    fn location(&self) -> String {
        "memory".into()
    }

    fn load(&self, profile: &str) -> Result<Option<TokenSet>, StoreError> {
        Ok(self
            .entries
            .lock()
            .ok()
            .and_then(|m| m.get(profile).cloned()))
    }

    fn save(&self, profile: &str, tokens: &TokenSet) -> Result<(), StoreError> {
        if let Ok(mut m) = self.entries.lock() {
            m.insert(profile.into(), tokens.clone());
        }
        Ok(())
    }

    fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        Ok(self
            .entries
            .lock()
            .is_ok_and(|mut m| m.remove(profile).is_some()))
    }

    fn probe(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::credentials::Secret;

    fn tokens() -> TokenSet {
        TokenSet {
            issuer: "https://id.example".into(),
            client_id: "cli".into(),
            access_token: Secret::new("at"),
            refresh_token: None,
            expires_at: Some(10),
            scopes: vec![],
            subject: None,
            email: None,
        }
    }

    #[test]
    fn file_store_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("credentials"));
        store.probe().unwrap();
        assert_eq!(store.load("p").unwrap(), None);
        store.save("p", &tokens()).unwrap();
        assert!(store.has("p"));
        assert_eq!(store.load("p").unwrap(), Some(tokens()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path("p"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(store.delete("p").unwrap());
        assert!(!store.delete("p").unwrap());
    }

    #[test]
    fn a_corrupt_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        std::fs::write(store.path("p"), "{").unwrap();
        assert!(matches!(store.load("p"), Err(StoreError::Corrupt { .. })));
    }

    #[test]
    fn keyring_failures_are_classified() {
        let cases = [
            (
                "Failed to connect to address unix:path=/run/user/0/bus",
                KeyringCause::NoSessionBus,
            ),
            (
                "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files",
                KeyringCause::NoSecretService,
            ),
            ("prompt dismissed", KeyringCause::Locked),
            ("result not returned", KeyringCause::NoCollection),
        ];
        for (text, cause) in cases {
            let err = classify(keyring_core::Error::PlatformFailure(text.into()));
            assert!(
                matches!(&err, StoreError::Keyring { cause: c, .. } if *c == cause),
                "{text}: {err:?}"
            );
        }
    }

    #[test]
    fn a_hung_call_times_out() {
        let got = with_deadline(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
        });
        assert!(got.is_none());
    }
}
