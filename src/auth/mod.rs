//! Logging in to an OpenID provider from the terminal, keeping the tokens in the OS keyring,
//! handing out fresh access tokens, and verifying the provider's JWTs.
//!
//! - [`flow`]: `login`: discovery, keyring probe, authorization code + PKCE through
//!   [`loopback`], or the [`device`] flow; the ID token is checked by [`verify`].
//! - [`session`]: access tokens with refresh on demand (serialised by [`lock`]), status, logout
//!   with revocation.
//! - [`store`]: the keyring, or the explicit `--insecure-storage` file; [`credentials`] is what
//!   they hold.
//! - [`verify`]: ID-token and bearer-JWT verification against the issuer's JWKS; shared with
//!   `plugctl serve`, and free of anything CLI. [`discovery`] reads the issuer's metadata.
//! - [`oauth`] and [`http`]: the `oauth2` crate and the HTTP client set up for all of the above.

pub mod credentials;
pub mod device;
pub mod discovery;
pub mod error;
pub mod flow;
pub mod http;
pub mod lock;
pub mod loopback;
pub mod oauth;
pub mod session;
pub mod store;
pub mod verify;

pub use credentials::{Secret, TokenSet};
pub use error::{AuthError, KeyringCause, ProviderError, StoreError};
pub use flow::{LoginOptions, Prompt, login};
pub use session::{
    LogoutReport, Status, TokenSource, access_token, logout, refresh_locked, status,
};
pub use store::{Backend, FileStore, KeyringStore, TokenStore};
pub use verify::{Claims, JwtVerifier, TokenKind, VerifyError};

/// One provider account: what `plugctl.yaml`'s `auth.profiles.NAME` or the flags describe.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub scopes: Vec<String>,
    /// Sent as `audience` to providers that mint API-specific access tokens (Auth0 and others).
    pub audience: Option<String>,
}

impl Profile {
    pub(crate) fn identity(&self) -> oauth::ClientIdentity {
        oauth::ClientIdentity {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
        }
    }
}

/// Presets for well-known providers (`--provider NAME`).
pub fn preset(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    match name {
        "google" => Some((
            "https://accounts.google.com",
            &["openid", "email", "profile"],
        )),
        _ => None,
    }
}

/// The default scopes of a profile that names none: an ID token, and a refresh token when the
/// provider offers them.
pub const DEFAULT_SCOPES: &[&str] = &["openid", "email", "profile", "offline_access"];
