//! plugctl: a toolkit for developers who build chat plugins.
//!
//! The binary (`src/main.rs`) is a thin shell over this library. A map of the modules:
//!
//! - [`cli`]: one file per subcommand; parses arguments, calls a capability, renders the result.
//! - Capabilities, each with its own error type and no knowledge of the CLI:
//!   [`auth`] (OAuth 2.0 / OpenID Connect login, tokens in the OS keyring, JWT verification),
//!   [`tokens`] (exact token counting and trimming), [`redact`] (lossless redaction of personal
//!   data and secrets in text, logs and JSON transcripts), [`bench`] (HTTP load testing with
//!   honest latency, including streaming chat endpoints), [`serve`] (the dev chat-plugin
//!   server).
//! - Shared pieces: [`config`] (plugctl.yaml, environment, precedence), [`output`] (the printer,
//!   tables, progress), [`error`] (exit codes, hints), [`files`] (inputs, atomic writes),
//!   [`logging`].
//!
//! The dependency rule: `cli` → capabilities → shared pieces; capabilities never import `cli` or
//! `output`.

pub mod auth;
pub mod bench;
pub mod cli;
pub mod config;
pub mod error;
pub mod files;
pub mod logging;
pub mod output;
pub mod redact;
pub mod serve;
pub mod tokens;
