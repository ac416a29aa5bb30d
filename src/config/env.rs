//! Every environment variable plugctl reads, declared once.
//!
//! clap reads the ones that mirror a global flag (`env = env::OUTPUT`); the config layer reads the
//! rest through [`var`]. Nothing else in the crate calls `std::env::var`.

/// Path of the configuration file (same as `--config`).
pub const CONFIG: &str = "PLUGCTL_CONFIG";
/// Output format: `table` or `json` (same as `--output`).
pub const OUTPUT: &str = "PLUGCTL_OUTPUT";
/// A `tracing` filter for log output on stderr, e.g. `plugctl=debug`; overrides `-v`/`-q`.
pub const LOG: &str = "PLUGCTL_LOG";
/// Default tokenizer encoding for `plugctl tokens` (same as `--encoding`).
pub const ENCODING: &str = "PLUGCTL_ENCODING";
/// Default model for `plugctl tokens` (same as `--model`).
pub const MODEL: &str = "PLUGCTL_MODEL";
/// Default connections of `plugctl bench` (same as `-c`).
pub const BENCH_CONNECTIONS: &str = "PLUGCTL_BENCH_CONNECTIONS";
/// Default duration of `plugctl bench`, e.g. `30s` (same as `-d`).
pub const BENCH_DURATION: &str = "PLUGCTL_BENCH_DURATION";
/// Default per-request timeout of `plugctl bench` (same as `--timeout`).
pub const BENCH_TIMEOUT: &str = "PLUGCTL_BENCH_TIMEOUT";
/// Key of the `hash` operator of `plugctl redact` (any long random string); overrides
/// `redact: hash_key:` in plugctl.yaml. There is no flag, so the key stays out of shell history.
pub const REDACT_KEY: &str = "PLUGCTL_REDACT_KEY";
/// A rules file for `plugctl redact` (same as `--rules`).
pub const REDACT_RULES: &str = "PLUGCTL_REDACT_RULES";
/// Address `plugctl serve` listens on (same as `--bind`).
pub const SERVE_BIND: &str = "PLUGCTL_SERVE_BIND";
/// Directory of `plugctl serve`'s embedded store (same as `--data-dir`).
pub const SERVE_DATA_DIR: &str = "PLUGCTL_SERVE_DATA_DIR";
/// Backend of `plugctl serve`: `echo` or `openai` (same as `--backend`).
pub const SERVE_BACKEND: &str = "PLUGCTL_SERVE_BACKEND";
/// Session store of `plugctl serve`: `embedded` or `memory` (same as `--store`).
pub const SERVE_STORE: &str = "PLUGCTL_SERVE_STORE";
/// API keys accepted by `plugctl serve --auth api_key`, comma-separated (the default of
/// `serve.auth.keys_env`).
pub const SERVE_API_KEYS: &str = "PLUGCTL_SERVE_API_KEYS";
/// Log lines of `plugctl serve`: `text` or `json` (same as `--log-format`).
pub const SERVE_LOG_FORMAT: &str = "PLUGCTL_SERVE_LOG_FORMAT";
/// An access token that overrides the stored one for `plugctl auth token` (CI, scripts);
/// `plugctl auth status` says when it is in effect.
pub const TOKEN: &str = "PLUGCTL_TOKEN";
/// The auth profile to use (same as `--profile`).
pub const PROFILE: &str = "PLUGCTL_PROFILE";
/// Service name of plugctl's keyring entries [default: plugctl]; keeps several installs (or test
/// runs) apart.
pub const KEYRING_SERVICE: &str = "PLUGCTL_KEYRING_SERVICE";
/// The browser `plugctl login` starts with the authorization URL (the common convention).
pub const BROWSER: &str = "BROWSER";
/// Default name of the variable holding the `openai` backend's API key.
pub const OPENAI_API_KEY: &str = "OPENAI_API_KEY";
/// The informal standard: when set and not empty, no colour anywhere.
pub const NO_COLOR: &str = "NO_COLOR";

/// The value of an environment variable, treating an empty value as unset.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
