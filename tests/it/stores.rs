//! One test suite for every session store: the same test bodies run against the memory store,
//! the embedded (redb) store with each durability and a real redis-server (`stores::redis::...`).
//!
//! The bodies use the library's store trait and the router driven in-process, with the wall
//! clock: Redis expires keys in real time, so the tier test uses one-second tiers. Then the
//! Redis-only checks (readiness while Redis is down) and two `plugctl serve` processes sharing
//! one Redis, hammering one session.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use plugctl::serve::backend::Backend;
use plugctl::serve::sessions::embedded::{LOG_NAME, OLD_LOG_NAME};
use plugctl::serve::sessions::{
    EmbeddedStore, MemoryStore, Message, RedisStore, Session, SessionStore, StoreError, Tier,
    Update, UpdateRefused,
};
use plugctl::serve::settings::{Durability, Settings, Tiers};
use plugctl::serve::{AppState, app};

use crate::serve::{chat, get_session};
use crate::support::redis::RedisServer;
use crate::support::serve_child::ServeChild;
use crate::support::{Sandbox, run};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Memory,
    Embedded,
    /// The embedded store acknowledging writes before fsync (`--durability os`).
    EmbeddedOs,
    Redis,
}

/// A store of one kind, the runtime that drives it, and what it needs to live.
struct Harness {
    kind: Kind,
    // Fields drop in this order: the store before its runtime and its server.
    store: Arc<dyn SessionStore>,
    tiers: Tiers,
    rt: tokio::runtime::Runtime,
    redis: Option<RedisServer>,
    dir: tempfile::TempDir,
}

impl Harness {
    /// `None` only when redis-server is missing outside CI (a loud skip).
    fn open(kind: Kind, tiers: Tiers) -> Option<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, redis): (Arc<dyn SessionStore>, _) = match kind {
            Kind::Memory => (Arc::new(MemoryStore::default()), None),
            Kind::Embedded => (
                Arc::new(EmbeddedStore::open(dir.path()).expect("open redb")),
                None,
            ),
            Kind::EmbeddedOs => (
                Arc::new(EmbeddedStore::open_with(dir.path(), Durability::Os).expect("open redb")),
                None,
            ),
            Kind::Redis => {
                let server = RedisServer::start()?;
                let store = rt
                    .block_on(RedisStore::open(&server.url(), tiers))
                    .expect("connect to redis");
                (Arc::new(store), Some(server))
            }
        };
        Some(Self {
            kind,
            store,
            tiers,
            rt,
            redis,
            dir,
        })
    }

    fn store(&self) -> &dyn SessionStore {
        self.store.as_ref()
    }

    fn app(&self) -> Router {
        let mut settings = Settings::with_data_dir(self.dir.path().to_path_buf());
        settings.tiers = self.tiers;
        app(AppState::new(
            settings,
            Arc::clone(&self.store),
            Backend::Echo,
        ))
    }

    /// One request through the router: status and JSON body.
    fn send(&self, app: &Router, req: Request<Body>) -> (StatusCode, Value) {
        self.rt.block_on(async {
            let response = app.clone().oneshot(req).await.unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (
                status,
                serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            )
        })
    }
}

fn tiers(each: Duration) -> Tiers {
    Tiers {
        active: each,
        inactive: each,
        archive: each,
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn session(id: &str, last_access_ms: u64) -> Session {
    Session {
        id: id.into(),
        user: Some("user-1".into()),
        created_ms: last_access_ms,
        last_access_ms,
        messages: vec![Message {
            role: "user".into(),
            content: "héllo ✓ \"quoted\"\nnext line".into(),
            at_ms: last_access_ms,
        }],
    }
}

/// Sessions as the embedded store's log holds them: one JSON line each.
fn log_lines(sessions: &[Session]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for s in sessions {
        bytes.extend(serde_json::to_vec(s).unwrap());
        bytes.push(b'\n');
    }
    bytes
}

fn save(store: &dyn SessionStore, s: Session) {
    store
        .update_dyn(
            &s.id.clone(),
            Box::new(move |_| Update::Save(s.clone(), Ok(s.clone()))),
        )
        .unwrap()
        .unwrap();
}

fn append(store: &dyn SessionStore, id: &str, content: String) {
    store
        .update_dyn(
            id,
            Box::new(move |current| {
                let mut s = current.expect("the session exists");
                s.messages.push(Message {
                    role: "user".into(),
                    content: content.clone(),
                    at_ms: 0,
                });
                Update::Save(s.clone(), Ok(s))
            }),
        )
        .unwrap()
        .unwrap();
}

fn post(path: &str, body: Value) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn delete(path: &str) -> Request<Body> {
    Request::delete(path).body(Body::empty()).unwrap()
}

/// The `content` of each message of a session as the API or an export shows it.
fn contents(session: &Value) -> Vec<&str> {
    session["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["content"].as_str().expect("content"))
        .collect()
}

/// Sleeps until `at` (no-op when it is past).
fn sleep_until(at: Instant) {
    if let Some(left) = at.checked_duration_since(Instant::now()) {
        std::thread::sleep(left);
    }
}

// ---- The shared bodies ------------------------------------------------------------------------

/// Reads, writes, refusals, purge by last access, delete, count, ping, flush.
fn keeps_the_contract(kind: Kind) {
    let Some(h) = Harness::open(kind, tiers(Duration::from_secs(60))) else {
        return;
    };
    let store = h.store();
    let now = now_ms();
    assert_eq!(store.get("a").unwrap(), None);
    save(store, session("a", now - 5_000));
    save(store, session("b", now));
    assert_eq!(store.count().unwrap(), 2);
    // What was written comes back exactly, text and metadata.
    assert_eq!(store.get("a").unwrap(), Some(session("a", now - 5_000)));

    let refused = store
        .update_dyn(
            "zz",
            Box::new(|current| {
                assert!(current.is_none());
                Update::Keep(Err(UpdateRefused::NotFound))
            }),
        )
        .unwrap();
    assert_eq!(refused, Err(UpdateRefused::NotFound));
    assert_eq!(store.get("zz").unwrap(), None);
    assert_eq!(store.count().unwrap(), 2);

    // Only what was last accessed before the bound goes.
    assert_eq!(store.purge(now - 1_000).unwrap(), 1);
    assert_eq!(store.get("a").unwrap(), None);
    assert!(store.get("b").unwrap().is_some());
    assert_eq!(store.purge(now - 1_000).unwrap(), 0);

    assert!(store.delete("b").unwrap());
    assert!(!store.delete("b").unwrap());
    assert_eq!(store.get("b").unwrap(), None);
    assert_eq!(store.count().unwrap(), 0);
    store.ping().unwrap();
    store.flush().unwrap();
}

/// Eight writers append to one session at once: every message is there exactly once.
fn concurrent_appends_lose_nothing(kind: Kind) {
    let Some(h) = Harness::open(kind, tiers(Duration::from_secs(60))) else {
        return;
    };
    save(h.store(), session("s", now_ms()));
    std::thread::scope(|scope| {
        for t in 0..8 {
            let store = h.store();
            scope.spawn(move || {
                for i in 0..25 {
                    append(store, "s", format!("{t}-{i}"));
                }
            });
        }
    });
    let messages = h.store().get("s").unwrap().unwrap().messages;
    assert_eq!(messages.len(), 1 + 8 * 25);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for m in &messages[1..] {
        *seen.entry(m.content.as_str()).or_default() += 1;
    }
    for t in 0..8 {
        for i in 0..25 {
            assert_eq!(seen.get(format!("{t}-{i}").as_str()), Some(&1), "{t}-{i}");
        }
    }
}

/// One-second tiers in real time, through the API: active, inactive (revived by a message with
/// its history), archived (read-only), then gone.
fn tiers_pass_in_real_time(kind: Kind) {
    let Some(h) = Harness::open(kind, tiers(Duration::from_secs(1))) else {
        return;
    };
    let app = h.app();
    let (status, reply) = h.send(&app, post("/v1/chat", json!({"message": "one"})));
    assert_eq!(status, 200, "{reply}");
    let id = reply["session_id"].as_str().unwrap().to_string();
    let path = format!("/v1/sessions/{id}");
    let archived = format!("{path}?archived=true");

    // Reading an active session renews it.
    let accessed = Instant::now();
    let (status, body) = h.send(&app, get(&path));
    assert_eq!(
        (status, body["tier"].as_str()),
        (StatusCode::OK, Some("active"))
    );

    sleep_until(accessed + Duration::from_millis(1400));
    let (status, body) = h.send(&app, get(&path));
    assert_eq!(
        (status, body["tier"].as_str()),
        (StatusCode::OK, Some("inactive")),
        "{body}"
    );

    // A message revives it with its history.
    let revived = Instant::now();
    let (status, body) = h.send(
        &app,
        post("/v1/chat", json!({"session_id": id, "message": "two"})),
    );
    assert_eq!(status, 200, "{body}");
    let (_, body) = h.send(&app, get(&path));
    assert_eq!(body["tier"], "active");
    assert_eq!(contents(&body), ["one", "echo: one", "two", "echo: two"]);

    // Past active + inactive: archived, read-only, shown only when asked for.
    sleep_until(revived + Duration::from_millis(2400));
    assert_eq!(h.send(&app, get(&path)).0, StatusCode::NOT_FOUND);
    let (status, body) = h.send(&app, get(&archived));
    assert_eq!(
        (status, body["tier"].as_str()),
        (StatusCode::OK, Some("archived")),
        "{body}"
    );
    assert_eq!(body["messages"].as_array().unwrap().len(), 4);
    let (status, _) = h.send(
        &app,
        post("/v1/chat", json!({"session_id": id, "message": "three"})),
    );
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Past the archive: gone, even from ?archived=true.
    sleep_until(revived + Duration::from_millis(3600));
    assert_eq!(h.send(&app, get(&archived)).0, StatusCode::NOT_FOUND);
    if h.kind == Kind::Redis {
        // Redis erased the record by itself (its expiry), before any sweep ran.
        assert_eq!(h.store().get(&id).unwrap(), None);
    }
    let before = h.tiers.purge_before(now_ms());
    h.store().purge(before).unwrap();
    assert_eq!(h.store().get(&id).unwrap(), None);
    assert_eq!(h.store().count().unwrap(), 0);
}

/// DELETE erases a session whatever its tier.
fn delete_erases_every_tier(kind: Kind) {
    let Some(h) = Harness::open(kind, tiers(Duration::from_secs(10))) else {
        return;
    };
    let now = now_ms();
    let placed = [
        ("fresh", now, Tier::Active),
        ("idle", now - 15_000, Tier::Inactive),
        ("old", now - 25_000, Tier::Archived),
    ];
    for (id, at, _) in placed {
        save(h.store(), session(id, at));
    }
    let app = h.app();
    for (id, _, tier) in placed {
        let path = format!("/v1/sessions/{id}");
        let (status, body) = h.send(&app, get(&format!("{path}?archived=true")));
        assert_eq!(status, StatusCode::OK, "{id}: {body}");
        assert_eq!(body["tier"], json!(tier), "{id}");
        assert_eq!(
            h.send(&app, delete(&path)).0,
            StatusCode::NO_CONTENT,
            "{id}"
        );
        assert_eq!(
            h.send(&app, get(&format!("{path}?archived=true"))).0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(h.send(&app, delete(&path)).0, StatusCode::NOT_FOUND);
        assert_eq!(h.store().get(id).unwrap(), None, "{id}");
    }
    assert_eq!(h.store().count().unwrap(), 0);
}

/// `/readyz` is 200 while the store answers, and `/metrics` counts its sessions.
fn ready_and_counted(kind: Kind) {
    let Some(h) = Harness::open(kind, tiers(Duration::from_secs(60))) else {
        return;
    };
    let app = h.app();
    let (status, body) = h.send(&app, get("/readyz"));
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
    for n in 0..3 {
        let (status, _) = h.send(&app, post("/v1/chat", json!({"message": format!("m{n}")})));
        assert_eq!(status, 200);
    }
    assert_eq!(h.store().count().unwrap(), 3);
    let text = h.rt.block_on(async {
        let response = app.clone().oneshot(get("/metrics")).await.unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    });
    assert!(text.contains("plugctl_sessions 3"), "{text}");
}

/// The same bodies, once per store: `stores::memory::...`, `stores::embedded::...`,
/// `stores::redis::...`.
macro_rules! for_every_store {
    ($($test:ident),* $(,)?) => {
        mod memory {
            $( #[test] fn $test() { super::$test(super::Kind::Memory) } )*
        }
        mod embedded {
            $( #[test] fn $test() { super::$test(super::Kind::Embedded) } )*
        }
        mod embedded_os {
            $( #[test] fn $test() { super::$test(super::Kind::EmbeddedOs) } )*
        }
        mod redis {
            $( #[test] fn $test() { super::$test(super::Kind::Redis) } )*
        }
    };
}

for_every_store!(
    keeps_the_contract,
    concurrent_appends_lose_nothing,
    tiers_pass_in_real_time,
    delete_erases_every_tier,
    ready_and_counted,
);

// ---- Embedded only ----------------------------------------------------------------------------

#[test]
fn embedded_sessions_survive_reopen_and_one_dir_has_one_owner() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_ms();
    {
        let store = EmbeddedStore::open(dir.path()).unwrap();
        save(&store, session("kept", now));
        let second = EmbeddedStore::open(dir.path());
        assert!(
            matches!(second, Err(StoreError::Locked { .. })),
            "{second:?}"
        );
    }
    let store = EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(store.get("kept").unwrap(), Some(session("kept", now)));
}

/// With `os` durability, what a killed server acknowledged is in `sessions.log`; the next open
/// replays it (whatever its durability), ignores a last line cut short, and empties the log.
#[test]
fn embedded_log_is_replayed_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_ms();
    // A store that was never closed cleanly: the records are in the log only.
    drop(EmbeddedStore::open(dir.path()).unwrap());
    let mut log = log_lines(&[session("a", now), session("b", now), session("a", now + 1)]);
    log.extend(br#"{"id":"torn","us"#);
    std::fs::write(dir.path().join(LOG_NAME), &log).unwrap();

    let store = EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(store.get("a").unwrap(), Some(session("a", now + 1)));
    assert_eq!(store.get("b").unwrap(), Some(session("b", now)));
    assert_eq!(store.get("torn").unwrap(), None);
    assert_eq!(store.count().unwrap(), 2);
    assert_eq!(
        std::fs::metadata(dir.path().join(LOG_NAME)).unwrap().len(),
        0
    );
}

/// With fsync durability the log is filled with zeros ahead of its end; a server killed with
/// such a log leaves records followed by zeros, and the replay reads up to the zeros.
#[test]
fn embedded_prefilled_log_replays_up_to_its_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_ms();
    drop(EmbeddedStore::open(dir.path()).unwrap());
    let mut log = log_lines(&[session("a", now), session("b", now)]);
    log.resize(log.len() + (1 << 20), 0);
    std::fs::write(dir.path().join(LOG_NAME), &log).unwrap();

    let store = EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(store.get("a").unwrap(), Some(session("a", now)));
    assert_eq!(store.get("b").unwrap(), Some(session("b", now)));
    assert_eq!(store.count().unwrap(), 2);
}

/// A server killed during a checkpoint leaves two logs: the old one (being committed) and the
/// current one, which is newer. Both are replayed, the newer record wins, and both are gone.
#[test]
fn embedded_old_and_new_logs_replay_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_ms();
    drop(EmbeddedStore::open(dir.path()).unwrap());
    let old = log_lines(&[session("a", now), session("b", now)]);
    std::fs::write(dir.path().join(OLD_LOG_NAME), old).unwrap();
    let current = log_lines(&[session("a", now + 5), session("c", now + 5)]);
    std::fs::write(dir.path().join(LOG_NAME), current).unwrap();

    let store = EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(store.get("a").unwrap(), Some(session("a", now + 5)));
    assert_eq!(store.get("b").unwrap(), Some(session("b", now)));
    assert_eq!(store.get("c").unwrap(), Some(session("c", now + 5)));
    assert_eq!(store.count().unwrap(), 3);
    assert!(!dir.path().join(OLD_LOG_NAME).exists());
    assert_eq!(
        std::fs::metadata(dir.path().join(LOG_NAME)).unwrap().len(),
        0
    );
}

/// Writes survive the background checkpoints (with `os` durability the log is moved aside and
/// committed to redb each second while new writes go on), and a delete is never undone by a
/// replay of the log.
#[test]
fn embedded_checkpoints_keep_writes_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let now = now_ms();
    {
        let store = EmbeddedStore::open_with(dir.path(), Durability::Os).unwrap();
        for round in 0..3u64 {
            for i in 0..50u64 {
                save(&store, session(&format!("s{i}"), now + round));
            }
            save(&store, session(&format!("only-{round}"), now));
            // Past the checkpoint interval: the next write finds a checkpoint due.
            std::thread::sleep(Duration::from_millis(1100));
            // By now the checkpoint has moved them to redb: reads find them there.
            assert_eq!(store.get("s3").unwrap(), Some(session("s3", now + round)));
            assert_eq!(store.count().unwrap(), 51 + round as usize);
        }
        assert!(store.delete("s7").unwrap());
        assert_eq!(store.count().unwrap(), 52);
        save(&store, session("last", now));
    }
    let store = EmbeddedStore::open(dir.path()).unwrap();
    assert_eq!(store.count().unwrap(), 53);
    assert_eq!(store.get("s7").unwrap(), None);
    assert_eq!(store.get("s8").unwrap(), Some(session("s8", now + 2)));
    for name in ["only-0", "only-1", "only-2", "last"] {
        assert!(store.get(name).unwrap().is_some(), "{name} was lost");
    }
}

/// `--durability os`: a message acknowledged a moment before `kill -9` is there after a restart.
#[tokio::test(flavor = "multi_thread")]
async fn os_durability_survives_kill_9() {
    let sb = Sandbox::new();
    let data = sb.path().join("data");
    let args = ["--data-dir", data.to_str().unwrap(), "--durability", "os"];
    let mut server = ServeChild::start(&sb, &args);
    assert!(
        server.stderr().contains("durability os"),
        "{}",
        server.stderr()
    );
    let id = chat(&server.url, json!({"message": "keep me"})).await["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    chat(&server.url, json!({"session_id": id, "message": "and me"})).await;
    // Not yet checkpointed (that happens after a second): only the log has it.
    let logged = std::fs::metadata(data.join(LOG_NAME)).unwrap().len();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(server);
    assert!(
        logged > 0,
        "the turns were not in the log when the server was killed"
    );

    let server = ServeChild::start(&sb, &["--data-dir", data.to_str().unwrap()]);
    let session = get_session(&server.url, &id).await;
    assert_eq!(
        contents(&session),
        ["keep me", "echo: keep me", "and me", "echo: and me"]
    );
}

// ---- Redis only -------------------------------------------------------------------------------

/// Redis going away makes `/readyz` answer 503 with a problem body; it recovers by itself.
#[test]
fn redis_down_is_not_ready_and_recovers() {
    let Some(mut h) = Harness::open(Kind::Redis, tiers(Duration::from_secs(60))) else {
        return;
    };
    let app = h.app();
    assert_eq!(h.send(&app, get("/readyz")).0, StatusCode::OK);
    h.redis.as_mut().unwrap().stop();
    let (status, body) = h.send(&app, get("/readyz"));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("unreachable"),
        "{body}"
    );
    // A chat turn fails cleanly too (503, nothing acknowledged).
    let (status, _) = h.send(&app, post("/v1/chat", json!({"message": "lost"})));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    h.redis.as_mut().unwrap().restart();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, _) = h.send(&app, get("/readyz"));
        if status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still not ready after Redis came back"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, body) = h.send(&app, post("/v1/chat", json!({"message": "back"})));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_password_never_shows_in_messages() {
    assert_eq!(
        RedisStore::display_url("redis://app:s3cret@127.0.0.1:6379/0"),
        "redis://app:***@127.0.0.1:6379/0"
    );
    assert_eq!(
        RedisStore::display_url("redis://127.0.0.1:6379/"),
        "redis://127.0.0.1:6379/"
    );
}

/// Two `plugctl serve` processes share one redis-server; both append to one session at once.
/// Every message ends up in the history exactly once, each followed by its own reply.
#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_append_to_one_session_and_lose_nothing() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let url = redis.url();
    let a = ServeChild::start(&sb, &["--store", &url]);
    let b = ServeChild::start(&sb, &["--store", &url]);
    assert!(
        a.stderr().contains("redis store at redis://127.0.0.1:"),
        "{}",
        a.stderr()
    );
    let first = chat(&a.url, json!({"message": "start"})).await;
    let id = first["session_id"].as_str().unwrap().to_string();

    // 2 nodes x 4 clients x 15 turns, all on the one session, at the same time.
    const CLIENTS: usize = 4;
    const TURNS: usize = 15;
    let mut tasks = Vec::new();
    for (node, base) in [("a", a.url.clone()), ("b", b.url.clone())] {
        for c in 0..CLIENTS {
            let (base, id) = (base.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                for t in 0..TURNS {
                    let message = format!("{node}-{c}-{t}");
                    let reply = chat(&base, json!({"session_id": id, "message": message})).await;
                    assert_eq!(reply["reply"], format!("echo: {message}"));
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }

    // Read it back through the other node than the one that created it.
    let history = get_session(&b.url, &id).await;
    let messages = history["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2 + 2 * 2 * CLIENTS * TURNS, "{history}");
    let mut seen: HashMap<String, usize> = HashMap::new();
    for pair in messages.chunks(2) {
        let (user, reply) = (&pair[0], &pair[1]);
        let text = user["content"].as_str().unwrap().to_string();
        // A turn's message and its reply are stored together, in one atomic update.
        assert_eq!(user["role"], "user");
        assert_eq!(reply["content"], format!("echo: {text}"));
        *seen.entry(text).or_default() += 1;
    }
    for node in ["a", "b"] {
        for c in 0..CLIENTS {
            for t in 0..TURNS {
                assert_eq!(
                    seen.get(&format!("{node}-{c}-{t}")),
                    Some(&1),
                    "{node}-{c}-{t}"
                );
            }
        }
    }
    assert_eq!(a.terminate().0, 0);
    assert_eq!(b.terminate().0, 0);
}

/// A Redis that is not there stops `plugctl serve` at start with one clear line and a hint.
#[test]
fn serve_with_an_unreachable_redis_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sb = Sandbox::new();
    let url = format!("redis://:hunter2@127.0.0.1:{port}/");
    let (code, _, stderr) = run(sb
        .cmd()
        .args(["serve", "--bind", "127.0.0.1:0", "--store", &url])
        .timeout(Duration::from_secs(30)));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("unreachable"), "{stderr}");
    assert!(stderr.contains("start the Redis server"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "the password leaked: {stderr}");
    let (code, _, stderr) = run(sb.cmd().args(["serve", "--store", "redis:/oops"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("redis://HOST:PORT/"), "{stderr}");
}

// ---- Export -----------------------------------------------------------------------------------

/// `plugctl serve export` writes an archived session's transcript atomically, as JSON or JSON
/// Lines, and says clearly when it cannot.
#[tokio::test(flavor = "multi_thread")]
async fn export_writes_an_archived_transcript() {
    let sb = Sandbox::new();
    sb.write(
        "plugctl.yaml",
        "serve:\n  sessions:\n    active_ttl: 1s\n    inactive_ttl: 1s\n    archive_ttl: 60s\n",
    );
    let data = sb.path().join("data");
    let data = data.to_str().unwrap();
    let server = ServeChild::start(&sb, &["--data-dir", data]);
    let id = chat(&server.url, json!({"message": "first"})).await["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    chat(&server.url, json!({"session_id": id, "message": "second"})).await;

    // The running server owns the embedded store.
    let (code, _, stderr) = run(sb.cmd().args(["serve", "export", &id, "--data-dir", data]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("GET /v1/sessions/"), "{stderr}");
    assert_eq!(server.terminate().0, 0);

    // Past active + inactive: archived, and still exported.
    std::thread::sleep(Duration::from_millis(2200));
    let out = sb.path().join("exports/transcript.json");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let (code, stdout, stderr) = run(sb.cmd().args([
        "serve",
        "export",
        &id,
        "--data-dir",
        data,
        "-o",
        out.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("exported 4 messages"), "{stderr}");
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["session_id"], id.as_str());
    assert_eq!(doc["tier"], "archived");
    assert_eq!(
        contents(&doc),
        ["first", "echo: first", "second", "echo: second"]
    );
    // Nothing but the target is left in the directory (the temporary file was renamed).
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 1);

    let (code, stdout, stderr) = run(sb.cmd().args([
        "serve",
        "export",
        &id,
        "--data-dir",
        data,
        "--format",
        "jsonl",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|l| l["session_id"] == id.as_str()));
    assert_eq!(lines[3]["role"], "assistant");

    let (code, _, stderr) =
        run(sb
            .cmd()
            .args(["serve", "export", "no-such-session", "--data-dir", data]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no session \"no-such-session\""),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
}

/// With Redis, export reads the shared store while the servers run.
#[tokio::test(flavor = "multi_thread")]
async fn export_reads_redis_while_the_server_runs() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let sb = Sandbox::new();
    let url = redis.url();
    let server = ServeChild::start(&sb, &["--store", &url]);
    let id = chat(&server.url, json!({"message": "shared"})).await["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, stdout, stderr) = run(sb.cmd().args(["serve", "export", &id, "--store", &url]));
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["tier"], "active");
    assert_eq!(doc["messages"][1]["content"], "echo: shared");
}
