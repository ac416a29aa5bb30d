//! Rate limits of the API (`/v1/*`): a global limit per node, on by default (100 requests/s), and
//! optional per-client limits keyed by client IP or API key.
//!
//! Limits are GCRA (the generic cell rate algorithm: one "theoretical arrival time" per key, no
//! refill task) from the `governor` crate, behind the small [`RateLimiter`] trait so that a
//! cluster-wide limiter (e.g. a GCRA in Redis) can replace the local one without touching the
//! routes. Every answer of a limited route carries `RateLimit-Limit`, `RateLimit-Remaining`,
//! `RateLimit-Reset` and `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers); a refused
//! request gets 429 with `Retry-After` and a problem body, and is counted in `/metrics`.
//!
//! Probes, metrics, docs, the OpenAPI document and the manifest are never limited: the layers
//! are applied to the `/v1` routes only (see `routes/mod.rs`).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::future::BoxFuture;
use governor::clock::{Clock, MonotonicClock, ReasonablyRealtime};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter as Gcra};

use super::auth::Principal;
use super::problem::{Problem, problem_response};
use super::state::AppState;

/// The global limit when nothing else is configured.
pub const DEFAULT_RPS: u32 = 100;

/// A sustained rate and the burst allowed on top of an idle period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per second, sustained.
    pub rps: NonZeroU32,
    /// Requests admitted at once after an idle period (the GCRA's bucket size).
    pub burst: NonZeroU32,
}

impl Rate {
    /// `rps` per second with a burst of `burst`; `None` when either is zero.
    pub fn new(rps: u32, burst: u32) -> Option<Self> {
        Some(Self {
            rps: NonZeroU32::new(rps)?,
            burst: NonZeroU32::new(burst)?,
        })
    }

    fn quota(self) -> Quota {
        Quota::per_second(self.rps).allow_burst(self.burst)
    }

    /// Time between two admitted requests at the sustained rate.
    fn interval(self) -> Duration {
        Duration::from_secs(1) / self.rps.get()
    }

    /// The `RateLimit-Policy` item: the sustained quota per second, and the burst.
    fn policy(self, name: &str) -> String {
        format!("{};w=1;burst={};policy=\"{name}\"", self.rps, self.burst)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} requests/s, burst {}", self.rps, self.burst)
    }
}

/// What a per-client limit is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKey {
    /// The peer address (IPv6 clients by their /64, which one client usually owns whole).
    Ip,
    /// The API key the request authenticated with (`auth: {type: api_key}`). Identities from
    /// other authenticators (a JWT subject) are keyed the same way: by the request's
    /// [`Principal`].
    ApiKey,
}

impl ClientKey {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ip" => Some(ClientKey::Ip),
            "api_key" => Some(ClientKey::ApiKey),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ClientKey::Ip => "ip",
            ClientKey::ApiKey => "api_key",
        }
    }
}

/// The resolved `serve.rate_limit` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// The node's limit over all clients; `None` turns it off.
    pub global: Option<Rate>,
    /// A limit per client, on top of the global one.
    pub per_client: Option<(ClientKey, Rate)>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            global: Rate::new(DEFAULT_RPS, DEFAULT_RPS),
            per_client: None,
        }
    }
}

/// The outcome of one check, with what the `RateLimit-*` headers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub rate: Rate,
    /// Requests that would still be admitted right now.
    pub remaining: u32,
    /// Until the whole burst is available again.
    pub reset: Duration,
    /// When refused: until the next request can be admitted.
    pub retry_after: Duration,
}

/// A rate limiter: admits or refuses one request for a key (the global limiter ignores it).
/// Asynchronous so that a limiter shared by several nodes can ask its store.
pub trait RateLimiter: Send + Sync + fmt::Debug {
    fn rate(&self) -> Rate;

    fn check<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Decision>;

    /// Forgets keys that are back to a fresh state; called every minute.
    fn forget_idle(&self) {}

    /// Where requests are counted right now.
    fn scope(&self) -> Scope {
        Scope::Node
    }
}

/// Where a limit is counted: by this node alone, or by every node sharing one Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Node,
    Cluster,
    /// A cluster-wide limit while Redis does not answer: each node counts alone.
    NodeFallback,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Node => "node",
            Scope::Cluster => "cluster",
            Scope::NodeFallback => "node (redis unreachable)",
        }
    }
}

type Direct<C> = Gcra<NotKeyed, InMemoryState, C, StateInformationMiddleware>;
type Keyed<C> = Gcra<String, DashMapStateStore<String>, C, StateInformationMiddleware>;

/// The in-process GCRA of one node.
pub struct LocalGcra<C: Clock = MonotonicClock> {
    rate: Rate,
    limiter: Either<Direct<C>, Keyed<C>>,
    clock: C,
}

enum Either<D, K> {
    Direct(D),
    Keyed(K),
}

impl<C: Clock> fmt::Debug for LocalGcra<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.limiter {
            Either::Direct(_) => "global",
            Either::Keyed(_) => "per key",
        };
        write!(f, "LocalGcra({kind}, {})", self.rate)
    }
}

impl LocalGcra {
    /// One limit for every request.
    pub fn global(rate: Rate) -> Self {
        Self::global_with_clock(rate, MonotonicClock)
    }

    /// One limit per key.
    pub fn keyed(rate: Rate) -> Self {
        Self::keyed_with_clock(rate, MonotonicClock)
    }
}

impl<C: Clock + Clone> LocalGcra<C> {
    pub fn global_with_clock(rate: Rate, clock: C) -> Self {
        let limiter = Gcra::direct_with_clock(rate.quota(), clock.clone())
            .with_middleware::<StateInformationMiddleware>();
        Self {
            rate,
            limiter: Either::Direct(limiter),
            clock,
        }
    }

    pub fn keyed_with_clock(rate: Rate, clock: C) -> Self {
        let limiter = Gcra::dashmap_with_clock(rate.quota(), clock.clone())
            .with_middleware::<StateInformationMiddleware>();
        Self {
            rate,
            limiter: Either::Keyed(limiter),
            clock,
        }
    }

    /// The decision, without the future (the local limiter never waits).
    pub fn check_now(&self, key: &str) -> Decision {
        let outcome = match &self.limiter {
            Either::Direct(l) => l.check(),
            Either::Keyed(l) => l.check_key(&key.to_string()),
        };
        let rate = self.rate;
        let burst = rate.burst.get();
        match outcome {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity().min(burst);
                Decision {
                    allowed: true,
                    rate,
                    remaining,
                    reset: rate.interval() * (burst - remaining),
                    retry_after: Duration::ZERO,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Decision {
                    allowed: false,
                    rate,
                    remaining: 0,
                    reset: wait + rate.interval() * (burst - 1),
                    retry_after: wait,
                }
            }
        }
    }
}

impl<C> RateLimiter for LocalGcra<C>
where
    C: Clock + ReasonablyRealtime + Clone + Send + Sync,
    C::Instant: Send + Sync,
{
    fn rate(&self) -> Rate {
        self.rate
    }

    fn check<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Decision> {
        let decision = self.check_now(key);
        Box::pin(std::future::ready(decision))
    }

    fn forget_idle(&self) {
        if let Either::Keyed(l) = &self.limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// The limiters of one server.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub global: Option<Arc<dyn RateLimiter>>,
    pub per_client: Option<(ClientKey, Arc<dyn RateLimiter>)>,
    /// The connection cluster-wide limiters share (kept across reloads).
    pub cluster: Option<Arc<super::cluster_limit::RedisLink>>,
}

impl Limits {
    /// In-process limiters for the settings.
    pub fn local(settings: &RateLimitSettings) -> Self {
        Self {
            global: settings
                .global
                .map(|rate| Arc::new(LocalGcra::global(rate)) as Arc<dyn RateLimiter>),
            per_client: settings.per_client.map(|(key, rate)| {
                (
                    key,
                    Arc::new(LocalGcra::keyed(rate)) as Arc<dyn RateLimiter>,
                )
            }),
            cluster: None,
        }
    }

    pub fn forget_idle(&self) {
        if let Some((_, limiter)) = &self.per_client {
            limiter.forget_idle();
        }
    }

    /// Where the limits are counted; `None` when every limit is off.
    pub fn scope(&self) -> Option<Scope> {
        let limiter = self
            .global
            .as_ref()
            .or(self.per_client.as_ref().map(|(_, l)| l))?;
        Some(limiter.scope())
    }
}

/// Middleware: the node's global limit. Outermost of the API's layers, so that even requests
/// that fail authentication count against it.
pub(crate) async fn global(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(limiter) = state.limits.global.clone() else {
        return next.run(request).await;
    };
    let decision = limiter.check("").await;
    if !decision.allowed {
        state.metrics.rate_limited("global");
        return refused(&decision, "global", "this server's limit");
    }
    let mut response = next.run(request).await;
    annotate(response.headers_mut(), &decision, "global");
    response
}

/// Middleware: the per-client limit, after authentication (it may key by the principal).
pub(crate) async fn per_client(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some((key, limiter)) = state.limits.per_client.clone() else {
        return next.run(request).await;
    };
    let id = client_id(key, &request);
    let decision = limiter.check(&id).await;
    if !decision.allowed {
        state.metrics.rate_limited("client");
        return refused(&decision, "client", "the limit of each client");
    }
    let mut response = next.run(request).await;
    annotate(response.headers_mut(), &decision, "client");
    response
}

/// The key a request is counted under. Without a principal (no authentication), by address.
fn client_id(key: ClientKey, request: &Request) -> String {
    if key == ClientKey::ApiKey
        && let Some(principal) = request.extensions().get::<Principal>()
        && !principal.is_anonymous()
    {
        return principal.id.clone();
    }
    match request.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(addr)) => format!("ip:{}", client_net(addr.ip())),
        // In-process tests have no peer: they share one key.
        None => "ip:unknown".into(),
    }
}

/// The address a client is limited by: IPv4 as is, IPv6 by its /64 network.
fn client_net(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Whole seconds, rounded up: the unit of `Retry-After` and `RateLimit-Reset`.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

const LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
const POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// Adds a decision to the `RateLimit-*` headers: every limit is listed in `RateLimit-Policy`;
/// `Limit`/`Remaining`/`Reset` describe the limit closest to refusing (the fewest remaining).
pub fn annotate(headers: &mut HeaderMap, decision: &Decision, name: &str) {
    let current = headers
        .get(&REMAINING)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u32>().ok());
    if current.is_none_or(|r| decision.remaining < r) {
        headers.insert(LIMIT, HeaderValue::from(decision.rate.burst.get()));
        headers.insert(REMAINING, HeaderValue::from(decision.remaining));
        headers.insert(RESET, HeaderValue::from(ceil_secs(decision.reset)));
    }
    if let Ok(v) = HeaderValue::from_str(&decision.rate.policy(name)) {
        headers.append(POLICY, v);
    }
}

/// The 429 answer.
fn refused(decision: &Decision, name: &str, which: &str) -> Response {
    // At least one second: a client that retries "in 0 s" would only be refused again.
    let retry = ceil_secs(decision.retry_after).max(1);
    let problem = Problem {
        kind: "about:blank".into(),
        title: "Too Many Requests".into(),
        status: 429,
        detail: format!("over {which} ({}); retry in {retry} s", decision.rate),
    };
    let mut response = problem_response(&problem);
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry));
    annotate(headers, decision, name);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    fn rate(rps: u32, burst: u32) -> Rate {
        Rate::new(rps, burst).unwrap()
    }

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let clock = FakeRelativeClock::default();
        let l = LocalGcra::global_with_clock(rate(10, 3), clock.clone());
        let remaining: Vec<u32> = (0..3).map(|_| l.check_now("").remaining).collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = l.check_now("");
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, Duration::from_millis(100));
        clock.advance(Duration::from_millis(100));
        assert!(l.check_now("").allowed);
        assert!(!l.check_now("").allowed);
        // A full second at 10/s refills the burst of 3 (and no more).
        clock.advance(Duration::from_secs(1));
        assert_eq!(l.check_now("").remaining, 2);
    }

    #[test]
    fn admitted_count_over_time_is_burst_plus_rate() {
        let clock = FakeRelativeClock::default();
        let l = LocalGcra::global_with_clock(rate(100, 10), clock.clone());
        let mut admitted = 0;
        // 3 s offered at 1,000 requests/s.
        for _ in 0..3000 {
            admitted += u32::from(l.check_now("").allowed);
            clock.advance(Duration::from_millis(1));
        }
        assert!((309..=311).contains(&admitted), "{admitted}");
    }

    #[test]
    fn keys_have_their_own_buckets() {
        let clock = FakeRelativeClock::default();
        let l = LocalGcra::keyed_with_clock(rate(1, 1), clock.clone());
        assert!(l.check_now("a").allowed);
        assert!(!l.check_now("a").allowed);
        assert!(l.check_now("b").allowed);
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_net(a), client_net(b));
        assert_ne!(client_net(a), client_net(c));
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        assert_eq!(client_net(mapped), "10.1.2.3".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn headers_report_the_closest_limit_and_every_policy() {
        let mut headers = HeaderMap::new();
        let global = Decision {
            allowed: true,
            rate: rate(100, 100),
            remaining: 80,
            reset: Duration::from_millis(200),
            retry_after: Duration::ZERO,
        };
        let client = Decision {
            allowed: true,
            rate: rate(5, 10),
            remaining: 3,
            reset: Duration::from_millis(1400),
            retry_after: Duration::ZERO,
        };
        annotate(&mut headers, &client, "client");
        annotate(&mut headers, &global, "global");
        assert_eq!(headers["ratelimit-limit"], "10");
        assert_eq!(headers["ratelimit-remaining"], "3");
        assert_eq!(headers["ratelimit-reset"], "2");
        let policies: Vec<&str> = headers
            .get_all("ratelimit-policy")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(
            policies,
            [
                "5;w=1;burst=10;policy=\"client\"",
                "100;w=1;burst=100;policy=\"global\""
            ]
        );
    }

    #[test]
    fn a_refusal_is_429_with_retry_after_and_a_problem() {
        let decision = Decision {
            allowed: false,
            rate: rate(100, 100),
            remaining: 0,
            reset: Duration::from_millis(1000),
            retry_after: Duration::from_millis(10),
        };
        let response = refused(&decision, "global", "this server's limit");
        assert_eq!(response.status(), 429);
        let h = response.headers();
        assert_eq!(h["retry-after"], "1");
        assert_eq!(h["ratelimit-remaining"], "0");
        assert_eq!(h["ratelimit-reset"], "1");
        assert_eq!(h["content-type"], "application/problem+json");
    }

    mod router {
        use std::sync::Arc;

        use axum::body::Body;
        use axum::http::{Request, StatusCode};
        use tower::ServiceExt as _;

        use super::*;
        use crate::serve::backend::Backend;
        use crate::serve::sessions::MemoryStore;
        use crate::serve::settings::Settings;
        use crate::serve::{AppState, app};

        fn app_with(limits: RateLimitSettings) -> axum::Router {
            let mut settings = Settings::with_data_dir("unused".into());
            settings.rate_limit = limits;
            app(AppState::new(
                settings,
                Arc::new(MemoryStore::default()),
                Backend::Echo,
            ))
        }

        fn chat_from(ip: &str) -> Request<Body> {
            let mut req = Request::post("/v1/chat")
                .header("content-type", "application/json")
                .body(Body::from(r#"{"message": "hi"}"#))
                .unwrap();
            let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
            req.extensions_mut().insert(ConnectInfo(addr));
            req
        }

        async fn send(app: &axum::Router, req: Request<Body>) -> Response {
            app.clone().oneshot(req).await.unwrap()
        }

        #[tokio::test]
        async fn the_api_is_limited_and_nothing_else_is() {
            // 1 request/s with a burst of 2: a third request at once is refused.
            let app = app_with(RateLimitSettings {
                global: Rate::new(1, 2),
                per_client: None,
            });
            let first = send(&app, chat_from("10.0.0.1")).await;
            assert_eq!(first.status(), StatusCode::OK);
            assert_eq!(first.headers()["ratelimit-limit"], "2");
            assert_eq!(first.headers()["ratelimit-remaining"], "1");
            assert_eq!(
                first.headers()["ratelimit-policy"],
                "1;w=1;burst=2;policy=\"global\""
            );
            assert_eq!(send(&app, chat_from("10.0.0.2")).await.status(), 200);
            let refused = send(&app, chat_from("10.0.0.3")).await;
            assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(refused.headers()["retry-after"], "1");
            assert_eq!(refused.headers()["ratelimit-remaining"], "0");
            let body = axum::body::to_bytes(refused.into_body(), usize::MAX)
                .await
                .unwrap();
            let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(problem["status"], 429);
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("1 requests/s, burst 2")
            );
            let session = Request::get("/v1/sessions/any")
                .body(Body::empty())
                .unwrap();
            assert_eq!(send(&app, session).await.status(), 429);

            for path in [
                "/healthz",
                "/readyz",
                "/metrics",
                "/openapi.json",
                "/openapi.yaml",
                "/static/swagger.json",
                "/api/docs/",
                "/.well-known/ai-plugin.json",
            ] {
                for _ in 0..5 {
                    let response =
                        send(&app, Request::get(path).body(Body::empty()).unwrap()).await;
                    assert_eq!(response.status(), StatusCode::OK, "{path}");
                    assert!(
                        !response.headers().contains_key("ratelimit-limit"),
                        "{path}"
                    );
                }
            }
            let metrics = send(&app, Request::get("/metrics").body(Body::empty()).unwrap()).await;
            let text = axum::body::to_bytes(metrics.into_body(), usize::MAX)
                .await
                .unwrap();
            let text = String::from_utf8_lossy(&text);
            assert!(
                text.contains("plugctl_rate_limited_total{limit=\"global\"} 2"),
                "{text}"
            );
            assert!(text.contains(
                "plugctl_http_requests_total{method=\"POST\",route=\"/v1/chat\",status=\"429\"} 1"
            ));
        }

        #[tokio::test]
        async fn each_client_address_has_its_own_limit() {
            let app = app_with(RateLimitSettings {
                global: Rate::new(1000, 1000),
                per_client: Some((ClientKey::Ip, Rate::new(1, 1).unwrap())),
            });
            assert_eq!(send(&app, chat_from("10.0.0.1")).await.status(), 200);
            let refused = send(&app, chat_from("10.0.0.1")).await;
            assert_eq!(refused.status(), 429);
            // Both limits are listed; the numbers are the client's, the one that refused.
            assert_eq!(
                refused.headers().get_all("ratelimit-policy").iter().count(),
                2
            );
            assert_eq!(refused.headers()["ratelimit-limit"], "1");
            let other = send(&app, chat_from("10.0.0.2")).await;
            assert_eq!(other.status(), 200);
            // The closest limit is the client's; both are listed.
            assert_eq!(other.headers()["ratelimit-limit"], "1");
            assert_eq!(other.headers()["ratelimit-remaining"], "0");
            assert_eq!(
                other.headers().get_all("ratelimit-policy").iter().count(),
                2
            );
        }

        async fn ready_scope(app: &axum::Router) -> serde_json::Value {
            let response = send(app, Request::get("/readyz").body(Body::empty()).unwrap()).await;
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let ready: serde_json::Value = serde_json::from_slice(&body).unwrap();
            ready["rate_limit"]["scope"].clone()
        }

        #[tokio::test]
        async fn readiness_says_where_limits_are_counted() {
            let app = app_with(RateLimitSettings::default());
            assert_eq!(ready_scope(&app).await, "node");
            let only_clients = app_with(RateLimitSettings {
                global: None,
                per_client: Some((ClientKey::Ip, Rate::new(1, 1).unwrap())),
            });
            assert_eq!(ready_scope(&only_clients).await, "node");
            let off = app_with(RateLimitSettings {
                global: None,
                per_client: None,
            });
            assert_eq!(ready_scope(&off).await, serde_json::Value::Null);
        }

        #[tokio::test]
        async fn a_limit_can_be_off() {
            let app = app_with(RateLimitSettings {
                global: None,
                per_client: None,
            });
            for _ in 0..300 {
                let response = send(&app, chat_from("10.0.0.1")).await;
                assert_eq!(response.status(), 200);
                assert!(!response.headers().contains_key("ratelimit-limit"));
            }
        }
    }
}
