//! Everything that can go wrong while logging in or handing out a token, with a hint for each.

use std::path::PathBuf;

use super::discovery::DiscoveryError;
use super::verify::VerifyError;

/// Why the keyring could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyringCause {
    NoSessionBus,
    NoSecretService,
    Locked,
    NoCollection,
    Timeout,
    Unsupported,
    Other,
}

impl std::fmt::Display for KeyringCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyringCause::NoSessionBus => "no D-Bus session bus",
            KeyringCause::NoSecretService => "no Secret Service on the session bus",
            KeyringCause::Locked => "the keyring is locked",
            KeyringCause::NoCollection => "no unlocked default keyring collection",
            KeyringCause::Timeout => "the keyring did not answer",
            KeyringCause::Unsupported => "no keyring support on this platform",
            KeyringCause::Other => "the keyring failed",
        })
    }
}

/// A failure of the token store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("OS keyring unusable: {cause} ({detail})")]
    Keyring { cause: KeyringCause, detail: String },
    #[error("token file {}: {message}", .path.display())]
    File { path: PathBuf, message: String },
    #[error("stored tokens of profile {profile:?} are unreadable: {message}")]
    Corrupt { profile: String, message: String },
}

/// An OAuth error response (RFC 6749 §5.2, RFC 8628 §3.5), as the provider sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub code: String,
    pub description: Option<String>,
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code)?;
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

/// Why an auth operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("not logged in (profile {profile:?})")]
    NotLoggedIn { profile: String },
    #[error("the access token of profile {profile:?} has expired and there is no refresh token")]
    Expired { profile: String },
    #[error("the provider refused the refresh token of profile {profile:?}: {error}")]
    RefreshRefused {
        profile: String,
        error: ProviderError,
    },
    #[error("{step} failed: the provider answered {error}")]
    Provider {
        step: &'static str,
        error: ProviderError,
    },
    #[error("{step}: {message}")]
    Transport { step: &'static str, message: String },
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    #[error("ID token rejected: {0}")]
    IdToken(#[from] VerifyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the login callback {0}")]
    Callback(String),
    #[error("no sign-in completed within {0}s")]
    Timeout(u64),
    #[error("the provider does not support {0}")]
    Unsupported(String),
    #[error("{0}")]
    Lock(String),
}

impl AuthError {
    /// True for "not logged in or token invalid" (exit code 4).
    pub fn is_not_logged_in(&self) -> bool {
        matches!(
            self,
            AuthError::NotLoggedIn { .. }
                | AuthError::Expired { .. }
                | AuthError::RefreshRefused { .. }
                | AuthError::IdToken(_)
        )
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            AuthError::NotLoggedIn { .. } | AuthError::Expired { .. } => {
                Some("run `plugctl login` (add --profile NAME for another profile)".into())
            }
            AuthError::RefreshRefused { .. } => Some(
                "the grant was revoked or has expired: run `plugctl login` again".into(),
            ),
            AuthError::Provider { error, .. } => Some(match error.code.as_str() {
                "access_denied" => "the sign-in was declined; run `plugctl login` to try again".into(),
                "invalid_client" | "unauthorized_client" => {
                    "check client_id (and client_secret) of the profile in plugctl.yaml".into()
                }
                "invalid_scope" => "remove the scope the provider does not know (--scope)".into(),
                "invalid_grant" => "the code or token expired or was used; log in again".into(),
                "expired_token" => "the device code expired: run `plugctl login --device` again and confirm sooner".into(),
                _ => "see the provider's description above".into(),
            }),
            AuthError::Transport { .. } | AuthError::Discovery(_) => {
                Some("check the issuer URL and the network (and proxy/TLS settings)".into())
            }
            AuthError::IdToken(_) => Some(
                "the provider's ID token did not verify; check issuer and client_id, and the clock"
                    .into(),
            ),
            AuthError::Store(StoreError::Keyring { cause, .. }) => Some(match cause {
                KeyringCause::NoSessionBus => "start a session bus (`dbus-run-session -- bash`) or log in through a desktop session; or pass --insecure-storage to keep tokens in a 0600 file".into(),
                KeyringCause::NoSecretService => "install and start a Secret Service (e.g. gnome-keyring); or pass --insecure-storage".into(),
                KeyringCause::Locked | KeyringCause::NoCollection => "unlock the keyring (e.g. `gnome-keyring-daemon --unlock`), or create a default collection; or pass --insecure-storage".into(),
                KeyringCause::Timeout => "answer or dismiss the keyring's unlock prompt, then retry; or pass --insecure-storage".into(),
                _ => "pass --insecure-storage to keep tokens in a 0600 file instead".into(),
            }),
            AuthError::Store(StoreError::Corrupt { .. }) => {
                Some("run `plugctl logout`, then `plugctl login`".into())
            }
            AuthError::Store(StoreError::File { .. }) => Some("check the file's permissions".into()),
            AuthError::Callback(_) => Some("start the login again from the same terminal".into()),
            AuthError::Timeout(_) => Some(
                "finish the sign-in in the browser sooner, or use --device on a machine without a browser"
                    .into(),
            ),
            AuthError::Unsupported(_) => None,
            AuthError::Lock(_) => Some("check the permissions of plugctl's data directory".into()),
        }
    }
}
