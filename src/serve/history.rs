//! What the model sees of a session on one turn: its history trimmed to the context budget with
//! the tokens module's compression, behind the configured system prompt.
//!
//! Every strategy keeps an unbroken run of messages from the newest end, the oldest end or both,
//! and each run stops at the first message that does not fit. A message further from its end
//! than the first one that overflows the whole budget on its own run can therefore never be
//! kept, cut to fit, or change what is kept, so it is left out before anything is counted. A
//! long session's turn then counts about one budget of text from each end it keeps instead of
//! its whole history: at 800 turns, counting made a turn take 28 ms.

use serde_json::{Value, json};

use super::sessions::Message;
use super::settings::ContextSettings;
use crate::tokens::chat::{ChatFormula, Transcript};
use crate::tokens::compress::{self, Action, Options, Strategy};
use crate::tokens::{Counter, TokensError};

/// The history as the model gets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The system prompt (if any), then the messages kept, the oldest first.
    pub messages: Vec<Value>,
    /// Prompt tokens of `messages` (chat formula, reply priming included).
    pub prompt_tokens: usize,
    /// Whether anything was left out or cut.
    pub compressed: bool,
}

/// Trims `history` (a session's messages, none of them a system message) to the budget.
pub fn fit(
    counter: &Counter,
    formula: &ChatFormula,
    context: &ContextSettings,
    history: &[Message],
) -> Result<Fitted, TokensError> {
    let reachable = reachable(counter, formula, context, history);
    let skipped = reachable.len() < history.len();
    let mut fitted = fit_all(counter, formula, context, &reachable)?;
    fitted.compressed |= skipped;
    Ok(fitted)
}

/// The messages the strategy can reach from its ends, in order (module docs).
fn reachable<'m>(
    counter: &Counter,
    formula: &ChatFormula,
    context: &ContextSettings,
    history: &'m [Message],
) -> Vec<&'m Message> {
    let n = history.len();
    // How many messages from one end, up to and including the first past the budget.
    let reach = |order: &mut dyn Iterator<Item = &Message>| {
        let mut tokens = 0;
        let mut taken = 0;
        for m in order {
            taken += 1;
            tokens += formula.message_tokens(counter, &as_value(m));
            if tokens > context.budget {
                break;
            }
        }
        taken
    };
    let (front, back) = match context.strategy {
        Strategy::Last => (0, reach(&mut history.iter().rev())),
        Strategy::First => (reach(&mut history.iter()), 0),
        Strategy::MiddleOut => (reach(&mut history.iter()), reach(&mut history.iter().rev())),
    };
    if front + back >= n {
        return history.iter().collect();
    }
    history[..front]
        .iter()
        .chain(&history[n - back..])
        .collect()
}

/// Compresses exactly `messages`, behind the system prompt.
fn fit_all(
    counter: &Counter,
    formula: &ChatFormula,
    context: &ContextSettings,
    messages: &[&Message],
) -> Result<Fitted, TokensError> {
    let system = context
        .system_prompt
        .as_ref()
        .map(|s| json!({"role": "system", "content": s}));
    let transcript = Transcript::from_messages(
        system
            .into_iter()
            .chain(messages.iter().map(|m| as_value(m)))
            .collect(),
    );
    let options = Options {
        max_tokens: context.budget,
        reserve_output: context.reserve_output,
        strategy: context.strategy,
        pin_system: true,
        // The newest message may be longer than the whole budget: keep what fits of it rather
        // than send the model nothing.
        partial: true,
    };
    let compressed = compress::compress(counter, formula, &transcript, &options)?;
    Ok(Fitted {
        compressed: compressed
            .report
            .decisions
            .iter()
            .any(|d| d.action != Action::Kept),
        prompt_tokens: compressed.report.tokens_after,
        messages: compressed.transcript.messages,
    })
}

fn as_value(m: &Message) -> Value {
    json!({"role": m.role, "content": m.content})
}

#[cfg(test)]
mod tests {
    use proptest::prelude::{ProptestConfig, any, prop, prop_assert, prop_assert_eq, proptest};

    use super::*;
    use crate::tokens::Encoding;

    fn context(budget: usize, strategy: Strategy, system: bool) -> ContextSettings {
        ContextSettings {
            budget,
            reserve_output: 16,
            strategy,
            system_prompt: system.then(|| "You are terse.".to_string()),
            ..ContextSettings::default()
        }
    }

    fn message(i: usize, words: usize) -> Message {
        Message {
            role: ["user", "assistant"][i % 2].into(),
            content: format!("message {i}: {}", "lorem ipsum dolor ".repeat(words)),
            at_ms: i as u64,
        }
    }

    /// Fitting the reachable messages gives what fitting every message gives.
    fn assert_same_as_fitting_everything(context: &ContextSettings, history: &[Message]) {
        let counter = Counter::new(context.encoding);
        let formula = ChatFormula::new(context.encoding, None);
        let all: Vec<&Message> = history.iter().collect();
        let expected = fit_all(&counter, &formula, context, &all).unwrap();
        let got = fit(&counter, &formula, context, history).unwrap();
        assert_eq!(got, expected, "{context:?}");
    }

    #[test]
    fn a_long_session_counts_only_what_its_ends_can_reach() {
        let history: Vec<Message> = (0..400).map(|i| message(i, 20)).collect();
        let counter = Counter::new(Encoding::O200kBase);
        let formula = ChatFormula::new(Encoding::O200kBase, None);
        for strategy in [Strategy::Last, Strategy::First, Strategy::MiddleOut] {
            let context = context(500, strategy, true);
            let reachable = reachable(&counter, &formula, &context, &history);
            // About 70 tokens a message: a handful from each end, not 400.
            assert!(reachable.len() < 20, "{strategy:?}: {}", reachable.len());
            assert_same_as_fitting_everything(&context, &history);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn fitting_is_the_same_with_the_unreachable_messages_left_out(
            sizes in prop::collection::vec(0usize..60, 0..40),
            budget in 60usize..600,
            strategy in prop::sample::select(vec![Strategy::Last, Strategy::First, Strategy::MiddleOut]),
            system in any::<bool>(),
        ) {
            let history: Vec<Message> = sizes.iter().enumerate().map(|(i, &w)| message(i, w)).collect();
            let context = context(budget, strategy, system);
            // A budget below the pinned part is an error either way.
            let counter = Counter::new(context.encoding);
            let formula = ChatFormula::new(context.encoding, None);
            let all: Vec<&Message> = history.iter().collect();
            match fit_all(&counter, &formula, &context, &all) {
                Ok(expected) => prop_assert_eq!(fit(&counter, &formula, &context, &history).unwrap(), expected),
                Err(_) => prop_assert!(fit(&counter, &formula, &context, &history).is_err()),
            }
        }
    }
}
