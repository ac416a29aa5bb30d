//! Hand-written matchers for the two built-in secrets whose matches are long: PEM private-key
//! blocks (hundreds of bytes) and JWTs. Anchored at a start the finder reported, the lazy DFA
//! walks every byte of such a match through its transition table; these walk runs of a byte class
//! instead, several times cheaper per byte. Each matcher gives exactly the match end of its
//! pattern in `rules.rs` (leftmost-first, anchored); debug builds check every answer against the
//! regex, and the tests below compare them on generated variants.

/// The bytes of a class, as a table.
const fn class(ranges: &[(u8, u8)], singles: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < ranges.len() {
        let (lo, hi) = ranges[i];
        let mut b = lo;
        while b <= hi {
            table[b as usize] = true;
            b += 1;
        }
        i += 1;
    }
    let mut i = 0;
    while i < singles.len() {
        table[singles[i] as usize] = true;
        i += 1;
    }
    table
}

/// `[A-Z0-9 ]`: the words between `-----BEGIN` and `PRIVATE KEY-----`.
const PEM_LABEL: [bool; 256] = class(&[(b'A', b'Z'), (b'0', b'9')], b" ");
/// `[A-Za-z0-9+/=\s:,.\\-]`: a PEM body (base64, line breaks, and RFC 1421 headers). `\s` is
/// ASCII white space, vertical tab included, as in the regex with Unicode off.
const PEM_BODY: [bool; 256] = class(
    &[(b'A', b'Z'), (b'a', b'z'), (b'0', b'9'), (b'\t', b'\r')],
    b"+/= :,.\\-",
);
/// `[A-Za-z0-9_-]`: base64url, the alphabet of a JWT's three parts.
const BASE64URL: [bool; 256] = class(&[(b'A', b'Z'), (b'a', b'z'), (b'0', b'9')], b"_-");

/// The end of the run of `class` bytes from `from`.
fn run_end(hay: &[u8], from: usize, class: &[bool; 256]) -> usize {
    from + hay[from..]
        .iter()
        .take_while(|&&b| class[usize::from(b)])
        .count()
}

/// `DASHES LEAD [A-Z0-9 ]{0,40}PRIVATE KEY-----` at `at`: the position after it.
fn pem_line(hay: &[u8], at: usize, lead: &[u8]) -> Option<usize> {
    const TAIL: &[u8] = b"PRIVATE KEY";
    let label = at + lead.len();
    if !hay[at..].starts_with(lead) {
        return None;
    }
    // `PRIVATE KEY` is made of label bytes and `-` is not one, so it can only be the end of
    // the label's run, and the words before it are the rest of the run.
    let end = run_end(hay, label, &PEM_LABEL);
    let words = (end - label).checked_sub(TAIL.len())?;
    (words <= 40 && hay[end - TAIL.len()..end] == *TAIL && hay[end..].starts_with(b"-----"))
        .then_some(end + 5)
}

/// The end of the `private_key` match at `at`, where `-----BEGIN` starts: the header, the
/// shortest body of body bytes, then the first `-----END ... PRIVATE KEY-----` line.
pub(crate) fn pem_block_end(hay: &[u8], at: usize) -> Option<usize> {
    let body = pem_line(hay, at, b"-----BEGIN")?;
    // The body may hold any body byte, `-----END` and other lines included; the match ends at
    // the first END line that completes before the body's first non-body byte. A base64 body
    // has no `-`: the END lines are the only places to look at.
    let mut i = body;
    while let Some(chunk) = hay.get(i..i + 16) {
        let (outside, dashes) = body_classes(chunk.try_into().expect("16 bytes"));
        let before = (1u32 << outside.trailing_zeros()) - 1;
        let mut dashes = u32::from(dashes) & before;
        while dashes != 0 {
            if let Some(end) = pem_line(hay, i + dashes.trailing_zeros() as usize, b"-----END") {
                return Some(end);
            }
            dashes &= dashes - 1;
        }
        if outside != 0 {
            return None;
        }
        i += 16;
    }
    for at in i..hay.len() {
        if !PEM_BODY[usize::from(hay[at])] {
            return None;
        }
        if let Some(end) = pem_line(hay, at, b"-----END") {
            return Some(end);
        }
    }
    None
}

/// Bit k set in the first mask when byte k is not a PEM body byte, in the second when it is
/// `-`. SSE2 (safe_arch's safe wrappers): a body is mostly base64, and a byte at a time through
/// the table cost more than the lazy DFA did.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn body_classes(chunk: &[u8; 16]) -> (u16, u16) {
    use super::starts::bytes_within as within;
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let splat = |b: u8| set_splat_i8_m128i(b as i8);
    let x = m128i::from(*chunk);
    let letter = within(bitor_m128i(x, splat(0x20)), b'a', 25);
    let digit = within(x, b'0', 9);
    let space = bitor_m128i(within(x, b'\t', 4), cmp_eq_mask_i8_m128i(x, splat(b' ')));
    // `+ , - . /`
    let signs = within(x, b'+', 4);
    let others = bitor_m128i(
        bitor_m128i(
            cmp_eq_mask_i8_m128i(x, splat(b':')),
            cmp_eq_mask_i8_m128i(x, splat(b'=')),
        ),
        cmp_eq_mask_i8_m128i(x, splat(b'\\')),
    );
    let inside = bitor_m128i(
        bitor_m128i(letter, digit),
        bitor_m128i(space, bitor_m128i(signs, others)),
    );
    let dash = cmp_eq_mask_i8_m128i(x, splat(b'-'));
    (
        !(move_mask_i8_m128i(inside) as u16),
        move_mask_i8_m128i(dash) as u16,
    )
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn body_classes(chunk: &[u8; 16]) -> (u16, u16) {
    body_classes_table(chunk)
}

/// [`body_classes`] through the table, for other processors.
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
fn body_classes_table(chunk: &[u8; 16]) -> (u16, u16) {
    chunk
        .iter()
        .enumerate()
        .fold((0, 0), |(outside, dashes), (k, &b)| {
            (
                outside | u16::from(!PEM_BODY[usize::from(b)]) << k,
                dashes | u16::from(b == b'-') << k,
            )
        })
}

/// The end of the `jwt` match at `at` (`eyJ[A-Za-z0-9_-]{6,}\.ey[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*`).
/// The runs cannot hold a `.`, so each is the whole run and nothing is ever given back.
pub(crate) fn jwt_end(hay: &[u8], at: usize) -> Option<usize> {
    let part = |from: usize, lead: &[u8], min: usize| -> Option<usize> {
        if !hay[from..].starts_with(lead) {
            return None;
        }
        let end = run_end(hay, from + lead.len(), &BASE64URL);
        (end - from - lead.len() >= min).then_some(end)
    };
    let header = part(at, b"eyJ", 6)?;
    let payload = part(header, b".ey", 6)?;
    part(payload, b".", 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::rules;
    use regex_automata::{Anchored, Input, meta};

    fn regex(name: &str) -> meta::Regex {
        let pattern = rules::builtin(name).unwrap().pattern;
        // The group regexes use the body of `lb!` patterns: the part after the boundary.
        let body = pattern
            .strip_prefix(r"(?:\\[nrtbf]|\b)(?P<secret>")
            .and_then(|p| p.strip_suffix(')'))
            .unwrap_or(pattern);
        meta::Builder::new()
            .syntax(
                regex_automata::util::syntax::Config::new()
                    .unicode(false)
                    .utf8(false),
            )
            .build(body)
            .unwrap()
    }

    /// `end` at 0 against the regex anchored at 0.
    fn agree(re: &meta::Regex, end: fn(&[u8], usize) -> Option<usize>, hay: &[u8]) {
        let input = Input::new(hay).anchored(Anchored::Yes);
        let expected = re.search(&input).map(|m| m.end());
        assert_eq!(end(hay, 0), expected, "{:?}", String::from_utf8_lossy(hay));
    }

    /// Texts made of `pieces` in pseudo-random order (the same on every run), and every prefix of
    /// `whole`.
    fn texts(pieces: &[&[u8]], whole: &[u8]) -> Vec<Vec<u8>> {
        let mut state = 0x853c_49e6_748f_ea9bu64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        let mut out: Vec<Vec<u8>> = (0..=whole.len()).map(|cut| whole[..cut].to_vec()).collect();
        for _ in 0..20_000 {
            let n = 1 + next() % 14;
            out.push(
                (0..n)
                    .flat_map(|_| pieces[next() % pieces.len()].to_vec())
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn pem_blocks_end_where_the_regex_ends_them() {
        let re = regex("private_key");
        let label = [b'A'; 40];
        let pieces: &[&[u8]] = &[
            b"-----BEGIN",
            b"-----END",
            b"-----",
            b"-",
            b" RSA ",
            b" ",
            b"PRIVATE KEY",
            b"PRIVATE",
            b" KEY",
            b"AB+/",
            b"cd=",
            b"\n",
            b"\r\n",
            b"\x0b",
            b":,.",
            b"\t",
            b"\"",
            b"_",
            b"x",
            &label,
            b"A",
        ];
        let whole = b"-----BEGIN RSA PRIVATE KEY-----\nAB+/cd=\n-----END X-----\r\n\x0b\
            Q:,.\\-\n-----END RSA PRIVATE KEY-----\n-----END PRIVATE KEY-----";
        let mut cases = texts(pieces, whole);
        // Labels of 40 words and of 41, in the header and in the END line.
        for (begin, end) in [(40, 40), (41, 40), (40, 41)] {
            cases.push(
                [
                    &b"-----BEGIN"[..],
                    &vec![b'A'; begin],
                    b"PRIVATE KEY-----\n",
                    b"-----END",
                    &vec![b' '; end],
                    b"PRIVATE KEY-----",
                ]
                .concat(),
            );
        }
        for text in cases {
            // Most texts would not start with the literal the finder reports; make them.
            agree(&re, pem_block_end, &[&b"-----BEGIN"[..], &text].concat());
            agree(&re, pem_block_end, &text);
        }
    }

    #[test]
    fn body_classes_agree_with_the_table() {
        for first in 0..=255u8 {
            let chunk: [u8; 16] = std::array::from_fn(|k| first.wrapping_add(k as u8 * 17));
            assert_eq!(
                body_classes(&chunk),
                body_classes_table(&chunk),
                "{chunk:?}"
            );
        }
    }

    #[test]
    fn jwts_end_where_the_regex_ends_them() {
        let re = regex("jwt");
        let pieces: &[&[u8]] = &[
            b"eyJ", b".ey", b".", b"abcdef", b"A", b"_-", b"=", b" ", b"ey", b"J", b"0123456",
        ];
        for text in texts(pieces, b"eyJhbGciOi.eyJzdWIiOi.sig_-x.more") {
            agree(&re, jwt_end, &[&b"eyJ"[..], &text].concat());
            agree(&re, jwt_end, &text);
        }
    }
}
