//! `plugctl serve`: resolve the settings, bind, print the URLs, serve until Ctrl-C or SIGTERM.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};

use super::Globals;
use crate::config::{ConfigError, Origin, env, layer};
use crate::error::{CliError, ExitStatus};
use crate::files;
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

pub async fn run(args: ServeArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    if let Some(ServeCommand::Export(export)) = args.command {
        return run_export(export, globals).await;
    }
    let settings = resolve(&args, globals)?;
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
    let redactor = crate::redact::Redactor::new(&super::redact::config_settings(globals)?)?;
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
    printer.status(&format!(
        "plugctl serve listening on {base} ({backend} backend, {store})\n  \
         API:      {base}/v1/chat\n  \
         Docs:     {base}/api/docs\n  \
         OpenAPI:  {base}/openapi.json\n  \
         Manifest: {base}/.well-known/ai-plugin.json\n\
         Press Ctrl-C to stop."
    ));
    match server
        .run(serve::shutdown::signal())
        .await
        .map_err(serve_error)?
    {
        Stopped::Drained => printer.status("stopped: every request finished"),
        Stopped::GraceExpired => {
            printer.warn("stopped: the grace period ran out with requests still in flight");
        }
    }
    Ok(ExitStatus::Success)
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
