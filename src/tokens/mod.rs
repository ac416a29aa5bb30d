//! Token counting that equals OpenAI's tiktoken, and trimming of chat histories to a budget.
//!
//! - [`encoding`]: encodings, model names, the counting engine.
//! - [`count`]: plain text, whole or streamed, in parallel at exact cut points.
//! - [`chat`]: chat transcripts and the cookbook's prompt-token formula.
//! - [`compress`]: strategies that fit a transcript into a budget.

pub mod chat;
pub mod compress;
pub mod count;
pub mod encoding;
mod error;

pub use count::{Counter, TextCount};
pub use encoding::Encoding;
pub use error::{Position, TokensError};
