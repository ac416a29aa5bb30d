//! What a finding is replaced with: `replace`, `mask` or `hash`.
//!
//! `replace` writes `[REDACTED:<TYPE>]`. `mask` keeps what people need to work with the data and
//! nothing more (a card's last four digits, an e-mail's domain, an IPv4 /24); for secrets it keeps
//! at most a vendor prefix that is public anyway. `hash` writes `[<TYPE>:<16 hex>]`, an HMAC-SHA256
//! of the normalised value under a configured key: the same e-mail becomes the same pseudonym in
//! every file and run, without a mapping table and without being guessable from a plain hash.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::RedactError;

/// How a rule rewrites what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `[REDACTED:<TYPE>]`.
    Replace,
    /// Keep the useful, non-identifying part (see the module docs).
    Mask,
    /// A stable keyed pseudonym `[<TYPE>:<hex>]`.
    Hash,
}

impl Operator {
    pub fn parse(name: &str) -> Result<Self, RedactError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "replace" | "redact" => Ok(Operator::Replace),
            "mask" => Ok(Operator::Mask),
            "hash" | "pseudonym" => Ok(Operator::Hash),
            _ => Err(RedactError::UnknownOperator {
                name: name.to_string(),
            }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Operator::Replace => "replace",
            Operator::Mask => "mask",
            Operator::Hash => "hash",
        }
    }
}

/// How `mask` treats a rule's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskStyle {
    /// Every digit but the last four becomes `*`; separators stay.
    LastFour,
    /// `***-**-6789`.
    Ssn,
    /// `***@example.com`.
    EmailDomain,
    /// The last octet becomes 0 (the address's /24).
    Ipv4Net,
    /// The interface identifier (last 80 bits) becomes 0: the /48 stays.
    Ipv6Net,
    /// Every digit but the last two becomes `*`.
    LastTwo,
    /// The first four characters (a vendor prefix such as `ghp_` or `AKIA`), then `****`.
    Prefix,
    /// `********`: nothing of the value is shown.
    Hidden,
    /// Custom rules: `*` for every letter and digit but the last four of long values.
    Generic,
}

/// The key of the `hash` operator. It never shows up in `Debug` output.
#[derive(Clone)]
pub struct HashKey(Hmac<Sha256>);

impl HashKey {
    pub fn new(key: &[u8]) -> Self {
        Self(Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length"))
    }

    /// 64 bits of HMAC-SHA256(key, label ‖ 0 ‖ value), as 16 hex digits.
    pub fn pseudonym(&self, label: &str, value: &[u8]) -> String {
        let mut mac = self.0.clone();
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(value);
        let out = mac.finalize().into_bytes();
        out[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey(REDACTED)")
    }
}

/// The text that replaces `value`.
pub fn apply(
    op: Operator,
    style: MaskStyle,
    label: &str,
    value: &[u8],
    key: Option<&HashKey>,
    out: &mut Vec<u8>,
) {
    match op {
        Operator::Replace => {
            out.extend_from_slice(b"[REDACTED:");
            out.extend_from_slice(label.as_bytes());
            out.push(b']');
        }
        Operator::Mask => mask(style, value, out),
        Operator::Hash => match key {
            Some(key) => {
                let normal = normalise(style, value);
                out.push(b'[');
                out.extend_from_slice(label.as_bytes());
                out.push(b':');
                out.extend_from_slice(key.pseudonym(label, &normal).as_bytes());
                out.push(b']');
            }
            // The redactor refuses to build without a key; never leak if that ever changes.
            None => apply(Operator::Replace, style, label, value, None, out),
        },
    }
}

/// The form that is hashed, so that `4111 1111 …` and `4111-1111-…` get the same pseudonym.
fn normalise(style: MaskStyle, value: &[u8]) -> Vec<u8> {
    match style {
        MaskStyle::LastFour | MaskStyle::Ssn | MaskStyle::LastTwo => {
            value.iter().copied().filter(u8::is_ascii_digit).collect()
        }
        MaskStyle::EmailDomain => value.to_ascii_lowercase(),
        _ => value.to_vec(),
    }
}

fn mask(style: MaskStyle, value: &[u8], out: &mut Vec<u8>) {
    match style {
        MaskStyle::LastFour => keep_last_digits(value, 4, out),
        MaskStyle::LastTwo => keep_last_digits(value, 2, out),
        MaskStyle::Ssn => keep_last_digits(value, 4, out),
        MaskStyle::EmailDomain => match value.iter().position(|&b| b == b'@') {
            Some(at) => {
                out.extend_from_slice(b"***");
                out.extend_from_slice(&value[at..]);
            }
            None => out.extend_from_slice(b"********"),
        },
        MaskStyle::Ipv4Net => match value.iter().rposition(|&b| b == b'.') {
            Some(dot) => {
                out.extend_from_slice(&value[..=dot]);
                out.push(b'0');
            }
            None => out.extend_from_slice(b"********"),
        },
        MaskStyle::Ipv6Net => {
            let parsed = std::str::from_utf8(value)
                .ok()
                .and_then(|s| s.parse::<std::net::Ipv6Addr>().ok());
            match parsed {
                Some(ip) => {
                    let s = ip.segments();
                    let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
                    out.extend_from_slice(net.to_string().as_bytes());
                }
                None => out.extend_from_slice(b"********"),
            }
        }
        MaskStyle::Prefix => {
            let keep = value
                .iter()
                .take(4)
                .take_while(|b| b.is_ascii_graphic())
                .count();
            out.extend_from_slice(&value[..keep]);
            out.extend_from_slice(b"****");
        }
        MaskStyle::Hidden => out.extend_from_slice(b"********"),
        MaskStyle::Generic => {
            let alnum = value.iter().filter(|b| b.is_ascii_alphanumeric()).count();
            let keep = if alnum >= 12 { 4 } else { 0 };
            let mut seen = 0;
            for &b in value {
                if b.is_ascii_alphanumeric() {
                    seen += 1;
                    out.push(if seen > alnum - keep { b } else { b'*' });
                } else {
                    out.push(b);
                }
            }
        }
    }
}

fn keep_last_digits(value: &[u8], keep: usize, out: &mut Vec<u8>) {
    let total = value.iter().filter(|b| b.is_ascii_digit()).count();
    let mut seen = 0;
    for &b in value {
        if b.is_ascii_digit() {
            seen += 1;
            out.push(if seen + keep > total { b } else { b'*' });
        } else {
            out.push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: Operator, style: MaskStyle, value: &str, key: Option<&HashKey>) -> String {
        let mut out = Vec::new();
        apply(op, style, "T", value.as_bytes(), key, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn masks_keep_only_the_useful_part() {
        let m = |s, v| run(Operator::Mask, s, v, None);
        assert_eq!(
            m(MaskStyle::LastFour, "4111 1111 1111 1111"),
            "**** **** **** 1111"
        );
        assert_eq!(m(MaskStyle::Ssn, "123-45-6789"), "***-**-6789");
        assert_eq!(
            m(MaskStyle::EmailDomain, "jane.doe@example.com"),
            "***@example.com"
        );
        assert_eq!(m(MaskStyle::Ipv4Net, "192.168.7.42"), "192.168.7.0");
        assert_eq!(
            m(MaskStyle::Ipv6Net, "2001:db8:85a3::8a2e:370:7334"),
            "2001:db8:85a3::"
        );
        assert_eq!(m(MaskStyle::Prefix, "ghp_abcdefghijklmnop"), "ghp_****");
        assert_eq!(m(MaskStyle::Hidden, "hunter2"), "********");
        assert_eq!(
            m(MaskStyle::Generic, "EMP-123456789012"),
            "***-********9012"
        );
    }

    #[test]
    fn hash_is_stable_keyed_and_normalised() {
        let k1 = HashKey::new(b"one");
        let k2 = HashKey::new(b"two");
        let h = |k, v| run(Operator::Hash, MaskStyle::LastFour, v, Some(k));
        assert_eq!(h(&k1, "4111 1111 1111 1111"), h(&k1, "4111-1111-1111-1111"));
        assert_ne!(h(&k1, "4111111111111111"), h(&k2, "4111111111111111"));
        let out = h(&k1, "4111111111111111");
        assert!(
            out.starts_with("[T:") && out.len() == "[T:]".len() + 16,
            "{out}"
        );
        assert_eq!(format!("{k1:?}"), "HashKey(REDACTED)");
    }

    #[test]
    fn operator_names() {
        assert_eq!(Operator::parse("Mask").unwrap(), Operator::Mask);
        assert!(Operator::parse("scramble").is_err());
    }
}
