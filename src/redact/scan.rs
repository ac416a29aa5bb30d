//! The enabled rules as a few multi-pattern regexes, and the loop that turns matches into findings.
//!
//! Rules are grouped by what makes them fast to find: secrets behind case-sensitive literal
//! prefixes (`sk-`, `ghp_`, `eyJ`: found with a SIMD literal prefilter), secrets behind
//! case-insensitive keywords (`Authorization`, `password`), e-mail (found from its `@`), and the
//! numeric shapes (cards, SSNs, IPs, phones: one lazy DFA). Each group is one
//! `regex_automata::meta::Regex` whose match says which rule fired; putting all rules in one
//! DFA was measured 2.5× slower, because the prefilters are lost and the DFA's states multiply.
//!
//! A match is checked (`validate.rs`); when the check rejects it, the group's lower-priority
//! rules that could start at the same byte get their chance, then the group resumes one byte
//! later (or after the whole run, when the check says so). The earliest confirmed finding of all
//! groups wins, ties going to the rule listed first. Unicode is off: the scan works on bytes, so
//! invalid UTF-8 and NUL bytes are just bytes.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use rayon::prelude::*;
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, Match, PatternID, meta};

use super::rules::{BUILTINS, Check, CustomRule};
use super::runs;
use super::starts::{self, Starts};
use super::{RedactError, Redactor, Rule, Secret, Settings, Toggle, validate};

/// A finding: the rule (index into the enabled rules) and the span to rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) rule: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The lazy DFA's cache; the default (2 MiB) thrashes with twenty-odd patterns and makes the
/// meta regex fall back to a much slower engine.
const DFA_CACHE: usize = 64 << 20;

fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

fn meta_config() -> meta::Config {
    meta::Config::new()
        .utf8_empty(false)
        .hybrid_cache_capacity(DFA_CACHE)
}

/// The first bytes a pattern can match, from its literal prefixes (`None`: could be any).
fn first_bytes(pattern: &str) -> Option<Box<[bool; 256]>> {
    let mut set = Box::new([false; 256]);
    for lit in starts::prefix_literals(pattern)? {
        set[usize::from(lit[0])] = true;
    }
    Some(set)
}

/// The body of a pattern written `(?:\\[nrtbf]|\b)(?P<secret>BODY)` (see `rules.rs`).
fn bounded_body(pattern: &str) -> Option<&str> {
    pattern
        .strip_prefix(r"(?:\\[nrtbf]|\b)(?P<secret>")?
        .strip_suffix(')')
}

/// Whether a match may start at `start`: not inside a word, except right after a JSON escape
/// such as `\n` (whose letter is not part of the value).
fn left_boundary(hay: &[u8], start: usize) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    match start.checked_sub(1).map(|i| hay[i]) {
        None => true,
        Some(b) if !word(b) => true,
        Some(b) => {
            matches!(b, b'n' | b'r' | b't' | b'b' | b'f') && start >= 2 && hay[start - 2] == b'\\'
        }
    }
}

/// One multi-pattern regex and the rules (indexes into `Redactor::rules`) of its patterns, in
/// priority order.
#[derive(Debug)]
pub(crate) struct Group {
    regex: meta::Regex,
    rules: Vec<usize>,
    /// Where a match can start, for groups of built-in rules (`None`: search unanchored).
    starts: Option<Starts>,
    /// Patterns matched without the regex where a start begins with their literal (`runs.rs`).
    shortcuts: Vec<Shortcut>,
}

/// A hand-written matcher for one pattern of a group, used at the starts that begin with
/// `prefix`, where no other pattern of the group can match.
#[derive(Debug)]
struct Shortcut {
    pattern: PatternID,
    prefix: &'static [u8],
    end: MatchEnd,
}

/// The end of a pattern's match anchored at a position (`None`: no match there).
type MatchEnd = fn(&[u8], usize) -> Option<usize>;

const GROUPS: usize = 6;

/// The group of a rule (see the module docs for why rules are grouped).
fn group_of(name: &str, custom: bool) -> usize {
    if custom {
        return 5;
    }
    match name {
        "authorization" | "bearer" | "password" | "aws_secret_key" => 1,
        "email" => 2,
        "card" | "ssn" | "ipv4" | "ipv6" | "phone" => 3,
        "at_token" => 4,
        _ => 0,
    }
}

pub(super) fn build(settings: &Settings) -> Result<Redactor, RedactError> {
    build_with(settings, true)
}

/// Builds the redactor; without `starts`, every group is searched unanchored (the reference the
/// start finders are tested against).
pub(crate) fn build_with(settings: &Settings, starts: bool) -> Result<Redactor, RedactError> {
    // Which built-ins are on, after the toggles in order.
    let mut enabled: Vec<bool> = BUILTINS.iter().map(|b| b.enabled).collect();
    let custom_names: HashSet<&str> = settings.custom.iter().map(|c| c.name.as_str()).collect();
    let mut custom_off: HashSet<String> = HashSet::new();
    for toggle in &settings.toggles {
        let (name, on) = match toggle {
            Toggle::Enable(n) => (n.as_str(), true),
            Toggle::Disable(n) => (n.as_str(), false),
        };
        if name == "all" {
            enabled.iter_mut().for_each(|e| *e = on);
        } else if let Some(i) = BUILTINS.iter().position(|b| b.name == name) {
            enabled[i] = on;
        } else if custom_names.contains(name) {
            if on {
                custom_off.remove(name);
            } else {
                custom_off.insert(name.to_string());
            }
        } else {
            return Err(RedactError::UnknownRule {
                name: name.to_string(),
            });
        }
    }

    let mut rules = Vec::new();
    let mut patterns: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    // Custom rules first: what the user asked for wins over a built-in at the same place.
    for c in &settings.custom {
        validate_custom(c, &mut seen)?;
        if custom_off.contains(&c.name) {
            continue;
        }
        let check = match c
            .validator
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("" | "none") => Check::None,
            Some("luhn") => Check::Luhn,
            Some(other) => {
                return Err(RedactError::InvalidRule {
                    name: c.name.clone(),
                    message: format!("unknown validator {other:?} (known: luhn)"),
                });
            }
        };
        rules.push(Rule {
            name: c.name.clone(),
            label: c
                .label
                .clone()
                .unwrap_or_else(|| c.name.to_ascii_uppercase()),
            check,
            operator: c.operator.unwrap_or(super::Operator::Replace),
            mask: super::MaskStyle::Generic,
            keywords: c
                .keywords
                .iter()
                .map(|k| k.to_ascii_lowercase().into_bytes())
                .collect(),
            window: c.window.unwrap_or(64),
            secret: if c.pattern.contains("?P<secret>") || c.pattern.contains("?<secret>") {
                Secret::Captures
            } else {
                Secret::Whole
            },
            first: None,
            may_start: None,
            captures: None,
        });
        patterns.push(c.pattern.clone());
    }
    for (b, on) in BUILTINS.iter().zip(&enabled) {
        if !on {
            continue;
        }
        if seen.contains(b.name) {
            return Err(RedactError::InvalidRule {
                name: b.name.to_string(),
                message: "a custom rule may not reuse the name of a built-in rule".into(),
            });
        }
        // Secrets behind a literal prefix: the word boundary is checked in code instead of in
        // the regex, so the group's regex starts with plain literals and gets a SIMD prefilter.
        let (pattern, secret) = match bounded_body(b.pattern) {
            Some(body) if group_of(b.name, false) == 0 => (body.to_string(), Secret::Bounded),
            _ => (b.pattern.to_string(), Secret::of_builtin(b.pattern)),
        };
        rules.push(Rule {
            name: b.name.to_string(),
            label: b.label.to_string(),
            check: b.check,
            operator: b.operator,
            mask: b.mask,
            keywords: Vec::new(),
            window: 0,
            secret,
            first: None,
            may_start: starts::may_start(b.name),
            captures: None,
        });
        patterns.push(pattern);
    }

    // Operators, in order: a later entry wins.
    for (target, op) in &settings.operators {
        match target.as_deref() {
            None | Some("all") => rules.iter_mut().for_each(|r| r.operator = *op),
            Some(name) => {
                let known = BUILTINS.iter().any(|b| b.name == name) || custom_names.contains(name);
                if !known {
                    return Err(RedactError::UnknownRule {
                        name: name.to_string(),
                    });
                }
                if let Some(r) = rules.iter_mut().find(|r| r.name == name) {
                    r.operator = *op;
                }
            }
        }
    }
    if settings.hash_key.is_none()
        && let Some(r) = rules.iter().find(|r| r.operator == super::Operator::Hash)
    {
        return Err(RedactError::MissingHashKey {
            rule: r.name.clone(),
        });
    }

    // Compiling is most of the start-up time (regex-syntax parses, NFAs, prefilters): the
    // rules' own regexes and the groups are compiled on the thread pool.
    rules.par_iter_mut().zip(&patterns).try_for_each(
        |(r, pattern)| -> Result<(), RedactError> {
            r.first = first_bytes(pattern);
            if r.secret == Secret::Captures {
                let regex = meta::Builder::new()
                    .syntax(syntax_config())
                    .configure(meta::Config::new().utf8_empty(false))
                    .build(pattern)
                    .map_err(|e| RedactError::InvalidRule {
                        name: r.name.clone(),
                        message: e.to_string(),
                    })?;
                r.captures = Some(regex);
            }
            Ok(())
        },
    )?;

    let mut members: Vec<Vec<usize>> = vec![Vec::new(); GROUPS];
    for (i, r) in rules.iter().enumerate() {
        let custom = i < rules.len() - BUILTINS.iter().zip(&enabled).filter(|(_, on)| **on).count();
        members[group_of(&r.name, custom)].push(i);
    }
    let groups = members
        .into_par_iter()
        .enumerate()
        .filter(|(_, rule_ids)| !rule_ids.is_empty())
        .map(|(id, rule_ids)| -> Result<Group, RedactError> {
            let pats: Vec<&str> = rule_ids.iter().map(|&i| patterns[i].as_str()).collect();
            let regex = meta::Builder::new()
                .syntax(syntax_config())
                .configure(meta_config())
                .build_many(&pats)
                .map_err(|e| RedactError::InvalidRule {
                    name: rule_ids
                        .iter()
                        .map(|&i| rules[i].name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    message: e.to_string(),
                })?;
            let finder = match id {
                _ if !starts => None,
                0 | 1 => Starts::from_patterns(&pats),
                3 => {
                    let names: Vec<&str> =
                        rule_ids.iter().map(|&i| rules[i].name.as_str()).collect();
                    Starts::numeric(&names)
                }
                _ => None,
            };
            let shortcuts = if finder.is_some() {
                shortcuts(&rules, &rule_ids)
            } else {
                Vec::new()
            };
            Ok(Group {
                regex,
                rules: rule_ids,
                starts: finder,
                shortcuts,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let allow = if settings.allow_patterns.is_empty() {
        None
    } else {
        for p in &settings.allow_patterns {
            meta::Builder::new()
                .syntax(syntax_config())
                .build(p)
                .map_err(|e| RedactError::InvalidAllow {
                    pattern: p.clone(),
                    message: e.to_string(),
                })?;
        }
        let whole: Vec<String> = settings
            .allow_patterns
            .iter()
            .map(|p| format!("^(?:{p})$"))
            .collect();
        Some(
            meta::Builder::new()
                .syntax(syntax_config())
                .build_many(&whole)
                .map_err(|e| RedactError::InvalidAllow {
                    pattern: settings.allow_patterns.join(" | "),
                    message: e.to_string(),
                })?,
        )
    };

    let index = |name: &str| rules.iter().position(|r| r.name == name);
    let aws_pair = index("aws_access_key").zip(index("aws_secret_key"));
    Ok(Redactor {
        aws_pair,
        reference: !starts,
        rules,
        groups,
        allow_values: settings
            .allow_values
            .iter()
            .map(|v| v.as_bytes().to_vec())
            .collect(),
        allow,
        key: settings.hash_key.clone(),
        scratch: ScratchPool::default(),
    })
}

/// The shortcuts of a group of `rule_ids`: the PEM and JWT matchers of `runs.rs`, for as long
/// as no other rule of the group can start with the first byte of their literal.
fn shortcuts(rules: &[Rule], rule_ids: &[usize]) -> Vec<Shortcut> {
    let mut out = Vec::new();
    for (local, &id) in rule_ids.iter().enumerate() {
        let (prefix, end): (&'static [u8], MatchEnd) = match rules[id].name.as_str() {
            "private_key" => (b"-----BEGIN", runs::pem_block_end),
            "jwt" => (b"eyJ", runs::jwt_end),
            _ => continue,
        };
        let alone = rule_ids.iter().filter(|&&other| other != id).all(|&other| {
            rules[other]
                .first
                .as_ref()
                .is_some_and(|first| !first[usize::from(prefix[0])])
        });
        if alone {
            out.push(Shortcut {
                pattern: PatternID::must(local),
                prefix,
                end,
            });
        }
    }
    out
}

/// A custom rule must have a unique name, a pattern that compiles and cannot match empty text.
fn validate_custom<'a>(c: &'a CustomRule, seen: &mut HashSet<&'a str>) -> Result<(), RedactError> {
    let fail = |message: String| RedactError::InvalidRule {
        name: c.name.clone(),
        message,
    };
    if c.name.is_empty() {
        return Err(RedactError::InvalidRule {
            name: String::new(),
            message: "every rule needs a name".into(),
        });
    }
    if !seen.insert(c.name.as_str()) {
        return Err(fail("the name is used twice".into()));
    }
    if c.name == "all" || BUILTINS.iter().any(|b| b.name == c.name) {
        return Err(fail(
            "the name is reserved by a built-in rule; pick another".into(),
        ));
    }
    if c.pattern.is_empty() {
        return Err(fail("the pattern is empty".into()));
    }
    let re = meta::Builder::new()
        .syntax(syntax_config())
        .build(&c.pattern)
        .map_err(|e| fail(format!("the pattern does not compile: {e}")))?;
    if re.is_match(Input::new("").anchored(Anchored::Yes)) {
        return Err(fail("the pattern matches empty text".into()));
    }
    if let Some(label) = &c.label
        && (label.is_empty()
            || !label
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
    {
        return Err(fail(format!(
            "type {label:?} must be upper-case letters, digits and '_'"
        )));
    }
    Ok(())
}

/// Why a match was not taken, and where to look next.
enum Reject {
    /// Try again one byte later.
    Next,
    /// Nothing can start before this position (e.g. the end of a too-long run).
    ResumeAt(usize),
    /// As `ResumeAt`, and no other rule can match at the same start either (a plain run of
    /// 13–19 digits that fails Luhn is an order number for every rule).
    Final(usize),
}

/// How far past the end of its range a search may look: the longest finding that is guaranteed
/// to be found whole (also the stream's overlap). Bounding the search keeps a part of a parallel
/// scan from running through the rest of the buffer when there is nothing left to find.
pub(crate) const REACH: usize = 64 << 10;

/// Below this size a range is scanned on the calling thread.
const PARALLEL_MIN: usize = 1 << 20;

/// The bounds of the parts of `from..until` for `threads` threads: each part a quarter of what
/// is left per thread, down to [`PARALLEL_MIN`] / 16 (guided scheduling).
fn guided_parts(from: usize, until: usize, threads: usize) -> Vec<usize> {
    let smallest = PARALLEL_MIN / 16;
    let mut bounds = vec![from];
    let mut at = from;
    while at < until {
        let size = ((until - at) / (threads * 4)).max(smallest);
        at = (at + size).min(until);
        bounds.push(at);
    }
    bounds
}

/// The scan of one part of a range: the positions the loop visited and the hits it found.
#[derive(Debug, Default)]
struct Part {
    /// `(position at the top of the loop, hit found from there)`, in order.
    steps: Vec<(usize, [Option<Hit>; 2])>,
    /// Where the loop stopped (the next position it would have searched from).
    end: usize,
}

/// What one step of the scan found: a finding, and possibly the one that belongs to it (the bare
/// AWS secret after its key id).
type Found = [Option<Hit>; 2];

/// A group's next finding and the position after it (`None`: none before the scan's end),
/// remembered with the position it was searched from.
type Lookahead = Option<(usize, Option<(Found, usize)>)>;

/// What a scan needs besides the redactor: a regex cache per group, capture slots per rule, the
/// start finders' state and each group's next finding.
#[derive(Debug, Default)]
struct Scratch {
    /// Regex cache per group.
    caches: Vec<meta::Cache>,
    /// Capture slots per rule (rules with `Secret::Captures` only).
    caps: Vec<Option<Captures>>,
    /// The start finders' state per group.
    starts: Vec<starts::State>,
    /// `(position searched from, its result)` per group.
    next: Vec<Lookahead>,
}

/// The scratch sets that scans have finished with, for the next scans. A scan takes one set for
/// its whole range: `meta::Regex::search` would take a cache from the regex's own pool for every
/// search (on any thread but the first to search, a lock and an unlock each time: 1.4% of a
/// scan's samples), and building a set costs more than scanning a chat message (1.2k
/// instructions, most of them the capture slots).
#[derive(Debug, Default)]
pub(crate) struct ScratchPool(Mutex<Vec<Scratch>>);

impl ScratchPool {
    fn take(&self, r: &Redactor) -> Scratch {
        let spare = self.0.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match spare {
            Some(mut scratch) => {
                // Caches and capture slots carry nothing from one search to the next; the
                // finders' state and the lookahead describe the text of the last scan.
                scratch.starts.fill_with(starts::State::default);
                scratch.next.fill(None);
                scratch
            }
            None => Scratch {
                caches: r.groups.iter().map(|g| g.regex.create_cache()).collect(),
                caps: r
                    .rules
                    .iter()
                    .map(|rule| rule.captures.as_ref().map(meta::Regex::create_captures))
                    .collect(),
                starts: r.groups.iter().map(|_| starts::State::default()).collect(),
                next: vec![None; r.groups.len()],
            },
        }
    }

    fn give_back(&self, scratch: Scratch) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(scratch);
    }
}

/// A scan's state, taken from the redactor's pool and given back when the cursor is dropped.
struct Cursor<'r> {
    pool: &'r ScratchPool,
    scratch: Scratch,
}

impl<'r> Cursor<'r> {
    fn new(r: &'r Redactor) -> Self {
        Self {
            pool: &r.scratch,
            scratch: r.scratch.take(r),
        }
    }
}

impl Drop for Cursor<'_> {
    fn drop(&mut self) {
        self.pool.give_back(std::mem::take(&mut self.scratch));
    }
}

impl Redactor {
    /// Reports every finding whose match starts in `from..until`, in order and non-overlapping.
    /// `hay` may extend beyond `until` (the look-ahead of a stream) and before `from` (context).
    ///
    /// Large ranges are split into parts scanned in parallel, then stitched so that the result
    /// is exactly that of one sequential scan: a step's result depends only on the position it
    /// starts from, so where the sequential continuation of part `j-1` reaches a position part
    /// `j` also visited, the two agree from there on; until then the continuation is scanned
    /// sequentially.
    pub(crate) fn scan(&self, hay: &[u8], from: usize, until: usize, emit: &mut dyn FnMut(Hit)) {
        let mut emit = |found: Found| found.into_iter().flatten().for_each(&mut *emit);
        if self.groups.is_empty() {
            return;
        }
        let threads = rayon::current_num_threads();
        if threads < 2 || until.saturating_sub(from) < PARALLEL_MIN {
            let part = self.scan_part(hay, from, until);
            part.steps.into_iter().for_each(|(_, found)| emit(found));
            return;
        }
        let bounds = guided_parts(from, until, threads);
        let n = bounds.len() - 1;
        // The threads take the parts in order, each the next one left when it is done: the
        // parts shrink towards the end of the range, so the thread that finishes last waits
        // least (an even split left one thread idle for a tenth of each block, measured).
        let next = AtomicUsize::new(0);
        let scanned: Vec<OnceLock<Part>> = (0..n).map(|_| OnceLock::new()).collect();
        rayon::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|_| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let part = self.scan_part(hay, bounds[i], bounds[i + 1]);
                        scanned[i].set(part).expect("each part is taken once");
                    }
                });
            }
        });
        let parts: Vec<Part> = scanned
            .into_iter()
            .map(|part| part.into_inner().expect("every part is scanned"))
            .collect();
        let mut pos = from;
        for (i, part) in parts.iter().enumerate() {
            let part_until = bounds[i + 1];
            let mut cursor = Cursor::new(self);
            loop {
                if let Ok(t) = part.steps.binary_search_by_key(&pos, |(p, _)| *p) {
                    // In step with the part: take the rest of its work.
                    for (_, found) in &part.steps[t..] {
                        emit(*found);
                    }
                    pos = part.end;
                    break;
                }
                if pos >= part_until || pos == part.end {
                    break;
                }
                match self.step(hay, pos, part_until, &mut cursor) {
                    None => {
                        pos = part_until.max(pos);
                        break;
                    }
                    Some((found, next)) => {
                        emit(found);
                        pos = next;
                    }
                }
            }
        }
    }

    /// Scans `from..until` on this thread, recording every step.
    fn scan_part(&self, hay: &[u8], from: usize, until: usize) -> Part {
        let mut cursor = Cursor::new(self);
        // Room for a finding every 256 bytes (the benchmark corpus has one every 270): growing
        // the list from empty reallocated it a dozen times per part.
        let mut part = Part {
            steps: Vec::with_capacity(until.saturating_sub(from) / 256),
            end: from,
        };
        let mut pos = from;
        while pos < until {
            match self.step(hay, pos, until, &mut cursor) {
                None => break,
                Some((found, next)) => {
                    part.steps.push((pos, found));
                    pos = next;
                }
            }
        }
        part.end = pos;
        part
    }

    /// One step of the scan from `pos`: the earliest finding of any group that starts before
    /// `until` (ties: the rule listed first), and the position after it; `None` when there is
    /// none. A group's next finding is remembered while it still lies ahead of `pos`.
    fn step(
        &self,
        hay: &[u8],
        pos: usize,
        until: usize,
        cursor: &mut Cursor,
    ) -> Option<(Found, usize)> {
        let mut best: Option<(Found, usize)> = None;
        for g in 0..self.groups.len() {
            let fresh = match cursor.scratch.next[g] {
                Some((_, None)) => false,
                Some((_, Some((found, _)))) => found[0].is_some_and(|h| h.start >= pos),
                None => false,
            };
            let reusable =
                fresh || matches!(cursor.scratch.next[g], Some((from, None)) if from <= pos);
            if !reusable {
                let result = self.next_in_group(g, hay, pos, until, cursor);
                cursor.scratch.next[g] = Some((pos, result));
            }
            let Some((_, Some(candidate))) = cursor.scratch.next[g] else {
                continue;
            };
            let hit = candidate.0[0].expect("a step always has a first finding");
            let better = match &best {
                None => true,
                Some((found, _)) => {
                    let b = found[0].expect("a step always has a first finding");
                    (hit.start, hit.rule) < (b.start, b.rule)
                }
            };
            if better {
                best = Some(candidate);
            }
        }
        best
    }

    /// The next finding of group `g` that starts in `pos..until`, and the position after it.
    fn next_in_group(
        &self,
        g: usize,
        hay: &[u8],
        mut pos: usize,
        until: usize,
        cursor: &mut Cursor,
    ) -> Option<(Found, usize)> {
        let group = &self.groups[g];
        let reach = (until.saturating_add(REACH)).min(hay.len());
        while pos < until {
            let cache = &mut cursor.scratch.caches[g];
            let m = Self::find(
                group,
                hay,
                pos,
                until,
                reach,
                &mut cursor.scratch.starts[g],
                cache,
            )?;
            let caps = &mut cursor.scratch.caps;
            let local = m.pattern().as_usize();
            let outcome = match self.confirm(group, hay, local, m.range(), caps) {
                Ok(hit) => Ok(hit),
                Err(Reject::Final(p)) => Err(Reject::Final(p)),
                Err(reject) => self
                    .fallback(group, hay, local, m.start(), caps, cache)
                    .ok_or(reject),
            };
            match outcome {
                Ok(hit) => {
                    let follow = self.follow_up(hay, hit);
                    let end = follow.map_or(hit.end, |f| f.end);
                    return Some(([Some(hit), follow], end.max(m.start() + 1)));
                }
                Err(Reject::Next) => pos = m.start() + 1,
                Err(Reject::ResumeAt(p) | Reject::Final(p)) => pos = p.max(m.start() + 1),
            }
        }
        None
    }

    /// The group's leftmost match that starts in `pos..until` (ending before `reach`): the
    /// regex anchored at each possible start in turn, or searched unanchored without a finder.
    fn find(
        group: &Group,
        hay: &[u8],
        pos: usize,
        until: usize,
        reach: usize,
        state: &mut starts::State,
        cache: &mut meta::Cache,
    ) -> Option<Match> {
        let Some(starts) = &group.starts else {
            let m = group
                .regex
                .search_with(cache, &Input::new(hay).range(pos..reach))?;
            return (m.start() < until).then_some(m);
        };
        let mut at = pos;
        loop {
            let start = starts.next(hay, at, until, state)?;
            let input = Input::new(hay).range(start..reach).anchored(Anchored::Yes);
            let within = &hay[..reach];
            let found = match group
                .shortcuts
                .iter()
                .find(|s| within[start..].starts_with(s.prefix))
            {
                Some(shortcut) => {
                    let found = (shortcut.end)(within, start)
                        .map(|end| Match::new(shortcut.pattern, start..end));
                    debug_assert_eq!(found, group.regex.search(&input));
                    found
                }
                None => group.regex.search_with(cache, &input),
            };
            if found.is_some() {
                return found;
            }
            at = start + 1;
        }
    }

    /// Every start group `g`'s finder reports in `hay` (`None`: the group has no finder).
    #[cfg(test)]
    pub(crate) fn starts_of(&self, g: usize, hay: &[u8]) -> Option<Vec<usize>> {
        let starts = self.groups[g].starts.as_ref()?;
        let mut state = starts::State::default();
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(s) = starts.next(hay, at, hay.len(), &mut state) {
            found.push(s);
            at = s + 1;
        }
        Some(found)
    }

    /// Whether group `g`'s regex matches anchored at `at`.
    #[cfg(test)]
    pub(crate) fn matches_at(&self, g: usize, hay: &[u8], at: usize) -> bool {
        let input = Input::new(hay).range(at..).anchored(Anchored::Yes);
        self.groups[g].regex.search(&input).is_some()
    }

    /// A second finding that belongs to the first: the bare AWS secret key after its key id.
    fn follow_up(&self, hay: &[u8], hit: Hit) -> Option<Hit> {
        let (key_id, secret) = self.aws_pair?;
        if hit.rule != key_id {
            return None;
        }
        let span = validate::aws_secret_after(hay, hit.end)?;
        let value = &hay[span.clone()];
        if self.allowed(value) {
            return None;
        }
        Some(Hit {
            rule: secret,
            start: span.start,
            end: span.end,
        })
    }

    /// Lower-priority rules of the group that match at the same start as a rejected match.
    fn fallback(
        &self,
        group: &Group,
        hay: &[u8],
        after: usize,
        start: usize,
        caps: &mut [Option<Captures>],
        cache: &mut meta::Cache,
    ) -> Option<Hit> {
        let byte = usize::from(hay[start]);
        for local in after + 1..group.rules.len() {
            let rule = &self.rules[group.rules[local]];
            if rule.first.as_ref().is_some_and(|set| !set[byte]) {
                continue;
            }
            let input = Input::new(hay)
                .range(start..)
                .anchored(Anchored::Pattern(PatternID::must(local)));
            // A rejected card is most often a long number that cannot be anything else either:
            // these checks spare the regex a walk per remaining shape.
            if rule.may_start.is_some_and(|may| !may(hay, start)) {
                debug_assert_eq!(group.regex.search(&input), None, "{}", rule.name);
                continue;
            }
            if let Some(m) = group.regex.search_with(cache, &input)
                && let Ok(hit) = self.confirm(group, hay, local, m.range(), caps)
            {
                return Some(hit);
            }
        }
        None
    }

    /// Turns a match of rule `pid` into a finding, or says why not.
    fn confirm(
        &self,
        group: &Group,
        hay: &[u8],
        local: usize,
        matched: Range<usize>,
        caps: &mut [Option<Captures>],
    ) -> Result<Hit, Reject> {
        let pid = group.rules[local];
        let rule = &self.rules[pid];
        let (mut span, keyword) = if rule.secret == Secret::Bounded {
            if !left_boundary(hay, matched.start) {
                return Err(Reject::Next);
            }
            (matched.clone(), false)
        } else if rule.secret == Secret::Escape {
            // `(?:\\[nrtbf]|\b)(?P<secret>...)`: the group is the match minus an escape.
            let skip = if hay[matched.start] == b'\\' { 2 } else { 0 };
            (matched.start + skip..matched.end, false)
        } else if rule.secret == Secret::Captures {
            let known = if self.reference {
                None
            } else {
                known_secret(&rule.name, hay, matched.clone())
            };
            match known {
                Some(found) => {
                    debug_assert_eq!(found, captured(rule, caps[pid].as_mut(), hay, &matched));
                    found
                }
                None => captured(rule, caps[pid].as_mut(), hay, &matched),
            }
        } else {
            (matched.clone(), false)
        };
        if span.is_empty() {
            return Err(Reject::Next);
        }
        let checked = match rule.check {
            Check::None => Some(span),
            Check::Card => match validate::card(hay, span.clone()) {
                Some(found) => Some(found),
                None if hay[span.clone()].iter().all(u8::is_ascii_digit) => {
                    return Err(Reject::Final(span.end));
                }
                None => None,
            },
            Check::Luhn => validate::luhn(&hay[span.clone()]).then_some(span),
            Check::Ssn => validate::ssn(hay, span, keyword),
            Check::Email => validate::email(hay, span),
            Check::Ipv4 => validate::ipv4(hay, span),
            Check::Ipv6 => validate::ipv6(hay, span),
            Check::Phone => validate::phone(hay, span),
            Check::KeyLike => validate::key_like(hay, span),
            Check::AwsSecret => {
                let class = |b: &u8| b.is_ascii_alphanumeric() || *b == b'/' || *b == b'+';
                let run_end = span.end + hay[span.end..].iter().take_while(|b| class(b)).count();
                let before_ok = span.start == 0
                    || !class(&hay[span.start - 1])
                    || (span.start >= 2 && hay[span.start - 2] == b'\\');
                if run_end != span.end {
                    return Err(Reject::ResumeAt(run_end));
                }
                if !before_ok {
                    return Err(Reject::Next);
                }
                validate::aws_secret(hay, span, keyword)
            }
            Check::Value => Some(strip_quotes(hay, span)),
        };
        let Some(checked) = checked else {
            return Err(Reject::Next);
        };
        span = checked;
        let value = &hay[span.clone()];
        if validate::is_placeholder(value) || self.allowed(value) {
            return Err(Reject::ResumeAt(matched.end));
        }
        if !rule.keywords.is_empty() {
            let lo = span.start.saturating_sub(rule.window);
            let hi = (span.end + rule.window).min(hay.len());
            let near = &hay[lo..hi];
            if !rule
                .keywords
                .iter()
                .any(|k| validate::contains_ignore_case(near, k))
            {
                return Err(Reject::Next);
            }
        }
        Ok(Hit {
            rule: pid,
            start: span.start,
            end: span.end,
        })
    }
}

/// The `secret` span of a match and whether its `kw` group matched, from the rule's own regex,
/// anchored and bounded by the match: it finds the same match, and the capture engine's work
/// grows with the states and the span it is given.
fn captured(
    rule: &Rule,
    caps: Option<&mut Captures>,
    hay: &[u8],
    matched: &Range<usize>,
) -> (Range<usize>, bool) {
    let (Some(re), Some(caps)) = (&rule.captures, caps) else {
        return (matched.clone(), false);
    };
    let input = Input::new(hay)
        .range(matched.clone())
        .anchored(Anchored::Yes);
    re.search_captures(&input, caps);
    let secret = caps
        .get_group_by_name("secret")
        .map_or(matched.clone(), |s| s.range());
    (secret, caps.get_group_by_name("kw").is_some())
}

/// The `secret` span and `kw` flag of a built-in rule's match, read off the shape of its pattern
/// in `rules.rs` without the capture engine (`None`: only captures can tell). Each pattern ends
/// with its `secret` group, and what comes before it cannot be taken for the secret's first
/// byte: spaces and tabs after `Bearer` or `password=`, an optional scheme word followed by
/// spaces after `Authorization:`. Debug builds check every answer against the captures.
fn known_secret(name: &str, hay: &[u8], m: Range<usize>) -> Option<(Range<usize>, bool)> {
    let blanks = |mut i: usize| {
        while i < m.end && matches!(hay[i], b' ' | b'\t') {
            i += 1;
        }
        i
    };
    let after_separator = || {
        let sep = hay[m.clone()]
            .iter()
            .position(|&b| b == b':' || b == b'=')?;
        Some(blanks(m.start + sep + 1))
    };
    match name {
        // Without the keyword, the match is the number, after a JSON escape if there is one.
        "ssn" => match hay[m.start] {
            b'0'..=b'9' => Some((m, false)),
            b'\\' => Some((m.start + 2..m.end, false)),
            _ => None,
        },
        "aws_secret_key" => (m.len() >= 40).then(|| (m.end - 40..m.end, true)),
        "bearer" => Some((blanks(m.start + "bearer".len())..m.end, false)),
        "password" => Some((after_separator()?..m.end, false)),
        "authorization" => {
            let mut p = after_separator()?;
            if hay.get(p) == Some(&b'\\') {
                p += 1;
            }
            if matches!(hay.get(p), Some(b'"' | b'\'')) {
                p += 1;
            }
            if p >= m.end {
                return None;
            }
            // A scheme (`Bearer`, `Basic`, ...) is taken when a secret follows its blanks.
            let scheme = hay[p..m.end]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
                .count();
            let secret = blanks(p + scheme);
            let taken = hay[p].is_ascii_alphabetic()
                && scheme <= 31
                && secret > p + scheme
                && secret < m.end;
            Some((if taken { secret } else { p }..m.end, false))
        }
        _ => None,
    }
}

/// `"value"`, `\"value\"` and `'value'` → the span of `value`.
fn strip_quotes(hay: &[u8], mut span: Range<usize>) -> Range<usize> {
    let text = &hay[span.clone()];
    for (open, close) in [(&b"\\\""[..], &b"\\\""[..]), (b"\"", b"\""), (b"'", b"'")] {
        if text.len() >= open.len() + close.len() && text.starts_with(open) && text.ends_with(close)
        {
            span.start += open.len();
            span.end -= close.len();
            return span;
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stitched parallel scan equals one sequential scan, also when findings, rejected
    /// candidates and long runs sit on the part boundaries.
    #[test]
    fn parallel_scan_equals_sequential_scan() {
        let r = Redactor::with_defaults();
        let pieces: [&[u8]; 6] = [
            b"jane@example.com ",
            b"4111 1111 1111 1111 ",
            b"4111111111111112 ",
            b"AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ",
            b"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
            b"10.0.0.1 v1.2.3.4 ",
        ];
        let mut hay = Vec::new();
        let mut i = 0usize;
        while hay.len() < 3 * PARALLEL_MIN {
            hay.extend(std::iter::repeat_n(b'a', i * 7919 % 601));
            hay.extend_from_slice(pieces[i % pieces.len()]);
            i += 1;
        }
        let sequential: Vec<Hit> = r
            .scan_part(&hay, 0, hay.len())
            .steps
            .into_iter()
            .flat_map(|(_, found)| found.into_iter().flatten())
            .collect();
        let mut parallel = Vec::new();
        r.scan(&hay, 0, hay.len(), &mut |h| parallel.push(h));
        assert!(sequential.len() > 1000);
        assert_eq!(parallel, sequential);
    }
}
