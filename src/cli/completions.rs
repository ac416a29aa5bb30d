//! `plugctl completions SHELL`: prints a completion script generated from the clap definition.
//! The generated scripts are also committed in completions/, and a test keeps them current.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Globals};
use crate::error::{CliError, ExitStatus};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate a script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    globals.printer.raw(&script(args.shell))?;
    Ok(ExitStatus::Success)
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "plugctl", &mut out);
    out
}
