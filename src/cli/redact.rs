//! `plugctl redact`: rewrite personal data and secrets in files or stdin, or `--check` for them.
//!
//! This file resolves settings (flags > `PLUGCTL_*` > `--rules` file > plugctl.yaml > defaults),
//! picks where each input goes (stdout, `-o`, or back in place, atomically), calls the
//! [`crate::redact`] engine and renders the summary or the findings. The engine is in
//! `src/redact/`.

use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use comfy_table::Cell;
use serde::Serialize;

use super::Globals;
use crate::auth::KeyringStore;
use crate::config::env;
use crate::config::file::RedactSection;
use crate::error::{CliError, ExitStatus};
use crate::files::{AtomicFile, Input};
use crate::output::{Printer, table};
use crate::redact::{
    Finding, HASH_KEY_ENTRY, HashKey, Mode, Operator, Redactor, Settings, Summary,
};

/// How to read the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// By extension: .json → json, .jsonl/.ndjson → jsonl, anything else → text.
    Auto,
    /// Any bytes; findings anywhere; everything else passes through byte for byte.
    Text,
    /// One JSON document; only string values are redacted.
    Json,
    /// One JSON document per line; lines that are not JSON are redacted as text.
    Jsonl,
}

/// Redact personal data and secrets in transcripts and logs, losslessly.
///
/// Finds payment cards (Luhn-checked), SSNs, e-mail addresses, IPv4/IPv6 addresses, phone numbers,
/// Authorization headers, bearer tokens, JWTs, vendor API keys, PEM private keys and passwords,
/// and rewrites only those bytes. Output goes to stdout unless -o or --in-place is given; a summary
/// of findings per rule goes to stderr. `--list-rules` shows every rule.
#[derive(Debug, Args)]
pub struct RedactArgs {
    /// Files to redact; none or "-" reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write the redacted output to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "out", value_name = "FILE", conflicts_with_all = ["in_place", "check"])]
    pub out: Option<PathBuf>,

    /// Rewrite each file in place (temporary file, fsync, atomic rename; permissions kept).
    #[arg(short = 'i', long, conflicts_with = "check")]
    pub in_place: bool,

    /// With --in-place, keep the original as FILE + SUFFIX (e.g. ".bak").
    #[arg(long, value_name = "SUFFIX", requires = "in_place")]
    pub backup: Option<String>,

    /// Change nothing; list findings as file:line:column (masked) and exit 3 if there are any.
    #[arg(long)]
    pub check: bool,

    /// How to read the inputs.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,

    /// A YAML rules file (the shape of the `redact:` section of plugctl.yaml).
    #[arg(long, value_name = "FILE", env = env::REDACT_RULES)]
    pub rules: Option<PathBuf>,

    /// Turn rules on (repeatable, or comma-separated), e.g. at_token; "all" for every built-in.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub enable: Vec<String>,

    /// Turn rules off (repeatable, or comma-separated), e.g. phone,ipv6.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub disable: Vec<String>,

    /// Operator for one rule (RULE=OP) or for all (OP): replace, mask or hash. Repeatable.
    /// hash needs a key in $PLUGCTL_REDACT_KEY or `redact: hash_key:`.
    #[arg(long, value_name = "[RULE=]OP")]
    pub operator: Vec<String>,

    /// Write the summary (JSON, with per-input counts) to FILE instead of stderr.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// With --check, list at most N findings per input (all are counted); 0 lists all.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_findings: usize,

    /// List the rules, whether they are on and their operator, and exit.
    #[arg(long)]
    pub list_rules: bool,
}

pub fn run(args: RedactArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let settings = resolve(&args, globals)?;
    let printer = &globals.printer;
    if args.list_rules {
        return list_rules(&settings, printer);
    }
    let redactor = Redactor::new(&settings)?;
    let inputs = Input::from_args(&args.files);
    if args.in_place && inputs.contains(&Input::Stdin) {
        return Err(
            CliError::usage(anyhow::anyhow!("--in-place needs files, not stdin"))
                .with_hint("name the files to rewrite, or drop --in-place to write to stdout"),
        );
    }

    let limit = if args.max_findings == 0 {
        usize::MAX
    } else {
        args.max_findings
    };
    let collect = args.check.then_some(limit);
    let mut shared_out = match &args.out {
        Some(path) => {
            Some(AtomicFile::create(path).with_context(|| format!("creating {}", path.display()))?)
        }
        None => None,
    };
    let mut stdout = BufWriter::with_capacity(256 << 10, PrinterOut(printer));
    let mut reports = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let name = input.display_name();
        let mode = mode_for(args.format, input);
        let summary = if args.check {
            redact_one(&redactor, input, mode, None, collect)
        } else if args.in_place {
            let Input::Path(path) = input else {
                unreachable!("stdin is refused above")
            };
            let mut out = AtomicFile::create(path)
                .with_context(|| format!("creating a temporary file next to {name}"))?;
            let summary = {
                let mut w = BufWriter::with_capacity(256 << 10, out.file());
                let s = redact_one(&redactor, input, mode, Some(&mut w), None)
                    .with_context(|| format!("redacting {name}"))?;
                w.flush().with_context(|| format!("writing {name}"))?;
                s
            };
            let backup = args.backup.as_ref().map(|suffix| backup_path(path, suffix));
            out.commit(backup.as_deref())
                .with_context(|| format!("replacing {name}"))?;
            Ok(summary)
        } else if let Some(out) = shared_out.as_mut() {
            let mut w = BufWriter::with_capacity(256 << 10, out.file());
            let s = redact_one(&redactor, input, mode, Some(&mut w), None);
            w.flush().context("writing the output file")?;
            s
        } else {
            redact_one(&redactor, input, mode, Some(&mut stdout), None)
        };
        let summary = summary.with_context(|| format!("redacting {name}"))?;
        reports.push(InputReport {
            input: name,
            format: mode,
            summary,
        });
    }
    stdout.flush().context("writing to stdout")?;
    if let (Some(out), Some(path)) = (shared_out, &args.out) {
        out.commit(None)
            .with_context(|| format!("replacing {}", path.display()))?;
    }

    let report = Report::new(&args, reports);
    if args.check {
        render_findings(&report, printer)?;
    }
    render_summary(&report, &args, printer)?;
    if args.check && report.total > 0 {
        printer.check_failed(&format!(
            "{} finding{} in {} of {} input{}",
            report.total,
            if report.total == 1 { "" } else { "s" },
            report.inputs.iter().filter(|i| i.summary.total > 0).count(),
            report.inputs.len(),
            if report.inputs.len() == 1 { "" } else { "s" },
        ));
        return Ok(ExitStatus::CheckFailed);
    }
    Ok(ExitStatus::Success)
}

/// Stdout through the printer, so that nothing bypasses `output/`.
struct PrinterOut<'a>(&'a Printer);

impl Write for PrinterOut<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.raw(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn mode_for(format: FormatArg, input: &Input) -> Mode {
    match format {
        FormatArg::Auto => Mode::from_extension(input.extension().as_deref()),
        FormatArg::Text => Mode::Text,
        FormatArg::Json => Mode::Json,
        FormatArg::Jsonl => Mode::Jsonl,
    }
}

fn backup_path(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn redact_one(
    redactor: &Redactor,
    input: &Input,
    mode: Mode,
    writer: Option<&mut dyn Write>,
    collect: Option<usize>,
) -> anyhow::Result<Summary> {
    let mut reader = input.open().context("opening the input")?;
    let summary = match mode {
        Mode::Text => redactor.stream_text(&mut reader, writer, collect)?,
        Mode::Json | Mode::Jsonl => {
            let mut buffered = BufReader::with_capacity(256 << 10, reader);
            redactor.stream_json(&mut buffered, writer, mode == Mode::Jsonl, collect)?
        }
    };
    Ok(summary)
}

/// The settings of plugctl.yaml's `redact:` section and `$PLUGCTL_REDACT_KEY`: what
/// `plugctl serve` applies to every incoming message.
pub(crate) fn config_settings(globals: &Globals) -> Result<Settings, CliError> {
    let mut settings = Settings::default();
    let key = settings.add_section(&globals.config.file.redact)?;
    settings.hash_key = env::var(env::REDACT_KEY)
        .or(key)
        .map(|k| HashKey::new(k.as_bytes()));
    hash_key_from_keyring(&mut settings);
    Ok(settings)
}

/// Last in line for the hash operator's key: the OS keyring entry [`HASH_KEY_ENTRY`]. Asked only
/// when a hash operator is configured and no other key was given; a keyring that cannot answer
/// leaves the key unset, and building the redactor then says which keys it looked for.
fn hash_key_from_keyring(settings: &mut Settings) {
    if settings.hash_key.is_some() || !settings.wants_hash() {
        return;
    }
    match KeyringStore::new(super::login::keyring_service()).secret(HASH_KEY_ENTRY) {
        Ok(Some(key)) => settings.hash_key = Some(HashKey::new(key.as_bytes())),
        Ok(None) => {}
        Err(e) => tracing::debug!("no hash key from the OS keyring: {e}"),
    }
}

/// Layers, lowest first: plugctl.yaml, the rules file, then the flags.
fn resolve(args: &RedactArgs, globals: &Globals) -> Result<Settings, CliError> {
    let mut settings = Settings::default();
    let mut key = settings.add_section(&globals.config.file.redact)?;
    if let Some(path) = &args.rules {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading rules file {}", path.display()))?;
        let section: RedactSection = if text.trim().is_empty() {
            RedactSection::default()
        } else {
            serde_yaml::from_str(&text).map_err(|e| {
                let at = e
                    .location()
                    .map(|l| format!(":{}:{}", l.line(), l.column()))
                    .unwrap_or_default();
                CliError::usage(anyhow::anyhow!(
                    "invalid rules file {}{at}: {}",
                    path.display(),
                    crate::error::parse_message(&e.to_string())
                ))
                .with_hint("a rules file has the keys of the `redact:` section: enable, disable, operators, rules, allow, hash_key")
            })?
        };
        if let Some(k) = settings.add_section(&section).map_err(|e| {
            CliError::from(e).with_hint(format!("fix the rule in {}", path.display()))
        })? {
            key = Some(k);
        }
    }
    settings.push_toggles(&args.enable, &args.disable);
    for spec in &args.operator {
        let (rule, op) = match spec.split_once('=') {
            Some((rule, op)) => (Some(rule.trim().to_string()), op),
            None => (None, spec.as_str()),
        };
        let op = Operator::parse(op).map_err(CliError::from)?;
        settings.operators.push((rule, op));
    }
    if let Some(k) = env::var(env::REDACT_KEY) {
        key = Some(k);
    }
    settings.hash_key = key.map(|k| HashKey::new(k.as_bytes()));
    hash_key_from_keyring(&mut settings);
    Ok(settings)
}

fn list_rules(settings: &Settings, printer: &Printer) -> Result<ExitStatus, CliError> {
    let rules = Redactor::describe(settings)?;
    if printer.is_json() {
        printer.json(&rules).context("writing to stdout")?;
        return Ok(ExitStatus::Success);
    }
    let mut t = table::new(
        printer,
        &["rule", "type", "on", "operator", "what it finds"],
    );
    for r in &rules {
        t.add_row(vec![
            Cell::new(&r.name),
            Cell::new(&r.label),
            Cell::new(if r.enabled { "yes" } else { "no" }),
            Cell::new(r.operator),
            Cell::new(&r.description),
        ]);
    }
    printer.table(&t).context("writing to stdout")?;
    Ok(ExitStatus::Success)
}

/// The summary of a run (`--report FILE`, `--output json`): field names are part of the interface.
#[derive(Debug, Serialize)]
struct Report {
    schema_version: u32,
    check: bool,
    inputs: Vec<InputReport>,
    counts: std::collections::BTreeMap<String, u64>,
    total: u64,
}

#[derive(Debug, Serialize)]
struct InputReport {
    input: String,
    format: Mode,
    #[serde(flatten)]
    summary: Summary,
}

impl Report {
    fn new(args: &RedactArgs, inputs: Vec<InputReport>) -> Self {
        let mut counts = std::collections::BTreeMap::new();
        for i in &inputs {
            for (rule, n) in &i.summary.counts {
                *counts.entry(rule.clone()).or_insert(0) += n;
            }
        }
        Self {
            schema_version: 1,
            check: args.check,
            total: counts.values().sum(),
            counts,
            inputs,
        }
    }
}

/// `--check`: one line per finding on stdout, `file:line:column: rule: preview`.
fn render_findings(report: &Report, printer: &Printer) -> Result<(), CliError> {
    if printer.is_json() {
        #[derive(Serialize)]
        struct Located<'a> {
            input: &'a str,
            #[serde(flatten)]
            finding: &'a Finding,
        }
        let all: Vec<Located<'_>> = report
            .inputs
            .iter()
            .flat_map(|i| {
                i.summary.findings.iter().map(|f| Located {
                    input: &i.input,
                    finding: f,
                })
            })
            .collect();
        printer.json(&all).context("writing to stdout")?;
        return Ok(());
    }
    for i in &report.inputs {
        for f in &i.summary.findings {
            printer
                .line(&format!(
                    "{}:{}:{}: {}: {}",
                    i.input, f.line, f.column, f.rule, f.preview
                ))
                .context("writing to stdout")?;
        }
        if i.summary.findings_not_listed > 0 {
            printer.warn(&format!(
                "{}: {} more findings not listed",
                i.input, i.summary.findings_not_listed
            ));
        }
    }
    Ok(())
}

/// The counts per rule: to `--report FILE` as JSON, else to stderr (JSON with `--output json`).
fn render_summary(report: &Report, args: &RedactArgs, printer: &Printer) -> Result<(), CliError> {
    if let Some(path) = &args.report {
        let mut text = serde_json::to_vec_pretty(report).context("encoding the report")?;
        text.push(b'\n');
        crate::files::write_atomic(path, &text)
            .with_context(|| format!("writing report {}", path.display()))?;
        return Ok(());
    }
    if printer.is_json() {
        if !args.check {
            printer.json_stderr(report).context("writing to stderr")?;
        }
        return Ok(());
    }
    if args.check || printer.verbosity == crate::output::Verbosity::Quiet {
        return Ok(());
    }
    if report.total == 0 {
        printer.status("redact: nothing found");
        return Ok(());
    }
    let mut t = table::new(printer, &["rule", "found"]);
    for (rule, n) in &report.counts {
        t.add_row(vec![Cell::new(rule), Cell::new(table::thousands(*n))]);
    }
    t.add_row(vec![
        Cell::new("total"),
        Cell::new(table::thousands(report.total)),
    ]);
    table::align_right(&mut t, &[1]);
    printer.table_stderr(&t);
    Ok(())
}
