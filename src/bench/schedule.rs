//! The open-loop schedule: the intended send time of every request.
//!
//! Latency is measured from these times, not from when a connection happened to be free, so a
//! stalled server (or a stalled generator) shows up in the percentiles instead of silently
//! slowing the load down (coordinated omission). The math is pure and unit-tested here; the
//! worker loop in `worker.rs` only asks for the next time.
//!
//! With a linear ramp of length `T` to rate `R`, the expected number of sends by time `t` is
//! `N(t) = R t² / 2T` during the ramp and `R T / 2 + R (t - T)` after it. The `i`-th send happens
//! when `N(t)` reaches the `i`-th arrival of a unit-rate process: `i` itself for constant arrival,
//! a running sum of Exp(1) gaps for Poisson. Inverting `N` gives the send time.

use std::time::Duration;

use super::plan::Arrival;

/// Seconds from the start at which the expected count of a ramped process reaches `n`.
pub fn time_for_count(n: f64, rate: f64, ramp_s: f64) -> f64 {
    let ramp_count = rate * ramp_s / 2.0;
    if ramp_s > 0.0 && n < ramp_count {
        (2.0 * ramp_s * n / rate).sqrt()
    } else {
        ramp_s + (n - ramp_count) / rate
    }
}

/// The send times of one generator thread (which carries `rate` of the total).
#[derive(Debug, Clone)]
pub struct Schedule {
    rate: f64,
    ramp_s: f64,
    arrival: Arrival,
    /// The unit-rate arrival count of the next send.
    next_count: f64,
    rng: XorShift,
}

impl Schedule {
    /// `phase` in [0, 1) staggers threads that share a constant rate so their sends interleave.
    pub fn new(rate: f64, ramp: Duration, arrival: Arrival, phase: f64, seed: u64) -> Self {
        let mut s = Self {
            rate,
            ramp_s: ramp.as_secs_f64(),
            arrival,
            next_count: phase,
            rng: XorShift::new(seed),
        };
        if arrival == Arrival::Poisson {
            s.next_count = s.rng.exp1();
        }
        s
    }

    /// The offset from the start of the next intended send.
    pub fn next_offset(&mut self) -> Duration {
        let t = time_for_count(self.next_count, self.rate, self.ramp_s);
        self.next_count += match self.arrival {
            Arrival::Constant => 1.0,
            Arrival::Poisson => self.rng.exp1(),
        };
        Duration::from_secs_f64(t.max(0.0))
    }
}

/// xorshift64*: a tiny, fast generator; statistical quality is ample for arrival gaps.
#[derive(Debug, Clone)]
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniform sample in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// An Exp(1) sample.
    fn exp1(&mut self) -> f64 {
        -self.unit().ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_rate_is_evenly_spaced() {
        let mut s = Schedule::new(200.0, Duration::ZERO, Arrival::Constant, 0.0, 1);
        let times: Vec<Duration> = (0..5).map(|_| s.next_offset()).collect();
        assert_eq!(times[0], Duration::ZERO);
        for w in times.windows(2) {
            let gap = (w[1] - w[0]).as_secs_f64();
            assert!((gap - 0.005).abs() < 1e-9, "{gap}");
        }
    }

    #[test]
    fn ramp_reaches_full_rate_after_ramp() {
        // 100/s ramped over 2 s: 100 sends during the ramp, then 100 per second.
        let (rate, ramp) = (100.0, 2.0);
        assert!((time_for_count(100.0, rate, ramp) - 2.0).abs() < 1e-9);
        assert!((time_for_count(200.0, rate, ramp) - 3.0).abs() < 1e-9);
        // Half the ramp's sends happen in its last 29% (quadratic growth).
        assert!((time_for_count(50.0, rate, ramp) - 2f64.sqrt()).abs() < 1e-9);
        // Times never go backwards.
        let mut prev = 0.0;
        for i in 0..1000 {
            let t = time_for_count(i as f64 * 0.37, rate, ramp);
            assert!(t >= prev);
            prev = t;
        }
    }

    #[test]
    fn poisson_has_the_right_mean_and_spread() {
        let mut s = Schedule::new(1000.0, Duration::ZERO, Arrival::Poisson, 0.0, 42);
        let n = 100_000;
        let mut prev = Duration::ZERO;
        let mut gaps = Vec::with_capacity(n);
        for _ in 0..n {
            let t = s.next_offset();
            gaps.push((t - prev).as_secs_f64());
            prev = t;
        }
        let mean = gaps.iter().sum::<f64>() / n as f64;
        let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / n as f64;
        // Exponential gaps: mean 1 ms, standard deviation equal to the mean.
        assert!((mean - 0.001).abs() < 0.00002, "{mean}");
        assert!((var.sqrt() - 0.001).abs() < 0.00003, "{}", var.sqrt());
        // 100k sends at 1000/s take about 100 s.
        assert!((prev.as_secs_f64() - 100.0).abs() < 2.0);
    }

    #[test]
    fn phase_staggers_threads() {
        let mut a = Schedule::new(100.0, Duration::ZERO, Arrival::Constant, 0.0, 1);
        let mut b = Schedule::new(100.0, Duration::ZERO, Arrival::Constant, 0.5, 1);
        assert_eq!(a.next_offset(), Duration::ZERO);
        assert_eq!(b.next_offset(), Duration::from_millis(5));
    }
}
