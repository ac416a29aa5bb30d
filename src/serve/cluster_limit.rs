//! Cluster-wide rate limits: with the Redis store (`--store redis://...`), every node checks the
//! same GCRA in Redis, so N nodes together admit the configured rate, not N times it.
//!
//! The GCRA is one Lua script (run with EVALSHA, loaded again when Redis forgot it): the key
//! holds the theoretical arrival time (TAT) in microseconds, the script reads the clock with
//! Redis `TIME`, so the nodes' own clocks never matter, and it reads, decides and writes in one
//! atomic step. The key expires once the bucket is full again, so idle clients cost nothing.
//!
//! When Redis does not answer (within [`CALL_TIMEOUT`]), each node falls back to its own
//! in-process limiter with the same rate. The switch is logged once per transition, `/readyz`
//! reports the scope (`cluster`, or `node (redis unreachable)`), and while degraded at most one
//! request per [`RETRY_EVERY`] asks Redis again, so an outage costs no latency.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::limit::{Decision, Limits, LocalGcra, Rate, RateLimitSettings, RateLimiter, Scope};
use super::sessions::{RedisStore, StoreError};

/// Longest a limit check waits for Redis before the node decides alone.
pub const CALL_TIMEOUT: Duration = Duration::from_millis(250);
/// How often a degraded node asks Redis whether it is back.
pub const RETRY_EVERY: Duration = Duration::from_secs(1);
/// Every limiter key starts with this.
pub const KEY_PREFIX: &str = "plugctl:ratelimit:";

/// GCRA in one step. KEYS: the bucket. ARGV: emission interval (µs, may be fractional), burst.
/// Returns {allowed (1/0), remaining, retry after (µs), reset (µs)}.
pub const GCRA: &str = r"
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - interval * burst
if now < allow_at then
  return {0, 0, math.ceil(allow_at - now), math.ceil(tat - now)}
end
local reset = math.ceil(new_tat - now)
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil(reset / 1000) + 1)
local remaining = math.floor((now - allow_at) / interval + 1e-6)
if remaining > burst - 1 then remaining = burst - 1 end
return {1, remaining, 0, reset}
";

/// The connection to Redis shared by a node's cluster limiters, and whether it works.
pub struct RedisLink {
    conn: ConnectionManager,
    script: Script,
    shown: String,
    degraded: AtomicBool,
    /// While degraded: when the next request may ask Redis again.
    retry_at: Mutex<Instant>,
}

impl fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLink")
            .field("url", &self.shown)
            .field("degraded", &self.degraded.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl RedisLink {
    /// Connects to `url`. Redis need not answer now: until it does, the limits are per node.
    pub async fn connect(url: &str) -> Result<Arc<Self>, StoreError> {
        let shown = RedisStore::display_url(url);
        let unreachable = |e: redis::RedisError| StoreError::Unreachable {
            url: shown.clone(),
            message: e.to_string(),
        };
        let client = redis::Client::open(url).map_err(unreachable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(unreachable)?;
        Ok(Arc::new(Self {
            conn,
            script: Script::new(GCRA),
            shown: shown.clone(),
            degraded: AtomicBool::new(false),
            retry_at: Mutex::new(Instant::now()),
        }))
    }

    /// Where limits are counted right now.
    pub fn scope(&self) -> Scope {
        if self.degraded.load(Ordering::Relaxed) {
            Scope::NodeFallback
        } else {
            Scope::Cluster
        }
    }

    /// One GCRA step on `key` in Redis; `None` when the node must decide alone.
    pub async fn check(&self, key: &str, rate: Rate) -> Option<Decision> {
        if self.degraded.load(Ordering::Relaxed) {
            let mut retry_at = self.retry_at.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if now < *retry_at {
                return None;
            }
            *retry_at = now + RETRY_EVERY;
        }
        let interval_us = 1e6 / f64::from(rate.rps.get());
        let mut invocation = self.script.prepare_invoke();
        invocation.key(key).arg(interval_us).arg(rate.burst.get());
        let mut conn = self.conn.clone();
        let called = tokio::time::timeout(CALL_TIMEOUT, invocation.invoke_async(&mut conn)).await;
        match called {
            Ok(Ok((allowed, remaining, retry_us, reset_us))) => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::warn!(
                        redis = %self.shown,
                        "rate limits are cluster-wide again: Redis answers"
                    );
                }
                Some(decision(rate, allowed, remaining, retry_us, reset_us))
            }
            failed => {
                let error = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no answer within {} ms", CALL_TIMEOUT.as_millis()),
                };
                *self.retry_at.lock().unwrap_or_else(|e| e.into_inner()) =
                    Instant::now() + RETRY_EVERY;
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        redis = %self.shown,
                        %error,
                        "rate limits fall back to this node alone: Redis is unreachable"
                    );
                }
                None
            }
        }
    }
}

fn decision(rate: Rate, allowed: i64, remaining: i64, retry_us: i64, reset_us: i64) -> Decision {
    let micros = |n: i64| Duration::from_micros(u64::try_from(n).unwrap_or(0));
    Decision {
        allowed: allowed == 1,
        rate,
        remaining: u32::try_from(remaining.max(0)).unwrap_or(u32::MAX),
        reset: micros(reset_us),
        retry_after: micros(retry_us),
    }
}

/// A limit shared by every node on one Redis, with the node's own limiter as the fallback.
pub struct ClusterGcra {
    link: Arc<RedisLink>,
    /// `plugctl:ratelimit:<name>:`: one bucket per limit (and per client).
    prefix: String,
    local: LocalGcra,
}

impl fmt::Debug for ClusterGcra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClusterGcra({}, {})", self.prefix, self.local.rate())
    }
}

impl ClusterGcra {
    /// The global limit: one bucket for every request.
    pub fn global(link: Arc<RedisLink>, rate: Rate) -> Self {
        Self {
            link,
            prefix: format!("{KEY_PREFIX}global:"),
            local: LocalGcra::global(rate),
        }
    }

    /// One bucket per client.
    pub fn per_client(link: Arc<RedisLink>, rate: Rate) -> Self {
        Self {
            link,
            prefix: format!("{KEY_PREFIX}client:"),
            local: LocalGcra::keyed(rate),
        }
    }
}

impl RateLimiter for ClusterGcra {
    fn rate(&self) -> Rate {
        self.local.rate()
    }

    fn check<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Decision> {
        Box::pin(async move {
            let bucket = format!("{}{key}", self.prefix);
            match self.link.check(&bucket, self.local.rate()).await {
                Some(decision) => decision,
                None => self.local.check_now(key),
            }
        })
    }

    fn forget_idle(&self) {
        self.local.forget_idle();
    }

    fn scope(&self) -> Scope {
        self.link.scope()
    }
}

/// Cluster-wide limiters for the settings, all on one connection to `url`.
pub async fn limits(url: &str, settings: &RateLimitSettings) -> Result<Limits, StoreError> {
    Ok(limits_on(&RedisLink::connect(url).await?, settings))
}

/// Cluster-wide limiters on an open connection (a reload keeps the node's connection).
pub fn limits_on(link: &Arc<RedisLink>, settings: &RateLimitSettings) -> Limits {
    Limits {
        global: settings.global.map(|rate| {
            Arc::new(ClusterGcra::global(Arc::clone(link), rate)) as Arc<dyn RateLimiter>
        }),
        per_client: settings.per_client.map(|(key, rate)| {
            (
                key,
                Arc::new(ClusterGcra::per_client(Arc::clone(link), rate)) as Arc<dyn RateLimiter>,
            )
        }),
        cluster: Some(Arc::clone(link)),
    }
}
