//! Cheap checks that turn a pattern match into a finding, or reject it.
//!
//! Patterns in `rules.rs` are deliberately loose (a run of digits, a dotted quad); the functions
//! here carry the knowledge that keeps false positives out: Luhn and card-brand prefixes, the SSN
//! ranges that are never issued, octet ranges, version-string context, key entropy. Each takes
//! the whole haystack and a span, so it can look at the bytes around the match; none allocates.

use std::ops::Range;

/// The Luhn checksum over the ASCII digits of `digits` (other bytes are skipped).
pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    let mut double = false;
    let mut n = 0;
    for &b in digits.iter().rev() {
        if !b.is_ascii_digit() {
            continue;
        }
        let mut d = u32::from(b - b'0');
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
        n += 1;
    }
    n > 0 && sum.is_multiple_of(10)
}

/// The prefix of `digits` as a number of `len` digits (`digits` holds ASCII digits only).
fn prefix(digits: &[u8], len: usize) -> u32 {
    digits
        .iter()
        .take(len)
        .fold(0, |acc, &d| acc * 10 + u32::from(d - b'0'))
}

/// Whether a digit string (no separators) has the prefix and length of a known card brand:
/// Visa, Mastercard, Amex, Discover, JCB, Diners Club, UnionPay.
pub fn card_brand(digits: &[u8]) -> Option<&'static str> {
    let n = digits.len();
    let p1 = prefix(digits, 1);
    let p2 = prefix(digits, 2);
    let p3 = prefix(digits, 3);
    let p4 = prefix(digits, 4);
    let p6 = prefix(digits, 6);
    if p1 == 4 && matches!(n, 13 | 16 | 19) {
        Some("visa")
    } else if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && n == 16 {
        Some("mastercard")
    } else if matches!(p2, 34 | 37) && n == 15 {
        Some("amex")
    } else if (p4 == 6011
        || (644..=649).contains(&p3)
        || p2 == 65
        || (622126..=622925).contains(&p6))
        && (16..=19).contains(&n)
    {
        Some("discover")
    } else if p2 == 35 && (16..=19).contains(&n) {
        // JCB's own range is 3528–3589, but test generators (Faker) and some issuers use all
        // of 35xx; the Luhn check still applies.
        Some("jcb")
    } else if ((300..=305).contains(&p3) || p4 == 3095 || matches!(p2, 36 | 38 | 39))
        && (14..=19).contains(&n)
    {
        Some("diners")
    } else if p2 == 62 && (16..=19).contains(&n) {
        Some("unionpay")
    } else {
        None
    }
}

/// Finds the card number inside a loose match of digits with optional single spaces or dashes.
///
/// The pattern is greedy, so `4111 1111 1111 1111 12/25` arrives with the expiry's first digits
/// attached; this tries every end at a group boundary, longest first. Separated numbers must use
/// one separator and the usual groupings (4-4-4-4[-3], Amex 4-6-5, Diners 4-6-4).
pub fn card(hay: &[u8], span: Range<usize>) -> Option<Range<usize>> {
    let text = &hay[span.clone()];
    let sep = text.iter().copied().find(|b| !b.is_ascii_digit());
    let mut digits = [0u8; 24];
    let mut groups = [0usize; 24];
    let mut ends = [0usize; 24];
    let (mut nd, mut ng) = (0, 0);
    for (i, &b) in text.iter().enumerate() {
        if b.is_ascii_digit() {
            if nd == digits.len() {
                return None;
            }
            digits[nd] = b;
            nd += 1;
            groups[ng] += 1;
            ends[ng] = i + 1;
        } else if Some(b) != sep {
            return None;
        } else {
            ng += 1;
            if ng == groups.len() {
                return None;
            }
        }
    }
    let ng = ng + 1;
    let valid = |digits: &[u8]| card_brand(digits).is_some() && luhn(digits);
    if sep.is_none() {
        return valid(&digits[..nd]).then_some(span);
    }
    // Separated: try ends at each group boundary, longest first.
    for last in (1..ng).rev() {
        let g = &groups[..=last];
        let shape_ok = g[0] == 4
            && (g[1..] == [6, 5]
                || g[1..] == [6, 4]
                || (g[1..last].iter().all(|&x| x == 4) && (1..=4).contains(&g[last])));
        let count: usize = g.iter().sum();
        if shape_ok && valid(&digits[..count]) {
            return Some(span.start..span.start + ends[last]);
        }
    }
    None
}

/// US SSN `AAA-GG-SSSS` (or with spaces, or 9 plain digits after an "SSN" keyword): rejects the
/// never-issued area 000, 666 and 900–999, group 00 and serial 0000.
pub fn ssn(hay: &[u8], span: Range<usize>, keyword: bool) -> Option<Range<usize>> {
    let text = &hay[span.clone()];
    let mut digits = [0u8; 9];
    let (mut nd, mut seps) = (0, 0);
    let mut sep = None;
    for &b in text {
        if b.is_ascii_digit() {
            if nd == digits.len() {
                return None;
            }
            digits[nd] = b;
            nd += 1;
        } else {
            seps += 1;
            if sep.is_some_and(|s| s != b) {
                return None;
            }
            sep = Some(b);
        }
    }
    if nd != 9 {
        return None;
    }
    let consistent = match (seps, sep) {
        (0, _) => keyword,
        (2, Some(s)) => text[3] == s && text[6] == s,
        _ => false,
    };
    let area = prefix(&digits, 3);
    let group = prefix(&digits[3..], 2);
    let serial = prefix(&digits[5..], 4);
    let issued = area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
    (consistent && issued).then_some(span)
}

/// Words that, right before a dotted quad, say it is a version number and not an address.
const VERSION_WORDS: &[&[u8]] = &[
    b"version",
    b"ver",
    b"v",
    b"build",
    b"release",
    b"rev",
    b"firmware",
    b"fw",
    b"os",
];

/// IPv4 in dotted-quad form: octets 0–255 without leading zeros, not part of a longer dotted
/// number, not a version string (`Chrome/36.0.854.0`, `version 5.2.106.23`, `v1.2.3.4`).
pub fn ipv4(hay: &[u8], span: Range<usize>) -> Option<Range<usize>> {
    let text = &hay[span.clone()];
    for octet in text.split(|&b| b == b'.') {
        if octet.is_empty() || octet.len() > 3 || (octet.len() > 1 && octet[0] == b'0') {
            return None;
        }
        if prefix(octet, 3) > 255 {
            return None;
        }
    }
    let before = &hay[..span.start];
    let after = &hay[span.end..];
    // Part of a longer dotted or dashed token: 1.2.3.4.5, 1.2.3.4-beta.
    match before.last() {
        Some(b'.') | Some(b'-') | Some(b'_') => return None,
        // `Chrome/36.0.854.0` but not `http://10.0.0.1`.
        Some(b'/') if before.len() >= 2 && before[before.len() - 2].is_ascii_alphanumeric() => {
            return None;
        }
        _ => {}
    }
    if let [b'.' | b'-', next, ..] = after
        && next.is_ascii_alphanumeric()
    {
        return None;
    }
    // Version context: the word right before (skipping spaces, ':', '=', quotes).
    let trimmed = trim_end_matches(before, |b| matches!(b, b' ' | b'\t' | b':' | b'=' | b'"'));
    let word_start = trimmed
        .iter()
        .rposition(|b| !b.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let word = &trimmed[word_start..];
    if !word.is_empty()
        && word.len() <= 10
        && VERSION_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
    {
        return None;
    }
    Some(span)
}

fn trim_end_matches(mut s: &[u8], f: impl Fn(u8) -> bool) -> &[u8] {
    while let [rest @ .., last] = s {
        if f(*last) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// IPv6: must parse (a trailing sentence dot is dropped), and carry enough groups to not be a
/// slice (`a[1::2]`) or a C++ path (`std::vector`).
pub fn ipv6(hay: &[u8], mut span: Range<usize>) -> Option<Range<usize>> {
    while span.end > span.start && hay[span.end - 1] == b'.' {
        span.end -= 1;
    }
    let text = std::str::from_utf8(&hay[span.clone()]).ok()?;
    text.parse::<std::net::Ipv6Addr>().ok()?;
    let (mut groups, mut full) = (0, false);
    for g in text.split(':').filter(|g| !g.is_empty()) {
        groups += 1;
        full |= g.len() == 4;
    }
    let enough = groups >= 3 || full;
    let before = hay[..span.start].last().copied();
    let after = hay.get(span.end).copied();
    let edge =
        |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'.');
    (enough && !edge(before) && !edge(after)).then_some(span)
}

/// Phone numbers: 8 to 15 digits in all (E.164's limit), with the pattern's shape already checked.
pub fn phone(hay: &[u8], span: Range<usize>) -> Option<Range<usize>> {
    let digits = hay[span.clone()]
        .iter()
        .filter(|b| b.is_ascii_digit())
        .count();
    if !(8..=15).contains(&digits) {
        return None;
    }
    let before = &hay[..span.start];
    let after = &hay[span.end..];
    // Part of a longer run of digit groups (a card or an account number), not a phone.
    if let [.., d, b' ' | b'-' | b'.'] = before
        && d.is_ascii_digit()
    {
        return None;
    }
    if let [b' ' | b'-' | b'.', d, ..] = after
        && d.is_ascii_digit()
    {
        return None;
    }
    match before.last() {
        Some(b) if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'/' | b'-') => None,
        _ => Some(span),
    }
}

/// E-mail: no dot at either end of the local part, no hyphen at either end of a domain label.
pub fn email(hay: &[u8], span: Range<usize>) -> Option<Range<usize>> {
    let text = &hay[span.clone()];
    let at = text.iter().position(|&b| b == b'@')?;
    let (local, domain) = (&text[..at], &text[at + 1..]);
    if local.first() == Some(&b'.') || local.last() == Some(&b'.') {
        return None;
    }
    if domain
        .split(|&b| b == b'.')
        .any(|l| l.is_empty() || l[0] == b'-' || l[l.len() - 1] == b'-')
    {
        return None;
    }
    Some(span)
}

/// Random-looking key material: letters and digits, or (long enough) both cases. Keeps
/// `sk-learn-tutorial-for-beginners` and "Bearer authentication" out of the key rules.
pub fn key_like(hay: &[u8], span: Range<usize>) -> Option<Range<usize>> {
    let text = &hay[span.clone()];
    let digit = text.iter().any(u8::is_ascii_digit);
    let upper = text.iter().any(u8::is_ascii_uppercase);
    let lower = text.iter().any(u8::is_ascii_lowercase);
    ((digit && (upper || lower)) || (upper && lower && text.len() >= 20)).then_some(span)
}

/// A bare 40-character AWS secret key: both cases and a digit, `/` or `+`, and an AWS key id or the words
/// "aws"/"secret" within `window` bytes around it. With a keyword prefix the match is trusted.
pub fn aws_secret(hay: &[u8], span: Range<usize>, keyword: bool) -> Option<Range<usize>> {
    if keyword {
        return Some(span);
    }
    let text = &hay[span.clone()];
    let upper = text.iter().any(u8::is_ascii_uppercase);
    let lower = text.iter().any(u8::is_ascii_lowercase);
    let other = text
        .iter()
        .any(|b| b.is_ascii_digit() || *b == b'/' || *b == b'+');
    if !(upper && lower && other) {
        return None;
    }
    const WINDOW: usize = 160;
    let lo = span.start.saturating_sub(WINDOW);
    let hi = (span.end + WINDOW).min(hay.len());
    let near = [&hay[lo..span.start], &hay[span.end..hi]];
    let found = near.iter().any(|s| {
        contains_ignore_case(s, b"akia")
            || contains_ignore_case(s, b"asia")
            || contains_ignore_case(s, b"aws")
            || contains_ignore_case(s, b"secret")
    });
    found.then_some(span)
}

/// A bare AWS secret key right after its key id (`AKIA… wJalr…`): the first token after `from`,
/// separated only by spaces, quotes and `:=,;|`, or by one keyword (`secret`,
/// `aws_secret_access_key=`). It must be exactly 40 characters of `[A-Za-z0-9/+]` with both
/// upper and lower case (a git SHA next to a key id is not a secret).
pub fn aws_secret_after(hay: &[u8], from: usize) -> Option<Range<usize>> {
    const GAP: usize = 64;
    let class = |b: u8| b.is_ascii_alphanumeric() || b == b'/' || b == b'+';
    let mut i = from;
    let mut keyword = false;
    while i < hay.len() && i < from + GAP {
        let b = hay[i];
        if matches!(
            b,
            b' ' | b'\t' | b'\r' | b'\n' | b':' | b'=' | b',' | b';' | b'"' | b'\'' | b'|'
        ) {
            i += 1;
            continue;
        }
        let run = hay[i..].iter().take_while(|&&c| class(c)).count();
        if run == 40 {
            // The key id right before is the context; random base64 has both cases.
            let token = &hay[i..i + 40];
            let mixed = token.iter().any(u8::is_ascii_uppercase)
                && token.iter().any(u8::is_ascii_lowercase);
            return mixed.then_some(i..i + 40);
        }
        let word = hay[i..]
            .iter()
            .take_while(|&&c| c.is_ascii_alphabetic() || c == b'_')
            .count();
        let ends_cleanly = hay.get(i + word).is_none_or(|&c| !class(c));
        if keyword || word == 0 || word > 32 || !ends_cleanly {
            return None;
        }
        keyword = true;
        i += word;
    }
    None
}

/// ASCII case-insensitive substring search (`needle` lower-case).
pub fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Something plugctl itself wrote (`[REDACTED:EMAIL]`, `[EMAIL:1a2b…]`) or an obvious
/// placeholder (`********`, `<redacted>`): redacting it again would only add noise.
pub fn is_placeholder(text: &[u8]) -> bool {
    if text.is_empty() || text.iter().all(|&b| b == b'*' || b == b'x' || b == b'X') {
        return true;
    }
    if text.first() == Some(&b'[') && text.last() == Some(&b']') {
        let inner = &text[1..text.len() - 1];
        if let Some(colon) = inner.iter().position(|&b| b == b':') {
            let label = &inner[..colon];
            return !label.is_empty()
                && label
                    .iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
        }
    }
    text.eq_ignore_ascii_case(b"<redacted>") || text.eq_ignore_ascii_case(b"redacted")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(s: &str) -> Range<usize> {
        0..s.len()
    }

    #[test]
    fn luhn_accepts_test_numbers_and_rejects_typos() {
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"378282246310005"));
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b""));
    }

    #[test]
    fn brands_need_prefix_and_length() {
        assert_eq!(card_brand(b"4111111111111111"), Some("visa"));
        assert_eq!(card_brand(b"4222222222222"), Some("visa"));
        assert_eq!(card_brand(b"5555555555554444"), Some("mastercard"));
        assert_eq!(card_brand(b"2223003122003222"), Some("mastercard"));
        assert_eq!(card_brand(b"378282246310005"), Some("amex"));
        assert_eq!(card_brand(b"6011111111111117"), Some("discover"));
        assert_eq!(card_brand(b"3530111333300000"), Some("jcb"));
        assert_eq!(card_brand(b"30569309025904"), Some("diners"));
        assert_eq!(card_brand(b"6200000000000005"), Some("unionpay"));
        assert_eq!(card_brand(b"1234567812345670"), None);
        assert_eq!(card_brand(b"411111111111111"), None);
    }

    #[test]
    fn card_groupings() {
        let s = "4111 1111 1111 1111";
        assert_eq!(card(s.as_bytes(), whole(s)), Some(whole(s)));
        let s = "3782-822463-10005";
        assert_eq!(card(s.as_bytes(), whole(s)), Some(whole(s)));
        // The expiry's first digits got attached by the greedy pattern: trimmed off.
        let s = "4111 1111 1111 1111 12";
        assert_eq!(card(s.as_bytes(), whole(s)), Some(0..19));
        // Mixed separators and odd groupings are not cards.
        let s = "4111-1111 1111-1111";
        assert_eq!(card(s.as_bytes(), whole(s)), None);
        let s = "41111 111 1111 1111";
        assert_eq!(card(s.as_bytes(), whole(s)), None);
        // Fails Luhn: an order number.
        let s = "4111111111111112";
        assert_eq!(card(s.as_bytes(), whole(s)), None);
    }

    #[test]
    fn ssn_ranges() {
        for ok in ["123-45-6789", "123 45 6789", "899-99-9999"] {
            assert!(ssn(ok.as_bytes(), whole(ok), false).is_some(), "{ok}");
        }
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "123-00-4567",
            "123-45-0000",
            "123-45 6789",
            "123456789",
        ] {
            assert!(ssn(bad.as_bytes(), whole(bad), false).is_none(), "{bad}");
        }
        assert!(ssn(b"123456789", 0..9, true).is_some());
    }

    #[test]
    fn ipv4_and_versions() {
        let hay = b"from 192.168.1.23 at";
        assert!(ipv4(hay, 5..17).is_some());
        for (hay, span) in [
            (&b"Chrome/36.0.854.0"[..], 7..17),
            (b"version 5.2.106.23", 8..18),
            (b"v1.2.3.4", 1..8),
            (b"1.2.3.4.5", 0..7),
            (b"300.1.1.1", 0..9),
            (b"01.2.3.4", 0..8),
        ] {
            assert!(ipv4(hay, span.clone()).is_none(), "{:?}", &hay[span]);
        }
        assert!(ipv4(b"http://10.0.0.1/", 7..15).is_some());
    }

    #[test]
    fn ipv6_needs_groups() {
        let s = "2001:db8::8a2e:370:7334";
        assert!(ipv6(s.as_bytes(), whole(s)).is_some());
        let s = "fe80::1";
        assert!(ipv6(s.as_bytes(), whole(s)).is_some());
        let s = "1::2";
        assert!(ipv6(s.as_bytes(), whole(s)).is_none());
    }

    #[test]
    fn phones_inside_digit_groups_are_not_phones() {
        let hay = b"3510 0728 4531 3366";
        assert!(phone(hay, 5..hay.len()).is_none());
        let hay = b"call 020 7946 0958 now";
        assert!(phone(hay, 5..18).is_some());
    }

    #[test]
    fn aws_secret_right_after_its_key_id() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        for gap in [" ", "\n", " secret ", ",aws_secret_access_key=\"", " | "] {
            let hay = format!("AKIAIOSFODNN7EXAMPLE{gap}{secret} x");
            let got = aws_secret_after(hay.as_bytes(), 20);
            assert_eq!(got, Some(20 + gap.len()..20 + gap.len() + 40), "{gap:?}");
        }
        for hay in [
            format!("AKIAIOSFODNN7EXAMPLE user bob {secret}"),
            format!("AKIAIOSFODNN7EXAMPLE {secret}X"),
            "AKIAIOSFODNN7EXAMPLE 9fceb02d0ae598e95dc970b74767f19372d61af8".to_string(),
        ] {
            assert_eq!(aws_secret_after(hay.as_bytes(), 20), None, "{hay}");
        }
    }

    #[test]
    fn keys_need_randomness() {
        let k = |s: &str| key_like(s.as_bytes(), 0..s.len()).is_some();
        assert!(k("a1b2c3d4e5f6g7h8"));
        assert!(k("JDRPntPkMDsTfPIzkaorpxBYRSUOPfZB"));
        assert!(!k("learn-tutorial-for-beginners"));
        assert!(!k("Authentication"));
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(b"[REDACTED:EMAIL]"));
        assert!(is_placeholder(b"[EMAIL:0123abcd]"));
        assert!(is_placeholder(b"********"));
        assert!(!is_placeholder(b"[not a placeholder]"));
        assert!(!is_placeholder(b"hunter2"));
    }
}
