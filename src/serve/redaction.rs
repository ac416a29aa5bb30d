//! The seam where redaction plugs into the chat turn.
//!
//! Each incoming message goes through [`Redactor::redact`] before it is stored, trimmed or sent to
//! a model; the count of replacements is returned to the client as `redactions`. `plugctl serve`
//! uses the redact engine (`crate::redact`) with the rules of plugctl.yaml's `redact:` section;
//! [`NoRedaction`] is the default of a bare [`AppState`](super::state::AppState) in tests.

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

/// The redact engine. A message is redacted as a JSON string value, so a message that is itself
/// JSON (tool-call arguments pasted by a user) is redacted key-aware, as `plugctl redact` does.
impl Redactor for crate::redact::Redactor {
    fn redact(&self, text: &str) -> Redacted {
        let mut value = serde_json::Value::String(text.to_string());
        let count = self.redact_value(&mut value) as usize;
        match value {
            serde_json::Value::String(text) => Redacted { text, count },
            // redact_value only rewrites strings in place; keep the input if that ever changes.
            _ => Redacted {
                text: text.to_string(),
                count: 0,
            },
        }
    }
}

/// Changes nothing (the default state of tests that do not exercise redaction).
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
