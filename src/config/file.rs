//! The on-disk schema of `plugctl.yaml` and where the file is found.
//!
//! Every struct denies unknown fields, so a typo is an error naming the key, not a setting that
//! silently does nothing. Each capability owns one section; all fields are optional because the
//! layers above (flags, environment) and the defaults below fill the gaps.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected, Visitor};

use super::ConfigError;
use crate::output::Format;

/// The name looked for in the current directory and in the platform config directory.
pub const FILE_NAME: &str = "plugctl.yaml";

/// The whole file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Default output format for every command.
    pub output: Option<Format>,
    /// Defaults for `plugctl tokens`.
    #[serde(default)]
    pub tokens: TokensSection,
    /// Defaults for `plugctl bench`.
    #[serde(default)]
    pub bench: BenchSection,
    /// Rules, operators and allow-list of `plugctl redact`.
    #[serde(default)]
    pub redact: RedactSection,
    /// Settings of `plugctl serve`.
    #[serde(default)]
    pub serve: ServeSection,
    /// Login profiles of `plugctl login` and `plugctl auth`.
    #[serde(default)]
    pub auth: AuthSection,
}

/// The `auth:` section.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSection {
    /// The profile used when neither `--profile` nor `auth switch` chose one [default: default].
    pub default_profile: Option<String>,
    /// Profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, AuthProfileSection>,
}

/// One profile of `auth.profiles`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthProfileSection {
    /// `google` fills in the issuer and scopes of that provider.
    pub provider: Option<String>,
    /// The OpenID issuer URL, exactly as the provider spells it.
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    /// Only for providers whose desktop clients have one (Google); not a real secret there.
    pub client_secret: Option<String>,
    /// Scopes to request [default: openid email profile offline_access].
    pub scopes: Option<Vec<String>>,
    /// `audience` parameter for providers that issue API-specific tokens.
    pub audience: Option<String>,
}

/// The `bench:` section. Durations are written like `10s`, `500ms` or `2m`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchSection {
    /// Default `-c`.
    pub connections: Option<usize>,
    /// Default `-d`.
    pub duration: Option<String>,
    /// Default `--timeout`.
    pub timeout: Option<String>,
    /// Default `--connect-timeout`.
    pub connect_timeout: Option<String>,
    /// Default `--threads`.
    pub threads: Option<usize>,
    /// Headers sent with every request, e.g. `["X-Plugin-Key: dev"]`; `-H` adds to them.
    #[serde(default)]
    pub headers: Vec<String>,
}

/// The `tokens:` section.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokensSection {
    /// Tokenizer encoding, e.g. `cl100k_base`.
    pub encoding: Option<String>,
    /// Model name, mapped to its encoding, e.g. `gpt-4o`.
    pub model: Option<String>,
    /// Default trimming strategy of `tokens compress`: `last`, `first` or `middle-out`.
    pub strategy: Option<String>,
    /// Default `--reserve-output` of `tokens compress`.
    pub reserve_output: Option<usize>,
}

/// The `redact:` section. A rules file (`plugctl redact --rules FILE`) has the same shape.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactSection {
    /// Rules to turn on, e.g. `at_token`; `all` means every built-in rule.
    #[serde(default)]
    pub enable: Vec<String>,
    /// Rules to turn off, e.g. `phone`; `all` means every built-in rule.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Operator per rule: `replace`, `mask` or `hash`; the key `all` sets every rule.
    #[serde(default)]
    pub operators: BTreeMap<String, String>,
    /// Custom rules, tried before the built-in ones.
    #[serde(default)]
    pub rules: Vec<RedactRuleSection>,
    /// Values that are never redacted.
    #[serde(default)]
    pub allow: RedactAllowSection,
    /// Key of the `hash` operator; `$PLUGCTL_REDACT_KEY` overrides it (and keeps it out of files).
    pub hash_key: Option<String>,
}

/// One custom rule of the `redact:` section.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactRuleSection {
    /// Unique name, used by `--enable`/`--disable` and in reports.
    pub name: String,
    /// A Rust regex; a group named `secret` limits what is rewritten.
    pub pattern: String,
    /// The `<TYPE>` in `[REDACTED:<TYPE>]` [default: the name in upper case].
    #[serde(rename = "type")]
    pub label: Option<String>,
    /// `luhn` to keep only matches whose digits pass the Luhn check.
    pub validator: Option<String>,
    /// Words (any case) of which one must occur near the match.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// How near, in bytes, on either side [default: 64].
    pub window: Option<usize>,
    /// `replace` (default), `mask` or `hash`.
    pub operator: Option<String>,
}

/// The `redact.allow:` list.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactAllowSection {
    /// Exact values to keep, e.g. a support address.
    #[serde(default)]
    pub values: Vec<String>,
    /// Regexes that, matching a whole found value, keep it.
    #[serde(default)]
    pub patterns: Vec<String>,
}

/// Where the configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--config` or `$PLUGCTL_CONFIG`: must exist.
    Explicit(PathBuf),
    /// Found by discovery (`./plugctl.yaml`, then the platform config dir).
    Discovered(PathBuf),
}

/// Finds the file to load: an explicit path wins; otherwise the first of `./plugctl.yaml` and
/// `<platform config dir>/plugctl/plugctl.yaml` that exists.
pub fn locate(explicit: Option<&Path>, cwd: &Path, config_dir: Option<&Path>) -> Option<Source> {
    if let Some(path) = explicit {
        return Some(Source::Explicit(path.to_path_buf()));
    }
    let candidates = [
        Some(cwd.join(FILE_NAME)),
        config_dir.map(|d| d.join(FILE_NAME)),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .map(Source::Discovered)
}

/// Parses the text of a configuration file. The error names the file, line and column.
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    // An empty file (or only comments) is a valid, empty configuration.
    if text.trim().is_empty()
        || serde_yaml::from_str::<serde_yaml::Value>(text).is_ok_and(|v| v.is_null())
    {
        return Ok(ConfigFile::default());
    }
    serde_yaml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        location: e
            .location()
            .map(|l| format!(":{}:{}", l.line(), l.column()))
            .unwrap_or_default(),
        message: crate::error::parse_message(&e.to_string()),
    })
}

/// The `serve:` section. Durations are text such as `500ms`, `2s`, `30m`, `12h`, `7d`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeSection {
    /// Address to listen on, e.g. `127.0.0.1:8787`.
    pub bind: Option<String>,
    /// Directory of the embedded session store.
    pub data_dir: Option<PathBuf>,
    /// `embedded` (default), `memory` or a Redis URL, e.g. `redis://127.0.0.1:6379/`.
    pub store: Option<String>,
    /// When the embedded store acknowledges a write: `fsync` (default) or `os`.
    pub durability: Option<String>,
    /// `echo` (default) or `openai`.
    pub backend: Option<String>,
    /// Largest request body in bytes.
    pub body_limit: Option<usize>,
    /// How long in-flight requests may finish after SIGTERM/Ctrl-C.
    pub grace_period: Option<String>,
    /// How often sessions past the archive are purged.
    pub sweep_interval: Option<String>,
    /// Log lines: `text` (default) or `json`.
    pub log_format: Option<String>,
    #[serde(default)]
    pub context: ServeContextSection,
    #[serde(default)]
    pub sessions: ServeSessionsSection,
    #[serde(default)]
    pub openai: ServeOpenAiSection,
    #[serde(default)]
    pub manifest: ServeManifestSection,
    #[serde(default)]
    pub rate_limit: ServeRateLimitSection,
    #[serde(default)]
    pub breaker: ServeBreakerSection,
    #[serde(default)]
    pub auth: ServeAuthSection,
    /// Further backends with routing rules, each with its own breaker.
    #[serde(default)]
    pub plugins: Vec<ServePluginSection>,
    /// Names that ask several plugins at once and aggregate their answers.
    #[serde(default)]
    pub fan_out: Vec<ServeFanOutSection>,
}

/// One entry of `serve.fan_out`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeFanOutSection {
    /// The name a request's `plugin` field gives.
    pub name: String,
    /// `all` (default), `first_success` or `priority`.
    pub mode: Option<String>,
    /// Names of `serve.plugins`, in priority order.
    pub plugins: Vec<String>,
}

/// One entry of `serve.plugins`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServePluginSection {
    /// Unique name, used by the request's `plugin` field, in metrics and in `/readyz`.
    pub name: String,
    /// `openai` (the default) or `echo`.
    pub backend: Option<String>,
    /// Chat completions URL of an `openai` plugin.
    pub url: Option<String>,
    /// Model sent upstream (default: `serve.openai.model`, else gpt-4o-mini).
    pub model: Option<String>,
    /// Variable holding the upstream's API key (default `OPENAI_API_KEY`).
    pub api_key_env: Option<String>,
    /// Upstream timeout (default 60s).
    pub timeout: Option<String>,
    /// Most calls in flight at once (default: no limit).
    pub concurrency: Option<usize>,
    #[serde(default)]
    pub route: ServePluginRouteSection,
}

/// `serve.plugins[].route`: which turns the plugin takes.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServePluginRouteSection {
    /// Words (any case, whole words) of the message that pick the plugin.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// A regex (Rust syntax) that, found in the message, picks the plugin.
    pub pattern: Option<String>,
    /// Paths of its own: this one under `/v1/` (e.g. `/v1/weather`) and every one below it,
    /// taking the body of `/v1/chat`.
    pub path_prefix: Option<String>,
    /// Takes the turns no rule picked (at most one plugin).
    #[serde(default)]
    pub default: bool,
}

/// `serve.rate_limit`: limits of `/v1/*` on this node.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeRateLimitSection {
    /// Requests per second over all clients; `0` or `off` turns the limit off (default 100).
    #[serde(default, deserialize_with = "rps_or_off")]
    pub rps: Option<u32>,
    /// Requests admitted at once after an idle period (default: `rps`).
    pub burst: Option<u32>,
    /// A limit per client on top of the global one (default: none).
    pub per_client: Option<ServePerClientSection>,
}

/// A rate in requests per second, or `off` (the `--rate-limit` flag's word for 0).
fn rps_or_off<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    struct Rps;
    impl Visitor<'_> for Rps {
        type Value = u32;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("requests per second (a whole number) or off")
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<u32, E> {
            u32::try_from(n).map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<u32, E> {
            u32::try_from(n).map_err(|_| E::invalid_value(Unexpected::Signed(n), &self))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<u32, E> {
            match s {
                "off" => Ok(0),
                _ => Err(E::invalid_value(Unexpected::Str(s), &self)),
            }
        }
    }
    d.deserialize_any(Rps).map(Some)
}

/// `serve.rate_limit.per_client`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServePerClientSection {
    /// `ip` (default) or `api_key` (needs `auth: {type: api_key}`).
    pub key: Option<String>,
    /// Requests per second of each client.
    pub rps: u32,
    /// Burst of each client (default: `rps`).
    pub burst: Option<u32>,
}

/// `serve.breaker`: the backend's circuit breaker.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeBreakerSection {
    /// How far back call outcomes count (default 60s).
    pub window: Option<String>,
    /// Percentage of failed calls in the window above which the circuit opens (default 5).
    pub error_rate_percent: Option<f64>,
    /// Calls the window must hold before it can open the circuit (default 20).
    pub min_calls: Option<u32>,
    /// How long an open circuit refuses calls before probing (default 300s).
    pub cool_down: Option<String>,
    /// Successful probe calls that close the circuit again (default 3).
    pub probes: Option<u32>,
}

/// `serve.auth`: who may call `/v1/*`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeAuthSection {
    /// `none` (default), `api_key` or `jwt`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Accepted API keys (prefer `keys_env`, which keeps them out of the file).
    #[serde(default)]
    pub keys: Vec<String>,
    /// Variable holding comma-separated API keys (default `PLUGCTL_SERVE_API_KEYS`).
    pub keys_env: Option<String>,
    /// `jwt`: the OpenID provider whose access tokens are accepted.
    pub issuer: Option<String>,
    /// `jwt`: the audience (`aud`) a token must carry.
    pub audience: Option<String>,
    /// `jwt`: the scope the manifest asks clients to request (default `openid`).
    pub scope: Option<String>,
    /// `jwt`: clock skew tolerated on the token's times (default 60s).
    pub leeway: Option<String>,
}

/// `serve.context`: how each turn's history is fitted to the model.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeContextSection {
    /// Token budget of a turn (default 2048).
    pub budget: Option<usize>,
    /// Tokens of the budget kept for the reply (default 256).
    pub reserve_output: Option<usize>,
    /// `last`, `first` or `middle-out`.
    pub strategy: Option<String>,
    /// Model whose tokenizer and chat formula to count with.
    pub model: Option<String>,
    /// A system message pinned at the start of every turn.
    pub system_prompt: Option<String>,
}

/// `serve.sessions`: the three tiers.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeSessionsSection {
    /// Sliding TTL of an active session (default 30m).
    pub active_ttl: Option<String>,
    /// How long after that a message still revives it (default 7d).
    pub inactive_ttl: Option<String>,
    /// How long after that the transcript is kept read-only (default 30d).
    pub archive_ttl: Option<String>,
}

/// `serve.openai`: the OpenAI-compatible backend. The key itself is never in this file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeOpenAiSection {
    /// Chat completions URL (default `https://api.openai.com/v1/chat/completions`).
    pub url: Option<String>,
    /// Model name sent upstream.
    pub model: Option<String>,
    /// Name of the environment variable holding the API key (default `OPENAI_API_KEY`).
    pub api_key_env: Option<String>,
    /// Upstream timeout (default 60s).
    pub timeout: Option<String>,
}

/// `serve.manifest`: fields of `/.well-known/ai-plugin.json`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeManifestSection {
    pub name_for_human: Option<String>,
    pub name_for_model: Option<String>,
    pub description_for_human: Option<String>,
    pub description_for_model: Option<String>,
    pub logo_url: Option<String>,
    pub contact_email: Option<String>,
    pub legal_info_url: Option<String>,
    /// Public base URL of the server, when it is reached through a proxy or tunnel.
    pub public_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<ConfigFile, ConfigError> {
        parse(Path::new("plugctl.yaml"), text)
    }

    #[test]
    fn empty_file_is_empty_config() {
        assert!(parse_str("").unwrap().output.is_none());
        assert!(parse_str("# only a comment\n").unwrap().output.is_none());
    }

    #[test]
    fn reads_sections() {
        let cfg =
            parse_str("output: json\ntokens:\n  model: gpt-4\n  reserve_output: 256\n").unwrap();
        assert_eq!(cfg.output, Some(Format::Json));
        assert_eq!(cfg.tokens.model.as_deref(), Some("gpt-4"));
        assert_eq!(cfg.tokens.reserve_output, Some(256));
        let cfg = parse_str("bench:\n  connections: 8\n  duration: 30s\n").unwrap();
        assert_eq!(cfg.bench.connections, Some(8));
        assert_eq!(cfg.bench.duration.as_deref(), Some("30s"));
    }

    #[test]
    fn unknown_key_is_named_with_its_position() {
        let err = parse_str("tokens:\n  modle: gpt-4\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `modle`"), "{err}");
        assert!(err.contains("plugctl.yaml:2:"), "{err}");
    }

    #[test]
    fn reads_the_redact_section() {
        let cfg = parse_str(
            "redact:\n  enable: [at_token]\n  operators: {email: mask}\n  rules:\n    - name: emp\n      pattern: 'EMP-[0-9]{6}'\n      type: EMPLOYEE\n  allow:\n    values: [a@b.io]\n",
        )
        .unwrap();
        assert_eq!(cfg.redact.enable, ["at_token"]);
        assert_eq!(cfg.redact.rules[0].label.as_deref(), Some("EMPLOYEE"));
        assert_eq!(cfg.redact.allow.values, ["a@b.io"]);
        let err = parse_str("redact:\n  rules:\n    - name: x\n      patern: y\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `patern`"), "{err}");
    }

    #[test]
    fn reads_the_auth_section() {
        let cfg = parse_str(
            "auth:\n  default_profile: work\n  profiles:\n    work:\n      issuer: https://id.example\n      client_id: cli\n      scopes: [openid]\n",
        )
        .unwrap();
        assert_eq!(cfg.auth.default_profile.as_deref(), Some("work"));
        let work = &cfg.auth.profiles["work"];
        assert_eq!(work.issuer.as_deref(), Some("https://id.example"));
        assert_eq!(work.scopes.as_deref(), Some(&["openid".to_string()][..]));
        let err = parse_str("auth:\n  profiles:\n    w:\n      isuer: x\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `isuer`"), "{err}");
    }

    #[test]
    fn a_rate_limit_is_a_number_or_off() {
        let rps = |text: &str| parse_str(&format!("serve:\n  rate_limit:\n    rps: {text}\n"));
        assert_eq!(rps("250").unwrap().serve.rate_limit.rps, Some(250));
        assert_eq!(rps("off").unwrap().serve.rate_limit.rps, Some(0));
        assert_eq!(rps("0").unwrap().serve.rate_limit.rps, Some(0));
        assert_eq!(parse_str("serve: {}\n").unwrap().serve.rate_limit.rps, None);
        for bad in ["-1", "fast", "1.5", "5000000000"] {
            let err = rps(bad).unwrap_err().to_string();
            assert!(
                err.contains("requests per second (a whole number) or off"),
                "{bad}: {err}"
            );
            assert!(err.contains("plugctl.yaml:3:"), "{bad}: {err}");
        }
    }

    #[test]
    fn explicit_path_wins_over_discovery() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        let explicit = Path::new("/elsewhere/x.yaml");
        assert_eq!(
            locate(Some(explicit), dir.path(), None),
            Some(Source::Explicit(explicit.to_path_buf()))
        );
        assert_eq!(
            locate(None, dir.path(), None),
            Some(Source::Discovered(dir.path().join(FILE_NAME)))
        );
    }

    #[test]
    fn platform_dir_is_the_last_resort() {
        let cwd = tempfile::tempdir().unwrap();
        let cfg = tempfile::tempdir().unwrap();
        assert_eq!(locate(None, cwd.path(), Some(cfg.path())), None);
        std::fs::write(cfg.path().join(FILE_NAME), "output: json\n").unwrap();
        assert_eq!(
            locate(None, cwd.path(), Some(cfg.path())),
            Some(Source::Discovered(cfg.path().join(FILE_NAME)))
        );
    }
}
