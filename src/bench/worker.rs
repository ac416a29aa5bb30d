//! The one request loop, for every mode: closed or open loop, by count or by duration, with or
//! without warm-up and ramp, plain or `--sse`.
//!
//! Each worker owns one HTTP/1.1 connection (hyper's bare `client::conn::http1`) and drives it in
//! its own task: the connection future is polled next to the request future (see [`drive`])
//! instead of being spawned, so a request costs no cross-task wake-ups. Workers of one generator
//! thread share its [`Thread`] state through `Rc`/`RefCell`: no locks, no atomics on the hot
//! path except the live counters.
//!
//! Time: in the open loop a worker takes the next intended send time from the thread's schedule,
//! sleeps until then if it is early, and measures latency from that intended time. If it is late
//! (the connection was busy, the server stalled), the wait is part of the latency: that is the
//! delay a user arriving at that moment would have seen.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http::header::RETRY_AFTER;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, Connection, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::Live;
use super::plan::Plan;
use super::schedule::Schedule;
use super::stats::{self, ErrorKind, Stats};
use super::stream::SseReader;
use crate::tokens::Counter;

type Body = Full<Bytes>;

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
    pub schedule: RefCell<Option<Schedule>>,
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
        schedule: Option<Schedule>,
    ) -> Self {
        let counter = plan.sse.then(super::stream::counter);
        Self {
            plan,
            addr,
            clock,
            live,
            tickets,
            schedule: RefCell::new(schedule),
            stats: RefCell::new(Stats::new()),
            window: RefCell::new(stats::histogram()),
            next_body: Cell::new(0),
            counter,
        }
    }

    fn request(&self) -> (hyper::Request<Body>, u64) {
        let t = &self.plan.template;
        let body = match t.bodies.len() {
            0 => Bytes::new(),
            1 => t.bodies[0].clone(),
            n => {
                let i = self.next_body.get();
                self.next_body.set(i + 1);
                t.bodies[(i % n as u64) as usize].clone()
            }
        };
        let out = t.head_len + body.len() as u64;
        let mut req = hyper::Request::new(Full::new(body));
        *req.method_mut() = t.method.clone();
        *req.uri_mut() = t.uri.clone();
        *req.headers_mut() = t.headers.clone();
        (req, out)
    }

    /// Open loop, after the workers stopped: scheduled sends inside the window that never went out.
    pub(crate) fn count_missed(&self) {
        let mut schedule = self.schedule.borrow_mut();
        let (Some(deadline), Some(schedule)) = (self.clock.deadline, schedule.as_mut()) else {
            return;
        };
        if self.live.is_stopped() {
            return;
        }
        let limit = self.plan.load.requests;
        let mut missed = 0;
        loop {
            let t = self.clock.start + schedule.next_offset();
            if t >= deadline || limit.is_some_and(|n| self.tickets.load(Ordering::Relaxed) >= n) {
                break;
            }
            if t >= self.clock.measure_start {
                missed += 1;
                self.tickets.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.stats.borrow_mut().missed_sends += missed;
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
            Outcome::Response(r) => {
                let latency = us(r.end, intended);
                s.response(r.status, latency, us(r.first_byte, intended));
                s.bytes_in += r.bytes_in;
                s.bytes_out += r.bytes_out;
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
    Response(Answer),
    Failed(ErrorKind, Instant),
    Aborted,
}

struct Answer {
    status: u16,
    first_byte: Instant,
    end: Instant,
    bytes_in: u64,
    bytes_out: u64,
    retry_after: Option<String>,
    stream: Option<SseReader>,
    /// The body was read to its end, so the connection can carry another request.
    reusable: bool,
}

/// One kept-alive connection and the future that drives its I/O.
struct Conn {
    sender: SendRequest<Body>,
    driver: Pin<Box<Connection<TokioIo<TcpStream>, Body>>>,
    alive: bool,
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

    let mut conn: Option<Conn> = None;
    loop {
        if th.live.is_stopped() {
            break;
        }
        let intended = if open {
            let t = match th.schedule.borrow_mut().as_mut() {
                Some(s) => clock.start + s.next_offset(),
                None => break,
            };
            if clock.deadline.is_some_and(|d| t >= d) {
                break;
            }
            if t > Instant::now() {
                tokio::time::sleep_until(t.into()).await;
            } else if clock.deadline.is_some_and(|d| Instant::now() >= d) {
                // Due inside the window, but every connection was busy until it closed.
                if t >= clock.measure_start {
                    th.stats.borrow_mut().missed_sends += 1;
                }
                break;
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
async fn exchange(th: &Thread, slot: &mut Option<Conn>) -> Outcome {
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

async fn attempt(th: &Thread, slot: &mut Option<Conn>) -> Outcome {
    // A kept-alive connection the server closed while idle fails before anything is sent:
    // that is not the request's fault, so reconnect once and go on.
    for _ in 0..2 {
        let fresh = match slot {
            Some(c) if c.alive && !c.sender.is_closed() => false,
            _ => match connect(th).await {
                Ok(c) => {
                    *slot = Some(c);
                    true
                }
                Err(kind) => return Outcome::Failed(kind, Instant::now()),
            },
        };
        let Some(Conn {
            sender,
            driver,
            alive,
        }) = slot.as_mut()
        else {
            unreachable!("a connection was just stored")
        };
        if drive(driver, alive, sender.ready()).await.is_err() {
            *slot = None;
            if fresh {
                return Outcome::Failed(ErrorKind::Reset, Instant::now());
            }
            continue;
        }
        let (req, bytes_out) = th.request();
        let sse = th.plan.sse;
        let outcome = drive(driver, alive, read_response(sender.send_request(req), sse)).await;
        let keep = th.plan.keepalive
            && matches!(&outcome, Ok(a) if a.reusable)
            && slot.as_ref().is_some_and(|c| c.alive);
        if !keep {
            *slot = None;
        }
        return match outcome {
            Ok(mut answer) => {
                answer.bytes_out = bytes_out;
                Outcome::Response(answer)
            }
            Err(kind) => Outcome::Failed(kind, Instant::now()),
        };
    }
    Outcome::Failed(ErrorKind::Reset, Instant::now())
}

async fn connect(th: &Thread) -> Result<Conn, ErrorKind> {
    let stream =
        match tokio::time::timeout(th.plan.connect_timeout, TcpStream::connect(th.addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(_)) | Err(_) => return Err(ErrorKind::Connect),
        };
    // Requests are small and latency-bound: never let Nagle hold one back.
    let _ = stream.set_nodelay(true);
    let (sender, driver) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| ErrorKind::Other)?;
    Ok(Conn {
        sender,
        driver: Box::pin(driver),
        alive: true,
    })
}

/// Polls `fut` together with the connection's I/O until `fut` is done. When the connection
/// finishes first (the server closed it), `fut` still runs to completion on what was received.
async fn drive<F: Future>(
    driver: &mut Pin<Box<Connection<TokioIo<TcpStream>, Body>>>,
    alive: &mut bool,
    fut: F,
) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    if *alive {
        tokio::select! {
            biased;
            out = &mut fut => return out,
            _ = driver.as_mut() => *alive = false,
        }
    }
    fut.await
}

async fn read_response(
    sent: impl Future<Output = hyper::Result<hyper::Response<Incoming>>>,
    sse: bool,
) -> Result<Answer, ErrorKind> {
    let response = sent.await.map_err(|e| classify(&e))?;
    let first_byte = Instant::now();
    let status = response.status().as_u16();
    let retry_after = if status == 429 {
        response
            .headers()
            .get(RETRY_AFTER)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    } else {
        None
    };
    // Status line and headers as they were on the wire, give or take the reason phrase.
    let mut bytes_in = 17 + 2;
    for (name, value) in response.headers() {
        bytes_in += name.as_str().len() + 2 + value.len() + 2;
    }
    let mut bytes_in = bytes_in as u64;
    let mut body = response.into_body();
    let mut stream = sse.then(SseReader::new);
    let mut reusable = true;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| classify(&e))?;
        if let Some(data) = frame.data_ref() {
            bytes_in += data.len() as u64;
            if let Some(reader) = stream.as_mut() {
                reader.feed(data, Instant::now());
                if reader.is_done() {
                    // Some servers keep the stream open after [DONE]; don't wait for them.
                    reusable = hyper::body::Body::is_end_stream(&body);
                    break;
                }
            }
        }
    }
    Ok(Answer {
        status,
        first_byte,
        end: Instant::now(),
        bytes_in,
        bytes_out: 0,
        retry_after,
        stream,
        reusable,
    })
}

/// Buckets a hyper error into the kinds the report shows.
fn classify(e: &hyper::Error) -> ErrorKind {
    if e.is_timeout() {
        return ErrorKind::Timeout;
    }
    if e.is_incomplete_message() || e.is_closed() || e.is_canceled() || e.is_body_write_aborted() {
        return ErrorKind::Reset;
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            return match io.kind() {
                K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
                    ErrorKind::Reset
                }
                K::TimedOut => ErrorKind::Timeout,
                _ => ErrorKind::Other,
            };
        }
        source = cause.source();
    }
    ErrorKind::Other
}
