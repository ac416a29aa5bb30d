//! `plugctl bench URL` (load test) and `plugctl bench merge A.json B.json ...`.
//!
//! Thin on purpose: flags become a [`bench::plan::Spec`], [`bench::run`] does the work, and this
//! file renders the [`Report`] and checks `--fail-if`. The engine lives in `src/bench/`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use clap::{Args, Subcommand, ValueEnum};
use comfy_table::Cell;

use super::Globals;
use crate::bench::check::Objective;
use crate::bench::plan::{self, Arrival, Spec, parse_duration};
use crate::bench::report::Summary;
use crate::bench::{self, Live, Plan, Report};
use crate::config::{ConfigError, Origin, env, file::BenchSection};
use crate::error::{CliError, ExitStatus};
use crate::files::Input;
use crate::output::{Printer, progress, table};

/// Load-test an HTTP endpoint, or merge reports of several runs.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BenchCommand {
    #[command(subcommand)]
    pub command: Option<BenchSubcommand>,
    #[command(flatten)]
    pub run: BenchArgs,
}

#[derive(Debug, Subcommand)]
pub enum BenchSubcommand {
    /// Merge `--output json` reports of runs made at the same time (e.g. from several machines):
    /// histograms are added, so the percentiles are exact.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Reports written by `plugctl bench --output json`.
    #[arg(value_name = "REPORT", required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,

    /// Fail (exit 3) when the merged report breaks an objective (see `plugctl bench --help`).
    #[arg(long, value_name = "EXPR")]
    pub fail_if: Vec<String>,
}

/// How open-loop sends are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ArrivalArg {
    /// Evenly: one request every 1/rate seconds.
    Constant,
    /// Randomly, as independent users would: exponential gaps with mean 1/rate.
    Poisson,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The endpoint, e.g. http://127.0.0.1:8080/v1/chat or https://localhost:8443/v1/chat.
    #[arg(value_name = "URL", required = true)]
    pub url: Option<String>,

    /// Connections, each with one request in flight at a time [default: 50].
    #[arg(short = 'c', long, value_name = "N", env = env::BENCH_CONNECTIONS)]
    pub connections: Option<usize>,

    /// How long to measure, e.g. 10s, 2m [default: 10s unless -n is given].
    #[arg(short = 'd', long, value_name = "DURATION", value_parser = parse_duration,
          env = env::BENCH_DURATION)]
    pub duration: Option<Duration>,

    /// Stop after N requests (warm-up not counted); with -d, whichever comes first.
    #[arg(short = 'n', long, value_name = "N")]
    pub requests: Option<u64>,

    /// Open loop: send R requests per second on a fixed schedule, whatever the server does.
    /// Latency counts from each request's intended send time, so stalls are never hidden.
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,

    /// How open-loop sends are spaced (needs --rate).
    #[arg(long, value_enum, default_value_t = ArrivalArg::Constant, requires = "rate")]
    pub arrival: ArrivalArg,

    /// Send for this long first without counting anything (e.g. 2s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub warmup: Option<Duration>,

    /// Grow linearly to the full rate (or number of connections) over this time, from the start.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub ramp: Option<Duration>,

    /// Give up on a request after this long (counted as a timeout error) [default: 10s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, env = env::BENCH_TIMEOUT)]
    pub timeout: Option<Duration>,

    /// Give up opening a connection after this long (counted as a connect error) [default: 3s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub connect_timeout: Option<Duration>,

    /// HTTP method [default: GET, or POST when there is a body].
    #[arg(short = 'm', long, value_name = "METHOD")]
    pub method: Option<String>,

    /// A request header, 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,

    /// The request body.
    #[arg(long, value_name = "STRING", group = "payload")]
    pub body: Option<String>,

    /// Read the request body from FILE.
    #[arg(long, value_name = "FILE", group = "payload")]
    pub body_file: Option<PathBuf>,

    /// A JSON body; also sets Content-Type: application/json.
    #[arg(long, value_name = "JSON", group = "payload")]
    pub json: Option<String>,

    /// Send the lines of a JSONL file in turn, one request body each (e.g. a set of chat
    /// requests); sets Content-Type: application/json.
    #[arg(long, value_name = "FILE", group = "payload")]
    pub body_lines: Option<PathBuf>,

    /// Open a new connection for every request.
    #[arg(long)]
    pub no_keepalive: bool,

    /// Speak HTTP/2: negotiated with ALPN over https://, with prior knowledge (h2c) over
    /// http://. One connection per -c, one request in flight on each.
    #[arg(long)]
    pub http2: bool,

    /// Accept any TLS certificate (self-signed development servers); the connection is still
    /// encrypted.
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Read text/event-stream answers (OpenAI-style `data:` chunks): time to first token,
    /// inter-token latency, time per output token and output tokens/s.
    #[arg(long)]
    pub sse: bool,

    /// Generator threads, each driving its share of the connections [default: 1].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Exit 3 when the run breaks this objective (repeatable), e.g. 'p99>200ms',
    /// 'error_rate>1%', 'rps<500'. Metrics: min mean stddev p50 p90 p95 p99 p99_9 max,
    /// ttfb_/ttft_/itl_/tpot_ p50 and p99, error_rate, success_rate, rejected_rate, rps,
    /// requests, output_tokens_per_s.
    #[arg(long, value_name = "EXPR")]
    pub fail_if: Vec<String>,
}

pub async fn run(cmd: BenchCommand, globals: &Globals) -> Result<ExitStatus, CliError> {
    match cmd.command {
        Some(BenchSubcommand::Merge(args)) => merge(args, globals),
        None => bench(cmd.run, globals).await,
    }
}

async fn bench(args: BenchArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let printer = &globals.printer;
    let objectives = parse_objectives(&args.fail_if)?;
    let plan = Plan::new(spec(args, &globals.config.file.bench)?)?;
    printer.status(&describe(&plan));

    let live = Live::new(printer.progress_allowed());
    let bar = progress::spinner(printer, "starting");
    let mut engine = std::pin::pin!(bench::run(plan, live.clone()));
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut last = (std::time::Instant::now(), 0u64);
    let mut interrupted = false;
    let report = loop {
        tokio::select! {
            report = &mut engine => break report?,
            _ = tokio::signal::ctrl_c() => {
                if interrupted {
                    // A second Ctrl-C: don't wait for requests still in flight.
                    bar.finish_and_clear();
                    return Err(anyhow::anyhow!("interrupted twice: stopped without a report").into());
                }
                interrupted = true;
                live.stop();
                printer.status("stopping: waiting for requests in flight (Ctrl-C again to quit)");
            }
            _ = tick.tick() => {
                let now = std::time::Instant::now();
                let n = live.requests();
                let secs = now.duration_since(last.0).as_secs_f64().max(1e-3);
                let rate = (n - last.1) as f64 / secs;
                last = (now, n);
                let p99 = live
                    .take_recent_p99()
                    .map_or_else(|| "-".to_string(), |d| format!("{:.1}ms", d.as_secs_f64() * 1e3));
                bar.set_message(format!(
                    "{} requests, {rate:.0} req/s, p99 {p99}, {} errors",
                    table::thousands(n),
                    live.errors()
                ));
            }
        }
    };
    bar.finish_and_clear();
    if interrupted {
        printer.warn("interrupted: the report covers the requests made until Ctrl-C");
    }
    warn_about(printer, &report);
    render(printer, &report)?;
    Ok(check(printer, &objectives, &report))
}

/// A duration from plugctl.yaml's `bench:` section.
fn file_duration(key: &'static str, value: &Option<String>) -> Result<Option<Duration>, CliError> {
    value
        .as_deref()
        .map(|v| {
            parse_duration(v).map_err(|message| {
                CliError::from(ConfigError::Invalid {
                    key,
                    value: v.to_string(),
                    origin: Origin::File,
                    message,
                })
            })
        })
        .transpose()
}

/// Flags (and their `PLUGCTL_BENCH_*` variables, which clap reads) first, then plugctl.yaml's
/// `bench:` section, then the defaults.
fn spec(args: BenchArgs, file: &BenchSection) -> Result<Spec, CliError> {
    // The file's duration is a default for -d only when neither -d nor -n bounds the run.
    let duration = match (args.duration, args.requests) {
        (None, None) => file_duration("bench.duration", &file.duration)?,
        (d, _) => d,
    };
    let timeout = match args.timeout {
        Some(t) => t,
        None => file_duration("bench.timeout", &file.timeout)?.unwrap_or(Duration::from_secs(10)),
    };
    let connect_timeout = match args.connect_timeout {
        Some(t) => t,
        None => file_duration("bench.connect_timeout", &file.connect_timeout)?
            .unwrap_or(Duration::from_secs(3)),
    };
    let mut headers = file.headers.clone();
    headers.extend(args.headers);
    let mut content_type = None;
    let bodies = if let Some(b) = args.body {
        vec![Bytes::from(b)]
    } else if let Some(j) = args.json {
        serde_json::from_str::<serde_json::Value>(&j)
            .map_err(|e| CliError::from(bench::BenchError::Json(e.to_string())))?;
        content_type = Some("application/json");
        vec![Bytes::from(j)]
    } else if let Some(path) = args.body_file {
        let input = Input::from_arg(&path);
        let bytes = input
            .read_to_end()
            .with_context(|| format!("reading {}", input.display_name()))?;
        vec![Bytes::from(bytes)]
    } else if let Some(path) = args.body_lines {
        let input = Input::from_arg(&path);
        let bytes = input
            .read_to_end()
            .with_context(|| format!("reading {}", input.display_name()))?;
        let lines = plan::body_lines(&bytes)
            .with_context(|| format!("reading {}", input.display_name()))?;
        if lines.is_empty() {
            return Err(bench::BenchError::EmptyBodyLines(path).into());
        }
        content_type = Some("application/json");
        lines
    } else {
        Vec::new()
    };
    Ok(Spec {
        url: args.url.unwrap_or_default(),
        method: args.method,
        headers,
        bodies,
        content_type,
        connections: args.connections.or(file.connections).unwrap_or(50),
        duration,
        requests: args.requests,
        rate: args.rate,
        arrival: match args.arrival {
            ArrivalArg::Constant => Arrival::Constant,
            ArrivalArg::Poisson => Arrival::Poisson,
        },
        warmup: args.warmup.unwrap_or_default(),
        ramp: args.ramp.unwrap_or_default(),
        timeout,
        connect_timeout,
        keepalive: !args.no_keepalive,
        sse: args.sse,
        threads: args.threads.or(file.threads).unwrap_or(1),
        insecure: args.insecure,
        http2: args.http2,
    })
}

fn parse_objectives(exprs: &[String]) -> Result<Vec<Objective>, CliError> {
    exprs
        .iter()
        .map(|e| Objective::parse(e).map_err(CliError::from))
        .collect()
}

fn describe(plan: &Plan) -> String {
    let load = &plan.load;
    let mut how = match load.rate {
        Some(r) => format!("{r} req/s over {} connections", load.connections),
        None => format!("{} connections", load.connections),
    };
    match (load.duration, load.requests) {
        (Some(d), Some(n)) => how.push_str(&format!(" for {d:?} or {n} requests")),
        (Some(d), None) => how.push_str(&format!(" for {d:?}")),
        (None, Some(n)) => how.push_str(&format!(" for {n} requests")),
        (None, None) => {}
    }
    if !load.warmup.is_zero() {
        how.push_str(&format!(" after a {:?} warm-up", load.warmup));
    }
    format!("benchmarking {} with {how}", plan.target.url)
}

fn warn_about(printer: &Printer, r: &Report) {
    if let Some(s) = &r.schedule {
        if s.missed_sends > 0 {
            printer.warn(&format!(
                "{} scheduled requests were never sent: every connection was busy until the run \
                 ended (add connections, or the server is too slow for this rate)",
                table::thousands(s.missed_sends)
            ));
        }
        if s.late_sends * 100 > r.requests.max(1) {
            printer.warn(&format!(
                "{} requests went out more than 2 ms late (busy connections or a busy generator); \
                 their latency counts from the intended send time",
                table::thousands(s.late_sends)
            ));
        }
    }
    if r.aborted > 0 {
        printer.warn(&format!(
            "{} requests were still in flight when the run ended and are not counted",
            r.aborted
        ));
    }
}

fn check(printer: &Printer, objectives: &[Objective], report: &Report) -> ExitStatus {
    let broken: Vec<_> = objectives.iter().filter_map(|o| o.check(report)).collect();
    for b in &broken {
        printer.check_failed(&b.to_string());
    }
    if broken.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    }
}

fn merge(args: MergeArgs, globals: &Globals) -> Result<ExitStatus, CliError> {
    let objectives = parse_objectives(&args.fail_if)?;
    let mut reports = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let input = Input::from_arg(path);
        let name = input.display_name();
        let bytes = input
            .read_to_end()
            .with_context(|| format!("reading {name}"))?;
        let report: Report =
            serde_json::from_slice(&bytes).map_err(|e| bench::BenchError::Report {
                name: name.clone(),
                message: e.to_string(),
            })?;
        reports.push((name, report));
    }
    let merged = Report::merge(&reports)?;
    render(&globals.printer, &merged)?;
    Ok(check(&globals.printer, &objectives, &merged))
}

fn render(printer: &Printer, r: &Report) -> std::io::Result<()> {
    if printer.is_json() {
        return printer.json(r);
    }
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    let mut t = table::new(printer, &["summary", ""]);
    let mut row = |k: &str, v: String| {
        t.add_row(vec![Cell::new(k), Cell::new(v)]);
    };
    row("requests", table::thousands(r.requests));
    row("duration", format!("{:.2}s", r.duration_s));
    row("req/s", format!("{:.1}", r.rps));
    row("success rate", pct(r.success_rate));
    row("error rate", pct(r.error_rate));
    if r.rejected > 0 {
        row("rejected (429)", table::thousands(r.rejected));
    }
    if r.aborted > 0 {
        row("aborted at the end", table::thousands(r.aborted));
    }
    row(
        "bytes in / out",
        format!(
            "{} / {}",
            table::thousands(r.bytes_in),
            table::thousands(r.bytes_out)
        ),
    );
    if let Some(s) = &r.schedule {
        row(
            "late / missed sends",
            format!(
                "{} / {}",
                table::thousands(s.late_sends),
                table::thousands(s.missed_sends)
            ),
        );
    }
    if let Some(s) = &r.sse {
        row("streams", table::thousands(s.streams));
        row("output tokens", table::thousands(s.output_tokens));
        row("output tokens/s", format!("{:.1}", s.output_tokens_per_s));
    }
    table::align_right(&mut t, &[1]);
    printer.table(&t)?;

    let mut t = table::new(
        printer,
        &[
            "ms", "min", "mean", "stddev", "p50", "p90", "p95", "p99", "p99.9", "max",
        ],
    );
    let mut dist = |name: &str, s: &Summary| {
        let mut cells = vec![Cell::new(name)];
        for v in [
            s.min, s.mean, s.stddev, s.p50, s.p90, s.p95, s.p99, s.p99_9, s.max,
        ] {
            // No sample is no figure, not a zero.
            cells.push(Cell::new(if s.count == 0 {
                "-".to_string()
            } else {
                format!("{v:.3}")
            }));
        }
        t.add_row(cells);
    };
    dist("latency", &r.latency_ms);
    dist("ttfb", &r.ttfb_ms);
    if let Some(s) = &r.sse {
        dist("ttft", &s.ttft_ms);
        dist("itl", &s.itl_ms);
        dist("tpot", &s.tpot_ms);
    }
    if let Some(s) = &r.schedule {
        dist("send lag", &s.send_lag_ms);
    }
    table::align_right(&mut t, &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    printer.table(&t)?;

    let join = |m: &std::collections::BTreeMap<String, u64>, skip_zero: bool| {
        m.iter()
            .filter(|(_, n)| !skip_zero || **n > 0)
            .map(|(k, n)| format!("{k}: {}", table::thousands(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    printer.line(&format!(
        "status codes: {}",
        or_none(join(&r.status_codes, false))
    ))?;
    printer.line(&format!("errors: {}", or_none(join(&r.errors, true))))?;
    if !r.retry_after.is_empty() {
        printer.line(&format!(
            "retry-after seen: {}",
            join(&r.retry_after, false)
        ))?;
    }
    render_histogram(printer, r)
}

fn or_none(s: String) -> String {
    if s.is_empty() { "none".into() } else { s }
}

fn render_histogram(printer: &Printer, r: &Report) -> std::io::Result<()> {
    let buckets = r.latency_buckets(10);
    let Some(top) = buckets.iter().map(|b| b.2).max().filter(|&m| m > 0) else {
        return Ok(());
    };
    let mut out = String::from("latency histogram (ms):");
    for (from, _, count) in &buckets {
        let width = (count * 40).div_ceil(top) as usize;
        out.push_str(&format!(
            "\n  {from:>10.3} | {:<40} {}",
            "■".repeat(width),
            table::thousands(*count)
        ));
    }
    printer.line(&out)
}
