//! A circuit breaker per backend: when too many calls fail, stop calling for a while and answer
//! 503 at once, then try a few probe calls before trusting the backend again.
//!
//! - **closed**: calls go through; outcomes are counted over a sliding window (10 buckets). When
//!   at least `min_calls` were made in the window and more than `error_rate` of them failed, the
//!   circuit opens.
//! - **open**: no call is made; the caller gets a [`Rejected`] with the time left of the
//!   cool-down. After `cool_down` the circuit is half-open.
//! - **half-open**: up to `probes` calls go through, one at a time or together. The first failure
//!   opens the circuit again (a new cool-down); when `probes` calls have succeeded it closes,
//!   with a fresh window.
//!
//! Transitions are logged and counted (`/metrics`); the state is in `/readyz`. A call that was
//! started in one phase and ends in another does not count (each transition starts a new
//! generation), and a call abandoned before its outcome (a client that went away) frees its
//! probe slot without counting either way.

use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Buckets of the sliding window.
const BUCKETS: u64 = 10;

/// The resolved `serve.breaker` settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerSettings {
    /// How far back outcomes count.
    pub window: Duration,
    /// Fraction of failed calls (0 to 1) above which the circuit opens.
    pub error_rate: f64,
    /// Calls the window must hold before the rate is trusted.
    pub min_calls: u32,
    /// How long the circuit stays open before probing.
    pub cool_down: Duration,
    /// Successful probe calls needed to close the circuit again.
    pub probes: u32,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(60),
            error_rate: 0.05,
            min_calls: 20,
            cool_down: Duration::from_secs(300),
            probes: 3,
        }
    }
}

/// The state of a circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    Closed,
    Open,
    HalfOpen,
}

impl CircuitState {
    pub const ALL: [CircuitState; 3] = [
        CircuitState::Closed,
        CircuitState::Open,
        CircuitState::HalfOpen,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CircuitState::Closed => "closed",
            CircuitState::Open => "open",
            CircuitState::HalfOpen => "half_open",
        }
    }
}

impl fmt::Display for CircuitState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A call the breaker did not let through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the circuit of backend {backend:?} is {state}")]
pub struct Rejected {
    pub backend: String,
    pub state: CircuitState,
    /// When it is worth trying again.
    pub retry_after: Duration,
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    Closed,
    Open { until: Instant },
    HalfOpen { in_flight: u32, succeeded: u32 },
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    slot: u64,
    calls: u32,
    failures: u32,
}

#[derive(Debug)]
struct Inner {
    phase: Phase,
    generation: u64,
    buckets: VecDeque<Bucket>,
    /// Transitions into each state, in the order of [`CircuitState::ALL`].
    entered: [u64; 3],
    rejected: u64,
}

/// The breaker of one backend.
#[derive(Debug)]
pub struct Breaker {
    name: String,
    settings: BreakerSettings,
    epoch: Instant,
    inner: Mutex<Inner>,
}

/// The right to make one call; report its outcome with [`Permit::success`] or
/// [`Permit::failure`]. Dropped without either, the call does not count.
#[derive(Debug)]
pub struct Permit {
    breaker: Arc<Breaker>,
    generation: u64,
    probe: bool,
    settled: bool,
}

impl Permit {
    pub fn success(self) {
        self.settle(true);
    }

    pub fn failure(self) {
        self.settle(false);
    }

    /// Reports the outcome: `ok` is whether the backend answered.
    pub fn settle(mut self, ok: bool) {
        self.settled = true;
        self.breaker
            .settle_at(Instant::now(), self.generation, self.probe, Some(ok));
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.settled {
            self.breaker
                .settle_at(Instant::now(), self.generation, self.probe, None);
        }
    }
}

impl Breaker {
    pub fn new(name: &str, settings: BreakerSettings) -> Self {
        Self {
            name: name.to_string(),
            settings,
            epoch: Instant::now(),
            inner: Mutex::new(Inner {
                phase: Phase::Closed,
                generation: 0,
                buckets: VecDeque::with_capacity(BUCKETS as usize),
                entered: [0; 3],
                rejected: 0,
            }),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks to make a call now.
    pub fn acquire(self: &Arc<Self>) -> Result<Permit, Rejected> {
        self.acquire_at(Instant::now())
    }

    /// The state now (an open circuit whose cool-down is over is half-open).
    pub fn state(&self) -> CircuitState {
        self.state_at(Instant::now())
    }

    fn acquire_at(self: &Arc<Self>, now: Instant) -> Result<Permit, Rejected> {
        let mut inner = self.lock();
        self.advance(&mut inner, now);
        let probe = match &mut inner.phase {
            Phase::Closed => false,
            Phase::Open { until } => {
                let retry_after = until.saturating_duration_since(now);
                inner.rejected += 1;
                return Err(self.rejected(CircuitState::Open, retry_after));
            }
            Phase::HalfOpen {
                in_flight,
                succeeded,
            } => {
                if *in_flight + *succeeded >= self.settings.probes {
                    inner.rejected += 1;
                    // The probes in flight decide soon; no better estimate than a second.
                    return Err(self.rejected(CircuitState::HalfOpen, Duration::from_secs(1)));
                }
                *in_flight += 1;
                true
            }
        };
        Ok(Permit {
            breaker: Arc::clone(self),
            generation: inner.generation,
            probe,
            settled: false,
        })
    }

    fn rejected(&self, state: CircuitState, retry_after: Duration) -> Rejected {
        Rejected {
            backend: self.name.clone(),
            state,
            retry_after,
        }
    }

    fn state_at(&self, now: Instant) -> CircuitState {
        let mut inner = self.lock();
        self.advance(&mut inner, now);
        match inner.phase {
            Phase::Closed => CircuitState::Closed,
            Phase::Open { .. } => CircuitState::Open,
            Phase::HalfOpen { .. } => CircuitState::HalfOpen,
        }
    }

    /// Open → half-open once the cool-down is over.
    fn advance(&self, inner: &mut Inner, now: Instant) {
        if let Phase::Open { until } = inner.phase
            && now >= until
        {
            self.enter(
                inner,
                Phase::HalfOpen {
                    in_flight: 0,
                    succeeded: 0,
                },
            );
            tracing::info!(
                backend = %self.name,
                probes = self.settings.probes,
                "circuit half-open: letting probe calls through"
            );
        }
    }

    fn settle_at(&self, now: Instant, generation: u64, probe: bool, ok: Option<bool>) {
        let mut inner = self.lock();
        self.advance(&mut inner, now);
        if generation != inner.generation {
            return;
        }
        match (&mut inner.phase, ok) {
            (Phase::Closed, Some(ok)) => self.count(&mut inner, now, ok),
            (
                Phase::HalfOpen {
                    in_flight,
                    succeeded,
                },
                ok,
            ) if probe => {
                *in_flight = in_flight.saturating_sub(1);
                match ok {
                    Some(true) => {
                        *succeeded += 1;
                        if *succeeded >= self.settings.probes {
                            self.enter(&mut inner, Phase::Closed);
                            tracing::info!(
                                backend = %self.name,
                                "circuit closed: the probe calls succeeded"
                            );
                        }
                    }
                    Some(false) => {
                        let until = now + self.settings.cool_down;
                        self.enter(&mut inner, Phase::Open { until });
                        tracing::warn!(
                            backend = %self.name,
                            cool_down_s = self.settings.cool_down.as_secs_f64(),
                            "circuit opened again: a probe call failed"
                        );
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }

    /// Counts a closed-circuit outcome; opens the circuit when the window says so.
    fn count(&self, inner: &mut Inner, now: Instant, ok: bool) {
        let width = (self.settings.window.as_nanos() / u128::from(BUCKETS)).max(1);
        let slot = (now.saturating_duration_since(self.epoch).as_nanos() / width) as u64;
        while inner
            .buckets
            .front()
            .is_some_and(|b| b.slot + BUCKETS <= slot)
        {
            inner.buckets.pop_front();
        }
        match inner.buckets.back_mut() {
            Some(b) if b.slot == slot => {
                b.calls += 1;
                b.failures += u32::from(!ok);
            }
            _ => inner.buckets.push_back(Bucket {
                slot,
                calls: 1,
                failures: u32::from(!ok),
            }),
        }
        if ok {
            return;
        }
        let (calls, failures) = inner
            .buckets
            .iter()
            .fold((0u32, 0u32), |(c, f), b| (c + b.calls, f + b.failures));
        if calls >= self.settings.min_calls
            && f64::from(failures) > self.settings.error_rate * f64::from(calls)
        {
            let until = now + self.settings.cool_down;
            self.enter(inner, Phase::Open { until });
            tracing::warn!(
                backend = %self.name,
                failures,
                calls,
                window_s = self.settings.window.as_secs_f64(),
                cool_down_s = self.settings.cool_down.as_secs_f64(),
                "circuit opened: calls to the backend fail fast until the cool-down is over"
            );
        }
    }

    fn enter(&self, inner: &mut Inner, phase: Phase) {
        let state = match phase {
            Phase::Closed => CircuitState::Closed,
            Phase::Open { .. } => CircuitState::Open,
            Phase::HalfOpen { .. } => CircuitState::HalfOpen,
        };
        inner.phase = phase;
        inner.generation += 1;
        inner.buckets.clear();
        let i = CircuitState::ALL
            .iter()
            .position(|s| *s == state)
            .unwrap_or(0);
        inner.entered[i] += 1;
    }
}

/// The breakers' series in the Prometheus text format.
pub fn render(breakers: &[&Breaker]) -> String {
    let now = Instant::now();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP plugctl_circuit_state Circuit breaker state of each backend (1 for the current one).\n\
         # TYPE plugctl_circuit_state gauge"
    );
    for b in breakers {
        let current = b.state_at(now);
        for state in CircuitState::ALL {
            let _ = writeln!(
                out,
                "plugctl_circuit_state{{backend=\"{}\",state=\"{state}\"}} {}",
                b.name,
                u8::from(state == current)
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP plugctl_circuit_transitions_total Circuit breaker transitions, by the state entered.\n\
         # TYPE plugctl_circuit_transitions_total counter"
    );
    for b in breakers {
        let entered = b.lock().entered;
        for (state, n) in CircuitState::ALL.iter().zip(entered) {
            let _ = writeln!(
                out,
                "plugctl_circuit_transitions_total{{backend=\"{}\",to=\"{state}\"}} {n}",
                b.name
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP plugctl_circuit_rejected_total Calls answered 503 at once by an open circuit.\n\
         # TYPE plugctl_circuit_rejected_total counter"
    );
    for b in breakers {
        let _ = writeln!(
            out,
            "plugctl_circuit_rejected_total{{backend=\"{}\"}} {}",
            b.name,
            b.lock().rejected
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Arc<Breaker> {
        Arc::new(Breaker::new(
            "test",
            BreakerSettings {
                window: Duration::from_secs(10),
                error_rate: 0.5,
                min_calls: 4,
                cool_down: Duration::from_secs(30),
                probes: 2,
            },
        ))
    }

    fn call(b: &Arc<Breaker>, at: Instant, ok: bool) -> Result<(), Rejected> {
        let permit = b.acquire_at(at)?;
        b.settle_at(at, permit.generation, permit.probe, Some(ok));
        std::mem::forget(permit);
        Ok(())
    }

    #[test]
    fn opens_above_the_rate_with_enough_calls_then_probes_and_closes() {
        let b = breaker();
        let t0 = b.epoch;
        // 3 failures of 3: not enough calls yet.
        for _ in 0..3 {
            call(&b, t0, false).unwrap();
        }
        assert_eq!(b.state_at(t0), CircuitState::Closed);
        call(&b, t0, true).unwrap();
        call(&b, t0, true).unwrap();
        call(&b, t0, true).unwrap();
        // 3 of 6 failed: 50% is not above 50%.
        assert_eq!(b.state_at(t0), CircuitState::Closed);
        call(&b, t0, false).unwrap();
        assert_eq!(b.state_at(t0), CircuitState::Open);
        let rejected = call(&b, t0 + Duration::from_secs(10), true).unwrap_err();
        assert_eq!(rejected.retry_after, Duration::from_secs(20));
        assert_eq!(rejected.state, CircuitState::Open);

        let t1 = t0 + Duration::from_secs(30);
        assert_eq!(b.state_at(t1), CircuitState::HalfOpen);
        let p1 = b.acquire_at(t1).unwrap();
        let p2 = b.acquire_at(t1).unwrap();
        // Only two probes.
        assert_eq!(b.acquire_at(t1).unwrap_err().state, CircuitState::HalfOpen);
        b.settle_at(t1, p1.generation, true, Some(true));
        assert_eq!(b.state_at(t1), CircuitState::HalfOpen);
        b.settle_at(t1, p2.generation, true, Some(true));
        std::mem::forget((p1, p2));
        assert_eq!(b.state_at(t1), CircuitState::Closed);
        assert_eq!(b.lock().entered, [1, 1, 1]);
        assert_eq!(b.lock().rejected, 2);
    }

    #[test]
    fn a_failed_probe_reopens_for_a_new_cool_down() {
        let b = breaker();
        let t0 = b.epoch;
        for _ in 0..4 {
            let _ = call(&b, t0, false);
        }
        let t1 = t0 + Duration::from_secs(31);
        call(&b, t1, false).unwrap();
        assert_eq!(b.state_at(t1), CircuitState::Open);
        assert_eq!(
            call(&b, t1 + Duration::from_secs(29), true)
                .unwrap_err()
                .retry_after,
            Duration::from_secs(1)
        );
        assert_eq!(
            b.state_at(t1 + Duration::from_secs(30)),
            CircuitState::HalfOpen
        );
    }

    #[test]
    fn old_failures_slide_out_of_the_window() {
        let b = breaker();
        let t0 = b.epoch;
        for _ in 0..3 {
            call(&b, t0, false).unwrap();
        }
        // 11 s later the three failures are gone: one more failure is 1 of 1 call.
        let later = t0 + Duration::from_secs(11);
        call(&b, later, false).unwrap();
        assert_eq!(b.state_at(later), CircuitState::Closed);
    }

    #[test]
    fn an_abandoned_probe_frees_its_slot_and_stale_outcomes_do_not_count() {
        let b = breaker();
        let t0 = b.epoch;
        // A call started while closed...
        let stale = b.acquire_at(t0).unwrap();
        for _ in 0..4 {
            call(&b, t0, false).unwrap();
        }
        // ...ends after the circuit opened and half-opened: it is ignored.
        let t1 = t0 + Duration::from_secs(30);
        b.settle_at(t1, stale.generation, stale.probe, Some(false));
        std::mem::forget(stale);
        assert_eq!(b.state_at(t1), CircuitState::HalfOpen);
        let p1 = b.acquire_at(t1).unwrap();
        let p2 = b.acquire_at(t1).unwrap();
        drop(p1);
        // The dropped probe's slot is free again.
        let p3 = b.acquire_at(t1).unwrap();
        drop((p2, p3));
        assert_eq!(b.state_at(t1), CircuitState::HalfOpen);
    }

    #[test]
    fn metrics_show_one_current_state_and_the_transitions() {
        let b = breaker();
        let t0 = b.epoch;
        for _ in 0..4 {
            call(&b, t0, false).unwrap();
        }
        let text = render(&[&b]);
        assert!(text.contains("plugctl_circuit_state{backend=\"test\",state=\"open\"} 1"));
        assert!(text.contains("plugctl_circuit_state{backend=\"test\",state=\"closed\"} 0"));
        assert!(text.contains("plugctl_circuit_transitions_total{backend=\"test\",to=\"open\"} 1"));
        assert!(text.contains("plugctl_circuit_rejected_total{backend=\"test\"} 0"));
    }
}
