//! Counters and latency histograms for `GET /metrics`, in the Prometheus text format (0.0.4).
//!
//! Hand-written rather than a metrics crate: the server has a handful of series, and rendering
//! them is twenty lines. Labels are the matched route (`/v1/sessions/{id}`), never the raw path,
//! so the number of series stays bounded whatever clients send.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0, 30.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Everything `/metrics` shows, shared by all requests.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    store_ops: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    rate_limited: Mutex<BTreeMap<&'static str, u64>>,
    pub sessions_created: AtomicU64,
    pub turns: AtomicU64,
    pub compressed_turns: AtomicU64,
    pub redactions: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Metrics {
    /// Records one finished request.
    pub fn request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        *lock(&self.requests)
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let secs = elapsed.as_secs_f64();
        let mut latency = lock(&self.latency);
        let h = latency.entry(route.to_string()).or_default();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Records one store operation (`get`, `update`, `delete`, `purge`, ...).
    pub fn store_op(&self, op: &'static str, ok: bool) {
        let outcome = if ok { "ok" } else { "error" };
        *lock(&self.store_ops).entry((op, outcome)).or_default() += 1;
    }

    /// Records one request refused by a rate limit (`global` or `client`).
    pub fn rate_limited(&self, limit: &'static str) {
        *lock(&self.rate_limited).entry(limit).or_default() += 1;
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The text exposition; `sessions` is the number of stored sessions, if the store answered.
    pub fn render(&self, sessions: Option<usize>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP plugctl_http_requests_total HTTP requests by method, route and status.\n\
             # TYPE plugctl_http_requests_total counter"
        );
        for ((method, route, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "plugctl_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        let _ = writeln!(
            out,
            "# HELP plugctl_http_request_duration_seconds Time to the response head, by route.\n\
             # TYPE plugctl_http_request_duration_seconds histogram"
        );
        for (route, h) in lock(&self.latency).iter() {
            let route = escape(route);
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "plugctl_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "plugctl_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 plugctl_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 plugctl_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP plugctl_store_operations_total Session store operations by outcome.\n\
             # TYPE plugctl_store_operations_total counter"
        );
        for ((op, outcome), n) in lock(&self.store_ops).iter() {
            let _ = writeln!(
                out,
                "plugctl_store_operations_total{{op=\"{op}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP plugctl_rate_limited_total Requests refused with 429, by limit.\n\
             # TYPE plugctl_rate_limited_total counter"
        );
        for (limit, n) in lock(&self.rate_limited).iter() {
            let _ = writeln!(out, "plugctl_rate_limited_total{{limit=\"{limit}\"}} {n}");
        }
        if let Some(n) = sessions {
            let _ = writeln!(
                out,
                "# HELP plugctl_sessions Sessions in the store (every tier).\n\
                 # TYPE plugctl_sessions gauge\nplugctl_sessions {n}"
            );
        }
        for (name, help, counter) in [
            (
                "plugctl_sessions_created_total",
                "Sessions created.",
                &self.sessions_created,
            ),
            (
                "plugctl_chat_turns_total",
                "Chat turns answered.",
                &self.turns,
            ),
            (
                "plugctl_chat_compressed_turns_total",
                "Chat turns whose history was trimmed to the context budget.",
                &self.compressed_turns,
            ),
            (
                "plugctl_redactions_total",
                "Values redacted from messages.",
                &self.redactions,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.request("POST", "/v1/chat", 200, Duration::from_millis(3));
        m.request("POST", "/v1/chat", 200, Duration::from_millis(30));
        m.store_op("update", true);
        let text = m.render(Some(4));
        assert!(text.contains(
            "plugctl_http_requests_total{method=\"POST\",route=\"/v1/chat\",status=\"200\"} 2"
        ));
        assert!(
            text.contains("_bucket{route=\"/v1/chat\",le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("_bucket{route=\"/v1/chat\",le=\"0.05\"} 2"),
            "{text}"
        );
        assert!(text.contains("plugctl_store_operations_total{op=\"update\",outcome=\"ok\"} 1"));
        assert!(text.contains("plugctl_sessions 4"));
    }
}
