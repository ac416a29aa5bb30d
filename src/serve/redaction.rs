//! The seam where redaction plugs into the chat turn.
//!
//! Each incoming message goes through [`Redactor::redact`] before it is stored, trimmed or sent to
//! a model; the count of replacements is returned to the client as `redactions`. The default,
//! [`NoRedaction`], changes nothing. The redact engine (`crate::redact`) is being written on
//! another branch; plugging it in is one `impl Redactor` plus the choice in
//! [`AppState::new`](super::state::AppState::new), nothing else in serve changes.

/// A message after redaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    /// How many values were replaced.
    pub count: usize,
}

/// Removes sensitive values from a message.
pub trait Redactor: Send + Sync + std::fmt::Debug {
    fn redact(&self, text: &str) -> Redacted;
}

/// Changes nothing (the default until the redact engine is merged).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoRedaction;

impl Redactor for NoRedaction {
    fn redact(&self, text: &str) -> Redacted {
        Redacted {
            text: text.to_string(),
            count: 0,
        }
    }
}

/// Any function can be a redactor (tests, and a quick way to wire an engine in).
#[derive(Clone)]
pub struct FnRedactor<F>(pub F);

impl<F> std::fmt::Debug for FnRedactor<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnRedactor")
    }
}

impl<F> Redactor for FnRedactor<F>
where
    F: Fn(&str) -> Redacted + Send + Sync,
{
    fn redact(&self, text: &str) -> Redacted {
        (self.0)(text)
    }
}
