//! Reading `text/event-stream` responses (`--sse`): which events carry tokens, and when.
//!
//! OpenAI-style streams send `data: {json}` events whose text is in `choices[0].delta.content`
//! (chat) or `choices[0].text` (completions), and end with `data: [DONE]`. Other servers send the
//! text itself as the data, or JSON with a `content`, `text` or `token` field: all are accepted.
//! Events are separated by blank lines; only `data:` fields matter here (WHATWG HTML §9.2.6).

use std::time::Instant;

use super::stats::StreamTrace;
use crate::tokens::{Counter, Encoding};

/// An incremental parser for one response.
#[derive(Debug, Default)]
pub struct SseReader {
    /// Bytes of an incomplete line carried over between reads.
    partial: Vec<u8>,
    /// The streamed output text.
    text: String,
    /// When each event with text arrived.
    events: Vec<Instant>,
    done: bool,
}

impl SseReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk of the body that arrived at `now`.
    pub fn feed(&mut self, chunk: &[u8], now: Instant) {
        let mut rest = chunk;
        while let Some(pos) = memchr::memchr(b'\n', rest) {
            let (line, tail) = rest.split_at(pos);
            rest = &tail[1..];
            if self.partial.is_empty() {
                self.line(line, now);
            } else {
                let mut full = std::mem::take(&mut self.partial);
                full.extend_from_slice(line);
                self.line(&full, now);
            }
        }
        self.partial.extend_from_slice(rest);
    }

    /// True once `data: [DONE]` was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }

    fn line(&mut self, line: &[u8], now: Instant) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(data) = line.strip_prefix(b"data:") else {
            return;
        };
        let data = data.strip_prefix(b" ").unwrap_or(data);
        if data == b"[DONE]" {
            self.done = true;
            return;
        }
        let piece = event_text(data);
        if !piece.is_empty() {
            self.text.push_str(&piece);
            self.events.push(now);
        }
    }

    /// The figures of the finished stream, measured from `intended` (the scheduled send time).
    pub fn finish(self, intended: Instant, counter: &Counter) -> StreamTrace {
        let us = |a: Instant, b: Instant| a.saturating_duration_since(b).as_micros() as u64;
        let gaps_us = self.events.windows(2).map(|w| us(w[1], w[0])).collect();
        let (ttft_us, generation_us) = match (self.events.first(), self.events.last()) {
            (Some(&first), Some(&last)) => (Some(us(first, intended)), us(last, first)),
            _ => (None, 0),
        };
        StreamTrace {
            ttft_us,
            gaps_us,
            generation_us,
            tokens: counter.count(&self.text) as u64,
        }
    }
}

/// The text an event carries.
fn event_text(data: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return String::from_utf8_lossy(data).into_owned();
    };
    let choice = value.pointer("/choices/0");
    let candidates = [
        choice.and_then(|c| c.pointer("/delta/content")),
        choice.and_then(|c| c.get("text")),
        value.get("content"),
        value.get("text"),
        value.get("token"),
        value.pointer("/delta/text"),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// The counter used for streamed text (o200k_base, the encoding of current OpenAI models).
pub fn counter() -> Counter {
    Counter::new(Encoding::O200kBase)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn openai_chunks_split_anywhere() {
        let body = concat!(
            "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n",
            ": a comment\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\" world\"}}]}\r\n\r\n",
            "data: [DONE]\n\n"
        )
        .as_bytes();
        let t0 = Instant::now();
        for split in [1, 7, 40, body.len()] {
            let mut r = SseReader::new();
            for (i, chunk) in body.chunks(split).enumerate() {
                r.feed(chunk, t0 + Duration::from_millis(i as u64));
            }
            assert!(r.is_done());
            assert_eq!(r.text, "Hello world");
            assert_eq!(r.events.len(), 2);
            let trace = r.finish(t0, &counter());
            assert_eq!(trace.tokens, 2);
            assert_eq!(trace.gaps_us.len(), 1);
        }
    }

    #[test]
    fn plain_and_other_shapes() {
        assert_eq!(event_text(b"just text"), "just text");
        assert_eq!(event_text(br#"{"choices":[{"text":"a"}]}"#), "a");
        assert_eq!(event_text(br#"{"token":"b"}"#), "b");
        assert_eq!(event_text(br#"{"usage":{}}"#), "");
    }
}
