//! Raw measurements: HDR histograms and counters, kept per generator thread and merged at the end.
//!
//! Nothing here computes a percentile for the report; `report.rs` does that once, from merged
//! histograms, which is also what makes `bench merge` exact. All times are microseconds.

use std::collections::BTreeMap;

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};

/// The highest value a histogram keeps apart (one hour in µs); larger values saturate.
const HIGHEST_US: u64 = 3_600_000_000;

/// A latency histogram: 1 µs to 1 h with 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("static bounds are valid")
}

/// A transport failure, bucketed the way the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The TCP connection could not be opened (refused, unreachable, connect timeout).
    Connect,
    /// No complete response within `--timeout`.
    Timeout,
    /// The server closed or reset the connection before the response was complete.
    Reset,
    /// The TLS handshake failed.
    Tls,
    /// Anything else: malformed responses, protocol errors.
    Other,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 5] = [
        ErrorKind::Connect,
        ErrorKind::Timeout,
        ErrorKind::Reset,
        ErrorKind::Tls,
        ErrorKind::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Connect => "connect",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Reset => "reset",
            ErrorKind::Tls => "tls",
            ErrorKind::Other => "other",
        }
    }
}

/// The streaming figures of one `--sse` response.
#[derive(Debug, Clone, Default)]
pub struct StreamTrace {
    /// Time to first token (µs from the intended send time), if any token arrived.
    pub ttft_us: Option<u64>,
    /// Gaps between consecutive content events (µs).
    pub gaps_us: Vec<u64>,
    /// From the first to the last content event (µs).
    pub generation_us: u64,
    /// Output tokens counted on the streamed text.
    pub tokens: u64,
}

/// Counters and histograms of one thread (or, after merging, of a whole run).
#[derive(Debug, Clone)]
pub struct Stats {
    pub latency: Histogram<u64>,
    pub ttfb: Histogram<u64>,
    /// Actual minus intended send time (open loop only).
    pub send_lag: Histogram<u64>,
    pub ttft: Histogram<u64>,
    pub itl: Histogram<u64>,
    pub tpot: Histogram<u64>,
    /// Responses by status code (index = code).
    pub status: Vec<u64>,
    pub errors: [u64; 5],
    pub retry_after: BTreeMap<String, u64>,
    /// In flight when the run's drain time ran out; neither success nor error.
    pub aborted: u64,
    /// Open loop: sends that went out more than [`LATE_SEND_US`] after their intended time.
    pub late_sends: u64,
    /// Open loop: sends scheduled before the deadline that never went out.
    pub missed_sends: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub streams: u64,
    pub output_tokens: u64,
    /// Latest completion of a measured request, in µs after the measurement started.
    pub last_end_us: u64,
}

/// A send this much later than intended counts as late (above the timer's 1 ms granularity).
pub const LATE_SEND_US: u64 = 2_000;

/// How many distinct Retry-After values are kept (the rest are counted under "other").
const RETRY_AFTER_KEEP: usize = 32;

impl Default for Stats {
    fn default() -> Self {
        Self::new()
    }
}

impl Stats {
    pub fn new() -> Self {
        Self {
            latency: histogram(),
            ttfb: histogram(),
            send_lag: histogram(),
            ttft: histogram(),
            itl: histogram(),
            tpot: histogram(),
            status: vec![0; 600],
            errors: [0; 5],
            retry_after: BTreeMap::new(),
            aborted: 0,
            late_sends: 0,
            missed_sends: 0,
            bytes_in: 0,
            bytes_out: 0,
            streams: 0,
            output_tokens: 0,
            last_end_us: 0,
        }
    }

    /// A response, whatever its status.
    pub fn response(&mut self, status: u16, latency_us: u64, ttfb_us: u64) {
        self.latency.saturating_record(latency_us);
        self.ttfb.saturating_record(ttfb_us);
        let slot = usize::from(status).min(self.status.len() - 1);
        self.status[slot] += 1;
    }

    pub fn error(&mut self, kind: ErrorKind) {
        self.errors[kind as usize] += 1;
    }

    pub fn retry_after(&mut self, value: &str) {
        let key =
            if self.retry_after.len() < RETRY_AFTER_KEEP || self.retry_after.contains_key(value) {
                value.to_string()
            } else {
                "other".to_string()
            };
        *self.retry_after.entry(key).or_default() += 1;
    }

    pub fn send_lag(&mut self, lag_us: u64) {
        self.send_lag.saturating_record(lag_us);
        if lag_us > LATE_SEND_US {
            self.late_sends += 1;
        }
    }

    pub fn stream(&mut self, trace: &StreamTrace) {
        self.streams += 1;
        self.output_tokens += trace.tokens;
        if let Some(ttft) = trace.ttft_us {
            self.ttft.saturating_record(ttft);
        }
        for &gap in &trace.gaps_us {
            self.itl.saturating_record(gap);
        }
        if trace.tokens > 1 {
            self.tpot
                .saturating_record(trace.generation_us / (trace.tokens - 1));
        }
    }

    /// Responses, rejected or not, plus transport errors: every request that finished.
    pub fn requests(&self) -> u64 {
        self.status.iter().sum::<u64>() + self.errors.iter().sum::<u64>()
    }

    /// Adds another thread's (or machine's) figures to these.
    pub fn merge(&mut self, other: &Stats) {
        for (mine, theirs) in [
            (&mut self.latency, &other.latency),
            (&mut self.ttfb, &other.ttfb),
            (&mut self.send_lag, &other.send_lag),
            (&mut self.ttft, &other.ttft),
            (&mut self.itl, &other.itl),
            (&mut self.tpot, &other.tpot),
        ] {
            mine.add(theirs).expect("histograms share bounds");
        }
        for (a, b) in self.status.iter_mut().zip(&other.status) {
            *a += b;
        }
        for (a, b) in self.errors.iter_mut().zip(&other.errors) {
            *a += b;
        }
        for (k, v) in &other.retry_after {
            *self.retry_after.entry(k.clone()).or_default() += v;
        }
        self.aborted += other.aborted;
        self.late_sends += other.late_sends;
        self.missed_sends += other.missed_sends;
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
        self.streams += other.streams;
        self.output_tokens += other.output_tokens;
        self.last_end_us = self.last_end_us.max(other.last_end_us);
    }
}

/// A histogram as base64 of the HdrHistogram V2 encoding (readable by every HdrHistogram port).
pub fn encode(h: &Histogram<u64>) -> String {
    let mut buf = Vec::new();
    V2Serializer::new()
        .serialize(h, &mut buf)
        .expect("serializing into memory cannot fail");
    base64::engine::general_purpose::STANDARD.encode(buf)
}

/// The inverse of [`encode`].
pub fn decode(text: &str) -> Result<Histogram<u64>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| format!("histogram is not base64: {e}"))?;
    let h: Histogram<u64> = Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| format!("histogram cannot be decoded: {e:?}"))?;
    // Re-home the values in our standard bounds so that merges never fail.
    let mut out = histogram();
    out.add(&h)
        .map_err(|e| format!("histogram out of range: {e:?}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_roundtrip_is_exact() {
        let mut h = histogram();
        for v in [1, 50, 999, 1_000, 20_000, 290_000, 5_000_000] {
            h.record(v).unwrap();
        }
        let back = decode(&encode(&h)).unwrap();
        assert_eq!(back, h);
        assert!(decode("not base64!").is_err());
        assert!(decode("AAAA").is_err());
    }

    #[test]
    fn merge_adds_everything() {
        let mut a = Stats::new();
        a.response(200, 1_000, 500);
        a.error(ErrorKind::Reset);
        a.retry_after("2");
        let mut b = Stats::new();
        b.response(429, 3_000, 100);
        b.retry_after("2");
        b.last_end_us = 9;
        a.merge(&b);
        assert_eq!(a.requests(), 3);
        assert_eq!(a.status[200] + a.status[429], 2);
        assert_eq!(a.retry_after["2"], 2);
        assert_eq!(a.latency.len(), 2);
        assert_eq!(a.latency.max(), b.latency.max());
        assert_eq!(a.last_end_us, 9);
    }

    #[test]
    fn stream_figures() {
        let mut s = Stats::new();
        s.stream(&StreamTrace {
            ttft_us: Some(50_000),
            gaps_us: vec![10_000, 12_000],
            generation_us: 22_000,
            tokens: 12,
        });
        assert_eq!(s.output_tokens, 12);
        assert_eq!(s.itl.len(), 2);
        assert_eq!(s.tpot.value_at_quantile(0.5), 2_000);
    }
}
