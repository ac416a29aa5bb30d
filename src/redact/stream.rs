//! Text of any size through the redactor in constant memory, byte for byte except the findings.
//!
//! The input is read in blocks of [`BLOCK`] bytes. Each round scans the buffer but only takes
//! findings that *start* before `end - OVERLAP`; the rest of the buffer is carried into the next
//! round, so any finding up to [`OVERLAP`] bytes long is seen whole even when it straddles a read
//! boundary. [`CONTEXT`] bytes already written are kept in front of the buffer for look-behind
//! (word boundaries, "version" before a dotted quad, an AWS key id before its secret).
//! Everything between findings is copied unchanged: CRLF, tabs, NUL, invalid UTF-8, long lines.

use std::io::{self, Read, Write};

use super::scan::Hit;
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

/// What a block keeps in front of its chunk: the look-behind context and the look-ahead overlap
/// of the block before it (never more, since the block before committed all but its overlap).
const HEAD: usize = CONTEXT + OVERLAP;

/// One of the two buffers of the pipeline: bytes carried over from the block before, then a
/// chunk of up to [`BLOCK`] bytes read from the input, and the findings of its scan.
struct Block {
    /// `HEAD + BLOCK` bytes: the carried bytes end at `HEAD`, the chunk starts there.
    buf: Vec<u8>,
    /// Bytes carried over, right-aligned before `HEAD`.
    carry: usize,
    /// Bytes read into the chunk.
    len: usize,
    /// The input ended within this chunk.
    eof: bool,
    /// Where the scan starts in [`Block::data`]; what is before it was written with the block
    /// before and is there for look-behind only.
    start: usize,
    /// Absolute input offset of `data()[0]`.
    base: u64,
    /// The scan's findings, in order.
    hits: Vec<Hit>,
}

impl Block {
    fn new() -> Self {
        Self {
            buf: vec![0; HEAD + BLOCK],
            carry: 0,
            len: 0,
            eof: false,
            start: 0,
            base: 0,
            hits: Vec::new(),
        }
    }

    fn data(&self) -> &[u8] {
        &self.buf[HEAD - self.carry..HEAD + self.len]
    }

    /// Findings that start before this offset of `data()` are this block's; the rest are seen
    /// again, whole, by the next block.
    fn commit(&self) -> usize {
        let end = self.carry + self.len;
        if self.eof { end } else { end - OVERLAP }
    }

    /// Where this block's output ends in `data()`: its commit point, or the end of its last
    /// finding if that reaches further.
    fn upto(&self) -> usize {
        self.hits
            .last()
            .map_or(self.commit(), |hit| hit.end.max(self.commit()))
    }

    /// Reads the next chunk of input (nothing once the input ended: a terminal would block).
    fn read_chunk(&mut self, reader: &mut dyn Read, input_ended: bool) -> io::Result<()> {
        self.len = 0;
        self.eof = input_ended || fill(reader, &mut self.buf[HEAD..], &mut self.len)?;
        Ok(())
    }

    /// Carries over what `prev` did not write (and its context), so this block continues it.
    fn continue_from(&mut self, prev: &Block) {
        let upto = prev.upto();
        let keep_from = upto.saturating_sub(CONTEXT);
        let carried = &prev.data()[keep_from..];
        self.carry = carried.len();
        self.buf[HEAD - self.carry..HEAD].copy_from_slice(carried);
        self.start = upto - keep_from;
        self.base = prev.base + keep_from as u64;
    }

    fn scan(&mut self, redactor: &Redactor) {
        self.hits.clear();
        let (start, commit) = (self.start, self.commit());
        let data = &self.buf[HEAD - self.carry..HEAD + self.len];
        let hits = &mut self.hits;
        redactor.scan(data, start, commit, &mut |hit| hits.push(hit));
    }
}

/// What the output side of the stream keeps between blocks.
struct Emitter<'w> {
    writer: Option<&'w mut dyn Write>,
    tally: Tally,
    lines: Lines,
    out: Vec<u8>,
    bytes_out: u64,
}

impl Emitter<'_> {
    /// Writes a scanned block: its bytes from `start` to its `upto`, findings rewritten.
    fn emit(&mut self, redactor: &Redactor, block: &Block) -> io::Result<()> {
        let data = block.data();
        let positions = self.tally.wants_positions();
        let mut pos = block.start;
        self.out.clear();
        for hit in &block.hits {
            self.out.extend_from_slice(&data[pos..hit.start]);
            let value = &data[hit.start..hit.end];
            let at = if positions {
                let abs = block.base + hit.start as u64;
                let from = (self.lines.offset() - block.base) as usize;
                self.lines.locate(&data[from..], abs)
            } else {
                (0, 0)
            };
            self.tally.record(redactor, hit.rule, value, at);
            redactor.replace(hit.rule, value, &mut self.out);
            pos = hit.end;
        }
        let upto = block.upto();
        self.out.extend_from_slice(&data[pos..upto]);
        if let Some(w) = self.writer.as_mut() {
            w.write_all(&self.out)?;
        }
        self.bytes_out += self.out.len() as u64;
        if positions && !block.eof {
            // Count the lines of what leaves with this block (all but the next one's context).
            let drop_to = block.base + upto.saturating_sub(CONTEXT) as u64;
            if drop_to > self.lines.offset() {
                let from = (self.lines.offset() - block.base) as usize;
                self.lines.locate(&data[from..], drop_to);
            }
        }
        Ok(())
    }
}

impl Redactor {
    /// Streams `reader` to `writer` (or nowhere, for `--check`), rewriting findings.
    /// `collect` keeps up to that many findings with their positions in the summary.
    ///
    /// A pipeline of two blocks: while the thread pool scans one, this thread writes out the
    /// one before and reads the chunk after, so reading and writing cost no scanning time.
    pub fn stream_text(
        &self,
        reader: &mut dyn Read,
        writer: Option<&mut dyn Write>,
        collect: Option<usize>,
    ) -> Result<Summary, RedactError> {
        let mut emitter = Emitter {
            writer,
            tally: Tally::new(self.rule_count(), collect),
            lines: Lines::default(),
            out: Vec::with_capacity(HEAD + BLOCK),
            bytes_out: 0,
        };
        let mut blocks = [Block::new(), Block::new()];
        let mut bytes_in = 0u64;
        let [first, second] = &mut blocks;
        first.read_chunk(reader, false)?;
        bytes_in += first.len as u64;
        // Scan the first block while reading the second.
        let input_ended = first.eof;
        let read = rayon::in_place_scope(|scope| {
            scope.spawn(|_| first.scan(self));
            second.read_chunk(reader, input_ended)
        });
        read?;
        let mut current = 0;
        loop {
            let (done, next) = match &mut blocks {
                [a, b] if current == 0 => (a, b),
                [a, b] => (b, a),
            };
            if done.eof {
                emitter.emit(self, done)?;
                break;
            }
            bytes_in += next.len as u64;
            next.continue_from(done);
            let input_ended = next.eof;
            let written = rayon::in_place_scope(|scope| {
                scope.spawn(|_| next.scan(self));
                emitter.emit(self, done)?;
                // `done` is written: its buffer takes the chunk after `next`.
                done.read_chunk(reader, input_ended)
            });
            written?;
            current = 1 - current;
        }
        if let Some(w) = emitter.writer.as_mut() {
            w.flush()?;
        }
        let Emitter {
            tally, bytes_out, ..
        } = emitter;
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
    fn positions_and_output_across_many_blocks() {
        // Over three blocks, so the pipeline carries bytes and line counts from block to block;
        // the finding near each block's end lies in its overlap, which the next block takes.
        let filler = b"nothing here\n";
        let finding = b"  ssn 123-45-6789\n";
        let mut input = Vec::new();
        let mut expected = Vec::new();
        let mut line = 1;
        for block in 1..=3 {
            while input.len() + finding.len() < block * BLOCK - 5 {
                input.extend_from_slice(filler);
                line += 1;
            }
            input.truncate(input.len() - 4);
            input.extend_from_slice(b"\n");
            input.extend_from_slice(finding);
            expected.push((line, 7));
            line += 1;
        }
        let (out, s) = run(&input);
        let found: Vec<_> = s.findings.iter().map(|f| (f.line, f.column)).collect();
        assert_eq!(found, expected);
        let text = String::from_utf8(input).unwrap();
        let want = text.replace("123-45-6789", "[REDACTED:SSN]");
        assert_eq!(String::from_utf8(out).unwrap(), want);
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
