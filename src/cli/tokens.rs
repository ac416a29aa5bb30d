//! `plugctl tokens count` and `plugctl tokens compress`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use comfy_table::Cell;
use serde::Serialize;

use super::Globals;
use crate::config::{Origin, env};
use crate::error::{CliError, ExitStatus};
use crate::files::{self, Input};
use crate::output::{Printer, progress, table};
use crate::tokens::chat::{self, ChatFormula, Syntax, Transcript};
use crate::tokens::compress::{self, Action, Options, Strategy};
use crate::tokens::{Counter, Encoding, count::decode_utf8};

/// Progress is worth drawing above this much input (about a second of counting).
const PROGRESS_MIN_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula).
    Count(CountArgs),
    /// Trim a chat transcript to a token budget and write it back in the same format.
    Compress(CompressArgs),
}

/// Which tokenizer to count with; `--model` maps a model name to its encoding.
#[derive(Debug, Args)]
pub struct TokenizerArgs {
    /// Encoding: o200k_base (default), o200k_harmony, cl100k_base, p50k_base, r50k_base.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,

    /// Model whose encoding (and chat formula) to use, e.g. gpt-4o, gpt-4, gpt-3.5-turbo, o3.
    #[arg(long, value_name = "NAME", conflicts_with = "encoding")]
    pub model: Option<String>,
}

/// How to read an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Chat for .json, .jsonl, .yaml and .yml files; text otherwise.
    Auto,
    /// Plain text: every byte counts.
    Text,
    /// A chat transcript: a list of messages or a request with `messages` (and `tools`).
    Chat,
}

#[derive(Debug, Args)]
pub struct CountArgs {
    /// Files to count; none or "-" reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub tokenizer: TokenizerArgs,

    /// How to read the inputs.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub format: InputFormat,

    /// Show the tokens of each message of a chat transcript.
    #[arg(long)]
    pub per_message: bool,

    /// Fail (exit 3) when any input has more than N tokens.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
}

#[derive(Debug, Args)]
pub struct CompressArgs {
    /// The chat transcript (.json, .jsonl, .yaml); "-" reads stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The budget for the whole request: messages, tools and the reserved reply.
    #[arg(long, value_name = "N")]
    pub max_tokens: usize,

    /// Tokens to leave free for the model's answer [default: 0].
    #[arg(long, value_name = "N")]
    pub reserve_output: Option<usize>,

    /// Which messages to keep: last (newest), first (oldest) or middle-out (both ends)
    /// [default: last].
    #[arg(long, value_name = "STRATEGY")]
    pub strategy: Option<String>,

    /// Let system and developer messages be dropped like any other.
    #[arg(long)]
    pub no_pin_system: bool,

    /// Cut the text of one more message so that the budget is used up.
    #[arg(long)]
    pub partial: bool,

    /// Write the trimmed transcript to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Explain every message's fate on stderr (a table, or JSON with --output json).
    #[arg(long)]
    pub explain: bool,

    #[command(flatten)]
    pub tokenizer: TokenizerArgs,
}

pub fn run(cmd: TokensCommand, globals: &Globals) -> Result<ExitStatus, CliError> {
    match cmd {
        TokensCommand::Count(args) => count(args, globals),
        TokensCommand::Compress(args) => compress(args, globals),
    }
}

/// The tokenizer after flags, environment and plugctl.yaml have had their say.
struct Tokenizer {
    encoding: Encoding,
    model: Option<String>,
}

impl Tokenizer {
    fn resolve(args: &TokenizerArgs, globals: &Globals) -> Result<Self, CliError> {
        let file = &globals.config.file.tokens;
        // The first layer that names a model or an encoding decides; within it, both is a mistake.
        let layers = [
            (args.model.clone(), args.encoding.clone(), Origin::Flag),
            (
                env::var(env::MODEL),
                env::var(env::ENCODING),
                Origin::Env(env::MODEL),
            ),
            (file.model.clone(), file.encoding.clone(), Origin::File),
        ];
        let chosen = layers
            .into_iter()
            .find(|(m, e, _)| m.is_some() || e.is_some());
        let (model, encoding) = match chosen {
            None => (None, Encoding::O200kBase),
            Some((Some(_), Some(_), origin)) => {
                return Err(CliError::usage(anyhow::anyhow!(
                    "both a model and an encoding are set in {origin}"
                ))
                .with_hint("set one of them: the model implies its encoding"));
            }
            Some((Some(model), None, _)) => {
                let encoding = Encoding::for_model(&model)?;
                (Some(model), encoding)
            }
            Some((None, Some(name), _)) => (None, Encoding::from_name(&name)?),
            Some((None, None, _)) => unreachable!("filtered by find"),
        };
        tracing::debug!(encoding = encoding.name(), model = ?model, "tokenizer resolved");
        Ok(Self { encoding, model })
    }

    fn counter(&self) -> Counter {
        Counter::new(self.encoding)
    }

    fn formula(&self) -> ChatFormula {
        ChatFormula::new(self.encoding, self.model.as_deref())
    }
}

/// `tokens count --output json`: field names are part of plugctl's interface (README).
#[derive(Debug, Serialize)]
struct CountReport {
    schema_version: u32,
    encoding: &'static str,
    model: Option<String>,
    inputs: Vec<InputCount>,
    total: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u64>,
}

#[derive(Debug, Serialize)]
struct InputCount {
    input: String,
    format: &'static str,
    tokens: u64,
    bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    chat: Option<ChatBreakdown>,
}

#[derive(Debug, Serialize)]
struct ChatBreakdown {
    messages: usize,
    tools_tokens: usize,
    reply_priming: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    per_message: Vec<MessageTokens>,
}

#[derive(Debug, Serialize)]
struct MessageTokens {
    index: usize,
    role: String,
    tokens: usize,
}

fn count(args: CountArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let tokenizer = Tokenizer::resolve(&args.tokenizer, globals)?;
    let counter = tokenizer.counter();
    let inputs = Input::from_args(&args.files);
    let printer = &globals.printer;

    let total_len: u64 = inputs.iter().filter_map(Input::size).sum();
    let bar = progress::bytes(printer, total_len, PROGRESS_MIN_BYTES, "counting");
    let mut done_before = 0u64;
    let mut counts = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let name = input.display_name();
        let started = std::time::Instant::now();
        let as_chat = match args.format {
            InputFormat::Text => false,
            InputFormat::Chat => true,
            InputFormat::Auto => input
                .extension()
                .and_then(|e| Syntax::from_extension(&e))
                .is_some(),
        };
        let counted = if as_chat {
            count_chat_input(input, &tokenizer, args.per_message)
        } else {
            let reader = input.open().with_context(|| format!("opening {name}"))?;
            counter
                .count_reader(reader, &|n| bar.set_position(done_before + n))
                .map(|c| InputCount {
                    input: String::new(),
                    format: "text",
                    tokens: c.tokens,
                    bytes: c.bytes,
                    chat: None,
                })
                .map_err(anyhow::Error::from)
        };
        let mut counted = counted.with_context(|| format!("counting tokens in {name}"))?;
        tracing::info!(
            input = %name,
            tokens = counted.tokens,
            bytes = counted.bytes,
            ms = started.elapsed().as_millis() as u64,
            "counted"
        );
        counted.input = name;
        done_before += counted.bytes;
        counts.push(counted);
    }
    bar.finish_and_clear();

    let report = CountReport {
        schema_version: 1,
        encoding: tokenizer.encoding.name(),
        model: tokenizer.model.clone(),
        total: counts.iter().map(|c| c.tokens).sum(),
        inputs: counts,
        limit: args.limit,
    };
    if printer.is_json() {
        printer.json(&report)?;
    } else {
        render_count_table(printer, &report)?;
    }

    let Some(limit) = args.limit else {
        return Ok(ExitStatus::Success);
    };
    let over: Vec<&InputCount> = report.inputs.iter().filter(|c| c.tokens > limit).collect();
    for c in &over {
        printer.check_failed(&format!(
            "{} has {} tokens, over the limit of {}",
            c.input,
            table::thousands(c.tokens),
            table::thousands(limit)
        ));
    }
    Ok(if over.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}

fn count_chat_input(
    input: &Input,
    tokenizer: &Tokenizer,
    per_message: bool,
) -> anyhow::Result<InputCount> {
    let (transcript, text_len) = read_transcript(input)?;
    let counter = tokenizer.counter();
    let counts = chat::count_chat(&counter, &tokenizer.formula(), &transcript);
    let per_message = if per_message {
        counts
            .messages
            .iter()
            .enumerate()
            .map(|(index, &tokens)| MessageTokens {
                index,
                role: transcript.role(index).to_string(),
                tokens,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(InputCount {
        input: String::new(),
        format: "chat",
        tokens: counts.total as u64,
        bytes: input.size().unwrap_or(text_len as u64),
        chat: Some(ChatBreakdown {
            messages: counts.messages.len(),
            tools_tokens: counts.tools,
            reply_priming: counts.reply_priming,
            per_message,
        }),
    })
}

/// Reads and parses a chat transcript; the syntax comes from the extension, or is sniffed.
fn read_transcript(input: &Input) -> anyhow::Result<(Transcript, usize)> {
    let bytes = input.read_to_end()?; // the caller names the input in its context
    let text = decode_utf8(&bytes, 0)?;
    let syntax = input
        .extension()
        .and_then(|e| Syntax::from_extension(&e))
        .unwrap_or_else(|| Syntax::sniff(text));
    Ok((Transcript::parse(text, syntax)?, bytes.len()))
}

fn render_count_table(printer: &Printer, report: &CountReport) -> std::io::Result<()> {
    let mut t = table::new(printer, &["input", "format", "tokens", "bytes"]);
    for c in &report.inputs {
        t.add_row(vec![
            Cell::new(&c.input),
            Cell::new(c.format),
            Cell::new(table::thousands(c.tokens)),
            Cell::new(table::thousands(c.bytes)),
        ]);
    }
    if report.inputs.len() > 1 {
        let bytes: u64 = report.inputs.iter().map(|c| c.bytes).sum();
        t.add_row(vec![
            Cell::new("total"),
            Cell::new(""),
            Cell::new(table::thousands(report.total)),
            Cell::new(table::thousands(bytes)),
        ]);
    }
    table::align_right(&mut t, &[2, 3]);
    printer.table(&t)?;

    for c in &report.inputs {
        let Some(chat) = c.chat.as_ref().filter(|b| !b.per_message.is_empty()) else {
            continue;
        };
        let mut t = table::new(printer, &["#", "role", "tokens"]);
        for m in &chat.per_message {
            t.add_row(vec![
                Cell::new(m.index),
                Cell::new(&m.role),
                Cell::new(table::thousands(m.tokens as u64)),
            ]);
        }
        if chat.tools_tokens > 0 {
            t.add_row(vec![
                Cell::new(""),
                Cell::new("(tools)"),
                Cell::new(chat.tools_tokens),
            ]);
        }
        t.add_row(vec![
            Cell::new(""),
            Cell::new("(reply priming)"),
            Cell::new(chat.reply_priming),
        ]);
        t.add_row(vec![
            Cell::new(""),
            Cell::new("total"),
            Cell::new(table::thousands(c.tokens)),
        ]);
        table::align_right(&mut t, &[0, 2]);
        printer.line(&format!("\n{}", c.input))?;
        printer.table(&t)?;
    }
    Ok(())
}

fn compress(args: CompressArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let tokenizer = Tokenizer::resolve(&args.tokenizer, globals)?;
    let file = &globals.config.file.tokens;
    let strategy = match args.strategy.as_ref().or(file.strategy.as_ref()) {
        Some(name) => Strategy::from_name(name)?,
        None => Strategy::default(),
    };
    let reserve_output = args.reserve_output.or(file.reserve_output).unwrap_or(0);
    let options = Options {
        max_tokens: args.max_tokens,
        reserve_output,
        strategy,
        pin_system: !args.no_pin_system,
        partial: args.partial,
    };

    let input = Input::from_arg(&args.file);
    let name = input.display_name();
    let (transcript, _) = read_transcript(&input).with_context(|| format!("compressing {name}"))?;
    let result = compress::compress(
        &tokenizer.counter(),
        &tokenizer.formula(),
        &transcript,
        &options,
    )
    .with_context(|| format!("compressing {name}"))?;
    let rendered = result.transcript.render()?;
    match &args.out {
        Some(path) => files::write_atomic(path, &rendered)
            .with_context(|| format!("writing {}", path.display()))?,
        None => globals.printer.raw(&rendered)?,
    }
    render_compress_report(&globals.printer, &result.report, args.explain)?;
    Ok(ExitStatus::Success)
}

fn render_compress_report(
    printer: &Printer,
    report: &compress::Report,
    explain: bool,
) -> std::io::Result<()> {
    if printer.is_json() {
        if explain || printer.verbosity > crate::output::Verbosity::Quiet {
            printer.json_stderr(report)?;
        }
        return Ok(());
    }
    if explain {
        let mut t = table::new(
            printer,
            &["#", "role", "tokens", "kept", "action", "reason"],
        );
        for d in &report.decisions {
            let action = match d.action {
                Action::Kept => "kept",
                Action::Cut => "cut",
                Action::Dropped => "dropped",
            };
            t.add_row(vec![
                Cell::new(d.index),
                Cell::new(&d.role),
                Cell::new(d.tokens),
                Cell::new(d.kept_tokens),
                Cell::new(action),
                Cell::new(d.reason),
            ]);
        }
        table::align_right(&mut t, &[0, 2, 3]);
        printer.table_stderr(&t);
    }
    let summary = format!(
        "kept {} of {} messages: {} → {} prompt tokens (budget {}, {} reserved for the reply, {} tools)",
        report.messages_after,
        report.messages_before,
        table::thousands(report.tokens_before as u64),
        table::thousands(report.tokens_after as u64),
        table::thousands(report.max_tokens as u64),
        report.reserve_output,
        report.tools_tokens,
    );
    if explain {
        printer.report(&summary);
    } else {
        printer.status(&summary);
    }
    Ok(())
}
