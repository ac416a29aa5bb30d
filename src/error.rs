//! Exit codes and the one place where a failure becomes a line on stderr.
//!
//! Capability modules return their own typed errors; the command files add context with
//! `anyhow`; [`CliError`] carries the resulting chain to `main` together with the exit status
//! and an optional hint. [`hint_for`] walks the chain and asks each known error type for a hint,
//! so a hint is written next to the error it explains, not here.
//!
//! The table below is the contract that docs/exit-codes.md and the README repeat.

use std::fmt::Write as _;
use std::io;

/// How a run of plugctl ended, and the process exit code for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the command did what was asked.
    Success,
    /// 1: the command could not do what was asked (bad input file, I/O, network, ...).
    Failure,
    /// 2: the command line or the configuration is wrong; nothing was done.
    Usage,
    /// 3: the command ran and a check it was asked to make failed (`--limit`, `--check`,
    /// `--fail-if`).
    CheckFailed,
    /// 4: not logged in, or the stored token is invalid and cannot be refreshed (`login`,
    /// `logout`, `auth ...`).
    NotLoggedIn,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::CheckFailed => 3,
            ExitStatus::NotLoggedIn => 4,
        }
    }
}

/// A failure on its way to `main`: the error chain, the exit status and a hint for the user.
#[derive(Debug)]
pub struct CliError {
    pub status: ExitStatus,
    pub error: anyhow::Error,
    pub hint: Option<String>,
}

impl CliError {
    /// A mistake in the arguments or configuration (exit 2).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self::new(ExitStatus::Usage, error.into())
    }

    /// Replace the hint found by [`hint_for`] with a more specific one.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    fn new(status: ExitStatus, error: anyhow::Error) -> Self {
        let hint = hint_for(&error);
        Self {
            status,
            error,
            hint,
        }
    }

    /// True when the failure is a closed stdout (`plugctl ... | head`): not an error for a CLI.
    pub fn is_broken_pipe(&self) -> bool {
        self.error.chain().any(|cause| {
            cause
                .downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
        })
    }

    /// The text for stderr: one line with the whole cause chain, then the hint if there is one.
    pub fn render(&self) -> String {
        let mut out = format!("error: {:#}", self.error);
        if let Some(hint) = &self.hint {
            let _ = write!(out, "\n  hint: {hint}");
        }
        out
    }
}

impl<E: Into<anyhow::Error>> From<E> for CliError {
    fn from(error: E) -> Self {
        let error = error.into();
        let status = status_for(&error);
        Self::new(status, error)
    }
}

/// Result type of every command's `run`.
pub type CliResult = Result<ExitStatus, CliError>;

/// The exit status an error chain asks for: usage errors are recognised by type.
fn status_for(error: &anyhow::Error) -> ExitStatus {
    for cause in error.chain() {
        if let Some(e) = cause.downcast_ref::<crate::auth::AuthError>()
            && e.is_not_logged_in()
        {
            return ExitStatus::NotLoggedIn;
        }
        if let Some(e) = cause.downcast_ref::<crate::config::ConfigError>() {
            return e.exit_status();
        }
        if let Some(e) = cause.downcast_ref::<crate::tokens::TokensError>()
            && e.is_usage()
        {
            return ExitStatus::Usage;
        }
        if let Some(e) = cause.downcast_ref::<crate::bench::BenchError>()
            && e.is_usage()
        {
            return ExitStatus::Usage;
        }
        if let Some(e) = cause.downcast_ref::<crate::redact::RedactError>()
            && e.is_usage()
        {
            return ExitStatus::Usage;
        }
    }
    ExitStatus::Failure
}

/// Finds a hint for the first error in the chain that has one.
pub fn hint_for(error: &anyhow::Error) -> Option<String> {
    for cause in error.chain() {
        if let Some(hint) = cause
            .downcast_ref::<crate::auth::AuthError>()
            .and_then(|e| e.hint())
        {
            return Some(hint);
        }
        if let Some(e) = cause.downcast_ref::<crate::config::ConfigError>() {
            return e.hint();
        }
        if let Some(e) = cause.downcast_ref::<crate::tokens::TokensError>()
            && let Some(h) = e.hint()
        {
            return Some(h);
        }
        if let Some(e) = cause.downcast_ref::<crate::bench::BenchError>()
            && let Some(h) = e.hint()
        {
            return Some(h);
        }
        if let Some(e) = cause.downcast_ref::<crate::redact::RedactError>()
            && let Some(h) = e.hint()
        {
            return Some(h);
        }
        if let Some(hint) = cause
            .downcast_ref::<crate::serve::ServeError>()
            .and_then(|e| e.hint())
        {
            return Some(hint);
        }
        if let Some(e) = cause.downcast_ref::<io::Error>() {
            match e.kind() {
                io::ErrorKind::NotFound => return Some("check that the path exists".into()),
                io::ErrorKind::PermissionDenied => {
                    return Some("check the file's permissions".into());
                }
                io::ErrorKind::IsADirectory => return Some("name a file, not a directory".into()),
                _ => {}
            }
        }
    }
    None
}

/// A serde_json or serde_yaml message as a user should read it, for files whose position the
/// caller prints itself: without the trailing " at line L column C", with "a mapping" for the
/// Rust struct name in "expected struct ServeSection", and with a quoted value longer than a
/// line cut short (serde quotes the whole scalar, which can be a whole file).
pub fn parse_message(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => &message[..at],
        _ => message,
    };
    // A quoted value is matched whole, so that nothing inside it is taken for a type name.
    // Compiled on the error path only.
    let parts = regex::Regex::new(r#""(?:[^"\\]|\\.)*"|\bstruct [A-Za-z_][A-Za-z0-9_]*"#)
        .expect("a valid pattern");
    parts
        .replace_all(message, |found: &regex::Captures<'_>| {
            let text = &found[0];
            match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                Some(value) if value.chars().count() > 60 => {
                    format!("\"{}…\"", value.chars().take(40).collect::<String>())
                }
                Some(_) => text.to_string(),
                None => "a mapping".to_string(),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct_and_documented() {
        let codes = [
            ExitStatus::Success,
            ExitStatus::Failure,
            ExitStatus::Usage,
            ExitStatus::CheckFailed,
            ExitStatus::NotLoggedIn,
        ]
        .map(ExitStatus::code);
        assert_eq!(codes, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn render_is_one_line_plus_hint() {
        let io = io::Error::new(io::ErrorKind::NotFound, "No such file or directory");
        let err = CliError::from(anyhow::Error::new(io).context("reading a.txt"));
        assert_eq!(err.status, ExitStatus::Failure);
        assert_eq!(
            err.render(),
            "error: reading a.txt: No such file or directory\n  hint: check that the path exists"
        );
    }

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let io = io::Error::new(io::ErrorKind::BrokenPipe, "pipe");
        let err = CliError::from(anyhow::Error::new(io).context("writing output"));
        assert!(err.is_broken_pipe());
    }

    #[test]
    fn parse_messages_read_as_prose() {
        assert_eq!(
            parse_message(
                "serve: invalid type: string \"hello world\", expected struct ServeSection at line 1 column 8"
            ),
            "serve: invalid type: string \"hello world\", expected a mapping"
        );
        let long = format!(
            "invalid type: string \"{}\", expected struct RedactSection",
            "a\\\"b".repeat(40)
        );
        let tidy = parse_message(&long);
        assert!(
            tidy.len() < 120 && tidy.ends_with("…\", expected a mapping"),
            "{tidy}"
        );
        // Nothing else changes: words with "struct" inside, quotes that do not close, positions
        // that are not serde's suffix.
        for same in [
            "unknown field `structure`",
            "a \"b",
            "expected a construct Foo",
            "at line 3",
            "invalid type: string \"struct Foo\", expected u64",
        ] {
            assert_eq!(parse_message(same), same);
        }
    }
}
