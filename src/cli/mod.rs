//! The command line: global flags, the subcommand table, and the dispatch.
//!
//! Each subcommand lives in its own file with its `Args` struct and a `run` that parses, calls one
//! capability of the library and renders the result. clap is used only under this module.

pub mod auth;
pub mod bench;
pub mod completions;
pub mod login;
pub mod redact;
pub mod serve;
pub mod tokens;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, env};
use crate::error::{CliError, ExitStatus};
use crate::output::{ColorChoice, Format, Printer, Verbosity};

/// A toolkit for developers who build chat plugins: exact token counts and trimming,
/// redaction, load testing, a dev plugin server and OAuth login.
#[derive(Debug, Parser)]
#[command(
    name = "plugctl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Exit codes: 0 ok, 1 error, 2 usage or configuration error, 3 a check failed \
(--limit, --check, --fail-if), 4 not logged in or token invalid (login, auth)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Output format of the data on stdout.
    #[arg(long, global = true, value_enum, env = env::OUTPUT, value_name = "FORMAT")]
    pub output: Option<Format>,

    /// Say more on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Say nothing on stderr but warnings and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// When to use colour (never when NO_COLOR is set, unless "always").
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Configuration file [default: ./plugctl.yaml, then the platform config dir].
    #[arg(long, global = true, env = env::CONFIG, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file.
    #[arg(long, global = true)]
    pub no_config: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Count tokens exactly as OpenAI's tiktoken does, and trim chat histories to a budget.
    #[command(subcommand)]
    Tokens(tokens::TokensCommand),
    /// Load-test an HTTP endpoint (closed or open loop, streaming chat with --sse), or merge
    /// reports with `plugctl bench merge`.
    Bench(Box<bench::BenchCommand>),
    /// Redact personal data and secrets in transcripts and logs, losslessly (or --check for them).
    Redact(redact::RedactArgs),
    /// Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI.
    Serve(Box<serve::ServeArgs>),
    /// Log in to an OpenID Connect provider; the tokens go to the OS keyring.
    Login(Box<login::LoginArgs>),
    /// Log out: revoke the tokens at the provider and delete them.
    Logout(login::LogoutArgs),
    /// Tokens of the logged-in profile: status, token, refresh, switch.
    #[command(subcommand)]
    Auth(auth::AuthCommand),
    /// Print a shell completion script.
    Completions(completions::CompletionsArgs),
}

/// What every command receives besides its own arguments.
#[derive(Debug)]
pub struct Globals {
    pub printer: Printer,
    pub config: config::Loaded,
}

/// Runs a parsed command line and returns the exit status, having reported any error.
pub async fn run(cli: Cli) -> ExitStatus {
    let no_color = env::var(env::NO_COLOR).is_some();
    let verbosity = match (cli.global.quiet, cli.global.verbose) {
        (true, _) => Verbosity::Quiet,
        (false, 0) => Verbosity::Normal,
        (false, _) => Verbosity::Verbose,
    };
    // A printer before the configuration is read, so that a broken file is reported properly.
    let early = Printer::new(
        cli.global.output.unwrap_or_default(),
        verbosity,
        cli.global.color,
        no_color,
    );
    crate::logging::init(verbosity, cli.global.verbose, early.color_stdout());

    let result = match config::load(cli.global.config.as_deref(), cli.global.no_config) {
        Ok(loaded) => {
            let format = cli.global.output.or(loaded.file.output).unwrap_or_default();
            let printer = Printer::new(format, verbosity, cli.global.color, no_color);
            let globals = Globals {
                printer,
                config: loaded,
            };
            dispatch(cli.command, &globals)
                .await
                .map_err(|e| (e, globals.printer))
        }
        Err(e) => Err((CliError::from(e), early)),
    };
    // A server's last request lines may still be waiting in the log's buffer.
    crate::logging::flush();
    match result {
        Ok(status) => status,
        Err((e, _)) if e.is_broken_pipe() => ExitStatus::Success,
        Err((e, printer)) => {
            printer.error(&e);
            e.status
        }
    }
}

async fn dispatch(command: Command, globals: &Globals) -> Result<ExitStatus, CliError> {
    match command {
        Command::Tokens(cmd) => tokens::run(cmd, globals),
        Command::Bench(cmd) => bench::run(*cmd, globals).await,
        Command::Redact(args) => redact::run(args, globals),
        Command::Serve(args) => serve::run(*args, globals).await,
        Command::Login(args) => login::run_login(*args, globals).await,
        Command::Logout(args) => login::run_logout(args, globals).await,
        Command::Auth(cmd) => auth::run(cmd, globals).await,
        Command::Completions(args) => completions::run(args, globals),
    }
}

/// Turns a panic (always a bug) into one readable line instead of a backtrace dump.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let err = CliError::from(anyhow::anyhow!("internal error: {message}{at}"))
            .with_hint("this is a bug in plugctl; please report it with the command you ran");
        Printer::new(Format::Table, Verbosity::Normal, ColorChoice::Never, true).error(&err);
    }));
}

/// Reports an error that happens before any command runs (the runtime could not start).
pub fn report_startup_error(e: &std::io::Error) {
    let err = CliError::from(anyhow::anyhow!("cannot start: {e}"));
    Printer::new(Format::Table, Verbosity::Normal, ColorChoice::Never, true).error(&err);
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
