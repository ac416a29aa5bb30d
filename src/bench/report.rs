//! The report of a run: headline figures under stable names, plus the raw histograms that make
//! `bench merge` exact.
//!
//! `--output json` prints [`Report`] as is; the field names are part of plugctl's interface
//! (README, "plugctl bench"). Bump [`SCHEMA_VERSION`] when a field changes meaning or goes away.
//! Percentiles are computed here, once, from (merged) histograms: never averaged.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::error::BenchError;
use super::plan::{Arrival, Plan};
use super::stats::{self, ErrorKind, Stats};

pub const SCHEMA_VERSION: u32 = 1;

/// What was run: enough to tell reports apart and to label a merge.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunInfo {
    pub url: String,
    pub method: String,
    /// `closed` (as fast as the server answers) or `open` (`--rate`).
    pub mode: String,
    pub connections: u64,
    /// Open loop: the target rate in requests per second.
    pub rate: Option<f64>,
    /// Open loop: `constant` or `poisson`.
    pub arrival: Option<String>,
    pub threads: u64,
    pub warmup_s: f64,
    pub ramp_s: f64,
    /// How many reports were merged into this one (1 for a single run).
    pub sources: u64,
}

impl RunInfo {
    pub fn from_plan(plan: &Plan) -> Self {
        Self {
            url: plan.target.url.clone(),
            method: plan.template.method.to_string(),
            mode: if plan.is_open_loop() {
                "open"
            } else {
                "closed"
            }
            .into(),
            connections: plan.load.connections as u64,
            rate: plan.load.rate,
            arrival: plan.load.rate.map(|_| {
                match plan.load.arrival {
                    Arrival::Constant => "constant",
                    Arrival::Poisson => "poisson",
                }
                .to_string()
            }),
            threads: plan.threads as u64,
            warmup_s: plan.load.warmup.as_secs_f64(),
            ramp_s: plan.load.ramp.as_secs_f64(),
            sources: 1,
        }
    }
}

/// A distribution in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Samples measured. With none (every request failed before an answer) the figures below
    /// are 0, which must not read as "instant": the table shows dashes and `--fail-if` counts
    /// the metric as not measured. Absent from reports written before it existed.
    #[serde(default)]
    pub count: u64,
    pub min: f64,
    pub mean: f64,
    pub stddev: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p99_9: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        let ms = |us: f64| us.round() / 1000.0;
        let q = |q: f64| ms(h.value_at_quantile(q) as f64);
        Self {
            count: h.len(),
            min: ms(h.min() as f64),
            mean: ms(h.mean()),
            stddev: ms(h.stdev()),
            p50: q(0.50),
            p90: q(0.90),
            p95: q(0.95),
            p99: q(0.99),
            p99_9: q(0.999),
            max: ms(h.max() as f64),
        }
    }
}

/// Open-loop bookkeeping: did the sends go out when they should have?
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScheduleReport {
    /// Sends more than 2 ms after their intended time (busy connections or a slow generator).
    pub late_sends: u64,
    /// Sends scheduled inside the run that never went out before it ended.
    pub missed_sends: u64,
    /// Actual minus intended send time.
    pub send_lag_ms: Summary,
}

/// `--sse` figures, all measured from the intended send time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SseReport {
    pub streams: u64,
    pub output_tokens: u64,
    /// Output tokens per second over the whole run.
    pub output_tokens_per_s: f64,
    /// Time to first token.
    pub ttft_ms: Summary,
    /// Inter-token latency: gaps between consecutive content events.
    pub itl_ms: Summary,
    /// Time per output token after the first, per stream.
    pub tpot_ms: Summary,
}

/// HdrHistogram V2 encodings (base64), in microseconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Histograms {
    pub latency_us: String,
    pub ttfb_us: String,
    pub send_lag_us: String,
    pub ttft_us: String,
    pub itl_us: String,
    pub tpot_us: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub schema_version: u32,
    pub run: RunInfo,
    /// Finished requests: responses of any status plus transport errors (warm-up excluded).
    pub requests: u64,
    /// The measured window: `-d` (warm-up excluded), or until the last request finished.
    pub duration_s: f64,
    /// `requests / duration_s`.
    pub rps: f64,
    /// Share of requests answered with 1xx-3xx.
    pub success_rate: f64,
    /// Share of requests that failed: transport errors and 4xx/5xx other than 429.
    pub error_rate: f64,
    /// From the intended send time to the end of the response body.
    pub latency_ms: Summary,
    /// From the intended send time to the response head.
    pub ttfb_ms: Summary,
    pub status_codes: BTreeMap<String, u64>,
    /// Transport errors by kind: connect, timeout, reset, tls, other.
    pub errors: BTreeMap<String, u64>,
    /// 429 answers: counted apart from errors.
    pub rejected: u64,
    /// Retry-After values seen on 429 answers, with their counts.
    pub retry_after: BTreeMap<String, u64>,
    /// In flight when the run's drain time ran out: not counted in `requests`.
    pub aborted: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub schedule: Option<ScheduleReport>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sse: Option<SseReport>,
    pub histograms: Histograms,
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

impl Report {
    pub fn new(run: RunInfo, s: &Stats, duration: Duration) -> Self {
        let requests = s.requests();
        let duration_s = duration.as_secs_f64();
        let ratio = |n: u64| {
            if requests == 0 {
                0.0
            } else {
                round(n as f64 / requests as f64, 6)
            }
        };
        let ok: u64 = s.status[..400].iter().sum();
        let http_errors: u64 = s.status[400..].iter().sum::<u64>() - s.status[429];
        let transport: u64 = s.errors.iter().sum();
        let status_codes = s
            .status
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(code, n)| (code.to_string(), *n))
            .collect();
        let errors = ErrorKind::ALL
            .iter()
            .map(|k| (k.name().to_string(), s.errors[*k as usize]))
            .collect();
        let per_s = |n: u64| {
            if duration_s > 0.0 {
                round(n as f64 / duration_s, 3)
            } else {
                0.0
            }
        };
        let schedule = (run.mode == "open").then(|| ScheduleReport {
            late_sends: s.late_sends,
            missed_sends: s.missed_sends,
            send_lag_ms: Summary::of(&s.send_lag),
        });
        let sse = (s.streams > 0).then(|| SseReport {
            streams: s.streams,
            output_tokens: s.output_tokens,
            output_tokens_per_s: per_s(s.output_tokens),
            ttft_ms: Summary::of(&s.ttft),
            itl_ms: Summary::of(&s.itl),
            tpot_ms: Summary::of(&s.tpot),
        });
        Report {
            schema_version: SCHEMA_VERSION,
            run,
            requests,
            duration_s: round(duration_s, 6),
            rps: per_s(requests),
            success_rate: ratio(ok),
            error_rate: ratio(http_errors + transport),
            latency_ms: Summary::of(&s.latency),
            ttfb_ms: Summary::of(&s.ttfb),
            status_codes,
            errors,
            rejected: s.status[429],
            retry_after: s.retry_after.clone(),
            aborted: s.aborted,
            bytes_in: s.bytes_in,
            bytes_out: s.bytes_out,
            schedule,
            sse,
            histograms: Histograms {
                latency_us: stats::encode(&s.latency),
                ttfb_us: stats::encode(&s.ttfb),
                send_lag_us: stats::encode(&s.send_lag),
                ttft_us: stats::encode(&s.ttft),
                itl_us: stats::encode(&s.itl),
                tpot_us: stats::encode(&s.tpot),
            },
        }
    }

    /// Share of requests that were rejected (429).
    pub fn rejected_rate(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.rejected as f64 / self.requests as f64
        }
    }

    /// The latency distribution in `n` equal-width buckets from the minimum to p99.9, the last
    /// one also holding the tail up to the maximum: `(from_ms, to_ms, count)`.
    pub fn latency_buckets(&self, n: usize) -> Vec<(f64, f64, u64)> {
        let Ok(h) = stats::decode(&self.histograms.latency_us) else {
            return Vec::new();
        };
        if h.is_empty() || n == 0 {
            return Vec::new();
        }
        let lo = h.min();
        let hi = h.value_at_quantile(0.999).max(lo + 1);
        let width = (hi - lo).div_ceil(n as u64).max(1);
        let mut counts = vec![0u64; n];
        for v in h.iter_recorded() {
            let i = ((v.value_iterated_to().saturating_sub(lo)) / width) as usize;
            counts[i.min(n - 1)] += v.count_at_value();
        }
        counts
            .into_iter()
            .enumerate()
            .map(|(i, count)| {
                let from = lo + i as u64 * width;
                let to = if i + 1 == n {
                    h.max().max(from)
                } else {
                    from + width
                };
                (from as f64 / 1000.0, to as f64 / 1000.0, count)
            })
            .collect()
    }

    /// The raw figures back from a (possibly deserialized) report.
    fn to_stats(&self, name: &str) -> Result<Stats, BenchError> {
        let bad = |message: String| BenchError::Report {
            name: name.to_string(),
            message,
        };
        if self.schema_version != SCHEMA_VERSION {
            return Err(bad(format!(
                "schema_version {} (this plugctl reads {SCHEMA_VERSION})",
                self.schema_version
            )));
        }
        let h = &self.histograms;
        let mut s = Stats::new();
        s.latency = stats::decode(&h.latency_us).map_err(bad)?;
        s.ttfb = stats::decode(&h.ttfb_us).map_err(bad)?;
        s.send_lag = stats::decode(&h.send_lag_us).map_err(bad)?;
        s.ttft = stats::decode(&h.ttft_us).map_err(bad)?;
        s.itl = stats::decode(&h.itl_us).map_err(bad)?;
        s.tpot = stats::decode(&h.tpot_us).map_err(bad)?;
        for (code, n) in &self.status_codes {
            let code: usize = code
                .parse()
                .ok()
                .filter(|c| *c < s.status.len())
                .ok_or_else(|| bad(format!("status code {code:?}")))?;
            s.status[code] += n;
        }
        for kind in ErrorKind::ALL {
            s.errors[kind as usize] = self.errors.get(kind.name()).copied().unwrap_or(0);
        }
        s.retry_after = self.retry_after.clone();
        s.aborted = self.aborted;
        s.bytes_in = self.bytes_in;
        s.bytes_out = self.bytes_out;
        if let Some(sch) = &self.schedule {
            s.late_sends = sch.late_sends;
            s.missed_sends = sch.missed_sends;
        }
        if let Some(sse) = &self.sse {
            s.streams = sse.streams;
            s.output_tokens = sse.output_tokens;
        }
        Ok(s)
    }

    /// Merges reports of runs that loaded the same target at the same time (from several
    /// machines): counts and histograms add up, the duration is the longest one, so `rps` is the
    /// combined rate. `name` labels each report in errors.
    pub fn merge(reports: &[(String, Report)]) -> Result<Report, BenchError> {
        let Some((_, first)) = reports.first() else {
            return Err(BenchError::Report {
                name: "(none)".into(),
                message: "nothing to merge".into(),
            });
        };
        let mut total = Stats::new();
        let mut run = first.run.clone();
        run.connections = 0;
        run.sources = 0;
        run.rate = None;
        let mut duration_s: f64 = 0.0;
        for (name, report) in reports {
            total.merge(&report.to_stats(name)?);
            duration_s = duration_s.max(report.duration_s);
            run.connections += report.run.connections;
            run.sources += report.run.sources;
            run.rate = match (run.rate, report.run.rate) {
                (Some(a), Some(b)) => Some(a + b),
                (None, r) | (r, None) => r,
            };
            if report.run.url != run.url {
                run.url = "(several)".into();
            }
        }
        if !duration_s.is_finite() || duration_s < 0.0 {
            duration_s = 0.0;
        }
        Ok(Report::new(
            run,
            &total,
            Duration::from_secs_f64(duration_s),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> RunInfo {
        RunInfo {
            url: "http://127.0.0.1:1/".into(),
            method: "GET".into(),
            mode: "closed".into(),
            connections: 2,
            rate: None,
            arrival: None,
            threads: 1,
            warmup_s: 0.0,
            ramp_s: 0.0,
            sources: 1,
        }
    }

    fn stats(latencies_us: &[u64], status: u16) -> Stats {
        let mut s = Stats::new();
        for &l in latencies_us {
            s.response(status, l, l / 2);
        }
        s
    }

    #[test]
    fn headline_figures() {
        let mut s = stats(&[1_000; 98], 200);
        s.response(429, 5_000, 100);
        s.error(ErrorKind::Connect);
        let r = Report::new(info(), &s, Duration::from_secs(2));
        assert_eq!(r.requests, 100);
        assert_eq!(r.rps, 50.0);
        assert_eq!(r.success_rate, 0.98);
        assert_eq!(r.error_rate, 0.01);
        assert_eq!(r.rejected, 1);
        assert_eq!(r.errors["connect"], 1);
        assert_eq!(r.errors.len(), 5);
        assert_eq!(r.latency_ms.p50, 1.0);
        assert_eq!(r.status_codes["200"], 98);
    }

    #[test]
    fn merge_is_exact_not_averaged() {
        // One box saw fast answers, the other slow ones: the merged p50 sits between them and
        // the merged p99 is the slow box's tail, which an average of percentiles would miss.
        let fast = Report::new(info(), &stats(&[1_000; 900], 200), Duration::from_secs(1));
        let slow = Report::new(info(), &stats(&[100_000; 100], 200), Duration::from_secs(1));
        let json = serde_json::to_string(&slow).unwrap();
        let slow: Report = serde_json::from_str(&json).unwrap();
        let merged = Report::merge(&[("a".into(), fast), ("b".into(), slow)]).unwrap();
        assert_eq!(merged.requests, 1000);
        assert_eq!(merged.rps, 1000.0);
        assert_eq!(merged.latency_ms.p50, 1.0);
        assert!((merged.latency_ms.p99 - 100.0).abs() < 0.1);
        assert_eq!(merged.run.sources, 2);
        assert_eq!(merged.run.connections, 4);
    }

    #[test]
    fn merge_rejects_foreign_input() {
        let mut r = Report::new(info(), &stats(&[1], 200), Duration::from_secs(1));
        r.histograms.latency_us = "garbage".into();
        assert!(Report::merge(&[("x.json".into(), r)]).is_err());
        assert!(Report::merge(&[]).is_err());
    }
}
