//! JSON and JSONL: redaction inside string values only, everything else byte for byte.
//!
//! The document is not re-serialised. A small scanner walks the raw bytes and finds each string
//! token; keys are left alone, and a string value is decoded, redacted and, only when something
//! was found, re-encoded and spliced back. Numbers, whitespace, key order and the escapes of
//! untouched strings stay as they were, so the output is the input wherever nothing was found
//! and always parses when the input did.
//!
//! A string that itself holds JSON (tool-call `arguments`) is redacted the same way, recursively.
//! A value under a key such as `authorization` or `password` is redacted whole: in JSON the
//! header name and its value are two separate strings.

use std::io::{BufRead, Write};

use serde::de::IgnoredAny;

use super::{RedactError, Redactor, Summary, Tally, stream::Lines};

/// Keys whose string value is a secret as a whole, and the rule that covers it.
const SENSITIVE_KEYS: &[(&str, &str)] = &[
    ("authorization", "authorization"),
    ("proxy-authorization", "authorization"),
    ("password", "password"),
    ("passwd", "password"),
    ("pwd", "password"),
    ("passphrase", "password"),
    ("aws_secret_access_key", "aws_secret_key"),
];

/// Where findings are reported and counted while one document is walked.
struct Walk<'a> {
    redactor: &'a Redactor,
    tally: &'a mut Tally,
    /// Line of the document's first byte (JSONL) and a tracker within the document.
    first_line: u64,
}

impl Redactor {
    /// Redacts one JSON document (`mode = Json`) or one per line (`Jsonl`).
    pub fn stream_json(
        &self,
        reader: &mut dyn BufRead,
        mut writer: Option<&mut dyn Write>,
        lines_mode: bool,
        collect: Option<usize>,
    ) -> Result<Summary, RedactError> {
        let mut tally = Tally::new(self.rule_count(), collect);
        let (mut bytes_in, mut bytes_out, mut fallback) = (0u64, 0u64, 0u64);
        let mut out = Vec::new();
        if lines_mode {
            let mut line = Vec::new();
            let mut number = 0u64;
            loop {
                line.clear();
                if reader.read_until(b'\n', &mut line)? == 0 {
                    break;
                }
                number += 1;
                bytes_in += line.len() as u64;
                out.clear();
                let body_len = line.len() - usize::from(line.last() == Some(&b'\n'));
                let body = &line[..body_len];
                let is_json = !body.iter().all(u8::is_ascii_whitespace)
                    && serde_json::from_slice::<IgnoredAny>(body).is_ok();
                if is_json {
                    let mut walk = Walk {
                        redactor: self,
                        tally: &mut tally,
                        first_line: number,
                    };
                    walk.document(body, &mut out);
                } else {
                    if !body.iter().all(u8::is_ascii_whitespace) {
                        fallback += 1;
                    }
                    let red = self.redact_slice(body, &mut tally, (number, 1));
                    out.extend_from_slice(&red);
                }
                out.extend_from_slice(&line[body_len..]);
                if let Some(w) = writer.as_mut() {
                    w.write_all(&out)?;
                }
                bytes_out += out.len() as u64;
            }
        } else {
            let mut doc = Vec::new();
            reader.read_to_end(&mut doc)?;
            bytes_in = doc.len() as u64;
            if let Err(e) = serde_json::from_slice::<IgnoredAny>(&doc) {
                return Err(RedactError::Json {
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                });
            }
            let mut walk = Walk {
                redactor: self,
                tally: &mut tally,
                first_line: 1,
            };
            walk.document(&doc, &mut out);
            if let Some(w) = writer.as_mut() {
                w.write_all(&out)?;
            }
            bytes_out = out.len() as u64;
        }
        if let Some(w) = writer.as_mut() {
            w.flush()?;
        }
        let mut summary = tally.into_summary(self, bytes_in, bytes_out);
        summary.text_fallback_lines = fallback;
        Ok(summary)
    }
}

/// The end of the string token that opens at `doc[open]` (the index of its closing quote, or the
/// end of the input for an unterminated string).
fn string_end(doc: &[u8], open: usize) -> usize {
    let mut j = open + 1;
    while let Some(k) = memchr::memchr2(b'"', b'\\', &doc[j..]) {
        if doc[j + k] == b'\\' {
            j += k + 2;
            if j >= doc.len() {
                return doc.len();
            }
        } else {
            return j + k;
        }
    }
    doc.len()
}

fn next_non_ws(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

impl Walk<'_> {
    /// Copies `doc` to `out`, redacting string values.
    fn document(&mut self, doc: &[u8], out: &mut Vec<u8>) {
        let mut lines = Lines::default();
        self.walk(doc, out, &mut |target| {
            lines.locate(&doc[lines.offset() as usize..], target as u64)
        });
    }

    fn walk(&mut self, doc: &[u8], out: &mut Vec<u8>, locate: &mut dyn FnMut(usize) -> (u64, u64)) {
        let mut copied = 0;
        let mut i = 0;
        let mut key: Option<Vec<u8>> = None;
        while let Some(q) = memchr::memchr(b'"', &doc[i..]) {
            let open = i + q;
            let close = string_end(doc, open);
            if close >= doc.len() {
                break;
            }
            let raw = &doc[open..=close];
            if next_non_ws(&doc[close + 1..]) == Some(b':') {
                key = serde_json::from_slice::<String>(raw)
                    .ok()
                    .map(|k| k.to_ascii_lowercase().into_bytes());
            } else {
                let is_value_of_key =
                    doc[..open].iter().rev().find(|b| !b.is_ascii_whitespace()) == Some(&b':');
                let sensitive = if is_value_of_key {
                    key.as_deref()
                } else {
                    None
                };
                let (line, column) = locate(open);
                let at = (line + self.first_line - 1, column);
                if let Some(new) = self.string(raw, sensitive, at) {
                    out.extend_from_slice(&doc[copied..open]);
                    out.extend_from_slice(&new);
                    copied = close + 1;
                }
            }
            i = close + 1;
        }
        out.extend_from_slice(&doc[copied..]);
    }

    /// The re-encoded string token when something in it was redacted.
    fn string(&mut self, raw: &[u8], key: Option<&[u8]>, at: (u64, u64)) -> Option<Vec<u8>> {
        let decoded: String = serde_json::from_slice(raw).ok()?;
        let redacted = self.text(&decoded, key, at)?;
        serde_json::to_vec(&redacted).ok()
    }

    /// The redacted form of a decoded string value, `None` when nothing was found.
    fn text(&mut self, text: &str, key: Option<&[u8]>, at: (u64, u64)) -> Option<String> {
        let r = self.redactor;
        if let Some(rule) = key.and_then(sensitive_rule).and_then(|n| r.rule_index(n)) {
            return self.whole_value(rule, text, at);
        }
        let trimmed = text.trim_start();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && serde_json::from_str::<IgnoredAny>(text).is_ok()
        {
            let mut out = Vec::with_capacity(text.len());
            let mut inner = Walk {
                redactor: r,
                tally: self.tally,
                first_line: at.0,
            };
            // Findings inside nested JSON are reported at the outer string's position.
            inner.walk(text.as_bytes(), &mut out, &mut |_| (1, at.1));
            return (out != text.as_bytes()).then(|| String::from_utf8_lossy(&out).into_owned());
        }
        match r.redact_slice(text.as_bytes(), self.tally, at) {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    /// A value under a sensitive key: all of it, except an Authorization scheme.
    fn whole_value(&mut self, rule: usize, text: &str, at: (u64, u64)) -> Option<String> {
        let r = self.redactor;
        let (keep, secret) = match r.rules[rule].name.as_str() {
            "authorization" => match text.split_once(' ') {
                Some((scheme, rest))
                    if !scheme.is_empty()
                        && scheme.len() <= 32
                        && scheme
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
                {
                    (&text[..scheme.len() + 1], rest.trim_start())
                }
                _ => ("", text),
            },
            _ => ("", text),
        };
        if super::validate::is_placeholder(secret.as_bytes()) || r.allowed(secret.as_bytes()) {
            return None;
        }
        self.tally.record(r, rule, secret.as_bytes(), at);
        let mut out = keep.as_bytes().to_vec();
        r.replace(rule, secret.as_bytes(), &mut out);
        Some(String::from_utf8_lossy(&out).into_owned())
    }
}

fn sensitive_rule(key: &[u8]) -> Option<&'static str> {
    SENSITIVE_KEYS
        .iter()
        .find(|(k, _)| k.as_bytes() == key)
        .map(|(_, rule)| *rule)
}

/// Redacts the strings of an in-memory JSON value (library callers such as `serve`).
pub(crate) fn redact_value(r: &Redactor, value: &mut serde_json::Value, tally: &mut Tally) {
    let mut walk = Walk {
        redactor: r,
        tally,
        first_line: 1,
    };
    visit(&mut walk, value, None);
}

fn visit(walk: &mut Walk<'_>, value: &mut serde_json::Value, key: Option<&[u8]>) {
    match value {
        serde_json::Value::String(s) => {
            if let Some(new) = walk.text(s, key, (0, 0)) {
                *s = new;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| visit(walk, v, None)),
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let lower = k.to_ascii_lowercase();
                visit(walk, v, Some(lower.as_bytes()));
            }
        }
        _ => {}
    }
}
