//! Everything `plugctl serve` needs to know before it binds a socket, already resolved and
//! validated (the CLI layers flags, `PLUGCTL_*` variables and the `serve:` section of plugctl.yaml
//! into this; see `src/cli/serve.rs`). Nothing here does I/O.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::auth::AuthSettings;
use super::breaker::BreakerSettings;
use super::limit::RateLimitSettings;
use super::plugins::PluginSettings;
use crate::tokens::Encoding;
use crate::tokens::compress::Strategy;

/// The address `plugctl serve` binds when nothing else is said: loopback only.
pub const DEFAULT_BIND: &str = "127.0.0.1:8787";
/// Default context budget of a turn, in tokens (history + reserve + priming).
pub const DEFAULT_BUDGET: usize = 2048;
/// Default tokens kept free for the reply inside the budget.
pub const DEFAULT_RESERVE: usize = 256;
/// Default largest request body.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// The resolved settings of one server.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    /// Directory of the embedded store (`sessions.redb`).
    pub data_dir: PathBuf,
    pub store: StoreKind,
    /// When the embedded store acknowledges a write.
    pub durability: Durability,
    pub backend: BackendSettings,
    pub context: ContextSettings,
    pub tiers: Tiers,
    /// Largest accepted request body in bytes; larger bodies get 413.
    pub body_limit: usize,
    /// How long in-flight requests (streams included) may run after a shutdown signal.
    pub grace_period: Duration,
    /// How often expired sessions are moved along the tiers and purged.
    pub sweep_interval: Duration,
    pub manifest: ManifestSettings,
    /// Rate limits of `/v1/*` (`serve.rate_limit`).
    pub rate_limit: RateLimitSettings,
    /// The backend's circuit breaker (`serve.breaker`).
    pub breaker: BreakerSettings,
    /// Who may call `/v1/*` (`serve.auth`).
    pub auth: AuthSettings,
    /// Further backends with their routing rules (`serve.plugins`).
    pub plugins: Vec<PluginSettings>,
    /// Turns asked of several plugins at once (`serve.fan_out`).
    pub fan_out: Vec<super::fanout::FanOutSettings>,
}

impl Settings {
    /// Defaults for everything but the data directory (which the CLI picks per platform).
    pub fn with_data_dir(data_dir: PathBuf) -> Self {
        Self {
            bind: DEFAULT_BIND.parse().expect("valid default address"),
            data_dir,
            store: StoreKind::Embedded,
            durability: Durability::Fsync,
            backend: BackendSettings::Echo,
            context: ContextSettings::default(),
            tiers: Tiers::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            grace_period: Duration::from_secs(300),
            sweep_interval: Duration::from_secs(60),
            manifest: ManifestSettings::default(),
            rate_limit: RateLimitSettings::default(),
            breaker: BreakerSettings::default(),
            auth: AuthSettings::default(),
            plugins: Vec::new(),
            fan_out: Vec::new(),
        }
    }
}

/// Where sessions live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreKind {
    /// Durable on disk (redb); the default.
    Embedded,
    /// In the process only; gone on restart (tests, throwaway runs).
    Memory,
    /// A Redis server shared by every node, at this `redis://` URL.
    Redis(String),
}

impl StoreKind {
    /// `embedded`, `memory` or a `redis://HOST:PORT/[DB]` URL.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "embedded" => Some(StoreKind::Embedded),
            "memory" => Some(StoreKind::Memory),
            url if url.starts_with("redis://") && url.len() > "redis://".len() => {
                Some(StoreKind::Redis(url.to_string()))
            }
            _ => None,
        }
    }
}

/// When the embedded store acknowledges a write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// After an fsync: an acknowledged message survives a power cut (the default).
    #[default]
    Fsync,
    /// After the write reached the operating system: it survives a crash or `kill -9` of
    /// plugctl, but not a power cut or a kernel crash in the next few seconds.
    Os,
}

impl Durability {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "fsync" => Some(Durability::Fsync),
            "os" => Some(Durability::Os),
            _ => None,
        }
    }
}

/// Who writes the replies.
#[derive(Debug, Clone)]
pub enum BackendSettings {
    /// Deterministic replies derived from the message (development and tests).
    Echo,
    /// Any OpenAI-compatible `/v1/chat/completions` endpoint.
    OpenAi(OpenAiSettings),
}

impl BackendSettings {
    pub fn name(&self) -> &'static str {
        match self {
            BackendSettings::Echo => "echo",
            BackendSettings::OpenAi(_) => "openai",
        }
    }
}

/// The `openai` backend. The key is read from the environment by the CLI; it is never stored in
/// plugctl.yaml.
#[derive(Clone)]
pub struct OpenAiSettings {
    /// Full URL of the chat completions endpoint.
    pub url: String,
    pub model: String,
    pub api_key: Option<String>,
    /// Time allowed for the whole upstream answer (non-streaming) or for its first byte (streaming).
    pub timeout: Duration,
}

impl std::fmt::Debug for OpenAiSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiSettings")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "REDACTED"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// How each turn's history is fitted to the model's context.
#[derive(Debug, Clone)]
pub struct ContextSettings {
    pub budget: usize,
    pub reserve_output: usize,
    pub strategy: Strategy,
    pub encoding: Encoding,
    /// Model name for the chat formula (and sent to an `openai` backend).
    pub model: Option<String>,
    /// A system message put first in every turn (pinned: never trimmed).
    pub system_prompt: Option<String>,
}

impl Default for ContextSettings {
    fn default() -> Self {
        Self {
            budget: DEFAULT_BUDGET,
            reserve_output: DEFAULT_RESERVE,
            strategy: Strategy::Last,
            encoding: Encoding::O200kBase,
            model: None,
            system_prompt: None,
        }
    }
}

/// The three session tiers: how long each lasts after the previous one ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiers {
    /// Sliding: every access renews it.
    pub active: Duration,
    /// After `active`: recoverable, a new message revives the session with its history.
    pub inactive: Duration,
    /// After `inactive`: read-only (`?archived=true`), then purged.
    pub archive: Duration,
}

impl Default for Tiers {
    fn default() -> Self {
        Self {
            active: Duration::from_secs(30 * 60),
            inactive: Duration::from_secs(7 * 24 * 3600),
            archive: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// Fields of `/.well-known/ai-plugin.json`.
#[derive(Debug, Clone)]
pub struct ManifestSettings {
    pub name_for_human: String,
    pub name_for_model: String,
    pub description_for_human: String,
    pub description_for_model: String,
    pub logo_url: String,
    pub contact_email: String,
    pub legal_info_url: String,
    /// Public base URL (e.g. behind a tunnel); by default the request's Host.
    pub public_url: Option<String>,
}

impl Default for ManifestSettings {
    fn default() -> Self {
        Self {
            name_for_human: "plugctl dev plugin".into(),
            name_for_model: "plugctl_dev".into(),
            description_for_human: "A development chat plugin served by plugctl.".into(),
            description_for_model: "Send a message with POST /v1/chat and get a reply; pass \
                the returned session_id to continue the conversation."
                .into(),
            logo_url: String::new(),
            contact_email: String::new(),
            legal_info_url: String::new(),
            public_url: None,
        }
    }
}

/// Parses a duration such as `500ms`, `2s`, `30m`, `12h` or `7d` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("expected a number and a unit (ms, s, m, h, d), got {text:?}"))?;
    let per = match unit.trim() {
        "ms" => return Ok(Duration::from_millis(n)),
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        other => return Err(format!("unknown unit {other:?}; use ms, s, m, h or d")),
    };
    n.checked_mul(per)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{text:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_short_and_long_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert!(parse_duration("2 weeks").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn stores_are_named_or_a_redis_url() {
        assert_eq!(StoreKind::from_name("memory"), Some(StoreKind::Memory));
        assert_eq!(
            StoreKind::from_name("redis://127.0.0.1:6379/"),
            Some(StoreKind::Redis("redis://127.0.0.1:6379/".into()))
        );
        assert_eq!(StoreKind::from_name("redis://"), None);
        assert_eq!(StoreKind::from_name("http://127.0.0.1/"), None);
        assert_eq!(Durability::from_name("os"), Some(Durability::Os));
        assert_eq!(Durability::from_name("never"), None);
    }

    #[test]
    fn default_bind_is_loopback() {
        let s = Settings::with_data_dir(PathBuf::from("x"));
        assert!(s.bind.ip().is_loopback());
        assert_eq!(s.bind.port(), 8787);
    }
}
