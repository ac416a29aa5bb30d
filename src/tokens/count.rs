//! Counting plain text: whole strings, and streams of any size in bounded memory on all cores.
//!
//! tiktoken first splits text into pieces with its pattern and only then merges bytes inside each
//! piece, so text cut where a piece ends counts the same in parts as whole. [`is_cut_point`]
//! recognises two places where every encoding ends a piece whatever follows:
//!
//! - After a newline that follows a non-whitespace character, when the next character is neither
//!   whitespace nor `/` (o200k_base glues `/` to a preceding `.\n`; p50k_base splits `\n\nx`
//!   differently than `\n` + `\nx`, which the "preceded by non-whitespace" condition rules out).
//! - At a space between two ASCII letters: no pattern lets a piece run from a letter into a
//!   space, and the piece that starts at the space only looks forward.
//!
//! The parallel and the single-threaded counts are compared on adversarial text in the tests.

use std::io::Read;

use rayon::prelude::*;

use super::error::Position;
use super::split;
use super::{Encoding, TokensError};

/// Parallel chunks are about this large: big enough that the per-chunk overhead vanishes, small
/// enough that two cores share the work evenly.
const CHUNK: usize = 512 * 1024;
/// A stream is read in blocks of this size; peak memory is a small multiple of it.
const BLOCK: usize = 8 * 1024 * 1024;

/// Counts tokens of text with one encoding.
///
/// ```
/// use plugctl::tokens::{Counter, Encoding};
///
/// let counter = Counter::new(Encoding::O200kBase);
/// assert_eq!(counter.count("hello world"), 2);
/// // Special-token strings are ordinary text.
/// assert_eq!(counter.count("<|endoftext|>"), 7);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Counter {
    encoding: Encoding,
}

/// The result of counting a stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextCount {
    pub tokens: u64,
    pub bytes: u64,
}

impl Counter {
    pub fn new(encoding: Encoding) -> Self {
        Self { encoding }
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Tokens in `text`, on the calling thread. Special-token strings are ordinary text.
    pub fn count(&self, text: &str) -> usize {
        let engine = self.encoding.engine();
        let whole = self.encoding.whole_tokens();
        let text = engine.normalize(text);
        split::pieces(self.encoding.pattern(), engine, text.as_str())
            .map(|piece| match piece.as_bytes() {
                bytes if whole.contains(bytes) => 1,
                bytes => engine.bpe.count(bytes),
            })
            .sum()
    }

    /// Tokens in `text`, split at cut points and counted on all cores; always equal to
    /// [`Counter::count`].
    pub fn count_parallel(&self, text: &str) -> usize {
        let cuts = cut_points(text.as_bytes(), CHUNK);
        if cuts.is_empty() {
            return self.count(text);
        }
        chunks(text, &cuts).par_iter().map(|c| self.count(c)).sum()
    }

    /// Tokens in a stream, read in blocks; `progress` is called with the bytes consumed so far.
    /// Memory stays bounded by the block size unless the input has no cut point for megabytes
    /// (one giant word), which must then be held whole.
    pub fn count_reader(
        &self,
        mut reader: impl Read,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<TextCount, TokensError> {
        let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + BLOCK / 4);
        let mut total = TextCount::default();
        // Lines and bytes before `buf`, to report where invalid UTF-8 is.
        let mut lines_before = 0usize;
        let mut eof = false;
        while !eof {
            // Append up to one block to what is carried over; a short read means end of input.
            // (`read_to_end` fills spare capacity without zeroing it first.)
            let read = (&mut reader).take(BLOCK as u64).read_to_end(&mut buf)?;
            eof = read < BLOCK;
            let end = if eof {
                buf.len()
            } else {
                match cut_points(&buf, CHUNK).last() {
                    Some(&cut) => cut,
                    // No cut point yet: keep reading into a bigger buffer.
                    None => continue,
                }
            };
            let text = decode_utf8(&buf[..end], lines_before)?;
            total.tokens += self.count_parallel(text) as u64;
            total.bytes += end as u64;
            lines_before += memchr::memchr_iter(b'\n', text.as_bytes()).count();
            buf.drain(..end);
            progress(total.bytes);
        }
        Ok(total)
    }
}

/// `bytes` as text, or an error that says where the first invalid byte is (`lines_before` lines
/// of the input came before `bytes`).
pub fn decode_utf8(bytes: &[u8], lines_before: usize) -> Result<&str, TokensError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line_start = memchr::memrchr(b'\n', valid).map_or(0, |i| i + 1);
        // Valid by construction: a prefix of the valid part.
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        TokensError::InvalidUtf8 {
            at: Position {
                line: lines_before + memchr::memchr_iter(b'\n', valid).count() + 1,
                column,
            },
        }
    })
}

/// True when text may be cut before byte `p` without changing the token count (module docs).
pub fn is_cut_point(text: &[u8], p: usize) -> bool {
    if p < 2 || p >= text.len() {
        return false;
    }
    match text[p - 1] {
        b'\n' => {
            let before = last_char_before(text, p - 1);
            let after = first_char_at(text, p);
            matches!(before, Some(c) if !c.is_whitespace())
                && matches!(after, Some(c) if !c.is_whitespace() && c != '/')
        }
        b' ' => false,
        prev => {
            text[p] == b' '
                && prev.is_ascii_alphabetic()
                && text.get(p + 1).is_some_and(|b| b.is_ascii_alphabetic())
        }
    }
}

/// Cut points at least `min_chunk` bytes apart, in order; empty when the text is one chunk.
pub fn cut_points(text: &[u8], min_chunk: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut from = min_chunk;
    while from < text.len() {
        let found = memchr::memchr2_iter(b'\n', b' ', &text[from..])
            .map(|i| from + i)
            .map(|i| if text[i] == b'\n' { i + 1 } else { i })
            .find(|&p| is_cut_point(text, p));
        match found {
            Some(p) => {
                cuts.push(p);
                from = p + min_chunk;
            }
            None => break,
        }
    }
    cuts
}

/// Splits `text` at `cuts` (byte offsets of ASCII characters, hence char boundaries).
fn chunks<'a>(text: &'a str, cuts: &[usize]) -> Vec<&'a str> {
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts {
        out.push(&text[start..cut]);
        start = cut;
    }
    out.push(&text[start..]);
    out
}

/// The character that ends just before byte `end`, if the bytes there are valid UTF-8.
fn last_char_before(text: &[u8], end: usize) -> Option<char> {
    let start = end.saturating_sub(4);
    (start..end)
        .find_map(|s| std::str::from_utf8(&text[s..end]).ok())
        .and_then(|s| s.chars().next_back())
}

/// The character that starts at byte `at`, if the bytes there are valid UTF-8.
fn first_char_at(text: &[u8], at: usize) -> Option<char> {
    let end = (at + 4).min(text.len());
    (at + 1..=end)
        .rev()
        .find_map(|e| std::str::from_utf8(&text[at..e]).ok())
        .and_then(|s| s.chars().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(encoding: Encoding, text: &str) -> usize {
        encoding.reference().encode_ordinary(text).len()
    }

    #[test]
    fn cut_rule_examples() {
        let t = b"ab\ncd";
        assert!(is_cut_point(t, 3));
        assert!(!is_cut_point(b"a.\n/x", 3), "o200k glues '/' to '.\\n'");
        assert!(
            !is_cut_point(b"\n\nx", 2),
            "p50k splits '\\n\\nx' differently"
        );
        assert!(!is_cut_point(b"a \nx", 3), "whitespace before the newline");
        assert!(!is_cut_point(b"a\n x", 2), "whitespace after the newline");
        assert!(is_cut_point(b"ab cd", 2), "space between letters");
        assert!(!is_cut_point(b"a1 cd", 2), "digit before the space");
        assert!(!is_cut_point(b"ab  cd", 2), "two spaces");
    }

    /// Text built to hit every corner of the four patterns around the cut points.
    fn adversarial_text() -> String {
        let atoms = [
            "\n",
            "\n\n",
            " ",
            "  ",
            "\t",
            "\r\n",
            "/",
            ".",
            "a",
            "Ab",
            "It's",
            "'s",
            "x",
            "123",
            "4567",
            "é",
            "\u{301}",
            "日本",
            "\u{3000}",
            "\u{a0}",
            "—",
            "👍🏽",
            "<|endoftext|>",
            "//",
            ".\n",
            "\n/",
            " \n",
            "\n ",
            "ab cd",
            "Z y",
            "\u{85}",
            "ǅ",
        ];
        // A deterministic walk through the atoms (a linear congruential generator).
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut text = String::new();
        while text.len() < 400_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(atoms[(state >> 33) as usize % atoms.len()]);
        }
        text
    }

    #[test]
    fn parallel_count_equals_whole_count_on_adversarial_text() {
        let text = adversarial_text();
        let cuts = cut_points(text.as_bytes(), 97);
        assert!(cuts.len() > 1000, "the test must exercise many cuts");
        for encoding in Encoding::ALL {
            let whole = reference(encoding, &text);
            let parts: usize = chunks(&text, &cuts)
                .iter()
                .map(|c| reference(encoding, c))
                .sum();
            assert_eq!(parts, whole, "{encoding}: tiktoken on parts vs whole");
            assert_eq!(
                Counter::new(encoding).count(&text),
                whole,
                "{encoding}: engine vs tiktoken"
            );
        }
    }

    #[test]
    fn every_cut_point_is_exact_on_small_text() {
        // Each single cut on its own, so a wrong rule cannot hide behind a lucky neighbour.
        let text: String = adversarial_text().chars().take(3000).collect();
        for encoding in [
            Encoding::O200kBase,
            Encoding::Cl100kBase,
            Encoding::P50kBase,
        ] {
            let whole = reference(encoding, &text);
            for p in (1..text.len()).filter(|&p| is_cut_point(text.as_bytes(), p)) {
                let (a, b) = text.split_at(p);
                assert_eq!(
                    reference(encoding, a) + reference(encoding, b),
                    whole,
                    "{encoding} cut at {p}: {:?} | {:?}",
                    &a[a.len().saturating_sub(8)..],
                    &b[..b.len().min(8)]
                );
            }
        }
    }

    #[test]
    fn stream_count_equals_whole_count_across_blocks() {
        let text = adversarial_text().repeat(25); // ~10 MB: more than one block
        let counter = Counter::new(Encoding::O200kBase);
        let whole = counter.count(&text);
        let got = counter.count_reader(text.as_bytes(), &|_| {}).unwrap();
        assert_eq!(got.tokens, whole as u64);
        assert_eq!(got.bytes, text.len() as u64);
    }

    #[test]
    fn long_whitespace_run_does_not_crash() {
        // tiktoken (Python and tiktoken-rs) overflow the regex stack on this input.
        let text = format!("{}x", " ".repeat(1_000_000));
        for encoding in Encoding::ALL {
            let n = Counter::new(encoding).count(&text);
            // r50k_base has no tokens for runs of spaces, so up to one token per byte.
            assert!(n > 1 && n <= text.len(), "{encoding}: {n}");
        }
    }

    #[test]
    fn long_whitespace_run_counts_like_shorter_reference_runs() {
        // The reference cannot count a million spaces, but it can count runs of a few thousand;
        // the engine must agree there, and with itself split at the run's only cut point.
        for encoding in Encoding::ALL {
            for n in [1, 2, 3, 100, 4097, 20_000] {
                for tail in ["x", "\nx", "", " y"] {
                    let text = format!("a{}{tail}", " ".repeat(n));
                    assert_eq!(
                        Counter::new(encoding).count(&text),
                        reference(encoding, &text),
                        "{encoding}: {n} spaces + {tail:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn invalid_utf8_is_located() {
        let input = b"first line\nsecond \xff line\n";
        let err = Counter::new(Encoding::O200kBase)
            .count_reader(&input[..], &|_| {})
            .unwrap_err();
        match err {
            TokensError::InvalidUtf8 { at } => assert_eq!(at, Position { line: 2, column: 8 }),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Strings made of the characters that matter at cut points, plus arbitrary ones.
    fn tricky_text() -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            Just("\n".to_string()),
            Just(" ".to_string()),
            Just("/".to_string()),
            Just("\t".to_string()),
            Just("\r\n".to_string()),
            Just("ab".to_string()),
            Just("'s".to_string()),
            Just("12".to_string()),
            Just(".".to_string()),
            Just("\u{3000}".to_string()),
            Just("é".to_string()),
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(atom, 0..200).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn cutting_at_cut_points_never_changes_the_count(text in tricky_text()) {
            let cuts = cut_points(text.as_bytes(), 1);
            for encoding in [Encoding::O200kBase, Encoding::Cl100kBase, Encoding::P50kBase] {
                let whole = encoding.reference().encode_ordinary(&text).len();
                let parts: usize = chunks(&text, &cuts)
                    .iter()
                    .map(|c| encoding.reference().encode_ordinary(c).len())
                    .sum();
                prop_assert_eq!(parts, whole, "{} on {:?}", encoding, text);
                prop_assert_eq!(Counter::new(encoding).count(&text), whole);
            }
        }

        #[test]
        fn any_bytes_either_count_or_report_invalid_utf8(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
            let result = Counter::new(Encoding::O200kBase).count_reader(&bytes[..], &|_| {});
            match std::str::from_utf8(&bytes) {
                Ok(text) => prop_assert_eq!(result.unwrap().tokens as usize, Counter::new(Encoding::O200kBase).count(text)),
                Err(_) => {
                    let invalid = matches!(result, Err(TokensError::InvalidUtf8 { .. }));
                    prop_assert!(invalid, "expected an invalid UTF-8 error");
                }
            }
        }
    }
}
