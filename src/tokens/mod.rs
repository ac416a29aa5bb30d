//! Token counting that equals OpenAI's tiktoken, and trimming of chat histories to a budget.
//!
//! - [`encoding`]: encodings, model names, the counting engine.
//! - [`count`]: plain text, whole or streamed, in parallel at exact cut points.
//! - [`chat`]: chat transcripts and the cookbook's prompt-token formula.
//! - [`compress`]: strategies that fit a transcript into a budget.
//!
//! ```
//! use plugctl::tokens::chat::{ChatFormula, Syntax, Transcript, count_chat};
//! use plugctl::tokens::{Counter, Encoding};
//!
//! let transcript = Transcript::parse(r#"[{"role": "user", "content": "Hi!"}]"#, Syntax::Json)?;
//! let encoding = Encoding::for_model("gpt-4o")?;
//! let formula = ChatFormula::new(encoding, Some("gpt-4o"));
//! let count = count_chat(&Counter::new(encoding), &formula, &transcript);
//! // 3 per message + "user" (1) + "Hi!" (2) + 3 to prime the reply.
//! assert_eq!(count.total, 9);
//! # Ok::<(), plugctl::tokens::TokensError>(())
//! ```

pub mod chat;
pub mod compress;
pub mod count;
pub mod encoding;
mod error;
mod split;

pub use count::{Counter, TextCount};
pub use encoding::Encoding;
pub use error::{Position, TokensError};
