//! Pre-tokenization: the pieces an encoding's pattern cuts text into before bytes are merged.
//!
//! The engine's regex (bpe-openai's rewrite of tiktoken's pattern for `regex-automata`) costs
//! some 600 instructions per piece however short the piece is, which made splitting 85% of the
//! time spent counting a chat message. Most text is ASCII, where each alternative of the pattern
//! is a simple run of one byte class, so a scanner decides those pieces by hand and hands every
//! piece whose extent depends on a non-ASCII character back to the regex, from the same
//! position. The regex's pieces depend only on where they start (it searches anchored at the end
//! of the previous piece, and `$` is the end of the text), so the two can take turns and still
//! give exactly its pieces. The tests compare them on every short string over an alphabet of the
//! characters that matter, and on random text.
//!
//! The patterns, as the engine has them (`\s+(?!\S)` is `\s+\s` with its last character given
//! back, or `\s+$`):
//!
//! - o200k_base: `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
//!   (?i:'s|'t|'re|'ve|'m|'ll|'d)?`, the same with `+` and `*` swapped, `\p{N}{1,3}`,
//!   ` ?[^\s\p{L}\p{N}]+[\r\n/]*`, `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`.
//! - cl100k_base: `(?i:'s|'t|'re|'ve|'m|'ll|'d)`, `[^\r\n\p{L}\p{N}]?\p{L}+`, `\p{N}{1,3}`,
//!   ` ?[^\s\p{L}\p{N}]+[\r\n]*`, `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`.
//! - r50k_base and p50k_base: `'(?:[sdmt]|ll|ve|re)`, ` ?\p{L}+`, ` ?\p{N}+`,
//!   ` ?[^\s\p{L}\p{N}]+`, `\s+(?!\S)`, `\s+`.

use bpe_openai::Tokenizer;

/// Which pattern an encoding splits with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pattern {
    O200k,
    Cl100k,
    Gpt2,
}

/// The pieces of `text`, in order; they concatenate to `text`.
pub(crate) fn pieces<'a>(
    pattern: Pattern,
    engine: &'static Tokenizer,
    text: &'a str,
) -> Pieces<'a> {
    Pieces {
        pattern,
        engine,
        text,
        at: 0,
    }
}

pub(crate) struct Pieces<'a> {
    pattern: Pattern,
    engine: &'static Tokenizer,
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        if self.at >= bytes.len() {
            return None;
        }
        let start = self.at;
        let end = scan(self.pattern, bytes, start).unwrap_or_else(|| {
            // The pattern matches at every position, so the regex always has a piece here.
            let rest = &self.text[start..];
            start + self.engine.split(rest).next().map_or(rest.len(), str::len)
        });
        self.at = end;
        Some(&self.text[start..end])
    }
}

fn scan(pattern: Pattern, b: &[u8], i: usize) -> Option<usize> {
    match pattern {
        Pattern::O200k => o200k(b, i),
        Pattern::Cl100k => cl100k(b, i),
        Pattern::Gpt2 => gpt2(b, i),
    }
}

// Every scanner below returns where the piece that starts at `i` ends, or `None` when that
// depends on a non-ASCII character (which may be a letter, a digit, white space or a mark).
// `b[i]` is always the first byte of a character.

fn o200k(b: &[u8], i: usize) -> Option<usize> {
    let c = ascii(b[i])?;
    if let Some(s) = letters_start(b, i)? {
        // Capitals then small letters (or capitals alone), then a contraction if one follows.
        let upper = run(b, s, |x| x.is_ascii_uppercase())?;
        let end = run(b, upper, |x| x.is_ascii_lowercase())?;
        return Some(contraction(b, end)?.unwrap_or(end));
    }
    if c.is_ascii_digit() {
        return digits(b, i, 3);
    }
    if let Some(end) = symbols(b, i, |x| matches!(x, b'\r' | b'\n' | b'/'))? {
        return Some(end);
    }
    white_space(b, i, true)
}

fn cl100k(b: &[u8], i: usize) -> Option<usize> {
    let c = ascii(b[i])?;
    if let Some(end) = contraction(b, i)? {
        return Some(end);
    }
    if let Some(s) = letters_start(b, i)? {
        return run(b, s, |x| x.is_ascii_alphabetic());
    }
    if c.is_ascii_digit() {
        return digits(b, i, 3);
    }
    if let Some(end) = symbols(b, i, |x| matches!(x, b'\r' | b'\n'))? {
        return Some(end);
    }
    white_space(b, i, true)
}

fn gpt2(b: &[u8], i: usize) -> Option<usize> {
    let c = ascii(b[i])?;
    if c == b'\'' {
        // Case-sensitive: no non-ASCII character can take part.
        let next = |k: usize| b.get(i + k).copied();
        match (next(1), next(2)) {
            (Some(b's' | b'd' | b'm' | b't'), _) => return Some(i + 2),
            (Some(b'l'), Some(b'l')) | (Some(b'v' | b'r'), Some(b'e')) => return Some(i + 3),
            _ => {}
        }
    }
    // An optional space, then letters, digits or symbols.
    let s = if c == b' ' { i + 1 } else { i };
    match b.get(s).copied() {
        Some(x) if !x.is_ascii() => None,
        Some(x) if x.is_ascii_alphabetic() => run(b, s + 1, |x| x.is_ascii_alphabetic()),
        Some(x) if x.is_ascii_digit() => run(b, s + 1, |x| x.is_ascii_digit()),
        Some(x) if is_symbol(x) => run(b, s + 1, is_symbol),
        _ => white_space(b, i, false),
    }
}

/// `x` when it is ASCII.
fn ascii(x: u8) -> Option<u8> {
    x.is_ascii().then_some(x)
}

/// `\s` on ASCII.
fn is_space(x: u8) -> bool {
    matches!(x, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// `[^\s\p{L}\p{N}]` on ASCII: punctuation, symbols and control characters.
fn is_symbol(x: u8) -> bool {
    x.is_ascii() && !x.is_ascii_alphanumeric() && !is_space(x)
}

/// The end of the run of bytes from `s` that satisfy `class`; `None` when a non-ASCII character
/// follows it (it might belong to the run).
fn run(b: &[u8], s: usize, class: impl Fn(u8) -> bool) -> Option<usize> {
    let end = s + b[s..]
        .iter()
        .position(|&x| !class(x))
        .unwrap_or(b.len() - s);
    match b.get(end) {
        Some(x) if !x.is_ascii() => None,
        _ => Some(end),
    }
}

/// `[^\r\n\p{L}\p{N}]?` before a letter: where the letters of a piece that starts at `i` begin,
/// `Some(None)` when no such piece starts there.
fn letters_start(b: &[u8], i: usize) -> Option<Option<usize>> {
    let c = b[i];
    if c.is_ascii_alphabetic() {
        return Some(Some(i));
    }
    if matches!(c, b'\r' | b'\n') || c.is_ascii_digit() {
        return Some(None);
    }
    match b.get(i + 1) {
        Some(x) if !x.is_ascii() => None,
        Some(x) if x.is_ascii_alphabetic() => Some(Some(i + 1)),
        _ => Some(None),
    }
}

/// `\p{N}{1,max}` from `i`, whose byte is a digit.
fn digits(b: &[u8], i: usize, max: usize) -> Option<usize> {
    let limit = (i + max).min(b.len());
    let end = (i + 1..limit)
        .find(|&k| !b[k].is_ascii_digit())
        .unwrap_or(limit);
    match b.get(end) {
        Some(x) if end < i + max && !x.is_ascii() => None,
        _ => Some(end),
    }
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`: its end, `Some(None)` when there is none.
fn contraction(b: &[u8], i: usize) -> Option<Option<usize>> {
    if b.get(i) != Some(&b'\'') {
        return Some(None);
    }
    let lower = |k: usize| b.get(i + k).map(|x| x.to_ascii_lowercase());
    // `(?i)s` also matches U+017F LONG S; no other non-ASCII character folds to these letters.
    if lower(1).is_some_and(|x| !x.is_ascii()) {
        return None;
    }
    Some(match (lower(1), lower(2)) {
        (Some(b's' | b't' | b'm' | b'd'), _) => Some(i + 2),
        (Some(b'r' | b'v'), Some(b'e')) | (Some(b'l'), Some(b'l')) => Some(i + 3),
        _ => None,
    })
}

/// ` ?[^\s\p{L}\p{N}]+` followed by any of the bytes `trailer` accepts: its end, `Some(None)`
/// when no such piece starts at `i`.
fn symbols(b: &[u8], i: usize, trailer: impl Fn(u8) -> bool) -> Option<Option<usize>> {
    let s = if b[i] == b' ' { i + 1 } else { i };
    match b.get(s) {
        Some(x) if !x.is_ascii() => None,
        Some(&x) if is_symbol(x) => {
            let end = run(b, s + 1, is_symbol)?;
            // The trailing bytes are ASCII: whatever follows them does not matter.
            Some(Some(
                end + b[end..].iter().take_while(|&&x| trailer(x)).count(),
            ))
        }
        _ => Some(None),
    }
}

/// White space from `i`: up to its last line break when `line_breaks` (`\s*[\r\n]+`), all of it
/// at the end of the text (`\s+$`), else all but its last character (`\s+(?!\S)`) unless that
/// is all there is (`\s+`).
fn white_space(b: &[u8], i: usize, line_breaks: bool) -> Option<usize> {
    let end = i + b[i..]
        .iter()
        .position(|&x| !is_space(x))
        .unwrap_or(b.len() - i);
    if b.get(end).is_some_and(|x| !x.is_ascii()) {
        // More white space may follow (U+00A0, U+2028, ...).
        return None;
    }
    if line_breaks && let Some(k) = b[i..end].iter().rposition(|&x| matches!(x, b'\r' | b'\n')) {
        return Some(i + k + 1);
    }
    Some(if end == b.len() || end - i == 1 {
        end
    } else {
        end - 1
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::tokens::Encoding;

    const PATTERNS: [Encoding; 3] = [
        Encoding::O200kBase,
        Encoding::Cl100kBase,
        Encoding::R50kBase,
    ];

    /// The scanners and the regex agree on `text`, and ASCII text never needs the regex.
    fn assert_same_pieces(encoding: Encoding, text: &str) {
        let engine = encoding.engine();
        let expected: Vec<&str> = engine.split(text).collect();
        let got: Vec<&str> = pieces(encoding.pattern(), engine, text).collect();
        assert_eq!(got, expected, "{encoding} on {text:?}");
        if text.is_ascii() {
            let mut at = 0;
            for piece in got {
                let scanned = scan(encoding.pattern(), text.as_bytes(), at);
                assert_eq!(
                    scanned,
                    Some(at + piece.len()),
                    "{encoding} on {text:?} at {at}"
                );
                at += piece.len();
            }
        }
    }

    /// Characters each pattern treats differently: letters of both cases and the contractions'
    /// letters, digits, every ASCII white space, symbols including `'` and `/`, a control
    /// character, and non-ASCII letters, marks, digits, white space and symbols.
    const ALPHABET: [&str; 24] = [
        "a", "B", "s", "T", "e", "l", "'", "1", " ", "\t", "\n", "\r", "\u{b}", "/", ".", "\0",
        "é", "\u{17f}", "\u{301}", "²", "\u{a0}", "\u{2028}", "€", "中",
    ];

    /// Every string of up to three characters of the alphabet, and every one of four made of
    /// its ASCII part.
    #[test]
    fn short_strings_split_as_the_regex_splits_them() {
        let ascii: Vec<&str> = ALPHABET.iter().copied().filter(|s| s.is_ascii()).collect();
        for encoding in PATTERNS {
            let mut texts = vec![String::new()];
            let mut last = vec![String::new()];
            for len in 1..=4 {
                let alphabet: &[&str] = if len <= 3 { &ALPHABET } else { &ascii };
                last = last
                    .iter()
                    .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                    .filter(|s| len <= 3 || s.is_ascii())
                    .collect();
                texts.extend(last.iter().cloned());
            }
            for text in &texts {
                assert_same_pieces(encoding, text);
            }
        }
    }

    #[test]
    fn prose_code_and_logs_split_as_the_regex_splits_them() {
        let texts = [
            "Hello! What is the weather like on the moon today?",
            "I'm sure they'll say it's fine; DON'T PANIC, they've said. O'Reilly'S",
            "camelCaseWords and HTTPServer and iPhone XML2JSON",
            "fn main() {\n    println!(\"{}\", 12345678);\n}\n\n\n",
            "2026-11-27T01:27:26Z 127.0.0.1 GET /v1/chat?x=1 200 3.2ms\r\n",
            "path/to/file.rs\n/usr/bin\n\t\tindented   \n  \n",
            "   leading, trailing and    inner   spaces   ",
            "ends with a line break\n",
        ];
        for encoding in PATTERNS {
            for text in texts {
                assert_same_pieces(encoding, text);
            }
        }
    }

    fn text() -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            4 => prop::sample::select(&ALPHABET[..]).prop_map(String::from),
            2 => "[a-zA-Z]{1,6}",
            1 => "[0-9]{1,5}",
            1 => "[ \t\r\n]{1,4}",
            1 => any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(atom, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_text_splits_as_the_regex_splits_it(text in text()) {
            for encoding in PATTERNS {
                let engine = encoding.engine();
                let expected: Vec<&str> = engine.split(&text).collect();
                let got: Vec<&str> = pieces(encoding.pattern(), engine, &text).collect();
                prop_assert_eq!(got, expected, "{} on {:?}", encoding, text);
            }
        }
    }
}
