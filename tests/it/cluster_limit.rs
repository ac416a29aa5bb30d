//! Cluster-wide rate limits on a real redis-server.
//!
//! - the Lua GCRA itself, through the library: burst, then the rate, `Retry-After`, expiry of
//!   idle buckets, one bucket shared by two connections, a script Redis forgot;
//! - the fallback: Redis gone, the limiter decides per node and says so; back when Redis is;
//! - end to end: two `plugctl serve` nodes on one Redis admit the configured rate together (not
//!   twice it), and keep limiting per node, reported by /readyz, when Redis is killed.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use plugctl::serve::cluster_limit::{ClusterGcra, RETRY_EVERY, RedisLink};
use plugctl::serve::limit::{Rate, RateLimiter as _, Scope};

use crate::serve::{client, post_chat};
use crate::serve_reload::{replace, until_version};
use crate::support::Sandbox;
use crate::support::redis::RedisServer;
use crate::support::serve_child::ServeChild;

fn rate(rps: u32, burst: u32) -> Rate {
    Rate::new(rps, burst).unwrap()
}

async fn redis_cmd(url: &str, args: &[&str]) -> redis::Value {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query_async(&mut conn).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lua_gcra_admits_a_burst_then_the_rate() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let link = RedisLink::connect(&redis.url()).await.unwrap();
    let r = rate(10, 3);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let d = link.check("t:burst", r).await.expect("redis answers");
        assert!(d.allowed);
        remaining.push(d.remaining);
    }
    assert_eq!(remaining, [2, 1, 0]);
    let refused = link.check("t:burst", r).await.unwrap();
    assert!(!refused.allowed);
    assert_eq!(refused.remaining, 0);
    // The next slot is one interval (100 ms) after the first request, less the time spent since.
    assert!(
        refused.retry_after > Duration::from_millis(50)
            && refused.retry_after <= Duration::from_millis(100),
        "{:?}",
        refused.retry_after
    );
    // Another key has its own bucket.
    assert!(link.check("t:other", r).await.unwrap().allowed);
    tokio::time::sleep(refused.retry_after + Duration::from_millis(5)).await;
    assert!(link.check("t:burst", r).await.unwrap().allowed);
    assert!(!link.check("t:burst", r).await.unwrap().allowed);
    // The bucket expires once it would be full again (3 intervals at most, plus a millisecond).
    let ttl = redis_cmd(&redis.url(), &["PTTL", "t:burst"]).await;
    let redis::Value::Int(ttl) = ttl else {
        panic!("{ttl:?}")
    };
    assert!((1..=302).contains(&ttl), "{ttl}");
    assert_eq!(link.scope(), Scope::Cluster);
}

/// Two connections (two nodes) draw from one bucket: together they get the burst once.
#[tokio::test(flavor = "multi_thread")]
async fn two_links_share_one_bucket_and_a_forgotten_script_is_reloaded() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let a = RedisLink::connect(&redis.url()).await.unwrap();
    let b = RedisLink::connect(&redis.url()).await.unwrap();
    // 1 request/s: nothing refills during the test.
    let r = rate(1, 20);
    let mut admitted = 0;
    for i in 0..40 {
        let link = if i % 2 == 0 { &a } else { &b };
        admitted += u32::from(link.check("t:shared", r).await.unwrap().allowed);
    }
    assert_eq!(admitted, 20);
    // After SCRIPT FLUSH, EVALSHA fails with NOSCRIPT; the script is sent again.
    redis_cmd(&redis.url(), &["SCRIPT", "FLUSH"]).await;
    let d = a
        .check("t:fresh", r)
        .await
        .expect("the script is loaded again");
    assert!(d.allowed);
    assert_eq!(d.remaining, 19);
}

/// Redis killed: the limiter decides per node at once (no waiting per request), reports it, and
/// goes back to the shared bucket when Redis is back.
#[tokio::test(flavor = "multi_thread")]
async fn without_redis_the_node_limits_alone_until_it_is_back() {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let link = RedisLink::connect(&redis.url()).await.unwrap();
    let limiter = ClusterGcra::global(Arc::clone(&link), rate(1, 5));
    assert!(limiter.check("").await.allowed);
    assert_eq!(limiter.scope(), Scope::Cluster);
    redis.stop();

    let started = Instant::now();
    let decisions: Vec<bool> = {
        let mut v = Vec::new();
        for _ in 0..8 {
            v.push(limiter.check("").await.allowed);
        }
        v
    };
    // The node's own bucket (burst 5) is fresh: 5 admitted, then refused.
    assert_eq!(
        decisions,
        [true, true, true, true, true, false, false, false]
    );
    assert_eq!(limiter.scope(), Scope::NodeFallback);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "decisions took {:?}",
        started.elapsed()
    );

    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    while limiter.scope() != Scope::Cluster {
        assert!(Instant::now() < deadline, "still per node with Redis back");
        tokio::time::sleep(RETRY_EVERY / 4).await;
        limiter.check("").await;
    }
    // The restarted Redis has no data: a fresh shared bucket.
    let d = limiter.check("").await;
    assert!(d.allowed);
}

/// How one node answered a bounded load.
#[derive(Debug, Default)]
struct Tally {
    by_status: HashMap<u16, u64>,
}

impl Tally {
    fn get(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    fn total(&self) -> u64 {
        self.by_status.values().sum()
    }
}

/// Closed loops of chat turns on `workers` connections per node, for `load` (and at most
/// `max_requests` in all); the statuses each node answered.
async fn offer_load(urls: &[String], workers: usize, load: Duration) -> Vec<Tally> {
    const MAX_REQUESTS: u64 = 60_000;
    let sent = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + load;
    let http = client();
    let mut tasks = Vec::new();
    for (node, url) in urls.iter().enumerate() {
        for _ in 0..workers {
            let (http, url, sent) = (http.clone(), url.clone(), Arc::clone(&sent));
            tasks.push(tokio::spawn(async move {
                let mut seen: HashMap<u16, u64> = HashMap::new();
                while Instant::now() < deadline
                    && sent.fetch_add(1, Ordering::Relaxed) < MAX_REQUESTS
                {
                    let status = http
                        .post(format!("{url}/v1/chat"))
                        .json(&json!({"message": "hi"}))
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16();
                    *seen.entry(status).or_default() += 1;
                }
                (node, seen)
            }));
        }
    }
    let mut tallies: Vec<Tally> = urls.iter().map(|_| Tally::default()).collect();
    for task in tasks {
        let (node, seen) = task.await.unwrap();
        for (status, n) in seen {
            *tallies[node].by_status.entry(status).or_default() += n;
        }
    }
    tallies
}

/// An open loop: `rps` chat turns a second to `url` for `window`, each sent without waiting for
/// the others (a turn that fails on a dead store takes a while; the limiter decides at arrival).
async fn offer_open_load(url: &str, rps: u32, window: Duration) -> Tally {
    let http = client();
    let mut tick = tokio::time::interval(Duration::from_secs(1) / rps);
    let count = (window.as_secs_f64() * f64::from(rps)) as usize;
    let mut tasks = Vec::with_capacity(count);
    for _ in 0..count {
        tick.tick().await;
        let (http, url) = (http.clone(), url.to_string());
        tasks.push(tokio::spawn(async move {
            http.post(format!("{url}/v1/chat"))
                .json(&json!({"message": "hi"}))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }));
    }
    let mut tally = Tally::default();
    for task in tasks {
        *tally.by_status.entry(task.await.unwrap()).or_default() += 1;
    }
    tally
}

async fn readyz(url: &str) -> (u16, Value) {
    let response = client().get(format!("{url}/readyz")).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_on_one_redis_admit_the_rate_once_and_fall_back_per_node() {
    const RPS: f64 = 100.0;
    const BURST: f64 = 10.0;
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let url = redis.url();
    let args = [
        "--store",
        url.as_str(),
        "--rate-limit",
        "100",
        "--rate-burst",
        "10",
    ];
    let a = ServeChild::start(&sb, &args);
    let b = ServeChild::start(&sb, &args);
    let urls = [a.url.clone(), b.url.clone()];
    for node in &urls {
        let (status, body) = readyz(node).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["rate_limit"]["scope"], "cluster", "{body}");
    }

    let started = Instant::now();
    let tallies = offer_load(&urls, 6, Duration::from_secs(3)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let admitted: u64 = tallies.iter().map(|t| t.get(200)).sum();
    let refused: u64 = tallies.iter().map(|t| t.get(429)).sum();
    let total: u64 = tallies.iter().map(Tally::total).sum();
    assert_eq!(admitted + refused, total, "{tallies:?}");
    let offered = total as f64 / elapsed;
    assert!(
        offered > 2.0 * 2.0 * RPS,
        "the load offered only {offered:.0} requests/s: not enough to test a shared {RPS}"
    );
    // What one node alone admits: the burst, then the rate.
    let expected = BURST + RPS * elapsed;
    let ratio = admitted as f64 / expected;
    eprintln!(
        "two nodes admitted {admitted} ({} + {}) of {total} in {elapsed:.2} s (offered \
         {offered:.0}/s); one node's limit is {expected:.0}: ratio {ratio:.3}",
        tallies[0].get(200),
        tallies[1].get(200),
    );
    assert!(
        (0.9..=1.1).contains(&ratio),
        "admitted {admitted}, expected {expected:.0} ± 10% (twice that would mean per node)"
    );
    // Both nodes took part.
    assert!(tallies.iter().all(|t| t.get(200) > 0), "{tallies:?}");

    // Redis killed: each node limits alone. Admitted turns fail on the store (503), refused ones
    // are still 429s, and each node refuses on its own count: together about twice the rate.
    redis.stop();
    const WINDOW: Duration = Duration::from_secs(2);
    let (ta, tb) = tokio::join!(
        offer_open_load(&urls[0], 300, WINDOW),
        offer_open_load(&urls[1], 300, WINDOW)
    );
    let per_node = BURST + RPS * WINDOW.as_secs_f64();
    for (node, tally) in [ta, tb].iter().enumerate() {
        let passed = tally.get(503);
        assert_eq!(passed + tally.get(429), tally.total(), "{tally:?}");
        let ratio = passed as f64 / per_node;
        eprintln!(
            "without Redis, node {node} let {passed} of {} through: ratio {ratio:.3}",
            tally.total()
        );
        // Shared, the two nodes would let about half of this through each.
        assert!(
            (0.85..=1.15).contains(&ratio),
            "node {node} let {passed} through, its own limit is {per_node:.0}: {tally:?}"
        );
    }
    for node in &urls {
        let (status, body) = readyz(node).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(
            body["rate_limit"]["scope"], "node (redis unreachable)",
            "{body}"
        );
    }
    // One log line for the transition, not one per request.
    for server in [&a, &b] {
        let log = server.stderr();
        assert_eq!(
            log.matches("rate limits fall back to this node alone")
                .count(),
            1,
            "{log}"
        );
    }

    // Redis back: cluster-wide again, reported by /readyz and logged once.
    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(20);
    for node in &urls {
        loop {
            // A request gives the limiter the chance to ask Redis again.
            let _ = post_chat(node, &json!({"message": "hi"})).await;
            let (status, body) = readyz(node).await;
            if status == 200 && body["rate_limit"]["scope"] == "cluster" {
                break;
            }
            assert!(Instant::now() < deadline, "not back to cluster: {body}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    for server in [&a, &b] {
        assert!(
            server
                .stderr()
                .contains("rate limits are cluster-wide again"),
            "{}",
            server.stderr()
        );
    }
    assert_eq!(a.terminate().0, 0);
    assert_eq!(b.terminate().0, 0);
}

/// A reload changes a cluster-wide limit on the node's open Redis connection.
#[tokio::test(flavor = "multi_thread")]
async fn a_reload_changes_the_cluster_wide_limit() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let yaml = |rps: u32| {
        format!(
            "serve:\n  store: {}\n  rate_limit:\n    rps: {rps}\n    burst: 1\n",
            redis.url()
        )
    };
    let path = sb.write("plugctl.yaml", yaml(1000));
    let server = ServeChild::start_env(&sb, &[], &[("PLUGCTL_CONFIG", path.to_str().unwrap())]);
    let chat = || async {
        client()
            .post(format!("{}/v1/chat", server.url))
            .json(&json!({"message": "hi"}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    // 1000/s with a burst of 1: two turns a few ms apart both pass.
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(chat().await, 200);
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(chat().await, 200);

    replace(&path, &yaml(1));
    let ready = until_version(&server.url, 2).await;
    assert_eq!(ready["rate_limit"]["scope"], "cluster", "{ready}");
    // 1/s now: the second turn within the second is refused.
    let statuses = [chat().await, chat().await];
    assert_eq!(statuses, [200, 429]);
    assert_eq!(server.terminate().0, 0);
}
