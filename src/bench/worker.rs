//! The one request loop, for every mode: closed or open loop, by count or by duration, with or
//! without warm-up and ramp, plain or `--sse`.
//!
//! Each worker owns one kept-alive HTTP/1.1 connection (`http1.rs`) in its own task: a request
//! is one write of pre-rendered bytes and the reads its response needs. Workers of one
//! generator thread share its [`Thread`] state through `Rc`/`RefCell`: no locks, no atomics on
//! the hot path except the live counters.
//!
//! Time: in the open loop a ticker thread ([`ticker`]) releases each intended send time when it
//! comes (a precise OS sleep, where tokio's timer would round up to a whole millisecond), and the
//! first idle worker takes it and measures latency from it. If no worker was free (the
//! connections were busy, the server stalled), the wait is part of the latency: that is the
//! delay a user arriving at that moment would have seen.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use super::Live;
use super::http1::{self, Answer, Exchange, Failure};
use super::http2;
use super::plan::Plan;
use super::schedule::Schedule;
use super::stats::{self, ErrorKind, Stats};
use crate::tokens::Counter;

/// The time line of a run, shared by every thread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    /// When the first requests go out (and the ramp begins).
    pub start: Instant,
    /// End of the warm-up: requests intended before this are not counted.
    pub measure_start: Instant,
    /// No request is started after this.
    pub deadline: Option<Instant>,
    /// Requests still in flight at this point are abandoned and counted as aborted.
    pub hard_stop: Option<Instant>,
}

/// The state one generator thread shares between its workers.
pub(crate) struct Thread {
    pub plan: Arc<Plan>,
    pub addr: SocketAddr,
    pub clock: Clock,
    pub live: Arc<Live>,
    /// Measured requests started so far, across threads (for `-n`).
    pub tickets: Arc<AtomicU64>,
    /// Open loop: intended send times released by the ticker, oldest first.
    pub due: RefCell<VecDeque<Instant>>,
    /// Wakes an idle worker when a send time is released or the ticker stopped.
    pub wake: tokio::sync::Notify,
    /// The ticker has stopped releasing send times.
    pub ticker_done: Cell<bool>,
    pub stats: RefCell<Stats>,
    /// Latencies since the last live-progress flush.
    pub window: RefCell<Histogram<u64>>,
    next_body: Cell<u64>,
    counter: Option<Counter>,
}

impl Thread {
    pub(crate) fn new(
        plan: Arc<Plan>,
        addr: SocketAddr,
        clock: Clock,
        live: Arc<Live>,
        tickets: Arc<AtomicU64>,
    ) -> Self {
        let counter = plan.sse.then(super::stream::counter);
        Self {
            plan,
            addr,
            clock,
            live,
            tickets,
            due: RefCell::new(VecDeque::new()),
            wake: tokio::sync::Notify::new(),
            ticker_done: Cell::new(false),
            stats: RefCell::new(Stats::new()),
            window: RefCell::new(stats::histogram()),
            next_body: Cell::new(0),
            counter,
        }
    }

    /// The index of the next request body (bodies of `--body-lines` in turn).
    fn next_request(&self) -> usize {
        let n = self.plan.template.wire.len();
        if n == 1 {
            return 0;
        }
        let i = self.next_body.get();
        self.next_body.set(i + 1);
        (i % n as u64) as usize
    }

    /// Open loop, after the workers stopped: send times released inside the measured window
    /// that no worker took before the run ended.
    pub(crate) fn count_missed(&self) {
        let Some(deadline) = self.clock.deadline else {
            return;
        };
        let limit = self.plan.load.requests;
        if self.live.is_stopped()
            || limit.is_some_and(|n| self.tickets.load(Ordering::Relaxed) >= n)
        {
            return;
        }
        let missed = self
            .due
            .borrow()
            .iter()
            .filter(|&&t| t >= self.clock.measure_start && t < deadline)
            .count();
        self.stats.borrow_mut().missed_sends += missed as u64;
    }

    fn record(&self, intended: Instant, sent: Instant, outcome: Outcome) {
        let us = |later: Instant, earlier: Instant| {
            later.saturating_duration_since(earlier).as_micros() as u64
        };
        let mut s = self.stats.borrow_mut();
        if self.plan.is_open_loop() {
            s.send_lag(us(sent, intended));
        }
        let end = match outcome {
            Outcome::Response(r, bytes_out) => {
                let latency = us(r.end, intended);
                s.response(r.status, latency, us(r.first_byte, intended));
                s.bytes_in += r.bytes_in;
                s.bytes_out += bytes_out;
                if let Some(v) = &r.retry_after {
                    s.retry_after(v);
                }
                if let (Some(reader), Some(counter)) = (r.stream, &self.counter) {
                    s.stream(&reader.finish(intended, counter));
                }
                if self.live.tracks_latency() {
                    self.window.borrow_mut().saturating_record(latency);
                }
                r.end
            }
            Outcome::Failed(kind, at) => {
                s.error(kind);
                self.live.errors.fetch_add(1, Ordering::Relaxed);
                at
            }
            Outcome::Aborted => {
                s.aborted += 1;
                return;
            }
        };
        self.live.requests.fetch_add(1, Ordering::Relaxed);
        s.last_end_us = s.last_end_us.max(us(end, self.clock.measure_start));
    }
}

/// What became of one request.
enum Outcome {
    /// A response (of any status) and the bytes the request took on the wire.
    Response(Answer, u64),
    Failed(ErrorKind, Instant),
    Aborted,
}

/// The loop of one connection.
pub(crate) async fn worker(th: Rc<Thread>, index: usize) {
    let plan = Arc::clone(&th.plan);
    let clock = th.clock;
    let open = plan.is_open_loop();
    // Closed loop ramp: connection i of c joins at i/c of the ramp.
    let ramp_delay = if open {
        Duration::ZERO
    } else {
        plan.load
            .ramp
            .mul_f64(index as f64 / plan.load.connections as f64)
    };
    tokio::time::sleep_until((clock.start + ramp_delay).into()).await;

    let mut conn: Option<Link> = None;
    loop {
        if th.live.is_stopped() {
            break;
        }
        let intended = if open {
            let t = loop {
                if th.live.is_stopped() {
                    return;
                }
                if let Some(t) = th.due.borrow_mut().pop_front() {
                    break t;
                }
                if th.ticker_done.get() {
                    return;
                }
                th.wake.notified().await;
            };
            if clock.deadline.is_some_and(|d| Instant::now() >= d) {
                // Due inside the window, but every connection was busy until it closed.
                if t >= clock.measure_start {
                    th.stats.borrow_mut().missed_sends += 1;
                }
                return;
            }
            t
        } else {
            let now = Instant::now();
            if clock.deadline.is_some_and(|d| now >= d) {
                break;
            }
            now
        };
        let measured = intended >= clock.measure_start;
        if measured
            && let Some(limit) = plan.load.requests
            && th.tickets.fetch_add(1, Ordering::Relaxed) >= limit
        {
            break;
        }
        let sent = Instant::now();
        let outcome = exchange(&th, &mut conn).await;
        if measured {
            th.record(intended, sent, outcome);
        }
    }
}

/// Sends one request on the worker's connection (opening one if needed), bounded by `--timeout`
/// and by the run's hard stop.
async fn exchange(th: &Thread, slot: &mut Option<Link>) -> Outcome {
    let now = Instant::now();
    let mut limit = now + th.plan.timeout;
    let mut at_hard_stop = false;
    if let Some(stop) = th.clock.hard_stop
        && stop < limit
    {
        limit = stop;
        at_hard_stop = true;
    }
    match tokio::time::timeout_at(limit.into(), attempt(th, slot)).await {
        Ok(outcome) => outcome,
        Err(_) => {
            // The connection is in an unknown state mid-request.
            *slot = None;
            if at_hard_stop {
                Outcome::Aborted
            } else {
                Outcome::Failed(ErrorKind::Timeout, Instant::now())
            }
        }
    }
}

/// A worker's connection, in the protocol the run speaks.
enum Link {
    H1(http1::Conn),
    H2(http2::Conn),
}

impl Link {
    async fn open(th: &Thread) -> Result<Self, Failure> {
        let (addr, timeout, tls) = (
            th.addr,
            th.plan.connect_timeout,
            th.plan.target.tls.as_ref(),
        );
        if th.plan.template.h2.is_some() {
            http2::Conn::open(addr, timeout, tls).await.map(Link::H2)
        } else {
            http1::Conn::open(addr, timeout, tls).await.map(Link::H1)
        }
    }

    async fn exchange(&mut self, th: &Thread, index: usize) -> Result<Answer, Exchange> {
        let t = &th.plan.template;
        match (self, &t.h2) {
            (Link::H2(conn), Some((head, bodies))) => {
                conn.exchange(head, &bodies[index], th.plan.sse).await
            }
            (Link::H1(conn), _) => {
                let head = t.method == http::Method::HEAD;
                conn.exchange(&t.wire[index], th.plan.sse, head).await
            }
            (Link::H2(_), None) => unreachable!("HTTP/2 links exist only for --http2 plans"),
        }
    }
}

async fn attempt(th: &Thread, slot: &mut Option<Link>) -> Outcome {
    let index = th.next_request();
    // Bytes on the wire as HTTP/1.1 sends them (HTTP/2's HPACK makes them a little smaller).
    let bytes_out = th.plan.template.wire[index].len() as u64;
    // A kept-alive connection the server closed while it was idle fails before any byte of the
    // response arrives: not the request's fault, so retry once on a new connection.
    for _ in 0..2 {
        let reused = match slot {
            Some(_) => true,
            None => match Link::open(th).await {
                Ok(c) => {
                    *slot = Some(c);
                    false
                }
                Err(Failure::Tls) => return Outcome::Failed(ErrorKind::Tls, Instant::now()),
                Err(_) => return Outcome::Failed(ErrorKind::Connect, Instant::now()),
            },
        };
        let Some(conn) = slot.as_mut() else {
            unreachable!("a connection was just stored")
        };
        match conn.exchange(th, index).await {
            Ok(answer) => {
                if !answer.reusable || !th.plan.keepalive {
                    *slot = None;
                }
                return Outcome::Response(answer, bytes_out);
            }
            Err(e) => {
                *slot = None;
                if reused && e.nothing_received && matches!(e.failure, Failure::Reset) {
                    continue;
                }
                let kind = match e.failure {
                    Failure::Connect => ErrorKind::Connect,
                    Failure::Tls => ErrorKind::Tls,
                    Failure::Reset => ErrorKind::Reset,
                    Failure::Protocol => ErrorKind::Other,
                };
                return Outcome::Failed(kind, Instant::now());
            }
        }
    }
    Outcome::Failed(ErrorKind::Reset, Instant::now())
}

/// Releases the open-loop send times of one generator thread, each when it comes, until the
/// deadline (or until nobody listens). Runs on its own OS thread: `thread::sleep` overshoots by
/// tens of microseconds, where an async timer would wake up to a millisecond late, and a late
/// release is latency the report would wrongly blame on the server. When it falls behind (very
/// high rates) it releases what is due without sleeping, so it catches up in small bursts.
pub(crate) fn ticker(
    mut schedule: Schedule,
    clock: Clock,
    live: &Live,
    tx: tokio::sync::mpsc::UnboundedSender<Instant>,
) {
    loop {
        let t = clock.start + schedule.next_offset();
        if clock.deadline.is_some_and(|d| t >= d) || live.is_stopped() {
            return;
        }
        let now = Instant::now();
        if t > now {
            std::thread::sleep(t - now);
        }
        if tx.send(t).is_err() {
            return;
        }
    }
}
