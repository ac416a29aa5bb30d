//! The single integration-test binary: each module drives the real `plugctl` executable (and,
//! where useful, the library) for one subcommand.

// The helpers in `support` are `pub` for the modules of this one binary.
#![allow(unreachable_pub)]

mod support;

mod bench;
mod cli;
mod cluster_limit;
mod login;
mod readme;
mod redact;
mod serve;
mod serve_browser;
mod serve_fanout;
mod serve_jwt;
mod serve_logs;
mod serve_reload;
mod serve_resilience;
mod serve_schema;
mod stores;
mod tokens;
