//! `plugctl login` and `plugctl logout` (also `plugctl auth login|logout`): resolve the profile
//! from plugctl.yaml and the flags, pick the token store, call `auth`, say what happened.
//! The shared pieces (profile names, stores, the data directory) are here too, for `cli::auth`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::anyhow;
use clap::Args;

use super::Globals;
use crate::auth::{self, FileStore, KeyringStore, Profile, Prompt, Secret, TokenStore};
use crate::config::env;
use crate::config::file::AuthProfileSection;
use crate::error::{CliError, ExitStatus};

/// Which profile a command works on.
#[derive(Debug, Args)]
pub struct ProfileArg {
    /// Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in
    /// plugctl.yaml, else "default"].
    #[arg(long, env = env::PROFILE, value_name = "NAME")]
    pub profile: Option<String>,
}

/// Where tokens are kept. The default (no flag) is the keyring, or the file store for a profile
/// that was logged in with `--insecure-storage`.
#[derive(Debug, Default, Args)]
pub struct StorageArg {
    /// Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring.
    /// For machines without a working keyring; anyone with your account's access can read it.
    #[arg(long)]
    pub insecure_storage: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// A provider preset: `google` (issuer https://accounts.google.com, scopes openid email
    /// profile).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// The OpenID issuer URL, exactly as the provider spells it.
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// The OAuth client ID registered for plugctl at the provider.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// A scope to request (repeatable) [default: openid email profile offline_access].
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Sign in on another device with a code (RFC 8628): for SSH sessions and machines without
    /// a browser.
    #[arg(long)]
    pub device: bool,
    /// Do not start a browser; print the URL to open (the listener still waits for it).
    #[arg(long)]
    pub no_browser: bool,
    /// Seconds to wait for the sign-in.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub timeout: u64,
    #[command(flatten)]
    pub storage: StorageArg,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// Log out of every profile plugctl knows (configured, active, or in the insecure store).
    #[arg(long, conflicts_with = "profile")]
    pub all: bool,
}

/// Where plugctl keeps auth state: `credentials/` (insecure store), `locks/`, `active-profile`.
pub(crate) fn data_dir() -> Result<PathBuf, CliError> {
    directories::ProjectDirs::from("", "", "plugctl")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| CliError::from(anyhow!("no home directory to keep login state in")))
}

pub(crate) fn lock_dir() -> Result<PathBuf, CliError> {
    Ok(data_dir()?.join("locks"))
}

fn active_profile_file() -> Result<PathBuf, CliError> {
    Ok(data_dir()?.join("active-profile"))
}

/// The profile name: flag or `$PLUGCTL_PROFILE`, then `auth switch`, then the file's default.
pub(crate) fn profile_name(arg: &ProfileArg, globals: &Globals) -> String {
    arg.profile
        .clone()
        .or_else(|| {
            active_profile_file()
                .ok()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .or_else(|| globals.config.file.auth.default_profile.clone())
        .unwrap_or_else(|| "default".into())
}

/// Makes `name` the active profile (`auth switch`).
pub(crate) fn set_active_profile(name: &str) -> Result<(), CliError> {
    let path = active_profile_file()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::files::write_atomic(&path, format!("{name}\n").as_bytes())?;
    Ok(())
}

/// The token store of a profile: the insecure file when asked for, or when the profile was
/// logged in that way; the OS keyring otherwise.
pub(crate) fn store_for(name: &str, storage: &StorageArg) -> Result<Box<dyn TokenStore>, CliError> {
    let files = FileStore::new(data_dir()?.join("credentials"));
    if storage.insecure_storage || files.has(name) {
        return Ok(Box::new(files));
    }
    Ok(Box::new(KeyringStore::new(keyring_service())))
}

/// The service name of plugctl's keyring entries: `$PLUGCTL_KEYRING_SERVICE`, else `plugctl`.
pub(crate) fn keyring_service() -> String {
    env::var(env::KEYRING_SERVICE).unwrap_or_else(|| "plugctl".into())
}

/// The profile as configured in plugctl.yaml, when it has one with an issuer and a client.
pub(crate) fn configured_profile(name: &str, globals: &Globals) -> Option<Profile> {
    let section = globals.config.file.auth.profiles.get(name)?;
    build_profile(name, section, None, None, None, &[]).ok()
}

fn build_profile(
    name: &str,
    section: &AuthProfileSection,
    provider: Option<&str>,
    issuer: Option<&str>,
    client_id: Option<&str>,
    scopes: &[String],
) -> Result<Profile, CliError> {
    let preset_name = provider.or(section.provider.as_deref());
    let preset = match preset_name {
        Some(p) => Some(auth::preset(p).ok_or_else(|| {
            CliError::usage(anyhow!("unknown provider preset {p:?}"))
                .with_hint("the presets are: google; or give --issuer and --client-id")
        })?),
        None => None,
    };
    let issuer = issuer
        .map(str::to_string)
        .or_else(|| section.issuer.clone())
        .or_else(|| preset.map(|p| p.0.to_string()))
        .ok_or_else(|| {
            CliError::usage(anyhow!("profile {name:?} has no issuer")).with_hint(format!(
                "pass --issuer URL (or --provider google), or set auth.profiles.{name}.issuer in plugctl.yaml"
            ))
        })?;
    let client_id = client_id
        .map(str::to_string)
        .or_else(|| section.client_id.clone())
        .ok_or_else(|| {
            CliError::usage(anyhow!("profile {name:?} has no client_id")).with_hint(format!(
                "pass --client-id ID, or set auth.profiles.{name}.client_id in plugctl.yaml"
            ))
        })?;
    let scopes = if !scopes.is_empty() {
        scopes.to_vec()
    } else if let Some(s) = &section.scopes {
        s.clone()
    } else if let Some((_, s)) = preset {
        s.iter().map(|s| s.to_string()).collect()
    } else {
        auth::DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect()
    };
    Ok(Profile {
        name: name.into(),
        issuer,
        client_id,
        client_secret: section.client_secret.clone().map(Secret::new),
        scopes,
        audience: section.audience.clone(),
    })
}

pub async fn run_login(args: LoginArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let name = profile_name(&args.profile, globals);
    let section = globals
        .config
        .file
        .auth
        .profiles
        .get(&name)
        .cloned()
        .unwrap_or_default();
    let profile = build_profile(
        &name,
        &section,
        args.provider.as_deref(),
        args.issuer.as_deref(),
        args.client_id.as_deref(),
        &args.scopes,
    )?;
    let store = store_for(&name, &args.storage)?;
    if store.backend() == auth::Backend::InsecureFile {
        globals.printer.warn(&format!(
            "tokens of profile {name:?} go to a plain file ({}), not the OS keyring",
            store.location()
        ));
    }
    let options = auth::LoginOptions {
        device: args.device,
        open_browser: !args.no_browser,
        browser: env::var(env::BROWSER),
        timeout: Duration::from_secs(args.timeout),
    };
    let printer = &globals.printer;
    let prompt = |p: Prompt| match p {
        Prompt::OpenUrl { url, opened } => {
            if opened {
                printer.status("Opened your browser to sign in. If it did not open, visit:");
            } else {
                printer.status("Open this URL in a browser to sign in:");
            }
            printer.report(&format!("  {url}"));
            if no_local_display() {
                printer.status(
                    "No display here (an SSH session?): `plugctl login --device` signs in from \
                     any other device.",
                );
            }
            printer.status("Waiting for the sign-in ...");
        }
        Prompt::DeviceCode {
            verification_uri,
            user_code,
            complete_uri,
            expires_in,
        } => {
            printer.report(&format!(
                "On any device, open {verification_uri} and enter the code {user_code}"
            ));
            if let Some(uri) = complete_uri {
                printer.report(&format!("  or open {uri}"));
            }
            printer.status(&format!(
                "Waiting for the sign-in (the code expires in {} min) ...",
                expires_in.as_secs().div_ceil(60)
            ));
        }
    };
    let tokens = auth::login(&profile, store.as_ref(), &options, &prompt).await?;
    let who = tokens
        .email
        .clone()
        .or(tokens.subject.clone())
        .unwrap_or_else(|| "(unknown subject)".into());
    printer.status(&format!(
        "Logged in to {} as {who} (profile {name}, {}).",
        profile.issuer,
        store.backend()
    ));
    if tokens.refresh_token.is_none() {
        printer.warn("the provider gave no refresh token: log in again when the token expires");
    }
    Ok(ExitStatus::Success)
}

pub async fn run_logout(args: LogoutArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let names: Vec<String> = if args.all {
        let mut names: Vec<String> = globals.config.file.auth.profiles.keys().cloned().collect();
        names.push(profile_name(&args.profile, globals));
        if let Ok(entries) = std::fs::read_dir(data_dir()?.join("credentials")) {
            for e in entries.flatten() {
                if let Some(stem) = e.path().file_stem().and_then(|s| s.to_str()) {
                    names.push(stem.to_string());
                }
            }
        }
        names.sort();
        names.dedup();
        names
    } else {
        vec![profile_name(&args.profile, globals)]
    };
    let mut any = false;
    for name in names {
        let store = store_for(&name, &StorageArg::default())?;
        let configured = configured_profile(&name, globals);
        let report = auth::logout(&name, configured.as_ref(), store.as_ref()).await?;
        if !report.deleted {
            if !args.all {
                globals
                    .printer
                    .status(&format!("Profile {name} was not logged in."));
                return Ok(ExitStatus::NotLoggedIn);
            }
            continue;
        }
        any = true;
        match (&report.revoked, &report.revocation_error) {
            (Some(true), _) => globals
                .printer
                .status(&format!("Logged out of profile {name}; the provider revoked the tokens.")),
            (None, _) => globals.printer.status(&format!(
                "Logged out of profile {name} (the provider offers no revocation; the tokens stay valid until they expire)."
            )),
            (Some(false), err) => globals.printer.warn(&format!(
                "logged out of profile {name} locally, but revocation failed: {}",
                err.as_deref().unwrap_or("unknown error")
            )),
        }
    }
    if args.all && !any {
        globals.printer.status("No profile was logged in.");
    }
    Ok(ExitStatus::Success)
}

/// True when a browser started here is unlikely to reach the user: an SSH session, or a Unix
/// desktop-less session (no X11 or Wayland display). macOS and Windows always have a display.
fn no_local_display() -> bool {
    let ssh = env::var("SSH_CONNECTION").is_some() || env::var("SSH_TTY").is_some();
    let desktop_less = cfg!(all(unix, not(target_os = "macos")))
        && env::var("DISPLAY").is_none()
        && env::var("WAYLAND_DISPLAY").is_none();
    ssh || desktop_less
}
