//! What the model sees of a session on one turn: its history trimmed to the context budget with
//! the tokens module's compression, behind the configured system prompt.
//!
//! Every strategy keeps an unbroken run of messages from the newest end, the oldest end or both,
//! and each run stops at the first message that does not fit. A message further from its end
//! than the first one that overflows the whole budget on its own run can therefore never be
//! kept, cut to fit, or change what is kept, so it is left out before anything is counted. A
//! long session's turn then counts about one budget of text from each end it keeps instead of
//! its whole history: at 800 turns, counting had made a turn take 16 ms instead of 5.

use serde_json::{Value, json};

use super::sessions::Message;
use super::settings::ContextSettings;
use crate::tokens::chat::{ChatCount, ChatFormula, Transcript};
use crate::tokens::compress::{self, Action, Compressed, Options, Strategy};
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
    let (messages, tokens): (Vec<Value>, Vec<usize>) = reachable.into_iter().unzip();
    let transcript = transcript(context, messages);
    // Counted once: the walk from the ends counted every message it reaches.
    let system = transcript
        .messages
        .first()
        .filter(|_| context.system_prompt.is_some())
        .map(|m| formula.message_tokens(counter, m));
    let counts = ChatCount::new(formula, system.into_iter().chain(tokens).collect(), 0);
    if counts.total + context.reserve_output <= context.budget {
        // Everything fits, as on most turns: compression would keep every message, and its
        // report and copies of the messages cost more than counting them did.
        return Ok(Fitted {
            messages: transcript.messages,
            prompt_tokens: counts.total,
            compressed: skipped,
        });
    }
    let compressed =
        compress::compress_counted(counter, formula, &transcript, counts, &options(context))?;
    let mut fitted = fitted(compressed);
    fitted.compressed |= skipped;
    Ok(fitted)
}

/// The messages the strategy can reach from its ends, in order, as the transcript has them and
/// with their tokens (module docs).
fn reachable(
    counter: &Counter,
    formula: &ChatFormula,
    context: &ContextSettings,
    history: &[Message],
) -> Vec<(Value, usize)> {
    let n = history.len();
    let mut seen: Vec<Option<(Value, usize)>> = vec![None; n];
    let mut count = |i: usize| {
        seen[i]
            .get_or_insert_with(|| {
                let message = as_value(&history[i]);
                let tokens = formula.message_tokens(counter, &message);
                (message, tokens)
            })
            .1
    };
    // How many messages from one end, up to and including the first past the budget.
    let mut reach = |order: &mut dyn Iterator<Item = usize>| {
        let mut total = 0;
        let mut taken = 0;
        for i in order {
            taken += 1;
            total += count(i);
            if total > context.budget {
                break;
            }
        }
        taken
    };
    let (front, back) = match context.strategy {
        Strategy::Last => (0, reach(&mut (0..n).rev())),
        Strategy::First => (reach(&mut (0..n)), 0),
        Strategy::MiddleOut => (reach(&mut (0..n)), reach(&mut (0..n).rev())),
    };
    let window: Vec<usize> = if front + back >= n {
        (0..n).collect()
    } else {
        (0..front).chain(n - back..n).collect()
    };
    // The walks counted every message of the window already; this only makes it certain.
    for &i in &window {
        count(i);
    }
    window.into_iter().filter_map(|i| seen[i].take()).collect()
}

/// The transcript of `messages` behind the system prompt.
fn transcript(context: &ContextSettings, messages: Vec<Value>) -> Transcript {
    let system = context
        .system_prompt
        .as_ref()
        .map(|s| json!({"role": "system", "content": s}));
    Transcript::from_messages(system.into_iter().chain(messages).collect())
}

fn options(context: &ContextSettings) -> Options {
    Options {
        max_tokens: context.budget,
        reserve_output: context.reserve_output,
        strategy: context.strategy,
        pin_system: true,
        // The newest message may be longer than the whole budget: keep what fits of it rather
        // than send the model nothing.
        partial: true,
    }
}

fn fitted(compressed: Compressed) -> Fitted {
    Fitted {
        compressed: compressed
            .report
            .decisions
            .iter()
            .any(|d| d.action != Action::Kept),
        prompt_tokens: compressed.report.tokens_after,
        messages: compressed.transcript.messages,
    }
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

    /// What compressing the whole history, counted in full, gives.
    fn fit_everything(
        counter: &Counter,
        formula: &ChatFormula,
        context: &ContextSettings,
        history: &[Message],
    ) -> Result<Fitted, TokensError> {
        let transcript = transcript(context, history.iter().map(as_value).collect());
        compress::compress(counter, formula, &transcript, &options(context)).map(fitted)
    }

    fn assert_same_as_fitting_everything(context: &ContextSettings, history: &[Message]) {
        let counter = Counter::new(context.encoding);
        let formula = ChatFormula::new(context.encoding, None);
        let expected = fit_everything(&counter, &formula, context, history).unwrap();
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

    #[test]
    fn a_history_that_fits_is_kept_whole() {
        let history: Vec<Message> = (0..4).map(|i| message(i, 3)).collect();
        for strategy in [Strategy::Last, Strategy::First, Strategy::MiddleOut] {
            let context = context(2048, strategy, true);
            assert_same_as_fitting_everything(&context, &history);
            let counter = Counter::new(context.encoding);
            let formula = ChatFormula::new(context.encoding, None);
            let fitted = fit(&counter, &formula, &context, &history).unwrap();
            assert_eq!((fitted.messages.len(), fitted.compressed), (5, false));
        }
        // One token short of room for the reply: compression decides, and cuts.
        let counter = Counter::new(Encoding::O200kBase);
        let formula = ChatFormula::new(Encoding::O200kBase, None);
        let whole = fit(
            &counter,
            &formula,
            &context(2048, Strategy::Last, true),
            &history,
        )
        .unwrap()
        .prompt_tokens;
        let tight = context(whole + 16 - 1, Strategy::Last, true);
        assert_same_as_fitting_everything(&tight, &history);
        assert!(
            fit(&counter, &formula, &tight, &history)
                .unwrap()
                .compressed
        );
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
            match fit_everything(&counter, &formula, &context, &history) {
                Ok(expected) => prop_assert_eq!(fit(&counter, &formula, &context, &history).unwrap(), expected),
                Err(_) => prop_assert!(fit(&counter, &formula, &context, &history).is_err()),
            }
        }
    }
}
