//! The single integration-test binary: each module drives the real `plugctl` executable (and,
//! where useful, the library) for one subcommand.

mod support;

mod cli;
mod readme;
mod serve;
mod tokens;
