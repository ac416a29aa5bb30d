//! Everything plugctl shows the user goes through here.
//!
//! Data the user asked for goes to stdout (a table or JSON); status, warnings, progress and logs go
//! to stderr. Quiet, colour and TTY decisions are made once, in [`Printer::new`], and nowhere else.
//! The crate denies `print_stdout`/`print_stderr` lints so that nothing bypasses this module.

pub mod progress;
pub mod table;

use std::io::{self, IsTerminal, Write};

use serde::{Deserialize, Serialize};

use crate::error::CliError;

/// The format of the data a command prints on stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Human-readable tables.
    #[default]
    Table,
    /// JSON with stable snake_case field names (documented in the README).
    Json,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    Always,
    Never,
}

/// How much to say on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// The one writer of user-facing output.
#[derive(Debug, Clone)]
pub struct Printer {
    pub format: Format,
    pub verbosity: Verbosity,
    color_stdout: bool,
    color_stderr: bool,
    stderr_is_tty: bool,
}

impl Printer {
    pub fn new(format: Format, verbosity: Verbosity, color: ColorChoice, no_color: bool) -> Self {
        let stdout_tty = io::stdout().is_terminal();
        let stderr_tty = io::stderr().is_terminal();
        let decide = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Self {
            format,
            verbosity,
            color_stdout: decide(stdout_tty),
            color_stderr: decide(stderr_tty),
            stderr_is_tty: stderr_tty,
        }
    }

    /// A printer for tests and library callers: table format, no colour, no TTY.
    pub fn plain() -> Self {
        Self {
            format: Format::Table,
            verbosity: Verbosity::Normal,
            color_stdout: false,
            color_stderr: false,
            stderr_is_tty: false,
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// Whether tables on stdout may use colour.
    pub fn color_stdout(&self) -> bool {
        self.color_stdout
    }

    /// Whether live progress may be drawn on stderr.
    pub fn progress_allowed(&self) -> bool {
        self.stderr_is_tty && self.verbosity > Verbosity::Quiet
    }

    /// Pretty JSON followed by a newline, on stdout.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> io::Result<()> {
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// JSON on stderr (reports that accompany data written to stdout).
    pub fn json_stderr<T: Serialize + ?Sized>(&self, value: &T) -> io::Result<()> {
        crate::logging::flush();
        let mut err = io::stderr().lock();
        serde_json::to_writer_pretty(&mut err, value)?;
        err.write_all(b"\n")
    }

    /// A line of data on stdout.
    pub fn line(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// Raw bytes on stdout (transcripts, completion scripts).
    pub fn raw(&self, bytes: &[u8]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    }

    /// A table on stdout.
    pub fn table(&self, table: &comfy_table::Table) -> io::Result<()> {
        self.line(&table.to_string())
    }

    /// A table on stderr (reports that accompany data written to stdout).
    pub fn table_stderr(&self, table: &comfy_table::Table) {
        self.stderr_line(&table.to_string());
    }

    /// A status line on stderr, unless quiet.
    pub fn status(&self, text: &str) {
        if self.verbosity > Verbosity::Quiet {
            self.stderr_line(text);
        }
    }

    /// A report the user asked for (e.g. `--explain`) on stderr; shown even when quiet.
    pub fn report(&self, text: &str) {
        self.stderr_line(text);
    }

    /// A warning on stderr; shown even when quiet.
    pub fn warn(&self, text: &str) {
        let label = self.paint_stderr("warning:", "33");
        self.stderr_line(&format!("{label} {text}"));
    }

    /// A failed check (`--limit`, `--check`, `--fail-if`) on stderr; shown even when quiet.
    pub fn check_failed(&self, text: &str) {
        let label = self.paint_stderr("check failed:", "31");
        self.stderr_line(&format!("{label} {text}"));
    }

    /// The final error of a run: one line with its causes, then the hint.
    pub fn error(&self, err: &CliError) {
        let rendered = err.render();
        let text = match rendered.strip_prefix("error:") {
            Some(rest) => format!("{}{rest}", self.paint_stderr("error:", "1;31")),
            None => rendered,
        };
        self.stderr_line(&text);
    }

    fn paint_stderr(&self, text: &str, sgr: &str) -> String {
        if self.color_stderr {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn stderr_line(&self, text: &str) {
        // Log lines written before this one come first.
        crate::logging::flush();
        // Nothing useful can be done when stderr itself is gone.
        let mut err = io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.write_all(b"\n");
    }
}
