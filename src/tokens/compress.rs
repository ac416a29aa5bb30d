//! Trimming a chat transcript to a token budget.
//!
//! The budget covers the whole request: reply priming, tool definitions, the tokens reserved for
//! the answer, pinned messages (system and developer, by default) and the history. Messages are
//! grouped first so that an assistant message with `tool_calls` and the tool results answering it
//! are kept or dropped together. Every message is counted once; the strategies then work on
//! those numbers in one pass, which is what `plugctl serve` needs on every chat turn.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;

use super::chat::{ChatCount, ChatFormula, Transcript, count_chat};
use super::{Counter, TokensError};

/// Which messages to keep when not all fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// The newest messages that fit (the classic sliding window).
    #[default]
    Last,
    /// The oldest messages that fit.
    First,
    /// The beginning and the end; messages are dropped from the middle.
    MiddleOut,
}

impl Strategy {
    pub fn from_name(name: &str) -> Result<Self, TokensError> {
        match name {
            "last" => Ok(Strategy::Last),
            "first" => Ok(Strategy::First),
            "middle-out" | "middle_out" => Ok(Strategy::MiddleOut),
            _ => Err(TokensError::UnknownStrategy {
                name: name.to_string(),
            }),
        }
    }
}

/// What to fit and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub max_tokens: usize,
    pub reserve_output: usize,
    pub strategy: Strategy,
    /// Always keep system and developer messages.
    pub pin_system: bool,
    /// Cut the text of one more message so that the budget is used up.
    pub partial: bool,
}

/// What happened to one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Kept,
    Cut,
    Dropped,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub index: usize,
    pub role: String,
    /// Tokens of the message as it came in.
    pub tokens: usize,
    /// Tokens of the message as it went out (0 when dropped).
    pub kept_tokens: usize,
    pub action: Action,
    pub reason: &'static str,
}

/// What `compress` did, for `--explain` and the summary line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub strategy: Strategy,
    pub max_tokens: usize,
    pub reserve_output: usize,
    pub tools_tokens: usize,
    pub reply_priming: usize,
    /// Prompt tokens before and after (the reserve is not part of them).
    pub tokens_before: usize,
    pub tokens_after: usize,
    pub messages_before: usize,
    pub messages_after: usize,
    pub decisions: Vec<Decision>,
}

/// The trimmed transcript and the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Compressed {
    pub transcript: Transcript,
    pub report: Report,
}

/// Consecutive messages kept or dropped together.
#[derive(Debug, Clone)]
struct Unit {
    first: usize,
    len: usize,
    tokens: usize,
    pinned: bool,
}

/// Fits `transcript` into `options.max_tokens`.
pub fn compress(
    counter: &Counter,
    formula: &ChatFormula,
    transcript: &Transcript,
    options: &Options,
) -> Result<Compressed, TokensError> {
    let counts = count_chat(counter, formula, transcript);
    compress_counted(counter, formula, transcript, counts, options)
}

/// [`compress`] for a caller that has counted the transcript already: `counts` must be what
/// [`count_chat`] gives for it.
pub fn compress_counted(
    counter: &Counter,
    formula: &ChatFormula,
    transcript: &Transcript,
    counts: ChatCount,
    options: &Options,
) -> Result<Compressed, TokensError> {
    let units = group(transcript, &counts.messages, options.pin_system);

    let pinned: usize = units.iter().filter(|u| u.pinned).map(|u| u.tokens).sum();
    let fixed = counts.reply_priming + counts.tools + options.reserve_output + pinned;
    if fixed > options.max_tokens {
        return Err(TokensError::BudgetTooSmall {
            budget: options.max_tokens,
            required: fixed,
            what: format!(
                "{} pinned, {} tools, {} reserved for the reply, {} reply priming",
                pinned, counts.tools, options.reserve_output, counts.reply_priming
            ),
        });
    }
    let free: Vec<&Unit> = units.iter().filter(|u| !u.pinned).collect();
    let (keep, next_in_line, keep_tail) =
        choose(&free, options.max_tokens - fixed, options.strategy);

    let mut action = vec![(Action::Dropped, "over the budget"); transcript.messages.len()];
    for u in units.iter().filter(|u| u.pinned) {
        action[u.first] = (Action::Kept, "pinned system message");
    }
    let mut used = fixed;
    for (i, u) in free.iter().enumerate() {
        let kept = keep[i];
        for slot in &mut action[u.first..u.first + u.len] {
            *slot = match (kept, u.len > 1) {
                (true, false) => (Action::Kept, "fits the budget"),
                (true, true) => (Action::Kept, "fits the budget with its tool call"),
                (false, false) => (Action::Dropped, "over the budget"),
                (false, true) => (Action::Dropped, "over the budget with its tool call"),
            };
        }
        if kept {
            used += u.tokens;
        }
    }

    let mut messages_out: Vec<Option<Value>> = vec![None; transcript.messages.len()];
    let mut kept_tokens = vec![0; transcript.messages.len()];
    for (m, (a, _)) in action.iter().enumerate() {
        if *a == Action::Kept {
            messages_out[m] = Some(transcript.messages[m].clone());
            kept_tokens[m] = counts.messages[m];
        }
    }

    if options.partial
        && let Some(u) = next_in_line.map(|i| free[i]).filter(|u| u.len == 1)
    {
        let budget = options.max_tokens - used;
        let message = &transcript.messages[u.first];
        if let Some((cut, tokens)) = cut_to_fit(counter, formula, message, budget, keep_tail) {
            messages_out[u.first] = Some(cut);
            kept_tokens[u.first] = tokens;
            action[u.first] = (Action::Cut, "cut to fill the budget");
        }
    }

    let decisions: Vec<Decision> = action
        .iter()
        .enumerate()
        .map(|(index, &(action, reason))| Decision {
            index,
            role: transcript.role(index).to_string(),
            tokens: counts.messages[index],
            kept_tokens: kept_tokens[index],
            action,
            reason,
        })
        .collect();
    let kept: Vec<Value> = messages_out.into_iter().flatten().collect();
    let report = Report {
        strategy: options.strategy,
        max_tokens: options.max_tokens,
        reserve_output: options.reserve_output,
        tools_tokens: counts.tools,
        reply_priming: counts.reply_priming,
        tokens_before: counts.total,
        tokens_after: counts.reply_priming + counts.tools + kept_tokens.iter().sum::<usize>(),
        messages_before: transcript.messages.len(),
        messages_after: kept.len(),
        decisions,
    };
    Ok(Compressed {
        transcript: transcript.with_messages(kept),
        report,
    })
}

/// Groups messages into units: an assistant message with tool calls together with the tool
/// results that directly follow and answer it; every other message alone.
fn group(transcript: &Transcript, counts: &[usize], pin_system: bool) -> Vec<Unit> {
    let messages = &transcript.messages;
    let mut units = Vec::with_capacity(messages.len());
    let mut i = 0;
    while i < messages.len() {
        let role = transcript.role(i);
        let call_ids: HashSet<&str> = messages[i]
            .get("tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("id").and_then(Value::as_str))
            .collect();
        let mut len = 1;
        if role == "assistant" && !call_ids.is_empty() {
            while let Some(next) = messages.get(i + len) {
                let answers = next.get("role").and_then(Value::as_str) == Some("tool")
                    && next
                        .get("tool_call_id")
                        .and_then(Value::as_str)
                        .is_some_and(|id| call_ids.contains(id));
                if !answers {
                    break;
                }
                len += 1;
            }
        }
        units.push(Unit {
            first: i,
            len,
            tokens: counts[i..i + len].iter().sum(),
            pinned: pin_system && len == 1 && matches!(role, "system" | "developer"),
        });
        i += len;
    }
    units
}

/// Picks the units to keep within `room` tokens. Returns which are kept, the unit that would be
/// next in line (the one `--partial` may cut), and whether that unit should keep its tail.
fn choose(
    units: &[&Unit],
    mut room: usize,
    strategy: Strategy,
) -> (Vec<bool>, Option<usize>, bool) {
    let mut keep = vec![false; units.len()];
    let mut take = |i: usize, room: &mut usize| -> bool {
        if units[i].tokens <= *room {
            *room -= units[i].tokens;
            keep[i] = true;
            true
        } else {
            false
        }
    };
    let n = units.len();
    match strategy {
        Strategy::Last => {
            let stop = (0..n).rev().find(|&i| !take(i, &mut room));
            (keep, stop, true)
        }
        Strategy::First => {
            let stop = (0..n).find(|&i| !take(i, &mut room));
            (keep, stop, false)
        }
        Strategy::MiddleOut => {
            // Alternate between the end (the newest turn first) and the beginning.
            let (mut front, mut back) = (0usize, n);
            let (mut front_open, mut back_open) = (true, true);
            let mut from_back = true;
            while front < back && (front_open || back_open) {
                if from_back && back_open {
                    if take(back - 1, &mut room) {
                        back -= 1;
                    } else {
                        back_open = false;
                    }
                } else if !from_back && front_open {
                    if take(front, &mut room) {
                        front += 1;
                    } else {
                        front_open = false;
                    }
                }
                from_back = !from_back;
            }
            let next = (front < back).then(|| back - 1);
            (keep, next, true)
        }
    }
}

/// Shortens the string content of `message` so that the message costs at most `budget` tokens,
/// keeping the end of the text (`keep_tail`) or its beginning. None when nothing useful fits.
fn cut_to_fit(
    counter: &Counter,
    formula: &ChatFormula,
    message: &Value,
    budget: usize,
    keep_tail: bool,
) -> Option<(Value, usize)> {
    let text = message.get("content")?.as_str()?;
    let mut empty = message.clone();
    empty["content"] = Value::String(String::new());
    let overhead = formula.message_tokens(counter, &empty);
    if budget <= overhead {
        return None;
    }
    let engine = counter.encoding().engine();
    let tokens = engine.encode(text);
    let mut k = (budget - overhead).min(tokens.len());
    while k > 0 {
        let slice = if keep_tail {
            &tokens[tokens.len() - k..]
        } else {
            &tokens[..k]
        };
        let bytes = engine.bpe.decode_tokens(slice);
        let cut = valid_utf8_part(&bytes, keep_tail);
        let mut candidate = message.clone();
        candidate["content"] = Value::String(cut.to_string());
        let cost = formula.message_tokens(counter, &candidate);
        if cost <= budget {
            return Some((candidate, cost));
        }
        // Re-tokenising a cut text rarely costs more than its tokens did; back off and retry.
        k -= (cost - budget).max(1).min(k);
    }
    None
}

/// The longest valid UTF-8 part of `bytes` at its end (tail) or start (head): a token boundary
/// may fall inside a multi-byte character.
fn valid_utf8_part(bytes: &[u8], tail: bool) -> &str {
    if tail {
        let start = (0..bytes.len().min(4))
            .find(|&s| std::str::from_utf8(&bytes[s..]).is_ok())
            .unwrap_or(bytes.len());
        std::str::from_utf8(&bytes[start..]).unwrap_or_default()
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::Encoding;
    use crate::tokens::chat::Syntax;
    use serde_json::json;

    fn setup(messages: Value) -> (Counter, ChatFormula, Transcript) {
        let t = Transcript::parse(&messages.to_string(), Syntax::Json).unwrap();
        (
            Counter::new(Encoding::O200kBase),
            ChatFormula::new(Encoding::O200kBase, None),
            t,
        )
    }

    fn opts(max_tokens: usize, strategy: Strategy) -> Options {
        Options {
            max_tokens,
            reserve_output: 0,
            strategy,
            pin_system: true,
            partial: false,
        }
    }

    fn history(turns: usize) -> Value {
        let mut v = vec![json!({"role": "system", "content": "Be brief."})];
        for i in 0..turns {
            v.push(json!({"role": "user", "content": format!("question number {i}")}));
            v.push(json!({"role": "assistant", "content": format!("answer number {i}")}));
        }
        Value::Array(v)
    }

    fn contents(t: &Transcript) -> Vec<String> {
        t.messages
            .iter()
            .map(|m| m["content"].as_str().unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn everything_fits_means_nothing_changes() {
        let (c, f, t) = setup(history(3));
        let out = compress(&c, &f, &t, &opts(10_000, Strategy::Last)).unwrap();
        assert_eq!(out.transcript, t);
        assert_eq!(out.report.tokens_after, out.report.tokens_before);
    }

    #[test]
    fn last_keeps_the_newest_and_the_system_message() {
        let (c, f, t) = setup(history(10));
        let counts = count_chat(&c, &f, &t);
        // Room for the system message and exactly the last three messages.
        let budget = 3 + counts.messages[0] + counts.messages[18..].iter().sum::<usize>();
        let out = compress(&c, &f, &t, &opts(budget, Strategy::Last)).unwrap();
        assert_eq!(
            contents(&out.transcript),
            [
                "Be brief.",
                "answer number 8",
                "question number 9",
                "answer number 9"
            ]
        );
        assert!(out.report.tokens_after <= budget);
        assert_eq!(out.report.tokens_after, budget);
    }

    #[test]
    fn first_keeps_the_oldest() {
        let (c, f, t) = setup(history(10));
        let counts = count_chat(&c, &f, &t);
        let budget = 3 + counts.messages[..3].iter().sum::<usize>();
        let out = compress(&c, &f, &t, &opts(budget, Strategy::First)).unwrap();
        assert_eq!(
            contents(&out.transcript),
            ["Be brief.", "question number 0", "answer number 0"]
        );
    }

    #[test]
    fn middle_out_keeps_both_ends() {
        let (c, f, t) = setup(history(10));
        let counts = count_chat(&c, &f, &t);
        let budget = 3 + counts.messages[0] + counts.messages[1] + counts.messages[20];
        let out = compress(&c, &f, &t, &opts(budget, Strategy::MiddleOut)).unwrap();
        assert_eq!(
            contents(&out.transcript),
            ["Be brief.", "question number 0", "answer number 9"]
        );
    }

    #[test]
    fn budget_below_pinned_is_an_error() {
        let (c, f, t) = setup(history(1));
        let err = compress(&c, &f, &t, &opts(5, Strategy::Last)).unwrap_err();
        assert!(
            matches!(err, TokensError::BudgetTooSmall { budget: 5, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn reserve_output_counts_against_the_budget() {
        let (c, f, t) = setup(history(4));
        let all = count_chat(&c, &f, &t).total;
        let mut o = opts(all, Strategy::Last);
        assert_eq!(compress(&c, &f, &t, &o).unwrap().report.messages_after, 9);
        o.reserve_output = 20;
        let out = compress(&c, &f, &t, &o).unwrap();
        assert!(out.report.messages_after < 9);
        assert!(out.report.tokens_after + 20 <= all);
    }

    #[test]
    fn tool_calls_stay_with_their_results() {
        let messages = json!([
            {"role": "user", "content": "weather in Paris and Rome?"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}},
                {"id": "b", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Rome\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "a", "content": "sunny"},
            {"role": "tool", "tool_call_id": "b", "content": "rain"},
            {"role": "assistant", "content": "Sunny in Paris, rain in Rome."}
        ]);
        let (c, f, t) = setup(messages);
        let counts = count_chat(&c, &f, &t);
        // Room for the last message and one tool result, but not for the whole call group.
        let budget = 3 + counts.messages[4] + counts.messages[3];
        let out = compress(&c, &f, &t, &opts(budget, Strategy::Last)).unwrap();
        let roles: Vec<_> = (0..out.transcript.messages.len())
            .map(|i| out.transcript.role(i))
            .collect();
        assert_eq!(roles, ["assistant"]);
        // With room for the group, all four go in together.
        let budget = 3 + counts.messages[1..].iter().sum::<usize>();
        let out = compress(&c, &f, &t, &opts(budget, Strategy::Last)).unwrap();
        assert_eq!(out.transcript.messages.len(), 4);
    }

    #[test]
    fn partial_uses_the_budget_exactly() {
        let long = "word ".repeat(200);
        let messages = json!([
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": long},
            {"role": "assistant", "content": "ok"}
        ]);
        let (c, f, t) = setup(messages);
        let counts = count_chat(&c, &f, &t);
        let budget = 3 + counts.messages[0] + counts.messages[2] + 50;
        let mut o = opts(budget, Strategy::Last);
        o.partial = true;
        let out = compress(&c, &f, &t, &o).unwrap();
        assert_eq!(out.report.tokens_after, budget);
        assert_eq!(out.report.decisions[1].action, Action::Cut);
        let cut = out.transcript.messages[1]["content"].as_str().unwrap();
        assert!(long.ends_with(cut) && cut.len() < long.len());
        // The report's numbers are the real count of what was written.
        assert_eq!(count_chat(&c, &f, &out.transcript).total, budget);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::{
        Just, ProptestConfig, Strategy as Arb, prop, prop_assert, prop_assert_eq, prop_oneof,
        proptest,
    };
    use serde_json::json;

    use super::*;
    use crate::tokens::Encoding;
    use crate::tokens::chat::Syntax;

    /// A history of plain turns and tool-call groups, with an optional system message first.
    fn arb_history() -> impl Arb<Value = Vec<Value>> {
        let turn = prop_oneof![
            ("[a-z ]{0,40}", prop::bool::ANY).prop_map(|(text, user)| vec![json!({
                "role": if user { "user" } else { "assistant" }, "content": text
            })]),
            (0u32..1000, 1usize..3).prop_map(|(id, n)| {
                let ids: Vec<String> = (0..n).map(|i| format!("c{id}_{i}")).collect();
                let calls: Vec<Value> = ids
                    .iter()
                    .map(|i| {
                        json!({"id": i, "type": "function",
                    "function": {"name": "f", "arguments": "{\"x\": 1}"}})
                    })
                    .collect();
                let mut v =
                    vec![json!({"role": "assistant", "content": null, "tool_calls": calls})];
                v.extend(
                    ids.iter()
                        .map(|i| json!({"role": "tool", "tool_call_id": i, "content": "ok"})),
                );
                v
            }),
        ];
        (prop::bool::ANY, prop::collection::vec(turn, 0..25)).prop_map(|(system, turns)| {
            let mut v = Vec::new();
            if system {
                v.push(json!({"role": "system", "content": "Be brief."}));
            }
            v.extend(turns.into_iter().flatten());
            v
        })
    }

    fn arb_strategy() -> impl Arb<Value = Strategy> {
        prop_oneof![
            Just(Strategy::Last),
            Just(Strategy::First),
            Just(Strategy::MiddleOut)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn result_fits_and_keeps_its_promises(
            history in arb_history(),
            max_tokens in 0usize..400,
            reserve in 0usize..50,
            strategy in arb_strategy(),
            partial in prop::bool::ANY,
        ) {
            let counter = Counter::new(Encoding::O200kBase);
            let formula = ChatFormula::new(Encoding::O200kBase, None);
            let t = Transcript::parse(&Value::Array(history).to_string(), Syntax::Json).unwrap();
            let options = Options { max_tokens, reserve_output: reserve, strategy, pin_system: true, partial };
            match compress(&counter, &formula, &t, &options) {
                Err(TokensError::BudgetTooSmall { required, .. }) => prop_assert!(required > max_tokens),
                Err(e) => prop_assert!(false, "unexpected error {e}"),
                Ok(out) => {
                    let recount = count_chat(&counter, &formula, &out.transcript).total;
                    prop_assert_eq!(recount, out.report.tokens_after, "the report matches the output");
                    prop_assert!(recount + reserve <= max_tokens);
                    // Pinned system messages survive.
                    let systems = |t: &Transcript| (0..t.messages.len()).filter(|&i| t.role(i) == "system").count();
                    prop_assert_eq!(systems(&out.transcript), systems(&t));
                    // Tool calls and results still pair up.
                    let calls: Vec<&str> = out.transcript.messages.iter()
                        .flat_map(|m| m["tool_calls"].as_array().into_iter().flatten())
                        .filter_map(|c| c["id"].as_str()).collect();
                    let results: Vec<&str> = out.transcript.messages.iter()
                        .filter_map(|m| m["tool_call_id"].as_str()).collect();
                    prop_assert_eq!(calls, results);
                    // Kept messages keep their order: the output is a subsequence of the input.
                    let mut it = t.messages.iter();
                    for m in &out.transcript.messages {
                        let found = it.any(|orig| orig == m || (orig["role"] == m["role"] && m["content"].is_string()));
                        prop_assert!(found);
                    }
                }
            }
        }
    }
}
