//! Text of any size through the redactor in constant memory, byte for byte except the findings.
//!
//! The input is read in blocks of [`BLOCK`] bytes. Each round scans the buffer but only takes
//! findings that *start* before `end - OVERLAP`; the rest of the buffer is carried into the next
//! round, so any finding up to [`OVERLAP`] bytes long is seen whole even when it straddles a read
//! boundary. [`CONTEXT`] bytes already written are kept in front of the buffer for look-behind
//! (word boundaries, "version" before a dotted quad, an AWS key id before its secret).
//! Everything between findings is copied unchanged: CRLF, tabs, NUL, invalid UTF-8, long lines.

use std::io::{self, Read, Write};

use super::{RedactError, Redactor, Summary, Tally};

/// Bytes read per round (scanned in parallel parts when there are several cores).
pub const BLOCK: usize = 4 << 20;
/// The longest finding guaranteed to be found whole across read boundaries (PEM blocks included).
pub const OVERLAP: usize = 64 << 10;
/// Bytes kept before the scan start for look-behind checks.
pub const CONTEXT: usize = 1 << 10;

/// Tracks 1-based line and byte column of absolute offsets, advancing monotonically.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    /// Absolute offset counted up to.
    at: u64,
    line: u64,
    line_start: u64,
}

impl Lines {
    /// The absolute offset counted up to.
    pub(crate) fn offset(&self) -> u64 {
        self.at
    }

    /// The position of absolute offset `target`; `bytes` are the input bytes from `self.at` on.
    pub(crate) fn locate(&mut self, bytes: &[u8], target: u64) -> (u64, u64) {
        let n = (target - self.at) as usize;
        let slice = &bytes[..n];
        let newlines = memchr::memchr_iter(b'\n', slice).count() as u64;
        if newlines > 0 {
            let last = memchr::memrchr(b'\n', slice).expect("counted a newline");
            self.line += newlines;
            self.line_start = self.at + last as u64 + 1;
        }
        self.at = target;
        (self.line + 1, target - self.line_start + 1)
    }
}

/// Reads into `buf[*len..]` until `*len` is `buf.len()` or the input ends; returns true at the
/// end of input. `buf` keeps its size, so no round pays for zeroing it again.
fn fill(reader: &mut dyn Read, buf: &mut [u8], len: &mut usize) -> io::Result<bool> {
    while *len < buf.len() {
        match reader.read(&mut buf[*len..]) {
            Ok(0) => return Ok(true),
            Ok(n) => *len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

impl Redactor {
    /// Streams `reader` to `writer` (or nowhere, for `--check`), rewriting findings.
    /// `collect` keeps up to that many findings with their positions in the summary.
    pub fn stream_text(
        &self,
        reader: &mut dyn Read,
        mut writer: Option<&mut dyn Write>,
        collect: Option<usize>,
    ) -> Result<Summary, RedactError> {
        let mut tally = Tally::new(self.rule_count(), collect);
        let mut lines = Lines::default();
        // `buf[..len]` holds the input from `base` on.
        let mut buf = vec![0u8; CONTEXT + BLOCK + OVERLAP];
        let mut len = 0;
        let mut base: u64 = 0; // absolute offset of buf[0]
        let mut start = 0; // buf[..start] is context that was already written
        let (mut bytes_in, mut bytes_out) = (0u64, 0u64);
        let mut out = Vec::new();
        loop {
            let before = len;
            let eof = fill(reader, &mut buf[..start + BLOCK + OVERLAP], &mut len)?;
            bytes_in += (len - before) as u64;
            let end = len;
            let data = &buf[..end];
            let commit = if eof { end } else { end - OVERLAP };
            let mut pos = start;
            out.clear();
            let positions = tally.wants_positions();
            self.scan(data, start, commit, &mut |hit| {
                out.extend_from_slice(&data[pos..hit.start]);
                let value = &data[hit.start..hit.end];
                let at = if positions {
                    let abs = base + hit.start as u64;
                    lines.locate(&data[(lines.at - base) as usize..], abs)
                } else {
                    (0, 0)
                };
                tally.record(self, hit.rule, value, at);
                self.replace(hit.rule, value, &mut out);
                pos = hit.end;
            });
            let upto = commit.max(pos);
            out.extend_from_slice(&data[pos..upto]);
            if let Some(w) = writer.as_mut() {
                w.write_all(&out)?;
            }
            bytes_out += out.len() as u64;
            if eof {
                break;
            }
            let keep_from = upto.saturating_sub(CONTEXT);
            if positions {
                // Count the lines of what leaves the buffer.
                let drop_to = base + keep_from as u64;
                if drop_to > lines.at {
                    lines.locate(&data[(lines.at - base) as usize..], drop_to);
                }
            }
            buf.copy_within(keep_from..len, 0);
            len -= keep_from;
            base += keep_from as u64;
            start = upto - keep_from;
        }
        if let Some(w) = writer.as_mut() {
            w.flush()?;
        }
        Ok(tally.into_summary(self, bytes_in, bytes_out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_is_the_search_reach() {
        assert_eq!(OVERLAP, crate::redact::scan::REACH);
    }

    fn run(input: &[u8]) -> (Vec<u8>, Summary) {
        let r = Redactor::with_defaults();
        let mut out = Vec::new();
        let summary = r
            .stream_text(&mut &input[..], Some(&mut out), Some(100))
            .unwrap();
        (out, summary)
    }

    #[test]
    fn passes_everything_else_through() {
        let input = b"a\r\nb\tc\x00\xff\xfe card 4111111111111111 end\r\n";
        let (out, s) = run(input);
        assert_eq!(out, b"a\r\nb\tc\x00\xff\xfe card [REDACTED:CARD] end\r\n");
        assert_eq!(s.total, 1);
        assert_eq!(s.findings[0].line, 2);
        assert_eq!(s.findings[0].column, 13);
    }

    #[test]
    fn finds_matches_straddling_blocks() {
        // Put an e-mail and a card across every interesting boundary.
        for offset in [
            BLOCK - OVERLAP - 3,
            BLOCK + OVERLAP - 5,
            BLOCK - 2,
            2 * BLOCK - OVERLAP - 1,
        ] {
            let mut input = vec![b'x'; offset];
            input.extend_from_slice(b" jane@example.com 4111 1111 1111 1111 ");
            input.extend(std::iter::repeat_n(b'y', BLOCK));
            let (out, s) = run(&input);
            assert_eq!(s.counts.get("email"), Some(&1), "offset {offset}");
            assert_eq!(s.counts.get("card"), Some(&1), "offset {offset}");
            assert_eq!(out.len(), input.len() - 4, "offset {offset}");
        }
    }

    #[test]
    fn line_numbers_survive_block_boundaries() {
        let mut input = Vec::new();
        for _ in 0..200_000 {
            input.extend_from_slice(b"nothing here\n");
        }
        input.extend_from_slice(b"  ssn 123-45-6789\n");
        let (_, s) = run(&input);
        assert_eq!(s.findings.len(), 1);
        assert_eq!((s.findings[0].line, s.findings[0].column), (200_001, 7));
    }
}
