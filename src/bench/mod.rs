//! `bench`: HTTP load testing with honest latency, for plugin endpoints and streaming chat.
//!
//! The pieces, in the order a run uses them:
//! - [`plan`]: the validated [`Plan`] (what to send, how much, for how long);
//! - [`schedule`]: open-loop intended send times (latency is measured from them);
//! - `worker`: the one request loop every mode shares; `http1`: its lean HTTP/1.1 connection,
//!   [`http2`]: the `--http2` one;
//! - [`stream`]: `--sse` responses: time to first token, inter-token gaps, token counts;
//! - [`stats`]: HDR histograms and counters per thread, merged at the end;
//! - [`report`]: the [`Report`] (JSON schema, `bench merge`);
//! - [`check`]: `--fail-if` objectives; [`tls`]: rustls for `https://` targets.
//!
//! [`run`] spreads the connections over `plan.threads` OS threads, each with its own
//! single-threaded tokio runtime: nothing is shared on the hot path but two relaxed counters
//! for the live progress line. This module knows nothing about the CLI or the terminal.

pub mod check;
pub mod error;
mod http1;
pub mod http2;
pub mod plan;
pub mod report;
pub mod schedule;
pub mod stats;
pub mod stream;
pub mod tls;
mod worker;

use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

pub use error::BenchError;
pub use plan::Plan;
pub use report::Report;
use schedule::Schedule;
use stats::Stats;
use worker::{Clock, Thread};

/// How long requests in flight at the end of a `-d` run may take to finish (at most `--timeout`).
const DRAIN: Duration = Duration::from_secs(2);

/// Figures a progress display can read while a run is going, and the stop switch.
#[derive(Debug)]
pub struct Live {
    requests: AtomicU64,
    errors: AtomicU64,
    stop: AtomicBool,
    track_latency: bool,
    window: Mutex<Histogram<u64>>,
}

impl Live {
    /// `track_latency` keeps a window of recent latencies for [`Live::take_recent_p99`].
    pub fn new(track_latency: bool) -> Arc<Self> {
        Arc::new(Self {
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            track_latency,
            window: Mutex::new(stats::histogram()),
        })
    }

    /// Finished requests so far (warm-up excluded).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Transport errors so far.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Ends the run early (Ctrl-C): workers stop starting requests; the report covers what ran.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    pub fn is_stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn tracks_latency(&self) -> bool {
        self.track_latency
    }

    /// The p99 latency of the requests since the previous call, if any finished.
    pub fn take_recent_p99(&self) -> Option<Duration> {
        let mut w = self.window.lock().ok()?;
        if w.is_empty() {
            return None;
        }
        let p99 = w.value_at_quantile(0.99);
        w.reset();
        Some(Duration::from_micros(p99))
    }
}

/// Runs the plan to its end (or until [`Live::stop`]) and returns the report.
pub async fn run(plan: Plan, live: Arc<Live>) -> Result<Report, BenchError> {
    let addr = resolve(&plan).await?;
    let plan = Arc::new(plan);
    let load = &plan.load;
    // A short lead time so that every thread starts on the same clock.
    let start = Instant::now() + Duration::from_millis(20);
    let measure_start = start + load.warmup;
    let deadline = load.duration.map(|d| measure_start + d);
    let clock = Clock {
        start,
        measure_start,
        deadline,
        hard_stop: deadline.map(|d| d + plan.timeout.min(DRAIN)),
    };
    let tickets = Arc::new(AtomicU64::new(0));
    let threads = plan.threads;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9E37_79B9, |d| d.as_nanos() as u64);

    let mut receivers = Vec::with_capacity(threads);
    let mut first = 0;
    for k in 0..threads {
        let conns = load.connections / threads + usize::from(k < load.connections % threads);
        let schedule = load.rate.map(|rate| {
            Schedule::new(
                rate / threads as f64,
                load.ramp,
                load.arrival,
                k as f64 / threads as f64,
                seed.wrapping_add(k as u64 * 0x9E37_79B9_7F4A_7C15),
            )
        });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (plan, shared, tickets) = (Arc::clone(&plan), Arc::clone(&live), Arc::clone(&tickets));
        let spawned = std::thread::Builder::new()
            .name(format!("bench-{k}"))
            .spawn(move || {
                let th = Thread::new(plan, addr, clock, shared, tickets);
                let _ = tx.send(run_thread(th, schedule, first, conns));
            });
        if let Err(e) = spawned {
            live.stop();
            return Err(BenchError::Engine(e.to_string()));
        }
        receivers.push(rx);
        first += conns;
    }
    let mut total = Stats::new();
    for rx in receivers {
        let stats = rx
            .await
            .map_err(|_| BenchError::Engine("a generator thread panicked".into()))??;
        total.merge(&stats);
    }
    // The measured window: up to the last completion, but not the drain after `-d` (requests
    // sent inside the window and finished after it count; the window's length does not grow).
    let mut duration = Duration::from_micros(total.last_end_us);
    if let Some(window) = plan.load.duration {
        duration = duration.min(window);
    }
    Ok(Report::new(
        report::RunInfo::from_plan(&plan),
        &total,
        duration,
    ))
}

/// One generator thread: its workers on a single-threaded runtime.
fn run_thread(
    th: Thread,
    schedule: Option<Schedule>,
    first: usize,
    conns: usize,
) -> Result<Stats, BenchError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| BenchError::Engine(e.to_string()))?;
    let local = tokio::task::LocalSet::new();
    let th = Rc::new(th);
    local.block_on(&rt, async {
        // Open loop: a ticker thread releases send times into this thread's queue.
        let feeder = schedule.map(|schedule| {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let (clock, live) = (th.clock, Arc::clone(&th.live));
            let spawned = std::thread::Builder::new()
                .name("bench-ticker".into())
                .spawn(move || worker::ticker(schedule, clock, &live, tx));
            let th = Rc::clone(&th);
            tokio::task::spawn_local(async move {
                if spawned.is_ok() {
                    while let Some(t) = rx.recv().await {
                        th.due.borrow_mut().push_back(t);
                        th.wake.notify_one();
                    }
                }
                th.ticker_done.set(true);
                th.wake.notify_waiters();
            })
        });
        let workers: Vec<_> = (first..first + conns)
            .map(|i| tokio::task::spawn_local(worker::worker(Rc::clone(&th), i)))
            .collect();
        let flusher = th.live.tracks_latency().then(|| {
            let th = Rc::clone(&th);
            tokio::task::spawn_local(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(200));
                loop {
                    tick.tick().await;
                    flush_window(&th);
                }
            })
        });
        for w in workers {
            let _ = w.await;
        }
        if let Some(f) = flusher {
            f.abort();
        }
        if let Some(f) = feeder {
            f.abort();
        }
        flush_window(&th);
        th.count_missed();
    });
    Ok(th.stats.take())
}

fn flush_window(th: &Thread) {
    let mut local = th.window.borrow_mut();
    if local.is_empty() {
        return;
    }
    if let Ok(mut shared) = th.live.window.lock() {
        let _ = shared.add(&*local);
    }
    local.reset();
}

async fn resolve(plan: &Plan) -> Result<SocketAddr, BenchError> {
    let host = plan.target.host.clone();
    let mut addrs = tokio::net::lookup_host((plan.target.host.as_str(), plan.target.port))
        .await
        .map_err(|source| BenchError::Resolve {
            host: host.clone(),
            source,
        })?;
    addrs.next().ok_or_else(|| BenchError::Resolve {
        host,
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no address"),
    })
}
