//! The built-in rules and the custom rules from YAML: names, patterns, checks and defaults.
//!
//! A rule's pattern is a byte regex with Unicode off: classes are ASCII, `\b` is an ASCII word
//! boundary, and CJK or any other non-ASCII text counts as "not a word" on both sides, so
//! `卡号4111111111111111` still matches. A pattern may name a group `secret`: only that part is
//! rewritten (the `Bearer ` in an Authorization header stays readable), and a group `kw` whose
//! presence tells the check that a keyword ("SSN", "aws_secret_access_key") introduced the value.
//! Many patterns start with `(?:\\[nrtbf]|\b)`: in raw JSON the letter of an escape such as `\n`
//! must not glue the value to a word.
//!
//! Patterns are loose; `validate.rs` holds the knowledge (Luhn, ranges, context). Read
//! `scan.rs` next for how all rules run in one pass.

use super::operator::{MaskStyle, Operator};

/// The check that turns a pattern match into a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Every match is a finding.
    None,
    /// Brand prefix, length and Luhn (payment cards).
    Card,
    /// The Luhn checksum only (custom rules: `validator: luhn`).
    Luhn,
    Ssn,
    Email,
    Ipv4,
    Ipv6,
    Phone,
    /// At least one letter and one digit.
    KeyLike,
    /// A bare AWS secret key needs an AWS key id or keyword nearby.
    AwsSecret,
    /// A quoted or bare value: quotes are dropped, placeholders are skipped.
    Value,
}

/// A built-in rule.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// The name used by `--enable`, `--disable`, `operators:` and in reports.
    pub name: &'static str,
    /// The `<TYPE>` of `[REDACTED:<TYPE>]`.
    pub label: &'static str,
    /// One line for `--list-rules`.
    pub description: &'static str,
    pub pattern: &'static str,
    pub check: Check,
    pub operator: Operator,
    pub mask: MaskStyle,
    /// Off unless enabled (the strict `at_token` rule).
    pub enabled: bool,
}

/// Left boundary for values that start with a word character: a real word boundary, or the
/// escape before it in raw JSON (`\n4111…`). The escape is matched outside the `secret` group.
macro_rules! lb {
    ($body:literal) => {
        concat!(r"(?:\\[nrtbf]|\b)(?P<secret>", $body, ")")
    };
}

/// Every built-in rule, in priority order: when two rules match at the same place, the earlier
/// one wins (secrets before the generic shapes that could also describe part of them).
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "private_key",
        label: "PRIVATE_KEY",
        description: "PEM private-key blocks (-----BEGIN ... PRIVATE KEY----- to END), across lines",
        pattern: r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s:,.\\-]*?-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----",
        check: Check::None,
        operator: Operator::Replace,
        mask: MaskStyle::Hidden,
        enabled: true,
    },
    Builtin {
        name: "authorization",
        label: "AUTHORIZATION",
        description: "the credentials of Authorization headers, any scheme (the scheme stays)",
        pattern: r#"(?i:authorization)\\?["']?[ \t]*[:=][ \t]*\\?["']?(?:[A-Za-z][A-Za-z0-9_.-]{0,30}[ \t]+)?(?P<secret>[^\s"'\\,]+(?:,[ \t]*[^\s"'\\,]+)*)"#,
        check: Check::Value,
        operator: Operator::Replace,
        mask: MaskStyle::Hidden,
        enabled: true,
    },
    Builtin {
        name: "bearer",
        label: "BEARER_TOKEN",
        description: "tokens after the word Bearer, outside an Authorization header",
        pattern: r"\b(?i:bearer)[ \t]+(?P<secret>[A-Za-z0-9._~+/-]{12,}=*)",
        check: Check::KeyLike,
        operator: Operator::Replace,
        mask: MaskStyle::Hidden,
        enabled: true,
    },
    Builtin {
        name: "jwt",
        label: "JWT",
        description: "JSON Web Tokens: header, payload and signature",
        pattern: lb!(r"eyJ[A-Za-z0-9_-]{6,}\.ey[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*"),
        check: Check::None,
        operator: Operator::Replace,
        mask: MaskStyle::Prefix,
        enabled: true,
    },
    Builtin {
        name: "anthropic_key",
        label: "ANTHROPIC_KEY",
        description: "Anthropic API keys (sk-ant-...)",
        pattern: lb!(r"sk-ant-[A-Za-z0-9_-]{20,}"),
        check: Check::KeyLike,
        operator: Operator::Replace,
        mask: MaskStyle::Prefix,
        enabled: true,
    },
    Builtin {
        name: "openai_key",
        label: "OPENAI_KEY",
        description: "OpenAI API keys (sk-..., sk-proj-..., sk-svcacct-...)",
        pattern: lb!(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"),
        check: Check::KeyLike,
        operator: Operator::Replace,
        mask: MaskStyle::Prefix,
        enabled: true,
    },
    Builtin {
        name: "aws_access_key",
        label: "AWS_ACCESS_KEY",
        description: "AWS access key ids (AKIA..., ASIA..., and the other IAM prefixes)",
        pattern: lb!(
            r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}\b"
        ),
        check: Check::None,
        operator: Operator::Replace,
        mask: MaskStyle::Prefix,
        enabled: true,
    },
    Builtin {
        name: "github_token",
        label: "GITHUB_TOKEN",
        description: "GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
        pattern: lb!(r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"),
        check: Check::None,
        operator: Operator::Replace,
        mask: MaskStyle::Prefix,
        enabled: true,
    },
    Builtin {
        name: "google_api_key",
        label: "GOOGLE_API_KEY",
        description: "Google API keys (AIza...)",
        pattern: lb!(r"AIza[0-9A-Za-z_-]{35}"),
        check: Check::None,
        operator: Operator::Replace,
        mask: MaskStyle::Prefix,
        enabled: true,
    },
    Builtin {
        name: "google_oauth_token",
        label: "GOOGLE_OAUTH_TOKEN",
        description: "Google OAuth access tokens (ya29....)",
        pattern: lb!(r"ya29\.[0-9A-Za-z_-]{20,}"),
        check: Check::None,
        operator: Operator::Replace,
        mask: MaskStyle::Prefix,
        enabled: true,
    },
    Builtin {
        name: "slack_token",
        label: "SLACK_TOKEN",
        description: "Slack tokens (xoxb-, xoxp-, xoxa-, xoxo-, xoxr-, xoxs-)",
        pattern: lb!(r"xox[abposr]-[0-9A-Za-z-]{10,}"),
        check: Check::KeyLike,
        operator: Operator::Replace,
        mask: MaskStyle::Prefix,
        enabled: true,
    },
    Builtin {
        name: "stripe_key",
        label: "STRIPE_KEY",
        description: "Stripe secret and restricted keys (sk_live_, rk_live_, and _test_)",
        pattern: lb!(r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}"),
        check: Check::None,
        operator: Operator::Replace,
        mask: MaskStyle::Prefix,
        enabled: true,
    },
    Builtin {
        name: "aws_secret_key",
        label: "AWS_SECRET_KEY",
        description: "AWS secret access keys: after their keyword, or right after their key id",
        // Only the keyword form is a pattern: a bare 40-character run would keep a counter alive
        // in the DFA on every word and multiply its states. The bare secret after a key id is
        // found by `validate::aws_secret_after` when `aws_access_key` matches.
        pattern: r#"(?P<kw>(?i:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key))\\?["']?[ \t]*[:=][ \t]*\\?["']?(?P<secret>[A-Za-z0-9/+]{40})"#,
        check: Check::AwsSecret,
        operator: Operator::Replace,
        mask: MaskStyle::Hidden,
        enabled: true,
    },
    Builtin {
        name: "password",
        label: "PASSWORD",
        description: "values of password=, password: and \"password\": fields",
        pattern: r#"(?i:password|passwd|pwd|passphrase)\\?["']?[ \t]*[:=][ \t]*(?P<secret>\\?"(?:[^"\\\r\n]|\\[^"\r\n])*\\?"|'[^'\r\n]*'|[^\s"'&,;\\]+)"#,
        check: Check::Value,
        operator: Operator::Replace,
        mask: MaskStyle::Hidden,
        enabled: true,
    },
    Builtin {
        name: "at_token",
        label: "AT_TOKEN",
        description: "strict, off by default: any whitespace-delimited token containing '@'",
        pattern: r#"[^\s"'<>]*@[^\s"'<>]*"#,
        check: Check::None,
        operator: Operator::Replace,
        mask: MaskStyle::EmailDomain,
        enabled: false,
    },
    Builtin {
        name: "email",
        label: "EMAIL",
        description: "e-mail addresses",
        pattern: r"(?:\\[nrtbf])?(?P<secret>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24})\b",
        check: Check::Email,
        operator: Operator::Replace,
        mask: MaskStyle::EmailDomain,
        enabled: true,
    },
    Builtin {
        name: "card",
        label: "CARD",
        description: "payment cards of the major brands, plain or grouped, Luhn-checked",
        pattern: lb!(r"[0-9](?:[ -]?[0-9]){12,18}\b"),
        check: Check::Card,
        operator: Operator::Replace,
        mask: MaskStyle::LastFour,
        enabled: true,
    },
    Builtin {
        name: "ssn",
        label: "SSN",
        description: "US social security numbers, never-issued ranges excluded",
        pattern: r"(?:(?P<kw>(?i:ssn|social security number|social security no\.?))[ \t:#=]{1,4})?(?:\\[nrtbf]|\b)(?P<secret>[0-9]{3}[ -]?[0-9]{2}[ -]?[0-9]{4})\b",
        check: Check::Ssn,
        operator: Operator::Replace,
        mask: MaskStyle::Ssn,
        enabled: true,
    },
    Builtin {
        name: "ipv6",
        label: "IPV6",
        description: "IPv6 addresses, full or compressed",
        // Loose on purpose (few DFA states); `validate::ipv6` parses the candidate.
        pattern: r"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}|[0-9A-Fa-f:]*::[0-9A-Fa-f:.]*",
        check: Check::Ipv6,
        operator: Operator::Replace,
        mask: MaskStyle::Ipv6Net,
        enabled: true,
    },
    Builtin {
        name: "ipv4",
        label: "IPV4",
        description: "IPv4 addresses (default: mask, i.e. the last octet becomes 0)",
        pattern: lb!(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b"),
        check: Check::Ipv4,
        operator: Operator::Mask,
        mask: MaskStyle::Ipv4Net,
        enabled: true,
    },
    Builtin {
        name: "phone",
        label: "PHONE",
        description: "phone numbers: E.164 (+...) and common national forms with separators",
        pattern: r"(?:\+[1-9](?:[ .-]?[0-9]){7,14}|(?:\([2-9][0-9]{2}\)[ ]?|\b[2-9][0-9]{2}[-. ])[2-9][0-9]{2}[-. ][0-9]{4}|\b0[1-9][0-9]{1,3} [0-9]{3,4} [0-9]{3,4})\b",
        check: Check::Phone,
        operator: Operator::Replace,
        mask: MaskStyle::LastTwo,
        enabled: true,
    },
];

/// The built-in rule of that name.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// A rule from YAML (`--rules FILE` or the `redact:` section of plugctl.yaml).
#[derive(Debug, Clone, Default)]
pub struct CustomRule {
    pub name: String,
    /// A Rust regex; a group named `secret` limits what is rewritten.
    pub pattern: String,
    /// The `<TYPE>` of `[REDACTED:<TYPE>]`; defaults to the upper-cased name.
    pub label: Option<String>,
    /// `luhn`, or none.
    pub validator: Option<String>,
    /// At least one of these words (any case) must occur within `window` bytes of the match.
    pub keywords: Vec<String>,
    pub window: Option<usize>,
    pub operator: Option<Operator>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case() {
        let mut names: Vec<_> = BUILTINS.iter().map(|b| b.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), BUILTINS.len());
        for b in BUILTINS {
            assert!(
                b.name
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
            );
            assert!(
                b.label
                    .bytes()
                    .all(|c| c.is_ascii_uppercase() || c == b'_' || c.is_ascii_digit())
            );
        }
        assert!(builtin("card").is_some());
    }
}
