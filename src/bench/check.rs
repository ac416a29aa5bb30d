//! `--fail-if` objectives: `p99>200ms`, `error_rate>1%`, `rps<500`, checked against a report.
//!
//! An objective names the condition that fails the run. The parser takes untrusted text (CI
//! files, shell arguments), so it never panics and names what it did not understand.

use std::fmt;

use super::error::BenchError;
use super::report::{Report, Summary};

/// What a metric measures, which decides the units its threshold may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Milliseconds (`ms` default, `s`, `us`).
    Time,
    /// A share: `1%` or `0.01`.
    Ratio,
    /// A plain number (req/s, tokens/s, counts).
    Number,
}

/// The metrics an objective can name.
const METRICS: &[(&str, Kind)] = &[
    ("min", Kind::Time),
    ("mean", Kind::Time),
    ("stddev", Kind::Time),
    ("p50", Kind::Time),
    ("p90", Kind::Time),
    ("p95", Kind::Time),
    ("p99", Kind::Time),
    ("p99_9", Kind::Time),
    ("max", Kind::Time),
    ("ttfb_p50", Kind::Time),
    ("ttfb_p99", Kind::Time),
    ("ttft_p50", Kind::Time),
    ("ttft_p99", Kind::Time),
    ("itl_p50", Kind::Time),
    ("itl_p99", Kind::Time),
    ("tpot_p50", Kind::Time),
    ("tpot_p99", Kind::Time),
    ("error_rate", Kind::Ratio),
    ("success_rate", Kind::Ratio),
    ("rejected_rate", Kind::Ratio),
    ("rps", Kind::Number),
    ("requests", Kind::Number),
    ("output_tokens_per_s", Kind::Number),
];

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// One parsed `--fail-if` expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    metric: &'static str,
    kind: Kind,
    pub op: Op,
    /// In the metric's base unit: milliseconds, a fraction, or a plain number.
    pub threshold: f64,
    /// The expression as the user wrote it.
    pub text: String,
}

/// An objective the run broke, with the measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    pub objective: String,
    pub metric: &'static str,
    /// None when the run did not measure it (`ttft_p99` without `--sse`, latency when no
    /// request was answered).
    pub value: Option<f64>,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value {
            Some(v) => write!(
                f,
                "{} (measured {} = {})",
                self.objective,
                self.metric,
                fmt_value(v, kind_of(self.metric))
            ),
            None => write!(
                f,
                "{} ({} was not measured in this run)",
                self.objective, self.metric
            ),
        }
    }
}

fn kind_of(metric: &str) -> Kind {
    METRICS
        .iter()
        .find(|(m, _)| *m == metric)
        .map_or(Kind::Number, |(_, k)| *k)
}

fn fmt_value(v: f64, kind: Kind) -> String {
    match kind {
        Kind::Time => format!("{v:.3}ms"),
        Kind::Ratio => format!("{:.3}%", v * 100.0),
        Kind::Number => format!("{v:.1}"),
    }
}

impl Objective {
    /// Parses `METRIC OP VALUE[UNIT]`, e.g. `p99>200ms`, `error_rate >= 0.5%`, `rps<500`.
    pub fn parse(text: &str) -> Result<Self, BenchError> {
        let fail = |message: String| BenchError::FailIf {
            expr: text.to_string(),
            message,
        };
        let at = text
            .find(['<', '>'])
            .ok_or_else(|| fail("no comparison: use <, <=, > or >=".into()))?;
        let (left, rest) = text.split_at(at);
        let (op, right) = if let Some(r) = rest.strip_prefix("<=") {
            (Op::Le, r)
        } else if let Some(r) = rest.strip_prefix(">=") {
            (Op::Ge, r)
        } else if let Some(r) = rest.strip_prefix('<') {
            (Op::Lt, r)
        } else {
            (Op::Gt, &rest[1..])
        };
        let name = left.trim().to_ascii_lowercase().replace('.', "_");
        let name = name.strip_prefix("latency_").unwrap_or(&name);
        let (metric, kind) = METRICS
            .iter()
            .find(|(m, _)| *m == name)
            .copied()
            .ok_or_else(|| {
                let known: Vec<&str> = METRICS.iter().map(|(m, _)| *m).collect();
                fail(format!(
                    "unknown metric {:?}; known: {}",
                    left.trim(),
                    known.join(", ")
                ))
            })?;
        let value = right.trim();
        let split = value
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(value.len());
        let (number, unit) = value.split_at(split);
        let number: f64 = number
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite())
            .ok_or_else(|| fail(format!("{value:?} is not a number")))?;
        let unit = unit.trim();
        let threshold = match (kind, unit) {
            (Kind::Time, "" | "ms") => number,
            (Kind::Time, "s") => number * 1000.0,
            (Kind::Time, "us" | "µs") => number / 1000.0,
            (Kind::Ratio, "%") => number / 100.0,
            (Kind::Ratio, "") => number,
            (Kind::Number, "") => number,
            (Kind::Number, "k") => number * 1000.0,
            _ => return Err(fail(format!("unit {unit:?} does not fit {metric}"))),
        };
        Ok(Self {
            metric,
            kind,
            op,
            threshold,
            text: text.trim().to_string(),
        })
    }

    /// The value of this objective's metric in a report, if the run measured it.
    fn value(&self, r: &Report) -> Option<f64> {
        let pick = |s: &Summary, name: &str| match name {
            "min" => s.min,
            "mean" => s.mean,
            "stddev" => s.stddev,
            "p50" => s.p50,
            "p90" => s.p90,
            "p95" => s.p95,
            "p99" => s.p99,
            "p99_9" => s.p99_9,
            _ => s.max,
        };
        let sse = r.sse.as_ref();
        match self.metric {
            "error_rate" => Some(r.error_rate),
            "success_rate" => Some(r.success_rate),
            "rejected_rate" => Some(r.rejected_rate()),
            "rps" => Some(r.rps),
            "requests" => Some(r.requests as f64),
            "output_tokens_per_s" => sse.map(|s| s.output_tokens_per_s),
            m => {
                let (summary, stat) = match m.split_once('_') {
                    Some(("ttfb", stat)) => (Some(&r.ttfb_ms), stat),
                    Some(("ttft", stat)) => (sse.map(|s| &s.ttft_ms), stat),
                    Some(("itl", stat)) => (sse.map(|s| &s.itl_ms), stat),
                    Some(("tpot", stat)) => (sse.map(|s| &s.tpot_ms), stat),
                    _ => (Some(&r.latency_ms), m),
                };
                summary.filter(|s| s.count > 0).map(|s| pick(s, stat))
            }
        }
    }

    /// `Some` when the run broke this objective.
    pub fn check(&self, report: &Report) -> Option<Broken> {
        let value = self.value(report);
        let broken = value.is_none_or(|v| self.op.holds(v, self.threshold));
        broken.then(|| Broken {
            objective: self.text.clone(),
            metric: self.metric,
            value,
        })
    }
}

impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.metric,
            self.op.symbol(),
            fmt_value(self.threshold, self.kind)
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;
    use crate::bench::report::RunInfo;
    use crate::bench::stats::Stats;

    fn report() -> Report {
        let mut s = Stats::new();
        for i in 0..100u64 {
            s.response(if i < 2 { 500 } else { 200 }, 1_000 + i * 3_000, 500);
        }
        let run = RunInfo {
            url: "http://127.0.0.1:1/".into(),
            method: "GET".into(),
            mode: "closed".into(),
            connections: 1,
            rate: None,
            arrival: None,
            threads: 1,
            warmup_s: 0.0,
            ramp_s: 0.0,
            sources: 1,
        };
        Report::new(run, &s, Duration::from_secs(1))
    }

    #[test]
    fn parses_the_documented_examples() {
        let o = Objective::parse("p99>200ms").unwrap();
        assert_eq!((o.metric, o.op, o.threshold), ("p99", Op::Gt, 200.0));
        let o = Objective::parse(" error_rate >= 1% ").unwrap();
        assert_eq!((o.metric, o.op, o.threshold), ("error_rate", Op::Ge, 0.01));
        let o = Objective::parse("rps<500").unwrap();
        assert_eq!((o.metric, o.op, o.threshold), ("rps", Op::Lt, 500.0));
        let o = Objective::parse("p99.9<=1.5s").unwrap();
        assert_eq!((o.metric, o.op, o.threshold), ("p99_9", Op::Le, 1500.0));
        assert_eq!(
            Objective::parse("latency_p50>250us").unwrap().threshold,
            0.25
        );
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        for bad in [
            "",
            "p99",
            "p98>1ms",
            "p99>fast",
            "p99>1%",
            "rps<5ms",
            "error_rate>1s",
            "p99>1e3",
        ] {
            let err = Objective::parse(bad).unwrap_err();
            assert!(err.is_usage(), "{bad}");
        }
    }

    #[test]
    fn checks_against_a_report() {
        let r = report();
        // p99 ≈ 298 ms, error rate 2 %, 100 req/s.
        assert!(Objective::parse("p99>200ms").unwrap().check(&r).is_some());
        assert!(Objective::parse("p99>400ms").unwrap().check(&r).is_none());
        assert!(
            Objective::parse("error_rate>1%")
                .unwrap()
                .check(&r)
                .is_some()
        );
        assert!(
            Objective::parse("error_rate>5%")
                .unwrap()
                .check(&r)
                .is_none()
        );
        assert!(Objective::parse("rps<500").unwrap().check(&r).is_some());
        assert!(Objective::parse("rps<50").unwrap().check(&r).is_none());
        let broken = Objective::parse("ttft_p99>1s").unwrap().check(&r).unwrap();
        assert_eq!(broken.value, None);
        assert!(broken.to_string().contains("not measured"));
    }

    #[test]
    fn a_latency_without_samples_is_not_measured() {
        let mut s = Stats::new();
        s.error(crate::bench::stats::ErrorKind::Connect);
        let r = Report::new(report().run, &s, Duration::from_secs(1));
        assert_eq!(r.latency_ms.count, 0);
        let broken = Objective::parse("p99>1s").unwrap().check(&r).unwrap();
        assert_eq!(broken.value, None);
        assert!(
            Objective::parse("error_rate>50%")
                .unwrap()
                .check(&r)
                .is_some()
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = Objective::parse(&s);
        }

        #[test]
        fn roundtrips_valid_expressions(
            m in prop::sample::select(vec!["p50", "p99", "p99_9", "max", "ttfb_p99", "ttft_p50"]),
            op in prop::sample::select(vec!["<", "<=", ">", ">="]),
            v in 0u32..100_000,
            sp in "[ ]{0,2}",
        ) {
            let text = format!("{m}{sp}{op}{sp}{v}ms");
            let o = Objective::parse(&text).unwrap();
            prop_assert_eq!(o.metric, m);
            prop_assert_eq!(o.op.symbol(), op);
            prop_assert_eq!(o.threshold, f64::from(v));
            let again = Objective::parse(&o.to_string()).unwrap();
            prop_assert_eq!(again.threshold, o.threshold);
        }
    }
}
