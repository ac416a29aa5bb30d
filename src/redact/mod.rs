//! Redaction of personal data and secrets in transcripts and logs, losslessly and in one pass.
//!
//! A [`Redactor`] is built once from [`Settings`] (which rules, which operator, custom rules,
//! allow-list, hash key) and is then cheap to share: `plugctl redact` streams files through it,
//! and `plugctl serve` can call [`Redactor::redact`] on every message.
//!
//! - [`rules`]: the built-in rule table and custom rules.
//! - [`validate`]: Luhn, SSN ranges, IP parsing, context checks.
//! - [`operator`]: `replace`, `mask`, `hash`.
//! - `scan`: the enabled rules as a few multi-pattern regexes, grouped for speed.
//! - `starts`: where a group's match can start, so its regex runs anchored at few places.
//! - [`stream`]: text of any size in constant memory; bytes outside findings pass through.
//! - [`json`]: JSON and JSONL, redacting inside string values only.

mod error;
pub mod json;
pub mod operator;
pub mod rules;
mod runs;
mod scan;
mod starts;
pub mod stream;
pub mod validate;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use regex_automata::meta;
use serde::Serialize;

pub use error::RedactError;
pub use operator::{HashKey, MaskStyle, Operator};
pub use rules::{BUILTINS, Builtin, Check, CustomRule};

/// The OS keyring entry (account name under plugctl's keyring service) that holds the hash
/// operator's key when neither `$PLUGCTL_REDACT_KEY` nor plugctl.yaml gives one, so the key need
/// not sit in a file or in the environment.
pub const HASH_KEY_ENTRY: &str = "redact-hash-key";

/// Turn a rule on or off; applied in order, so a later toggle wins (`all` names every built-in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toggle {
    Enable(String),
    Disable(String),
}

/// Everything a [`Redactor`] is built from. Layers (config file, rules file, flags) are
/// concatenated in order of precedence, lowest first.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub toggles: Vec<Toggle>,
    /// `(rule, operator)`; a rule of `None` (or `all`) sets the operator of every rule.
    pub operators: Vec<(Option<String>, Operator)>,
    pub custom: Vec<CustomRule>,
    /// Values that are never redacted (exact match of the found text).
    pub allow_values: Vec<String>,
    /// Regexes that, matching the whole found text, keep it.
    pub allow_patterns: Vec<String>,
    pub hash_key: Option<HashKey>,
}

impl Settings {
    /// Whether some layer asks for the hash operator, which needs a key.
    pub fn wants_hash(&self) -> bool {
        self.operators.iter().any(|(_, op)| *op == Operator::Hash)
            || self
                .custom
                .iter()
                .any(|r| r.operator == Some(Operator::Hash))
    }

    /// Adds one configuration layer (plugctl.yaml's `redact:` section or a rules file) on top of
    /// what is there; later layers win. Returns the layer's hash key, if it names one.
    pub fn add_section(
        &mut self,
        section: &crate::config::file::RedactSection,
    ) -> Result<Option<String>, RedactError> {
        self.push_toggles(&section.enable, &section.disable);
        // `all` first, so that a rule's own entry wins over it.
        let mut ops: Vec<_> = section.operators.iter().collect();
        ops.sort_by_key(|(rule, _)| rule.as_str() != "all");
        for (rule, op) in ops {
            self.operators
                .push((Some(rule.clone()), Operator::parse(op)?));
        }
        for r in &section.rules {
            let operator = r.operator.as_deref().map(Operator::parse).transpose()?;
            self.custom.push(CustomRule {
                name: r.name.clone(),
                pattern: r.pattern.clone(),
                label: r.label.clone(),
                validator: r.validator.clone(),
                keywords: r.keywords.clone(),
                window: r.window,
                operator,
            });
        }
        self.allow_values
            .extend(section.allow.values.iter().cloned());
        self.allow_patterns
            .extend(section.allow.patterns.iter().cloned());
        Ok(section.hash_key.clone())
    }

    /// One layer's toggles: `all` first, so that `--disable all --enable ssn` means "only ssn"
    /// and `--enable all --disable phone` means "everything but phone".
    pub fn push_toggles(&mut self, enable: &[String], disable: &[String]) {
        let on = enable.iter().map(|n| Toggle::Enable(n.clone()));
        let off = disable.iter().map(|n| Toggle::Disable(n.clone()));
        let (all, named): (Vec<_>, Vec<_>) = on
            .chain(off)
            .partition(|t| matches!(t, Toggle::Enable(n) | Toggle::Disable(n) if n == "all"));
        self.toggles.extend(all);
        self.toggles.extend(named);
    }
}

/// How the input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Any bytes; findings anywhere.
    Text,
    /// One JSON document; findings inside string values.
    Json,
    /// One JSON document per line; lines that are not JSON are redacted as text.
    Jsonl,
}

impl Mode {
    /// The mode for a file extension: `json`, `jsonl`/`ndjson`, anything else is text.
    pub fn from_extension(ext: Option<&str>) -> Mode {
        match ext {
            Some("json") => Mode::Json,
            Some("jsonl" | "ndjson") => Mode::Jsonl,
            _ => Mode::Text,
        }
    }
}

/// One enabled rule, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) check: Check,
    pub(crate) operator: Operator,
    pub(crate) mask: MaskStyle,
    /// Lower-case keywords, one of which must be near (custom rules).
    pub(crate) keywords: Vec<Vec<u8>>,
    pub(crate) window: usize,
    /// How to find the part to rewrite within a match.
    pub(crate) secret: Secret,
    /// Bytes a match can start with (`None`: any).
    pub(crate) first: Option<Box<[bool; 256]>>,
    /// A necessary condition for a match at a position, cheaper than the regex (`None`: only
    /// the regex can tell): see `starts::may_start`.
    pub(crate) may_start: Option<starts::MayStart>,
    /// The rule's pattern alone, for its `secret` and `kw` groups (`Secret::Captures`): the
    /// capture engine's work grows with the number of states, and the group's regex holds
    /// every pattern of the group.
    pub(crate) captures: Option<meta::Regex>,
}

/// How the part of a match to rewrite is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Secret {
    /// All of the match.
    Whole,
    /// All of the match but a leading JSON escape (`\n`); no capture engine needed.
    Escape,
    /// The `secret` group (and `kw`), found with the capture engine.
    Captures,
    /// All of the match, which must not start inside a word (checked in code; see `scan.rs`).
    Bounded,
}

impl Secret {
    /// Built-in patterns follow conventions (see `rules.rs`) that let most skip captures.
    pub(crate) fn of_builtin(pattern: &str) -> Self {
        let groups = pattern.matches("(?P<").count();
        let escape_prefix = pattern.starts_with(r"(?:\\[nrtbf]|\b)(?P<secret>")
            || pattern.starts_with(r"(?:\\[nrtbf])?(?P<secret>");
        match (groups, escape_prefix) {
            (0, _) => Secret::Whole,
            (1, true) => Secret::Escape,
            _ => Secret::Captures,
        }
    }
}

/// Where a finding is, and what it looked like with the secret masked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    /// 1-based line of the finding (of the JSON string holding it, in JSON modes).
    pub line: u64,
    /// 1-based byte column.
    pub column: u64,
    /// Length in bytes of the rewritten span (in the decoded string, in JSON modes).
    pub length: u64,
    /// The masked form: never the secret itself.
    pub preview: String,
}

/// What a run found, per input.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Findings per rule name; rules without findings are left out.
    pub counts: BTreeMap<String, u64>,
    pub total: u64,
    /// JSONL lines that were not JSON and were redacted as text.
    pub text_fallback_lines: u64,
    /// Where each finding is (only collected when asked for, e.g. `--check`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Findings beyond the collection limit, counted but not listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub findings_not_listed: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The compiled rule set. Build once, share freely (`Send + Sync`).
#[derive(Debug)]
pub struct Redactor {
    rules: Vec<Rule>,
    groups: Vec<scan::Group>,
    allow_values: HashSet<Vec<u8>>,
    allow: Option<meta::Regex>,
    key: Option<HashKey>,
    /// `(aws_access_key, aws_secret_key)` rule indexes when both are on: a bare secret right
    /// after a key id is a finding too.
    aws_pair: Option<(usize, usize)>,
    /// Every group searched unanchored and every `secret` group found by captures (the
    /// reference the faster paths are tested against).
    reference: bool,
    /// The scans' scratch sets (regex caches, capture slots, finder state), one per scan in
    /// progress (see `scan::Cursor`).
    scratch: scan::ScratchPool,
}

/// Counts per rule index and, when asked, findings with positions.
#[derive(Debug)]
pub(crate) struct Tally {
    counts: Vec<u64>,
    findings: Option<Vec<Finding>>,
    limit: usize,
    not_listed: u64,
}

impl Tally {
    pub(crate) fn new(rules: usize, collect: Option<usize>) -> Self {
        Self {
            counts: vec![0; rules],
            findings: collect.map(|_| Vec::new()),
            limit: collect.unwrap_or(0),
            not_listed: 0,
        }
    }

    pub(crate) fn wants_positions(&self) -> bool {
        self.findings.is_some()
    }

    pub(crate) fn record(
        &mut self,
        redactor: &Redactor,
        rule: usize,
        value: &[u8],
        at: (u64, u64),
    ) {
        self.counts[rule] += 1;
        if let Some(list) = &mut self.findings {
            if list.len() < self.limit {
                let r = &redactor.rules[rule];
                let mut preview = Vec::new();
                operator::apply(Operator::Mask, r.mask, &r.label, value, None, &mut preview);
                list.push(Finding {
                    rule: r.name.clone(),
                    line: at.0,
                    column: at.1,
                    length: value.len() as u64,
                    preview: String::from_utf8_lossy(&preview).into_owned(),
                });
            } else {
                self.not_listed += 1;
            }
        }
    }

    pub(crate) fn into_summary(
        self,
        redactor: &Redactor,
        bytes_in: u64,
        bytes_out: u64,
    ) -> Summary {
        let mut counts = BTreeMap::new();
        for (i, &n) in self.counts.iter().enumerate() {
            if n > 0 {
                *counts.entry(redactor.rules[i].name.clone()).or_insert(0) += n;
            }
        }
        Summary {
            bytes_in,
            bytes_out,
            total: counts.values().sum(),
            counts,
            text_fallback_lines: 0,
            findings: self.findings.unwrap_or_default(),
            findings_not_listed: self.not_listed,
        }
    }
}

/// One row of `--list-rules`.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub name: String,
    pub label: String,
    pub enabled: bool,
    pub operator: &'static str,
    pub builtin: bool,
    pub description: String,
}

impl Redactor {
    /// Builds the rule set; every mistake names the rule or entry it is about.
    pub fn new(settings: &Settings) -> Result<Self, RedactError> {
        scan::build(settings)
    }

    /// The same rules with every group searched unanchored by its regex alone: the reference
    /// the start finders of `starts.rs` are tested against.
    #[cfg(test)]
    pub(crate) fn reference(settings: &Settings) -> Result<Self, RedactError> {
        scan::build_with(settings, false)
    }

    /// The built-in defaults: every rule enabled by default, default operators.
    pub fn with_defaults() -> Self {
        Self::new(&Settings::default()).expect("the built-in rules compile")
    }

    /// Every known rule (built-in and custom) and whether these settings enable it.
    pub fn describe(settings: &Settings) -> Result<Vec<RuleInfo>, RedactError> {
        let redactor = Self::new(settings)?;
        let mut out = Vec::new();
        for c in &settings.custom {
            let r = redactor.rules.iter().find(|r| r.name == c.name);
            out.push(RuleInfo {
                name: c.name.clone(),
                label: r.map_or_else(|| c.name.to_ascii_uppercase(), |r| r.label.clone()),
                enabled: r.is_some(),
                operator: r.map_or("replace", |r| r.operator.name()),
                builtin: false,
                description: format!("custom: {}", c.pattern),
            });
        }
        for b in BUILTINS {
            let r = redactor.rules.iter().find(|r| r.name == b.name);
            out.push(RuleInfo {
                name: b.name.to_string(),
                label: b.label.to_string(),
                enabled: r.is_some(),
                operator: r.map_or(b.operator.name(), |r| r.operator.name()),
                builtin: true,
                description: b.description.to_string(),
            });
        }
        Ok(out)
    }

    /// Names of the enabled rules, in priority order.
    pub fn enabled_rules(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.name.as_str())
    }

    /// Redacts one piece of text (a message, a log line). Borrowed when nothing was found.
    pub fn redact<'a>(&self, text: &'a [u8]) -> Cow<'a, [u8]> {
        let mut tally = Tally::new(self.rules.len(), None);
        self.redact_slice(text, &mut tally, (0, 0))
    }

    /// [`Redactor::redact`] for UTF-8 text.
    pub fn redact_str<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.redact(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    /// Redacts every string inside a JSON value in place (string values only, not keys);
    /// returns the number of findings.
    pub fn redact_value(&self, value: &mut serde_json::Value) -> u64 {
        let mut tally = Tally::new(self.rules.len(), None);
        json::redact_value(self, value, &mut tally);
        tally.counts.iter().sum()
    }

    /// Redacts a whole in-memory slice: findings anywhere, replacements applied.
    pub(crate) fn redact_slice<'a>(
        &self,
        text: &'a [u8],
        tally: &mut Tally,
        origin: (u64, u64),
    ) -> Cow<'a, [u8]> {
        let mut out: Option<Vec<u8>> = None;
        let mut pos = 0;
        self.scan(text, 0, text.len(), &mut |hit| {
            let buf = out.get_or_insert_with(|| Vec::with_capacity(text.len() + 32));
            buf.extend_from_slice(&text[pos..hit.start]);
            let value = &text[hit.start..hit.end];
            tally.record(self, hit.rule, value, origin);
            self.replace(hit.rule, value, buf);
            pos = hit.end;
        });
        match out {
            None => Cow::Borrowed(text),
            Some(mut buf) => {
                buf.extend_from_slice(&text[pos..]);
                Cow::Owned(buf)
            }
        }
    }

    /// Appends the replacement of `value` found by `rule`.
    pub(crate) fn replace(&self, rule: usize, value: &[u8], out: &mut Vec<u8>) {
        let r = &self.rules[rule];
        operator::apply(r.operator, r.mask, &r.label, value, self.key.as_ref(), out);
    }

    /// The index of an enabled rule by name.
    pub(crate) fn rule_index(&self, name: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.name == name)
    }

    pub(crate) fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Whether the allow-list keeps this value.
    pub(crate) fn allowed(&self, value: &[u8]) -> bool {
        self.allow_values.contains(value)
            || self.allow.as_ref().is_some_and(|re| re.is_match(value))
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod secret_tests {
    use super::*;

    #[test]
    fn builtin_secret_shapes() {
        let shape = |name| Secret::of_builtin(rules::builtin(name).unwrap().pattern);
        assert_eq!(shape("card"), Secret::Escape);
        assert_eq!(shape("email"), Secret::Escape);
        assert_eq!(shape("private_key"), Secret::Whole);
        assert_eq!(shape("authorization"), Secret::Captures);
        assert_eq!(shape("ssn"), Secret::Captures);
    }
}
