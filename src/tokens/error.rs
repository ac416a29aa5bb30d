//! What can go wrong while counting or trimming tokens.

use std::fmt;

/// A failure of the tokens module. The CLI adds which input it was about.
#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    #[error("unknown encoding {name:?}")]
    UnknownEncoding { name: String },
    #[error("unknown model {name:?}")]
    UnknownModel { name: String },
    #[error("unknown strategy {name:?}")]
    UnknownStrategy { name: String },
    #[error("invalid UTF-8 at {at}")]
    InvalidUtf8 { at: Position },
    #[error("invalid {syntax} at {at}: {message}")]
    Syntax {
        syntax: &'static str,
        at: Position,
        message: String,
    },
    #[error("not a chat transcript: {message}")]
    Shape { message: String },
    #[error(
        "budget of {budget} tokens is smaller than what must be kept ({required} tokens: {what})"
    )]
    BudgetTooSmall {
        budget: usize,
        required: usize,
        what: String,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl TokensError {
    /// Mistakes in arguments rather than in the input.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            TokensError::UnknownEncoding { .. }
                | TokensError::UnknownModel { .. }
                | TokensError::UnknownStrategy { .. }
        )
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            TokensError::UnknownEncoding { .. } => {
                format!("known encodings: {}", super::Encoding::names().join(", "))
            }
            TokensError::UnknownModel { .. } => format!(
                "known models include: {}; or pass --encoding instead",
                super::encoding::KNOWN_MODELS.join(", ")
            ),
            TokensError::UnknownStrategy { .. } => {
                "use one of: last, first, middle-out".to_string()
            }
            TokensError::InvalidUtf8 { .. } => {
                "plugctl counts UTF-8 text; convert the file first (e.g. with iconv)".to_string()
            }
            TokensError::Syntax { .. } => "fix the syntax at the position shown".to_string(),
            TokensError::Shape { .. } => "a transcript is a list of messages \
                 ({\"role\": ..., \"content\": ...}) or a request with a \"messages\" list; \
                 use --format text to count it as plain text"
                .to_string(),
            TokensError::BudgetTooSmall { .. } => {
                "raise --max-tokens, lower --reserve-output, or pass --no-pin-system".to_string()
            }
            TokensError::Io(_) => return None,
        })
    }
}

/// A place in an input, 1-based like editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}
