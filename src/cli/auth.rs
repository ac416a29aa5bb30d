//! `plugctl auth status|token|refresh|switch` (and `auth login|logout`, the same as the
//! top-level commands). Exit code 4 means "not logged in or token invalid" for all of them.

use clap::{Args, Subcommand};

use super::Globals;
use super::login::{
    LoginArgs, LogoutArgs, ProfileArg, StorageArg, configured_profile, lock_dir, profile_name,
    set_active_profile, store_for,
};
use crate::auth::{self, Secret, TokenSource};
use crate::config::env;
use crate::error::{CliError, ExitStatus};
use crate::output::table;

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret).
    Status(StatusArgs),
    /// Print a valid access token on stdout (refreshed first when it is about to expire), for
    /// scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`.
    Token(TokenArgs),
    /// Refresh the tokens now, with the stored refresh token.
    Refresh(TokenArgs),
    /// Make another profile the active one.
    Switch(SwitchArgs),
    /// The same as `plugctl login`.
    Login(Box<LoginArgs>),
    /// The same as `plugctl logout`.
    Logout(LogoutArgs),
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    #[command(flatten)]
    pub storage: StorageArg,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
}

#[derive(Debug, Args)]
pub struct SwitchArgs {
    /// The profile to use from now on.
    pub name: String,
}

pub async fn run(cmd: AuthCommand, globals: &Globals) -> Result<ExitStatus, CliError> {
    match cmd {
        AuthCommand::Status(args) => status(args, globals),
        AuthCommand::Token(args) => token(args, globals).await,
        AuthCommand::Refresh(args) => refresh(args, globals).await,
        AuthCommand::Switch(args) => switch(args, globals),
        AuthCommand::Login(args) => super::login::run_login(*args, globals).await,
        AuthCommand::Logout(args) => super::login::run_logout(args, globals).await,
    }
}

fn env_token() -> Option<Secret> {
    env::var(env::TOKEN).map(Secret::new)
}

fn status(args: StatusArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let name = profile_name(&args.profile, globals);
    let store = store_for(&name, &args.storage)?;
    let status = auth::status(&name, store.as_ref(), env_token().as_ref())?;
    let p = &globals.printer;
    if p.is_json() {
        p.json(&status)?;
    } else {
        let mut t = table::new(p, &["", ""]);
        let none = || "-".to_string();
        let expiry = match (status.expires_at, status.expires_in_secs) {
            (Some(_), Some(s)) if s >= 0 => format!("in {}", human_secs(s as u64)),
            (Some(_), Some(s)) => format!("expired {} ago", human_secs(s.unsigned_abs())),
            _ => none(),
        };
        let source = match status.source {
            TokenSource::Env => format!("${} (overrides the stored token)", env::TOKEN),
            TokenSource::Keyring => "OS keyring".into(),
            TokenSource::InsecureFile => "insecure file (--insecure-storage)".into(),
        };
        let rows = [
            ("profile", status.profile.clone()),
            (
                "logged in",
                if status.logged_in { "yes" } else { "no" }.into(),
            ),
            ("token source", source),
            ("storage", status.storage.clone()),
            ("issuer", status.issuer.clone().unwrap_or_else(none)),
            ("subject", status.subject.clone().unwrap_or_else(none)),
            ("email", status.email.clone().unwrap_or_else(none)),
            (
                "scopes",
                if status.scopes.is_empty() {
                    none()
                } else {
                    status.scopes.join(" ")
                },
            ),
            ("expires", expiry),
            (
                "refresh token",
                if status.refresh_token { "yes" } else { "no" }.into(),
            ),
        ];
        for (k, v) in rows {
            t.add_row(vec![k.to_string(), v]);
        }
        p.table(&t)?;
    }
    if status.logged_in {
        Ok(ExitStatus::Success)
    } else {
        p.status(&format!(
            "Not logged in: run `plugctl login --profile {name}`."
        ));
        Ok(ExitStatus::NotLoggedIn)
    }
}

fn human_secs(s: u64) -> String {
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        _ => format!("{}h", s / 3600),
    }
}

async fn token(args: TokenArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    // The environment wins, without touching the keyring: CI and scripts set it.
    if let Some(token) = env_token() {
        globals.printer.line(token.expose())?;
        return Ok(ExitStatus::Success);
    }
    let name = profile_name(&args.profile, globals);
    let store = store_for(&name, &StorageArg::default())?;
    let configured = configured_profile(&name, globals);
    let token =
        auth::access_token(&name, configured.as_ref(), store.as_ref(), &lock_dir()?).await?;
    globals.printer.line(token.expose())?;
    Ok(ExitStatus::Success)
}

async fn refresh(args: TokenArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let name = profile_name(&args.profile, globals);
    let store = store_for(&name, &StorageArg::default())?;
    let configured = configured_profile(&name, globals);
    let tokens = auth::refresh_locked(
        &name,
        configured.as_ref(),
        store.as_ref(),
        &lock_dir()?,
        true,
    )
    .await?;
    let until = tokens
        .expires_at
        .map(|at| {
            format!(
                ", valid for {}",
                human_secs(at.saturating_sub(auth::verify::unix_now()))
            )
        })
        .unwrap_or_default();
    globals
        .printer
        .status(&format!("Refreshed the tokens of profile {name}{until}."));
    Ok(ExitStatus::Success)
}

fn switch(args: SwitchArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let known = globals.config.file.auth.profiles.contains_key(&args.name) || {
        let store = store_for(&args.name, &StorageArg::default())?;
        store
            .load(&args.name)
            .map_err(auth::AuthError::from)?
            .is_some()
    };
    if !known {
        return Err(CliError::usage(anyhow::anyhow!(
            "no profile {:?}: not in plugctl.yaml and never logged in",
            args.name
        ))
        .with_hint(format!(
            "add auth.profiles.{} to plugctl.yaml, or `plugctl login --profile {} --issuer URL --client-id ID`",
            args.name, args.name
        )));
    }
    set_active_profile(&args.name)?;
    globals
        .printer
        .status(&format!("Profile {} is now active.", args.name));
    Ok(ExitStatus::Success)
}
