//! Where a group's match can start: cheap, conservative finders that let the scan run its regex
//! anchored at a few positions instead of unanchored over every byte.
//!
//! An unanchored search pays for every byte it crosses and, for each match, a reverse search to
//! find where the match starts. A [`Starts`] finder reports, in order, a superset of the positions
//! where a match of the group can start; the scan runs the group's regex anchored at each one and
//! takes the first that matches. The first anchored match at the earliest position is exactly the
//! match an unanchored leftmost-first search returns, so findings do not change as long as the
//! finder never skips a possible start (`tests.rs` checks that against the unanchored regex).
//!
//! - Literal-prefix groups (`sk-`, `eyJ`, `-----BEGIN`, `Authorization`, `password`): the prefix
//!   literals of the group's patterns, found with a SIMD multi-literal search. Case-insensitive
//!   keywords are searched in an ASCII-folded copy of the text (`b | 0x20` makes every upper-case
//!   letter lower-case and never turns another byte into a letter).
//! - The numeric shapes (cards, SSNs, IPs, phones): a one-pass byte scanner that keeps digits at
//!   the start of a chain long enough to be one of them, `+` and `(` before a phone, a JSON
//!   escape before digits, runs of hex digits and colons that hold `::` or seven colons (IPv6),
//!   and the SSN keywords.

use regex_automata::util::prefilter::Prefilter;
use regex_automata::{MatchKind, Span};

/// A group's finder of possible match starts.
#[derive(Debug)]
pub(crate) enum Starts {
    /// Every match starts with one of these literals, exactly as written.
    Literals(Prefilter),
    /// Every match starts with one of these literals once ASCII-folded.
    Folded(Folded),
    /// The numeric shapes, plus the SSN keywords (`ssn`, `social security ...` in any case).
    Numeric(Numeric),
}

/// What the numeric finder looks for: only the shapes of the rules that are on.
#[derive(Debug)]
pub(crate) struct Numeric {
    /// Every case of `ssn` and `soc` (when `ssn` is on).
    keywords: Option<Prefilter>,
    /// Runs of hex digits and colons (`ipv6`).
    ipv6: bool,
    /// `+` and `(` before digits (`phone`).
    phone: bool,
}

/// Literals searched for in an ASCII-folded copy of the text.
#[derive(Debug)]
pub(crate) struct Folded {
    pre: Prefilter,
    longest: usize,
}

/// Bytes folded per window of a [`Folded`] search.
const WINDOW: usize = 32 << 10;

/// Per-scan state of a finder: the folded window and the last answers, so that a scan that asks
/// again from a later position does not search the same bytes twice.
#[derive(Debug, Default)]
pub(crate) struct State {
    folded: Vec<u8>,
    /// `folded` holds the text from `base` on, and covers the starts in `base..covers`.
    base: usize,
    covers: usize,
    /// `(searched from, first start found at or after it)` of the folded literals.
    keyword: Option<(usize, Option<usize>)>,
    /// The same for the byte scanner of the numeric shapes.
    shape: Option<(usize, Option<usize>)>,
}

/// `b | 0x20`: lower-cases ASCII letters; no other byte becomes a letter.
fn fold(b: u8) -> u8 {
    b | 0x20
}

impl Folded {
    fn new(literals: &[Vec<u8>]) -> Option<Folded> {
        let mut needles: Vec<Vec<u8>> = literals
            .iter()
            .map(|l| l.iter().copied().map(fold).collect())
            .collect();
        needles.sort();
        needles.dedup();
        let longest = needles.iter().map(Vec::len).max()?;
        let pre = Prefilter::new(MatchKind::LeftmostFirst, &needles)?;
        Some(Folded { pre, longest })
    }

    /// The first position in `from..until` where a needle starts (case-insensitively).
    fn next(&self, hay: &[u8], from: usize, until: usize, st: &mut State) -> Option<usize> {
        let mut at = from;
        while at < until {
            if !(st.base <= at && at < st.covers) {
                let covers = at.saturating_add(WINDOW).min(until);
                let end = (covers + self.longest - 1).min(hay.len());
                st.folded.clear();
                st.folded.extend(hay[at..end].iter().copied().map(fold));
                st.base = at;
                st.covers = covers;
            }
            let span = Span::from(at - st.base..st.folded.len());
            match self.pre.find(&st.folded, span) {
                Some(found) if st.base + found.start < st.covers => {
                    return Some(st.base + found.start);
                }
                _ => at = st.covers,
            }
        }
        None
    }
}

/// The first position in `from..until` that a cached answer `(searched from, found)` still
/// gives, if it applies.
fn cached(entry: Option<(usize, Option<usize>)>, from: usize) -> Option<Option<usize>> {
    match entry? {
        (searched, Some(found)) if searched <= from && found >= from => Some(Some(found)),
        (searched, None) if searched <= from => Some(None),
        _ => None,
    }
}

impl Starts {
    /// A finder from the prefix literals of the group's patterns (`None`: no finite set, or
    /// not worth it). Exact-case literals when few, folded ones otherwise.
    pub(crate) fn from_patterns(patterns: &[&str]) -> Option<Starts> {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        for p in patterns {
            literals.extend(prefix_literals(p)?);
        }
        literals.sort();
        literals.dedup();
        // Teddy, the fast multi-literal search, takes up to 64 literals.
        if literals.len() <= 64 {
            Prefilter::new(MatchKind::LeftmostFirst, &literals).map(Starts::Literals)
        } else {
            Folded::new(&literals).map(Starts::Folded)
        }
    }

    /// The finder of the numeric group (`card`, `ssn`, `ipv4`, `ipv6`, `phone`), given the
    /// names of the group's rules.
    pub(crate) fn numeric(rules: &[&str]) -> Option<Starts> {
        // Every case of `ssn` and `soc`: sixteen literals, searched without folding the text.
        let mut keywords = Vec::new();
        for word in [b"ssn", b"soc"] {
            for mask in 0..8u8 {
                let variant: Vec<u8> = (0..3)
                    .map(|i| {
                        let b = word[i];
                        if mask & (1 << i) != 0 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        }
                    })
                    .collect();
                keywords.push(variant);
            }
        }
        let keywords = if rules.contains(&"ssn") {
            Some(Prefilter::new(MatchKind::LeftmostFirst, &keywords)?)
        } else {
            None
        };
        Some(Starts::Numeric(Numeric {
            keywords,
            ipv6: rules.contains(&"ipv6"),
            phone: rules.contains(&"phone"),
        }))
    }

    /// The first position in `from..until` where a match of the group may start.
    pub(crate) fn next(
        &self,
        hay: &[u8],
        from: usize,
        until: usize,
        st: &mut State,
    ) -> Option<usize> {
        match self {
            Starts::Literals(pre) => find_literal(pre, hay, from, until),
            Starts::Folded(folded) => folded.next(hay, from, until, st),
            Starts::Numeric(numeric) => {
                let kw = match (cached(st.keyword, from), &numeric.keywords) {
                    (_, None) => None,
                    (Some(found), _) => found,
                    (None, Some(keywords)) => {
                        let found = find_literal(keywords, hay, from, until);
                        st.keyword = Some((from, found));
                        found
                    }
                };
                let shape = match cached(st.shape, from) {
                    Some(found) => found,
                    None => {
                        let found = next_shape(hay, from, until, numeric);
                        st.shape = Some((from, found));
                        found
                    }
                };
                match (shape, kw) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            }
        }
    }
}

/// The first position in `from..until` where one of the prefilter's literals starts.
fn find_literal(pre: &Prefilter, hay: &[u8], from: usize, until: usize) -> Option<usize> {
    let end = (until + pre.max_needle_len()).min(hay.len());
    pre.find(hay, Span::from(from..end))
        .map(|s| s.start)
        .filter(|&s| s < until)
}

/// The literals every match of `pattern` starts with (`None`: no finite set).
pub(crate) fn prefix_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::Extractor;
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let seq = Extractor::new().extract(&hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// Bit k set when byte `at + k` (k < 64, `at + k < until`) may matter to the numeric scanner:
/// the first digit of a run of digits that is not inside a word (or is, right after a JSON
/// escape such as `\n`), or a `:`. (A `+` or `(` before a shape is found from the digit after
/// it.)
fn block_mask(hay: &[u8], at: usize, until: usize, colons: bool) -> u64 {
    let mut padded = [0u8; 64];
    let block: &[u8; 64] = match hay.get(at..at + 64) {
        Some(full) => full.try_into().expect("64 bytes"),
        None => {
            let tail = &hay[at..];
            padded[..tail.len()].copy_from_slice(tail);
            &padded
        }
    };
    let Classes {
        digits,
        colons: colon,
        letters,
        backslashes,
    } = classes(block);
    // The two bytes before the block, as bit 0 of a mask shifted by one and by two.
    let before = |back: usize, class: fn(&u8) -> bool| {
        u64::from(at.checked_sub(back).is_some_and(|p| class(&hay[p])))
    };
    let run_starts = digits & !((digits << 1) | before(1, u8::is_ascii_digit));
    // A run after a letter or `_` is inside a word: most of them (hex digests, keys, ids) are
    // dropped here, in bulk, rather than one by one in the scanner. Those two bytes after a
    // backslash stay, for the scanner to check for an escape.
    let in_word = (letters << 1) | before(1, |&b| is_word(b));
    let escaped =
        (backslashes << 2) | (before(1, |&b| b == b'\\') << 1) | before(2, |&b| b == b'\\');
    let runs = run_starts & (!in_word | escaped);
    let mask = if colons { runs | colon } else { runs };
    let len = until - at;
    if len < 64 {
        mask & ((1u64 << len) - 1)
    } else {
        mask
    }
}

/// Bit k of each mask says whether byte k of a block is of the class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Classes {
    /// `0-9`.
    digits: u64,
    /// `:`.
    colons: u64,
    /// ASCII letters and `_` (with the digits, the word bytes).
    letters: u64,
    /// `\`.
    backslashes: u64,
}

/// The byte classes of a block. SSE2, which every x86-64 processor has: sixteen bytes per
/// compare and `movemask` (safe_arch's safe wrappers). Against eight bytes at a time in a `u64`:
/// 16% fewer instructions for the whole scan.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn classes(block: &[u8; 64]) -> Classes {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let splat = |b: u8| set_splat_i8_m128i(b as i8);
    let mask = |x: m128i, k: usize| u64::from(move_mask_i8_m128i(x) as u16) << (16 * k);
    let mut c = Classes::default();
    for (k, lanes) in block.chunks_exact(16).enumerate() {
        let x = m128i::from(<[u8; 16]>::try_from(lanes).expect("16 bytes"));
        // `b | 0x20` lower-cases the letters and makes no other byte one.
        let letter = bytes_within(bitor_m128i(x, splat(0x20)), b'a', 25);
        let underscore = cmp_eq_mask_i8_m128i(x, splat(b'_'));
        c.digits |= mask(bytes_within(x, b'0', 9), k);
        c.colons |= mask(cmp_eq_mask_i8_m128i(x, splat(b':')), k);
        c.letters |= mask(bitor_m128i(letter, underscore), k);
        c.backslashes |= mask(cmp_eq_mask_i8_m128i(x, splat(b'\\')), k);
    }
    c
}

/// All ones in each lane of `x` whose byte is in `lo..=lo + span`: `x - lo` wraps every other
/// byte above `span`. (Also the byte classes of `runs.rs`.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(super) fn bytes_within(x: safe_arch::m128i, lo: u8, span: u8) -> safe_arch::m128i {
    use safe_arch::{cmp_eq_mask_i8_m128i, min_u8_m128i, set_splat_i8_m128i, sub_i8_m128i};
    let y = sub_i8_m128i(x, set_splat_i8_m128i(lo as i8));
    cmp_eq_mask_i8_m128i(min_u8_m128i(y, set_splat_i8_m128i(span as i8)), y)
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn classes(block: &[u8; 64]) -> Classes {
    classes_swar(block)
}

// Eight bytes at a time in a `u64`, without `unsafe`: each lane is computed on its low seven
// bits, so no carry crosses into the next lane, and bytes of 0x80 and above (UTF-8 text) never
// count.
const LANES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit of each byte of `x` in `lo..=hi` (both below 0x80).
fn range_lanes(x: u64, lo: u8, hi: u8) -> u64 {
    let low = x & LOW7;
    (low + LANES * u64::from(0x80 - lo)) & !(low + LANES * u64::from(0x7f - hi)) & !x & HIGH
}

/// The high bit of each byte of `x` that is an ASCII digit.
fn digit_lanes(x: u64) -> u64 {
    range_lanes(x, b'0', b'9')
}

/// The high bit of each byte of `x` equal to `b` (below 0x80).
fn equal_lanes(x: u64, b: u8) -> u64 {
    let y = x ^ (LANES * u64::from(b));
    !(((y & LOW7) + LOW7) | y) & HIGH
}

/// [`classes`] eight bytes at a time in a `u64`, for other processors.
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
fn classes_swar(block: &[u8; 64]) -> Classes {
    // The high bits of the eight lanes as the eight low bits (bit k: byte k).
    let lane_bits = |high: u64| ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
    let mut c = Classes::default();
    for (w, word) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let letters = range_lanes(x | (LANES * 0x20), b'a', b'z') | equal_lanes(x, b'_');
        c.digits |= lane_bits(digit_lanes(x)) << (8 * w);
        c.colons |= lane_bits(equal_lanes(x, b':')) << (8 * w);
        c.letters |= lane_bits(letters) << (8 * w);
        c.backslashes |= lane_bits(equal_lanes(x, b'\\')) << (8 * w);
    }
    c
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_hex_or_colon(b: u8) -> bool {
    b.is_ascii_hexdigit() || b == b':'
}

/// One group of a chain of digits: where it starts, its digits, and the separator after it (` `,
/// `-` or `.` when another group follows, 0 at the end of the chain).
#[derive(Debug, Clone, Copy, Default)]
struct Group {
    start: usize,
    len: usize,
    sep: u8,
}

/// The most groups of one chain judged in one call. A judgement needs at most ten groups (nine
/// one-digit groups for the digit count, four for the other shapes), so the first group is
/// always judged; a longer chain is judged again from the first group that could not be.
const CHAIN: usize = 16;

/// Where a card, SSN, IPv4 address or phone number (without `+` or `(`) can start in the chain of
/// digit groups that begins with the run of digits at `at`: groups joined by single ` `, `-` or
/// `.`. A card or SSN needs nine digits joined by ` ` or `-`, an IPv4 address four groups of at
/// most three digits joined by dots, a phone `[2-9]dd.ddd.dddd` or `0d{2,4} d{3,4} d{3,4}`.
///
/// `Ok(start)`: the first group, from `at` on, where one can start. `Err(end)`: none starts at a
/// group before `end`. Every group of a chain after the first starts a run of digits after a
/// separator, so the finder would ask about each of them in turn; judging them all in one walk
/// saves walking the rest of the chain again from each (dates and times are chains).
fn chain_start(hay: &[u8], at: usize) -> Result<usize, usize> {
    let digits = |i: usize| digit_run(hay, i);
    let separator = |i: usize| match hay.get(i..i + 2) {
        Some([s @ (b' ' | b'-' | b'.'), next]) if next.is_ascii_digit() => *s,
        _ => 0,
    };
    // Most runs are a lone number: nine digits or nothing.
    let len = digits(at);
    let sep = separator(at + len);
    if sep == 0 {
        return if len >= 9 { Ok(at) } else { Err(at + len) };
    }
    let second = at + len + 1;
    let second_len = digits(second);
    let second_sep = separator(second + second_len);
    if second_sep == 0 {
        // Two groups (a date's tail, a decimal, a time): only nine digits can make a shape,
        // every other one needs three groups or more.
        return if len >= 9 || (sep != b'.' && len + second_len >= 9) {
            Ok(at)
        } else if second_len >= 9 {
            Ok(second)
        } else {
            Err(second + second_len)
        };
    }
    let mut groups = [Group::default(); CHAIN];
    groups[0] = Group {
        start: at,
        len,
        sep,
    };
    groups[1] = Group {
        start: second,
        len: second_len,
        sep: second_sep,
    };
    let mut n = 2;
    let complete = loop {
        if n == CHAIN {
            break false;
        }
        let last = groups[n - 1];
        let start = last.start + last.len + 1;
        let len = digits(start);
        let sep = separator(start + len);
        groups[n] = Group { start, len, sep };
        n += 1;
        if sep == 0 {
            break true;
        }
    };
    for j in 0..n {
        match shape_at(hay, &groups[j..n], complete) {
            Some(true) => return Ok(groups[j].start),
            Some(false) => {}
            None => return Err(groups[j].start),
        }
    }
    let last = groups[n - 1];
    Err(last.start + last.len)
}

/// The number of ASCII digits from `at` on, eight bytes at a time (runs are short: a whole
/// word at once beats a loop with a branch per digit).
fn digit_run(hay: &[u8], at: usize) -> usize {
    let mut n = 0;
    while let Some(word) = hay.get(at + n..at + n + 8) {
        let x = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let other = !digit_lanes(x) & HIGH;
        if other != 0 {
            return n + (other.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + hay[at + n..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count()
}

/// Whether a shape can start at the first of `groups`, the rest of its chain (`None`: that
/// depends on groups after the last one, which `complete` says do not exist).
fn shape_at(hay: &[u8], groups: &[Group], complete: bool) -> Option<bool> {
    // A card or SSN: nine digits while every separator is ` ` or `-`.
    let mut total = 0;
    for (k, g) in groups.iter().enumerate() {
        total += g.len;
        if total >= 9 {
            return Some(true);
        }
        if !matches!(g.sep, b' ' | b'-') {
            break;
        }
        if k + 1 == groups.len() {
            return None;
        }
    }
    if !complete && groups.len() < 4 {
        return None;
    }
    let first = hay[groups[0].start];
    let ipv4 = groups.len() >= 4 && groups[..3].iter().all(|g| g.len <= 3 && g.sep == b'.');
    let (nanp, national) = match groups {
        [g0, g1, g2, ..] => (
            first >= b'2' && g0.len == 3 && g1.len == 3 && g2.len >= 4,
            first == b'0'
                && (3..=5).contains(&g0.len)
                && g0.sep == b' '
                && (3..=4).contains(&g1.len)
                && g1.sep == b' '
                && g2.len >= 3,
        ),
        _ => (false, false),
    };
    Some(ipv4 || nanp || national)
}

/// A necessary condition for a match of a built-in rule starting at a position: `false` means
/// the rule's regex cannot match there, `true` that it may.
pub(crate) type MayStart = fn(&[u8], usize) -> bool;

/// The cheap check of a built-in numeric rule whose matches have a fixed opening (`None`: none
/// is written for the rule). The scan uses it before asking the regex for a lower-priority rule
/// at the start of a rejected match; tests hold each against its rule's regex.
pub(crate) fn may_start(rule: &str) -> Option<MayStart> {
    match rule {
        "ipv4" => Some(ipv4_may_start),
        "ipv6" => Some(ipv6_may_start),
        "phone" => Some(phone_may_start),
        _ => None,
    }
}

/// `(?:\\[nrtbf]|\b)[0-9]{1,3}\.` opens every IPv4 match: one to three digits, then a dot.
fn ipv4_may_start(hay: &[u8], at: usize) -> bool {
    let digits = if hay[at] == b'\\' { at + 2 } else { at };
    let run = hay.get(digits..).map_or(0, |_| digit_run(hay, digits));
    (1..=3).contains(&run) && hay.get(digits + run) == Some(&b'.')
}

/// Every IPv6 match (eight groups, or `::`) opens with hex digits and colons that hold a colon.
fn ipv6_may_start(hay: &[u8], at: usize) -> bool {
    hay[at..]
        .iter()
        .take_while(|&&b| is_hex_or_colon(b))
        .any(|&b| b == b':')
}

/// A phone opens with `+`, `(`, three digits (the first 2-9) and `-`, `.` or a space, or `0`
/// and three to five digits before a space.
fn phone_may_start(hay: &[u8], at: usize) -> bool {
    let run = digit_run(hay, at);
    let after = hay.get(at + run).copied();
    match hay[at] {
        b'+' | b'(' => true,
        b'2'..=b'9' => run == 3 && matches!(after, Some(b'-' | b'.' | b' ')),
        b'0' => (3..=5).contains(&run) && after == Some(b' '),
        _ => false,
    }
}

/// The run of hex digits and colons around `at`, and whether an IPv6 match can lie in it: one
/// needs `::` or seven colons, all within such a run.
fn ipv6_run(hay: &[u8], at: usize) -> (usize, usize, bool) {
    let mut start = at;
    while start > 0 && is_hex_or_colon(hay[start - 1]) {
        start -= 1;
    }
    let (mut colons, mut double, mut end) = (0, false, start);
    while end < hay.len() && is_hex_or_colon(hay[end]) {
        if hay[end] == b':' {
            colons += 1;
            double |= end > start && hay[end - 1] == b':';
        }
        end += 1;
    }
    (start, end, colons >= 7 || double)
}

/// The first position in `from..until` where a card, SSN, IPv4, IPv6 or phone match may start
/// (the SSN keywords aside).
fn next_shape(hay: &[u8], from: usize, until: usize, rules: &Numeric) -> Option<usize> {
    // Colons before here belong to a run already found not to hold an IPv6 address.
    let mut run_checked = 0;
    // Runs of digits before here belong to a chain already judged.
    let mut chain_checked = 0;
    let mut block = from;
    while block < until {
        let mut mask = block_mask(hay, block, until, rules.ipv6);
        while mask != 0 {
            let i = block + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if hay[i] == b':' {
                if i >= run_checked {
                    let (start, end, possible) = ipv6_run(hay, i);
                    if possible {
                        return Some(start.max(from));
                    }
                    run_checked = end;
                }
                continue;
            }
            if i < chain_checked {
                continue;
            }
            // The first digit of a run. Inside a word it starts a shape only right after a JSON
            // escape (`\n`, whose letter is not part of the value); at a word boundary, a
            // phone's `+` or `(` may lead it.
            let prev = i.checked_sub(1).map(|p| hay[p]);
            if let Some(prev) = prev.filter(|&b| is_word(b)) {
                let escape = matches!(prev, b'n' | b'r' | b't' | b'b' | b'f')
                    && i >= 2
                    && hay[i - 2] == b'\\';
                if escape && i - 2 >= from {
                    match chain_start(hay, i) {
                        Ok(start) if start == i => return Some(i - 2),
                        Ok(start) => return (start < until).then_some(start),
                        Err(end) => chain_checked = end,
                    }
                }
                continue;
            }
            let phone = match prev {
                Some(b'+') => hay[i] != b'0',
                Some(b'(') => hay[i] >= b'2',
                _ => false,
            };
            if rules.phone && phone && i > from {
                return Some(i - 1);
            }
            match chain_start(hay, i) {
                // A later group of the chain may start at or after `until`: then so would
                // anything else, since the chain has no colon.
                Ok(start) => return (start < until).then_some(start),
                Err(end) => chain_checked = end,
            }
        }
        block += 64;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(text: &str) -> Vec<usize> {
        let hay = text.as_bytes();
        let mut out = Vec::new();
        let mut at = 0;
        let all = Numeric {
            keywords: None,
            ipv6: true,
            phone: true,
        };
        while let Some(s) = next_shape(hay, at, hay.len(), &all) {
            out.push(s);
            at = s + 1;
        }
        out
    }

    #[test]
    fn numeric_starts() {
        // Nine digits or more from each group on: a card may start at either.
        assert_eq!(shapes("card 4111 1111 1111 1111."), [5, 10]);
        assert_eq!(
            shapes("at 2024-01-15T10:30:45.123456.789Z id 42"),
            Vec::<usize>::new()
        );
        assert_eq!(shapes("ssn 123 45 6789, tel 020 7946 0958"), [4, 21]);
        assert_eq!(shapes("tel 555.867.5309 v 1.2.3"), [4]);
        assert_eq!(shapes("ip 10.0.0.1 x"), [3]);
        assert_eq!(shapes(r"a\n123-45-6789"), [1]);
        assert_eq!(shapes("call +4420 or (555) 1"), [5, 14]);
        // IPv6: every position of the run up to its last colon may start a match.
        assert_eq!(shapes("x fe80::1 y"), [2, 3, 4, 5, 6, 7]);
        assert_eq!(shapes("std::vec"), [2, 3, 4]);
        // Inside a word: no boundary, no start.
        assert_eq!(shapes("id4111111111111111"), Vec::<usize>::new());
    }

    /// The judgement of one start at a time, walking the chain from it: the definition
    /// [`chain_start`] must agree with.
    fn shape_possible(hay: &[u8], at: usize) -> bool {
        // Most runs are a lone number: nine digits or nothing.
        let run = hay[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        match hay.get(at + run..at + run + 2) {
            Some([b' ' | b'-' | b'.', next]) if next.is_ascii_digit() => {}
            _ => return run >= 9,
        }
        let first = hay[at];
        let mut groups = [(0usize, 0u8); 4];
        let mut n = 0;
        // Digits so far while every separator is ` ` or `-`.
        let mut dashed = Some(0usize);
        let mut i = at;
        loop {
            let start = i;
            while i < hay.len() && hay[i].is_ascii_digit() {
                i += 1;
            }
            let sep = match hay.get(i..i + 2) {
                Some([s @ (b' ' | b'-' | b'.'), next]) if next.is_ascii_digit() => *s,
                _ => 0,
            };
            if let Some(total) = dashed.as_mut() {
                *total += i - start;
                if *total >= 9 {
                    return true;
                }
                if sep == b'.' {
                    dashed = None;
                }
            }
            if n < groups.len() {
                groups[n] = (i - start, sep);
                n += 1;
            }
            if sep == 0 || (n == groups.len() && dashed.is_none()) {
                break;
            }
            i += 1;
        }
        let [g0, g1, g2, _] = groups;
        let ipv4 = n == 4
            && [g0, g1, g2]
                .iter()
                .all(|&(len, sep)| len <= 3 && sep == b'.');
        let nanp = n >= 3
            && first >= b'2'
            && g0.0 == 3
            && g0.1 != 0
            && g1.0 == 3
            && g1.1 != 0
            && g2.0 >= 4;
        let national = n >= 3
            && first == b'0'
            && (3..=5).contains(&g0.0)
            && g0.1 == b' '
            && (3..=4).contains(&g1.0)
            && g1.1 == b' '
            && g2.0 >= 3;
        ipv4 || nanp || national
    }

    /// A xorshift generator: the same pseudo-random inputs on every run.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn chains_are_judged_as_one_start_at_a_time() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            // Groups of 1-5 digits joined by the separators, with now and then a doubled
            // separator or a letter that ends the chain; long chains included.
            let len = 1 + (next() % 40) as usize;
            let text: Vec<u8> = (0..len)
                .map(|_| match next() % 12 {
                    0 => b' ',
                    1 => b'-',
                    2 => b'.',
                    3 => b'x',
                    k => b"0123456789"[(k as usize * 7 + next() as usize) % 10],
                })
                .collect();
            let starts: Vec<usize> = (0..text.len())
                .filter(|&i| text[i].is_ascii_digit() && (i == 0 || !text[i - 1].is_ascii_digit()))
                .collect();
            let expected: Vec<usize> = starts
                .iter()
                .copied()
                .filter(|&i| shape_possible(&text, i))
                .collect();
            // What the finder does: judge from a start, take a hit or skip the judged chain.
            let mut found = Vec::new();
            let mut checked = 0;
            for &i in &starts {
                if i < checked {
                    continue;
                }
                match chain_start(&text, i) {
                    Ok(start) => {
                        found.push(start);
                        checked = start + 1;
                    }
                    Err(end) => checked = end,
                }
            }
            assert_eq!(found, expected, "{:?}", String::from_utf8_lossy(&text));
        }
    }

    /// Where a quick check says a rule cannot start, its regex finds no match anchored there,
    /// on generated text dense in digits, separators, hex letters, colons and JSON escapes.
    #[test]
    fn quick_checks_never_rule_out_a_match() {
        use regex_automata::util::syntax;
        use regex_automata::{Anchored, Input, meta};
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for rule in ["ipv4", "ipv6", "phone"] {
            let may = may_start(rule).expect("a quick check");
            let pattern = crate::redact::rules::builtin(rule)
                .expect("a built-in")
                .pattern;
            let regex = meta::Builder::new()
                .syntax(syntax::Config::new().unicode(false).utf8(false))
                .build(pattern)
                .unwrap();
            let (mut ruled_out, mut matched) = (0, 0);
            for _ in 0..20_000 {
                // Single bytes, and now and then a piece shaped like an address or a phone.
                let mut text = Vec::new();
                for _ in 0..1 + next() % 24 {
                    let k = next() as usize;
                    match k % 18 {
                        0..=6 => text.push(b"0123456789"[k / 18 % 10]),
                        7 => text.push(b" -."[k / 18 % 3]),
                        8 => text.push(b':'),
                        9 => text.push(b"+()"[k / 18 % 3]),
                        10 => text.push(b'\\'),
                        11 => text.push(b"nrtbf"[k / 18 % 5]),
                        12 => text.push(b"abcdefABCDEF"[k / 18 % 12]),
                        13 => text.push(b"xZ_"[k / 18 % 3]),
                        14 => text.extend_from_slice(b"10.20.3"),
                        15 => text.extend_from_slice(b"fe80::1"),
                        16 => text.extend_from_slice(b"555-867"),
                        _ => text.extend_from_slice(b"020 7946 "),
                    }
                }
                for at in 0..text.len() {
                    let input = Input::new(&text).range(at..).anchored(Anchored::Yes);
                    let found = regex.search(&input);
                    matched += usize::from(found.is_some());
                    if !may(&text, at) {
                        ruled_out += 1;
                        assert_eq!(
                            found,
                            None,
                            "{rule} at {at} of {:?}",
                            String::from_utf8_lossy(&text)
                        );
                    }
                }
            }
            // The generator reaches both sides of every check.
            assert!(
                matched > 100 && ruled_out > 10_000,
                "{rule}: {matched} {ruled_out}"
            );
        }
    }

    #[test]
    fn digit_runs_are_counted_to_their_end() {
        let text = b"12345678901234567x9\x80012:0/";
        for at in 0..text.len() {
            for end in at..=text.len() {
                let hay = &text[..end];
                let expected = hay[at..].iter().take_while(|b| b.is_ascii_digit()).count();
                assert_eq!(digit_run(hay, at), expected, "{at} {end}");
            }
        }
    }

    #[test]
    fn byte_classes_agree_with_the_portable_ones() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for round in 0..600u32 {
            // Every byte value in every lane, then a pseudo-random mix of the classes and their
            // neighbours.
            let block: [u8; 64] = std::array::from_fn(|k| {
                if round < 256 {
                    (round as u8).wrapping_add(k as u8)
                } else {
                    b"09:/;a\x80\xff_`{@[zAZ\\"[(next() % 17) as usize]
                }
            });
            let c = classes(&block);
            assert_eq!(c, classes_swar(&block), "{block:?}");
            for (k, b) in block.iter().enumerate() {
                assert_eq!(c.digits >> k & 1 == 1, b.is_ascii_digit());
                assert_eq!(c.colons >> k & 1 == 1, *b == b':');
                assert_eq!(
                    c.letters >> k & 1 == 1,
                    b.is_ascii_alphabetic() || *b == b'_'
                );
                assert_eq!(c.backslashes >> k & 1 == 1, *b == b'\\');
            }
        }
    }

    #[test]
    fn folded_literals_ignore_case() {
        let f = Folded::new(&[b"Authorization".to_vec(), b"pass".to_vec()]).unwrap();
        let hay = b"x AUTHORIZATION: y PaSs";
        let mut st = State::default();
        assert_eq!(f.next(hay, 0, hay.len(), &mut st), Some(2));
        assert_eq!(f.next(hay, 3, hay.len(), &mut st), Some(19));
        assert_eq!(f.next(hay, 20, hay.len(), &mut st), None);
    }
}
