//! `plugctl serve`: resolve the settings, bind, print the URLs, serve until Ctrl-C or SIGTERM.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::Globals;
use crate::config::{ConfigError, Origin, env, layer};
use crate::error::{CliError, ExitStatus};
use crate::logging::{self, LogFormat};
use crate::serve::settings::{
    self, BackendSettings, OpenAiSettings, Settings, StoreKind, parse_duration,
};
use crate::serve::{self, Stopped};
use crate::tokens::Encoding;
use crate::tokens::compress::Strategy;

/// Default upstream of the `openai` backend.
const OPENAI_URL: &str = "https://api.openai.com/v1/chat/completions";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8787]; port 0 picks a free port.
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,

    /// Directory of the embedded session store [default: the platform data dir].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Session store: embedded (durable, default) or memory (gone on exit).
    #[arg(long, value_name = "STORE")]
    pub store: Option<String>,

    /// Who answers: echo (deterministic, default) or openai (an OpenAI-compatible API).
    #[arg(long, value_name = "BACKEND")]
    pub backend: Option<String>,

    /// Chat completions URL of the openai backend [default: api.openai.com]. The API key is
    /// read from $OPENAI_API_KEY (or the variable named by serve.openai.api_key_env).
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

    /// Log lines on stderr: text (default) or json (one object per line). Either way, one line
    /// per request, client addresses anonymized, credentials masked, values redacted.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

pub async fn run(args: ServeArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let settings = resolve(&args, globals)?;
    let backend = settings.backend.name();
    let store = match settings.store {
        StoreKind::Embedded => format!("embedded store in {}", settings.data_dir.display()),
        StoreKind::Memory => "memory store".to_string(),
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

/// Flags, then `PLUGCTL_SERVE_*`, then plugctl.yaml, then defaults.
fn resolve(args: &ServeArgs, globals: &Globals) -> Result<Settings, CliError> {
    let file = &globals.config.file.serve;
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
                "use embedded or memory".into(),
            )
        })?;
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
                let key_var = o.api_key_env.as_deref().unwrap_or(env::OPENAI_API_KEY);
                BackendSettings::OpenAi(OpenAiSettings {
                    url: args
                        .upstream_url
                        .clone()
                        .or_else(|| o.url.clone())
                        .unwrap_or_else(|| OPENAI_URL.to_string()),
                    model: model.clone().unwrap_or_else(|| "gpt-4o-mini".to_string()),
                    api_key: env::var(key_var),
                    timeout: duration(
                        "serve.openai.timeout",
                        None,
                        o.timeout.as_ref(),
                        Duration::from_secs(60),
                    )?,
                })
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
    tracing::debug!(settings = ?s, "resolved serve settings");
    Ok(s)
}

fn flag_or_file(flag: &Option<String>, file: &Option<String>) -> Option<(String, Origin)> {
    flag.clone()
        .map(|v| (v, Origin::Flag))
        .or_else(|| file.clone().map(|v| (v, Origin::File)))
}
