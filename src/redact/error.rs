//! What can go wrong while building a redactor or redacting an input.
//!
//! Rule and allow-list mistakes name the rule (or entry) and the problem, so that a broken rules
//! file is fixed in one go. The CLI adds which file it was reading; `src/error.rs` maps the
//! usage-like variants to exit code 2.

/// A failure of the redact module.
#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    /// `--enable`/`--disable`/`operators:` named a rule that does not exist.
    #[error("unknown rule {name:?}")]
    UnknownRule { name: String },
    /// An operator name that is not `replace`, `mask` or `hash`.
    #[error("unknown operator {name:?}")]
    UnknownOperator { name: String },
    /// A custom rule that cannot be used.
    #[error("invalid rule {name:?}: {message}")]
    InvalidRule { name: String, message: String },
    /// An allow-list pattern that does not compile.
    #[error("invalid allow-list pattern {pattern:?}: {message}")]
    InvalidAllow { pattern: String, message: String },
    /// A rule uses the `hash` operator but no key was configured.
    #[error("rule {rule:?} uses the hash operator, but no hash key is set")]
    MissingHashKey { rule: String },
    /// The input was meant to be JSON but is not.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl RedactError {
    /// Mistakes in the command line or configuration rather than in the input.
    pub fn is_usage(&self) -> bool {
        !matches!(self, RedactError::Io(_) | RedactError::Json { .. })
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            RedactError::UnknownRule { .. } => {
                "`plugctl redact --list-rules` shows every rule name".to_string()
            }
            RedactError::UnknownOperator { .. } => "use one of: replace, mask, hash".to_string(),
            RedactError::InvalidRule { .. } => {
                "a custom rule needs a unique `name` and a `pattern` (Rust regex syntax); \
                 `validator` may be `luhn`"
                    .to_string()
            }
            RedactError::InvalidAllow { .. } => {
                "allow-list patterns use Rust regex syntax and must match the whole value"
                    .to_string()
            }
            RedactError::MissingHashKey { .. } => format!(
                "set ${} or `redact: hash_key:` in plugctl.yaml (any long random string), or keep \
                 it in the OS keyring: secret-tool store --label='plugctl redact key' service \
                 plugctl username {}",
                crate::config::env::REDACT_KEY,
                super::HASH_KEY_ENTRY
            ),
            RedactError::Json { .. } => {
                "fix the JSON, or pass --format text to redact it as plain text".to_string()
            }
            RedactError::Io(_) => return None,
        })
    }
}
