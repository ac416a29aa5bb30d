//! `plugctl serve`: resolve the settings, bind, print the URLs, serve until Ctrl-C or SIGTERM.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};

use super::Globals;

#[path = "serve_reload.rs"]
mod reload;
use crate::auth::store::KeyringStore;
use crate::config::file::ServeSection;
use crate::config::{ConfigError, Origin, env, layer};
use crate::error::{CliError, ExitStatus};
use crate::files;
use crate::logging::{self, LogFormat};
use crate::serve::auth::{AuthSettings, DEFAULT_KEYS_ENV, JwtSettings};
use crate::serve::backend::API_KEY_ENTRY;
use crate::serve::limit::{ClientKey, Rate};
use crate::serve::plugins::PluginSettings;
use crate::serve::sessions::export::{self, ExportFormat};
use crate::serve::sessions::{Clock as _, RedisStore, StoreError, SystemClock};
use crate::serve::settings::{
    self, BackendSettings, Durability, OpenAiSettings, Settings, StoreKind, parse_duration,
};
use crate::serve::{self, Stopped};
use crate::tokens::Encoding;
use crate::tokens::compress::Strategy;

/// Default upstream of the `openai` backend.
const OPENAI_URL: &str = "https://api.openai.com/v1/chat/completions";

#[derive(Debug, Default, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub command: Option<ServeCommand>,

    /// Address to listen on [default: 127.0.0.1:8787]; port 0 picks a free port.
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,

    /// Directory of the embedded session store [default: the platform data dir].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Session store: embedded (durable, default), memory (gone on exit) or a Redis URL such as
    /// redis://127.0.0.1:6379/ (shared by several nodes).
    #[arg(long, value_name = "STORE")]
    pub store: Option<String>,

    /// When the embedded store acknowledges a write: fsync (default: survives a power cut) or
    /// os (written to the operating system: survives a crash or kill -9 of plugctl).
    #[arg(long, value_name = "MODE")]
    pub durability: Option<String>,

    /// Who answers: echo (deterministic, default) or openai (an OpenAI-compatible API).
    #[arg(long, value_name = "BACKEND")]
    pub backend: Option<String>,

    /// Chat completions URL of the openai backend [default: api.openai.com]. The API key is
    /// read from $OPENAI_API_KEY (or the variable named by serve.openai.api_key_env), else from
    /// the OS keyring entry openai-api-key.
    #[arg(long, value_name = "URL")]
    pub upstream_url: Option<String>,

    /// Model: sent to the openai backend, and picks the tokenizer for the context budget.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,

    /// Token budget of each turn's history, reply reserve included [default: 2048].
    #[arg(long, value_name = "TOKENS")]
    pub context_budget: Option<usize>,

    /// Tokens of the budget kept for the reply [default: 256].
    #[arg(long, value_name = "TOKENS")]
    pub reserve_output: Option<usize>,

    /// Which messages survive trimming: last (default), first or middle-out.
    #[arg(long, value_name = "STRATEGY")]
    pub strategy: Option<String>,

    /// Sliding lifetime of an active session, e.g. 30m [default: 30m].
    #[arg(long, value_name = "DURATION")]
    pub active_ttl: Option<String>,

    /// How long an expired session can still be revived by a message [default: 7d].
    #[arg(long, value_name = "DURATION")]
    pub inactive_ttl: Option<String>,

    /// How long the transcript is then kept read-only before it is purged [default: 30d].
    #[arg(long, value_name = "DURATION")]
    pub archive_ttl: Option<String>,

    /// Time in-flight requests get to finish after Ctrl-C/SIGTERM [default: 5m].
    #[arg(long, value_name = "DURATION")]
    pub grace_period: Option<String>,

    /// Requests per second to /v1/* over all clients; 0 or off turns the limit off [default: 100].
    #[arg(long, value_name = "RPS")]
    pub rate_limit: Option<String>,

    /// Requests admitted at once after an idle period [default: the rate].
    #[arg(long, value_name = "N")]
    pub rate_burst: Option<u32>,

    /// Requests per second of each client, on top of the global limit [default: none].
    #[arg(long, value_name = "RPS")]
    pub client_rate_limit: Option<u32>,

    /// Burst of each client [default: its rate].
    #[arg(long, value_name = "N")]
    pub client_rate_burst: Option<u32>,

    /// What a client is: ip (default) or api_key (needs --auth api_key).
    #[arg(long, value_name = "KEY")]
    pub client_key: Option<String>,

    /// Who may call /v1/*: none (default), api_key (keys from $PLUGCTL_SERVE_API_KEYS, comma
    /// separated, or serve.auth in plugctl.yaml) or jwt (access tokens of --auth-issuer for
    /// --auth-audience).
    #[arg(long, value_name = "TYPE")]
    pub auth: Option<String>,

    /// With --auth jwt: the OpenID provider whose tokens are accepted.
    #[arg(long, value_name = "URL")]
    pub auth_issuer: Option<String>,

    /// With --auth jwt: the audience (aud) a token must carry.
    #[arg(long, value_name = "AUD")]
    pub auth_audience: Option<String>,

    /// Log lines on stderr: text (default) or json (one object per line). Either way, one line
    /// per request, client addresses anonymized, credentials masked, values redacted.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// Write a session's transcript (any tier short of purged) as JSON or JSON Lines, read
    /// straight from the store. The embedded store must not be in use by a running server.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The session to export.
    #[arg(value_name = "SESSION_ID")]
    pub session_id: String,

    /// Session store: embedded (default), memory or a redis:// URL (as for plugctl serve).
    #[arg(long, value_name = "STORE")]
    pub store: Option<String>,

    /// Directory of the embedded session store [default: the platform data dir].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// json (one document, default) or jsonl (one message per line).
    #[arg(long, value_enum, default_value = "json", value_name = "FORMAT")]
    pub format: ExportFormatArg,

    /// Write the transcript to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormatArg {
    Json,
    Jsonl,
}

pub async fn run(mut args: ServeArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    if let Some(ServeCommand::Export(export)) = args.command.take() {
        return run_export(export, globals).await;
    }
    let settings = resolve(&args, globals)?;
    if let AuthSettings::Jwt(jwt) = &settings.auth {
        check_issuer(jwt).await?;
    }
    let backend = settings.backend.name();
    let store = match &settings.store {
        StoreKind::Embedded => format!(
            "embedded store in {}{}",
            settings.data_dir.display(),
            match settings.durability {
                Durability::Fsync => "",
                Durability::Os => ", durability os",
            }
        ),
        StoreKind::Memory => "memory store".to_string(),
        StoreKind::Redis(url) => format!("redis store at {}", RedisStore::display_url(url)),
    };
    let redact_settings = super::redact::config_settings(globals)?;
    let redactor = crate::redact::Redactor::new(&redact_settings)?;
    let log_format = log_format(&args, globals)?;
    logging::use_server_lines(
        log_format,
        Arc::new(logging::redactor_for_logs(
            &redact_settings,
            &[settings.bind.ip().to_string()],
        )?),
    );
    let server = serve::bind(settings, Arc::new(redactor))
        .await
        .map_err(serve_error)?;
    let base = format!("http://{}", server.local_addr());
    let watched = globals.config.path.clone();
    tokio::spawn(reload::watch(args, watched, server.reloader()));
    let printer = &globals.printer;
    if printer.is_json() {
        printer.json(&serde_json::json!({
            "url": base,
            "api": format!("{base}/v1/chat"),
            "docs": format!("{base}/api/docs"),
            "openapi": format!("{base}/openapi.json"),
            "manifest": format!("{base}/.well-known/ai-plugin.json"),
        }))?;
    }
    if log_format == LogFormat::Json {
        // Every line on stderr stays one JSON object.
        tracing::info!(target: "plugctl::serve", url = %base, backend, store = %store, "listening");
    } else {
        printer.status(&format!(
            "plugctl serve listening on {base} ({backend} backend, {store})\n  \
             API:      {base}/v1/chat\n  \
             Docs:     {base}/api/docs\n  \
             OpenAPI:  {base}/openapi.json\n  \
             Manifest: {base}/.well-known/ai-plugin.json\n\
             Press Ctrl-C to stop."
        ));
    }
    let stopped = server
        .run(serve::shutdown::signal())
        .await
        .map_err(serve_error)?;
    match (stopped, log_format) {
        (Stopped::Drained, LogFormat::Text) => printer.status("stopped: every request finished"),
        (Stopped::GraceExpired, LogFormat::Text) => {
            printer.warn("stopped: the grace period ran out with requests still in flight");
        }
        (Stopped::Drained, LogFormat::Json) => {
            tracing::info!(target: "plugctl::serve", "stopped: every request finished");
        }
        (Stopped::GraceExpired, LogFormat::Json) => tracing::warn!(
            target: "plugctl::serve",
            "stopped: the grace period ran out with requests still in flight"
        ),
    }
    Ok(ExitStatus::Success)
}

/// Fails early when the token issuer of `auth: jwt` cannot be reached: every request would
/// fail until it can.
async fn check_issuer(jwt: &JwtSettings) -> Result<(), CliError> {
    let http = crate::auth::http::client();
    match crate::auth::discovery::fetch(&http, &jwt.issuer).await {
        Ok(_) => Ok(()),
        Err(e) => Err(CliError::from(
            anyhow::Error::new(e)
                .context(format!("token issuer {} (serve.auth.issuer)", jwt.issuer)),
        )
        .with_hint(
            "start the OpenID provider or fix serve.auth.issuer (--auth-issuer): its discovery \
             document must answer at ISSUER/.well-known/openid-configuration",
        )),
    }
}

async fn run_export(args: ExportArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let serve_args = ServeArgs {
        store: args.store.clone(),
        data_dir: args.data_dir.clone(),
        ..ServeArgs::default()
    };
    let settings = resolve(&serve_args, globals)?;
    let store = serve::open_store(&settings).await.map_err(|e| {
        let locked = matches!(e, StoreError::Locked { .. });
        let error = serve_error(e.into());
        if locked {
            error.with_hint(format!(
                "a running plugctl serve owns this data directory: stop it, or ask it with \
                 GET /v1/sessions/{}?archived=true",
                args.session_id
            ))
        } else {
            error
        }
    })?;
    let tiers = settings.tiers;
    let id = args.session_id.clone();
    let now = SystemClock.now_ms();
    let found =
        tokio::task::spawn_blocking(move || export::transcript(store.as_ref(), &tiers, &id, now))
            .await
            .map_err(anyhow::Error::new)?
            .map_err(|e| serve_error(e.into()))?;
    let Some(transcript) = found else {
        return Err(CliError::from(anyhow::anyhow!(
            "no session {:?} in the store",
            args.session_id
        ))
        .with_hint(
            "check the id and the --store/--data-dir of the server that holds it; sessions past \
             their archive time are purged",
        ));
    };
    let format = match args.format {
        ExportFormatArg::Json => ExportFormat::Json,
        ExportFormatArg::Jsonl => ExportFormat::Jsonl,
    };
    let rendered = transcript.render(format).map_err(anyhow::Error::new)?;
    match &args.out {
        Some(path) => {
            files::write_atomic(path, &rendered)
                .with_context(|| format!("writing {}", path.display()))?;
            globals.printer.status(&format!(
                "exported {} messages of session {} ({} tier) to {}",
                transcript.messages.len(),
                transcript.session_id,
                format!("{:?}", transcript.tier).to_lowercase(),
                path.display()
            ));
        }
        None => globals.printer.raw(&rendered)?,
    }
    Ok(ExitStatus::Success)
}

/// `--log-format`, then `PLUGCTL_SERVE_LOG_FORMAT`, then `serve.log_format`.
fn log_format(args: &ServeArgs, globals: &Globals) -> Result<LogFormat, CliError> {
    let file = globals.config.file.serve.log_format.clone();
    match layer(args.log_format.clone(), env::SERVE_LOG_FORMAT, |v| v, file) {
        None => Ok(LogFormat::default()),
        Some((name, origin)) => LogFormat::from_name(&name)
            .ok_or_else(|| invalid("serve.log_format", &name, origin, "use text or json".into())),
    }
}

fn serve_error(e: serve::ServeError) -> CliError {
    CliError::from(anyhow::Error::new(e))
}

fn invalid(key: &'static str, value: &str, origin: Origin, message: String) -> CliError {
    CliError::from(ConfigError::Invalid {
        key,
        value: value.to_string(),
        origin,
        message,
    })
}

/// A duration setting: flag, then file, then default.
fn duration(
    key: &'static str,
    flag: Option<&String>,
    file: Option<&String>,
    default: Duration,
) -> Result<Duration, CliError> {
    let (text, origin) = match (flag, file) {
        (Some(v), _) => (v, Origin::Flag),
        (None, Some(v)) => (v, Origin::File),
        (None, None) => return Ok(default),
    };
    parse_duration(text).map_err(|m| invalid(key, text, origin, m))
}

fn resolve(args: &ServeArgs, globals: &Globals) -> Result<Settings, CliError> {
    resolve_with(args, &globals.config.file.serve)
}

/// Flags, then `PLUGCTL_SERVE_*`, then plugctl.yaml (`file`), then defaults.
fn resolve_with(args: &ServeArgs, file: &ServeSection) -> Result<Settings, CliError> {
    let data_dir = layer(
        args.data_dir.clone(),
        env::SERVE_DATA_DIR,
        PathBuf::from,
        file.data_dir.clone(),
    )
    .map(|(d, _)| d)
    .or_else(|| {
        directories::ProjectDirs::from("", "", "plugctl").map(|d| d.data_dir().to_path_buf())
    })
    .unwrap_or_else(|| PathBuf::from(".plugctl"));
    let mut s = Settings::with_data_dir(data_dir);

    if let Some((text, origin)) =
        layer(args.bind.clone(), env::SERVE_BIND, |v| v, file.bind.clone())
    {
        s.bind = text.parse().map_err(|e| {
            invalid(
                "serve.bind",
                &text,
                origin,
                format!("{e}; expected IP:PORT"),
            )
        })?;
    }
    if let Some((name, origin)) = layer(
        args.store.clone(),
        env::SERVE_STORE,
        |v| v,
        file.store.clone(),
    ) {
        s.store = StoreKind::from_name(&name).ok_or_else(|| {
            invalid(
                "serve.store",
                &name,
                origin,
                "use embedded, memory or a redis://HOST:PORT/ URL".into(),
            )
        })?;
    }

    if let Some((name, origin)) = flag_or_file(&args.durability, &file.durability) {
        s.durability = Durability::from_name(&name)
            .ok_or_else(|| invalid("serve.durability", &name, origin, "use fsync or os".into()))?;
    }

    let context = &file.context;
    s.context.budget = args
        .context_budget
        .or(context.budget)
        .unwrap_or(settings::DEFAULT_BUDGET);
    s.context.reserve_output = args
        .reserve_output
        .or(context.reserve_output)
        .unwrap_or(settings::DEFAULT_RESERVE);
    if let Some((name, origin)) = flag_or_file(&args.strategy, &context.strategy) {
        s.context.strategy = Strategy::from_name(&name)
            .map_err(|e| invalid("serve.context.strategy", &name, origin, e.to_string()))?;
    }
    s.context.system_prompt = context.system_prompt.clone();
    let model = args
        .model
        .clone()
        .or_else(|| context.model.clone())
        .or_else(|| file.openai.model.clone());
    if let Some(model) = &model {
        s.context.encoding = Encoding::for_model(model).unwrap_or(Encoding::O200kBase);
    }
    s.context.model = model.clone();
    if s.context.budget <= s.context.reserve_output + 3 {
        return Err(invalid(
            "serve.context.budget",
            &s.context.budget.to_string(),
            Origin::Flag,
            format!(
                "must leave room beyond the {} tokens reserved for the reply",
                s.context.reserve_output
            ),
        ));
    }

    let tiers = &file.sessions;
    s.tiers.active = duration(
        "serve.sessions.active_ttl",
        args.active_ttl.as_ref(),
        tiers.active_ttl.as_ref(),
        s.tiers.active,
    )?;
    s.tiers.inactive = duration(
        "serve.sessions.inactive_ttl",
        args.inactive_ttl.as_ref(),
        tiers.inactive_ttl.as_ref(),
        s.tiers.inactive,
    )?;
    s.tiers.archive = duration(
        "serve.sessions.archive_ttl",
        args.archive_ttl.as_ref(),
        tiers.archive_ttl.as_ref(),
        s.tiers.archive,
    )?;
    s.grace_period = duration(
        "serve.grace_period",
        args.grace_period.as_ref(),
        file.grace_period.as_ref(),
        s.grace_period,
    )?;
    s.sweep_interval = duration(
        "serve.sweep_interval",
        None,
        file.sweep_interval.as_ref(),
        s.sweep_interval,
    )?;
    if s.sweep_interval.is_zero() {
        return Err(invalid(
            "serve.sweep_interval",
            "0",
            Origin::File,
            "must be longer than zero".into(),
        ));
    }
    if let Some(limit) = file.body_limit {
        s.body_limit = limit;
    }

    if let Some((name, origin)) = layer(
        args.backend.clone(),
        env::SERVE_BACKEND,
        |v| v,
        file.backend.clone(),
    ) {
        s.backend = match name.as_str() {
            "echo" => BackendSettings::Echo,
            "openai" => {
                let o = &file.openai;
                let url = args
                    .upstream_url
                    .clone()
                    .or_else(|| o.url.clone())
                    .unwrap_or_else(|| OPENAI_URL.to_string());
                openai_backend(
                    "serve.openai.timeout",
                    url,
                    model.clone(),
                    o.api_key_env.as_deref(),
                    o.timeout.as_ref(),
                )?
            }
            _ => {
                return Err(invalid(
                    "serve.backend",
                    &name,
                    origin,
                    "use echo or openai".into(),
                ));
            }
        };
    }

    let m = &file.manifest;
    let d = &mut s.manifest;
    for (target, value) in [
        (&mut d.name_for_human, &m.name_for_human),
        (&mut d.name_for_model, &m.name_for_model),
        (&mut d.description_for_human, &m.description_for_human),
        (&mut d.description_for_model, &m.description_for_model),
        (&mut d.logo_url, &m.logo_url),
        (&mut d.contact_email, &m.contact_email),
        (&mut d.legal_info_url, &m.legal_info_url),
    ] {
        if let Some(v) = value {
            target.clone_from(v);
        }
    }
    d.public_url.clone_from(&m.public_url);
    resolve_auth(args, file, &mut s)?;
    resolve_rate_limit(args, file, &mut s)?;
    resolve_breaker(file, &mut s)?;
    resolve_plugins(file, model.as_deref(), &mut s)?;
    resolve_fan_out(file, &mut s)?;
    tracing::debug!(settings = ?s, "resolved serve settings");
    Ok(s)
}

fn flag_or_file(flag: &Option<String>, file: &Option<String>) -> Option<(String, Origin)> {
    flag.clone()
        .map(|v| (v, Origin::Flag))
        .or_else(|| file.clone().map(|v| (v, Origin::File)))
}

/// `serve.auth` and `--auth`.
fn resolve_auth(args: &ServeArgs, file: &ServeSection, s: &mut Settings) -> Result<(), CliError> {
    let a = &file.auth;
    let Some((kind, origin)) = flag_or_file(&args.auth, &a.kind) else {
        return Ok(());
    };
    s.auth = match kind.as_str() {
        "none" => AuthSettings::None,
        "api_key" => {
            let var = a.keys_env.as_deref().unwrap_or(DEFAULT_KEYS_ENV);
            let mut keys = a.keys.clone();
            keys.extend(
                env::var(var)
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_string),
            );
            keys.retain(|k| !k.trim().is_empty());
            if keys.is_empty() {
                return Err(invalid(
                    "serve.auth.type",
                    &kind,
                    origin,
                    format!("no API key: set ${var} (comma-separated keys) or serve.auth.keys"),
                ));
            }
            AuthSettings::ApiKey { keys }
        }
        "jwt" => {
            let required = |key: &'static str, flag: &Option<String>, file: &Option<String>| {
                flag_or_file(flag, file)
                    .filter(|(v, _)| !v.trim().is_empty())
                    .map(|(v, _)| v)
                    .ok_or_else(|| {
                        invalid(
                            "serve.auth.type",
                            &kind,
                            origin,
                            format!("jwt needs {key} (or --auth-{})", &key[11..]),
                        )
                    })
            };
            let issuer = required("serve.auth.issuer", &args.auth_issuer, &a.issuer)?;
            let audience = required("serve.auth.audience", &args.auth_audience, &a.audience)?;
            crate::auth::discovery::document_url(&issuer)
                .map_err(|e| invalid("serve.auth.issuer", &issuer, origin, e.to_string()))?;
            AuthSettings::Jwt(JwtSettings {
                issuer,
                audience,
                scope: a.scope.clone().unwrap_or_else(|| "openid".into()),
                leeway: duration(
                    "serve.auth.leeway",
                    None,
                    a.leeway.as_ref(),
                    crate::auth::verify::DEFAULT_LEEWAY,
                )?,
            })
        }
        _ => {
            return Err(invalid(
                "serve.auth.type",
                &kind,
                origin,
                "use none, api_key or jwt".into(),
            ));
        }
    };
    Ok(())
}

/// `serve.rate_limit` and the `--rate-*`/`--client-*` flags.
fn resolve_rate_limit(
    args: &ServeArgs,
    file: &ServeSection,
    s: &mut Settings,
) -> Result<(), CliError> {
    let r = &file.rate_limit;
    let rps = match (&args.rate_limit, r.rps) {
        (Some(text), _) => match text.as_str() {
            "off" => 0,
            _ => text.parse().map_err(|_| {
                invalid(
                    "serve.rate_limit.rps",
                    text,
                    Origin::Flag,
                    "expected requests per second (a whole number), or off".into(),
                )
            })?,
        },
        (None, Some(n)) => n,
        (None, None) => crate::serve::limit::DEFAULT_RPS,
    };
    let (burst, origin) = match (args.rate_burst, r.burst) {
        (Some(b), _) => (b, Origin::Flag),
        (None, Some(b)) => (b, Origin::File),
        (None, None) => (rps, Origin::Flag),
    };
    s.rate_limit.global = if rps == 0 {
        None
    } else {
        Some(Rate::new(rps, burst).ok_or_else(|| {
            invalid(
                "serve.rate_limit.burst",
                "0",
                origin,
                "must be at least 1".into(),
            )
        })?)
    };

    let client = &r.per_client;
    let client_rps = args
        .client_rate_limit
        .map(|n| (n, Origin::Flag))
        .or_else(|| client.as_ref().map(|c| (c.rps, Origin::File)));
    let Some((client_rps, origin)) = client_rps else {
        return Ok(());
    };
    let burst = args
        .client_rate_burst
        .or_else(|| client.as_ref().and_then(|c| c.burst))
        .unwrap_or(client_rps);
    let rate = Rate::new(client_rps, burst).ok_or_else(|| {
        invalid(
            "serve.rate_limit.per_client",
            &format!("rps {client_rps}, burst {burst}"),
            origin,
            "rate and burst must be at least 1".into(),
        )
    })?;
    let key_name = flag_or_file(
        &args.client_key,
        &client.as_ref().and_then(|c| c.key.clone()),
    );
    let key = match key_name {
        None => ClientKey::Ip,
        Some((name, origin)) => {
            let key = ClientKey::from_name(&name).ok_or_else(|| {
                invalid(
                    "serve.rate_limit.per_client.key",
                    &name,
                    origin,
                    "use ip or api_key".into(),
                )
            })?;
            if key == ClientKey::ApiKey && s.auth == AuthSettings::None {
                return Err(invalid(
                    "serve.rate_limit.per_client.key",
                    &name,
                    origin,
                    "keying clients by API key needs auth: {type: api_key} (--auth api_key)".into(),
                ));
            }
            key
        }
    };
    s.rate_limit.per_client = Some((key, rate));
    Ok(())
}

/// `serve.breaker`.
fn resolve_breaker(file: &ServeSection, s: &mut Settings) -> Result<(), CliError> {
    let b = &file.breaker;
    let d = &mut s.breaker;
    d.window = duration("serve.breaker.window", None, b.window.as_ref(), d.window)?;
    d.cool_down = duration(
        "serve.breaker.cool_down",
        None,
        b.cool_down.as_ref(),
        d.cool_down,
    )?;
    if let Some(p) = b.error_rate_percent {
        if !(0.0..100.0).contains(&p) {
            return Err(invalid(
                "serve.breaker.error_rate_percent",
                &p.to_string(),
                Origin::File,
                "must be at least 0 and below 100".into(),
            ));
        }
        d.error_rate = p / 100.0;
    }
    if let Some(n) = b.min_calls {
        d.min_calls = n.max(1);
    }
    if let Some(n) = b.probes {
        d.probes = n.max(1);
    }
    if d.window.is_zero() {
        return Err(invalid(
            "serve.breaker.window",
            "0",
            Origin::File,
            "must be longer than zero".into(),
        ));
    }
    Ok(())
}

/// `serve.plugins`.
fn resolve_plugins(
    file: &ServeSection,
    model: Option<&str>,
    s: &mut Settings,
) -> Result<(), CliError> {
    const KEY: &str = "serve.plugins";
    for p in &file.plugins {
        let bad = |message: String| invalid(KEY, &p.name, Origin::File, message);
        if p.name.is_empty() || p.name.len() > 128 {
            return Err(bad("every plugin needs a name of 1 to 128 bytes".into()));
        }
        if p.name == s.backend.name() || s.plugins.iter().any(|q| q.name == p.name) {
            return Err(bad(
                "two plugins (or a plugin and serve.backend) share this name".into(),
            ));
        }
        let backend = match p.backend.as_deref().unwrap_or("openai") {
            "echo" => BackendSettings::Echo,
            "openai" => {
                let url = p
                    .url
                    .clone()
                    .ok_or_else(|| bad("an openai plugin needs a url".into()))?;
                openai_backend(
                    "serve.plugins.timeout",
                    url,
                    p.model.clone().or_else(|| model.map(str::to_string)),
                    p.api_key_env.as_deref(),
                    p.timeout.as_ref(),
                )?
            }
            other => return Err(bad(format!("backend {other:?}: use openai or echo"))),
        };
        if p.concurrency == Some(0) {
            return Err(bad("concurrency must be at least 1".into()));
        }
        let route = &p.route;
        if let Some(prefix) = &route.path_prefix {
            check_path_prefix(prefix, &s.plugins)
                .map_err(|m| bad(format!("route.path_prefix {prefix:?} {m}")))?;
        }
        if route.default && s.plugins.iter().any(|q| q.default) {
            return Err(bad("only one plugin can be the default".into()));
        }
        let pattern = route
            .pattern
            .as_deref()
            .map(regex::Regex::new)
            .transpose()
            .map_err(|e| bad(format!("route.pattern: {e}")))?;
        s.plugins.push(PluginSettings {
            name: p.name.clone(),
            backend,
            concurrency: p.concurrency,
            keywords: route.keywords.iter().map(|k| k.to_lowercase()).collect(),
            pattern,
            path_prefix: route.path_prefix.clone(),
            default: route.default,
        });
    }
    Ok(())
}

/// `serve.fan_out`: each name new, each member a plugin.
fn resolve_fan_out(file: &ServeSection, s: &mut Settings) -> Result<(), CliError> {
    for f in &file.fan_out {
        let bad = |message: String| invalid("serve.fan_out", &f.name, Origin::File, message);
        let taken = f.name == s.backend.name()
            || s.plugins.iter().any(|p| p.name == f.name)
            || s.fan_out.iter().any(|g| g.name == f.name);
        if f.name.is_empty() || taken {
            return Err(bad(
                "needs a name of its own (not a plugin's or another fan-out's)".into(),
            ));
        }
        let mode = f.mode.as_deref().unwrap_or("all");
        let mode = crate::serve::fanout::Mode::from_name(mode)
            .ok_or_else(|| bad(format!("mode {mode:?}: use all, first_success or priority")))?;
        if f.plugins.is_empty() {
            return Err(bad("lists no plugins".into()));
        }
        if let Some(unknown) = f
            .plugins
            .iter()
            .find(|n| !s.plugins.iter().any(|p| &&p.name == n))
        {
            return Err(bad(format!("{unknown:?} is not in serve.plugins")));
        }
        s.fan_out.push(crate::serve::fanout::FanOutSettings {
            name: f.name.clone(),
            mode,
            plugins: f.plugins.clone(),
        });
    }
    Ok(())
}

/// An `openai` backend; its key is read from `key_env` (default `OPENAI_API_KEY`), else from the
/// OS keyring, never from the file.
fn openai_backend(
    timeout_key: &'static str,
    url: String,
    model: Option<String>,
    key_env: Option<&str>,
    timeout: Option<&String>,
) -> Result<BackendSettings, CliError> {
    Ok(BackendSettings::OpenAi(OpenAiSettings {
        url,
        model: model.unwrap_or_else(|| "gpt-4o-mini".to_string()),
        api_key: env::var(key_env.unwrap_or(env::OPENAI_API_KEY)).or_else(api_key_from_keyring),
        timeout: duration(timeout_key, None, timeout, Duration::from_secs(60))?,
    }))
}

/// The keyring entry [`API_KEY_ENTRY`] of plugctl's service, e.g. stored with `secret-tool store
/// --label='plugctl openai key' service plugctl username openai-api-key`. A keyring that cannot
/// answer leaves the key unset (the upstream then says 401, a 502 to the client), logged at
/// debug level.
fn api_key_from_keyring() -> Option<String> {
    match KeyringStore::new(super::login::keyring_service()).secret(API_KEY_ENTRY) {
        Ok(key) => key,
        Err(e) => {
            tracing::debug!("no openai API key from the OS keyring: {e}");
            None
        }
    }
}

/// A plugin's path prefix must be literal segments under /v1/, and apart from the API's own
/// paths and from the other plugins' prefixes (the router could not tell them apart).
fn check_path_prefix(prefix: &str, others: &[PluginSettings]) -> Result<(), &'static str> {
    let literal = prefix.strip_prefix("/v1/").is_some_and(|rest| {
        rest.split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        })
    });
    if !literal {
        return Err("must be literal segments (letters, digits, - . _ ~) under /v1/");
    }
    let nested = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
    let taken = ["/v1/chat", "/v1/sessions"]
        .into_iter()
        .chain(others.iter().filter_map(|p| p.path_prefix.as_deref()))
        .any(|other| nested(prefix, other) || nested(other, prefix));
    if taken {
        return Err("overlaps /v1/chat, /v1/sessions or another plugin's prefix");
    }
    Ok(())
}
