//! Sessions: the record, its tiers, and the [`SessionStore`] trait the stores implement.
//!
//! A session's tier is a pure function of its last access and the configured [`Tiers`]:
//! active (sliding TTL; every access renews it), inactive (recoverable: a new message revives it
//! with its history), archived (read-only with `?archived=true`), then purged. The stores only
//! keep records; [`sweep`](SessionStore::purge) removes those past the archive. Time comes from a
//! [`Clock`] so tests move it instead of sleeping.
//!
//! Read next: `embedded.rs` (the default, durable store), `redis.rs` (shared by several nodes).

pub mod embedded;
pub mod export;
mod paced;
pub mod redis;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::settings::Tiers;

pub use embedded::EmbeddedStore;
pub use redis::RedisStore;

/// Milliseconds since the Unix epoch.
pub type Millis = u64;

/// Where time comes from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_ms(&self) -> Millis;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as Millis)
            .unwrap_or(0)
    }
}

/// A clock that moves only when told to (tests).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn new(start: Millis) -> Self {
        Self(AtomicU64::new(start))
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.0.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

/// One message of a session's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
    /// When it was stored, in milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// A session as stored: its whole history (trimming applies only to what the model sees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub user: Option<String>,
    pub created_ms: Millis,
    pub last_access_ms: Millis,
    pub messages: Vec<Message>,
}

/// The tier of a session at some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Active,
    Inactive,
    Archived,
    /// Past the archive: as good as gone, and removed by the next sweep.
    Expired,
}

impl Tiers {
    /// The tier of a session last accessed at `last_access` when the time is `now`.
    pub fn tier_at(&self, last_access: Millis, now: Millis) -> Tier {
        let idle = u128::from(now.saturating_sub(last_access));
        let active = self.active.as_millis();
        let inactive = active + self.inactive.as_millis();
        let archive = inactive + self.archive.as_millis();
        if idle < active {
            Tier::Active
        } else if idle < inactive {
            Tier::Inactive
        } else if idle < archive {
            Tier::Archived
        } else {
            Tier::Expired
        }
    }

    /// Last-access times before this are past the archive at `now`.
    pub fn purge_before(&self, now: Millis) -> Millis {
        let total = (self.active + self.inactive + self.archive).as_millis();
        now.saturating_sub(u64::try_from(total).unwrap_or(u64::MAX))
    }
}

/// A failure of the store itself (never of the request).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Backend(String),
    #[error("the data directory {path} is used by another plugctl serve")]
    Locked { path: String },
    #[error("the session store at {url} is unreachable: {message}")]
    Unreachable { url: String, message: String },
    #[error("corrupt session record {id}: {message}")]
    Corrupt { id: String, message: String },
}

/// A stored record (JSON) back into a session.
fn decode(id: &str, bytes: &[u8]) -> Result<Session, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        id: id.to_string(),
        message: e.to_string(),
    })
}

/// What an update decided.
pub enum Update<T> {
    /// Write this session and return the value.
    Save(Session, T),
    /// Write nothing and return the value.
    Keep(T),
}

/// The update function of [`SessionStore::update_dyn`]: gets the stored session, if any. It
/// must depend only on what it is given: a store that lost a race with another writer (Redis,
/// shared by several nodes) calls it again with the newer session.
pub type UpdateFn = Box<dyn FnMut(Option<Session>) -> Update<UpdateResult> + Send + 'static>;

/// An update handed to a store's own writer, resolving when it is acknowledged.
pub type PendingUpdate =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<UpdateResult, StoreError>> + Send>>;

/// Where sessions live. Calls are blocking (a disk commit at most); the server runs them on the
/// blocking pool.
pub trait SessionStore: Send + Sync + std::fmt::Debug {
    /// Queues an update to a writer thread of the store's own without blocking the caller, so
    /// that an async caller need not hop through the blocking pool. Stores without one (and a
    /// full queue) give the update back: the caller then runs [`update_dyn`] on the blocking
    /// pool.
    ///
    /// [`update_dyn`]: SessionStore::update_dyn
    fn submit_update(&self, id: &str, f: UpdateFn) -> Result<PendingUpdate, UpdateFn> {
        let _ = id;
        Err(f)
    }
    /// The session, if the store has it (whatever its tier).
    fn get(&self, id: &str) -> Result<Option<Session>, StoreError>;
    /// Reads, changes and writes one session atomically: two turns on one session never lose
    /// each other's messages.
    fn update_dyn(&self, id: &str, f: UpdateFn) -> Result<UpdateResult, StoreError>;
    /// Removes the session; false when there was none.
    fn delete(&self, id: &str) -> Result<bool, StoreError>;
    /// Removes every session last accessed before `before`; returns how many.
    fn purge(&self, before: Millis) -> Result<usize, StoreError>;
    /// How many sessions the store holds.
    fn count(&self) -> Result<usize, StoreError>;
    /// Cheap check that the store can be read (`/readyz`).
    fn ping(&self) -> Result<(), StoreError>;
    /// Makes everything acknowledged durable (called once at shutdown).
    fn flush(&self) -> Result<(), StoreError>;
}

/// The value an update returns: the session as it ended up (if any) and an error to report.
pub type UpdateResult = Result<Session, UpdateRefused>;

/// Why an update wrote nothing (mapped to a 4xx by the handler).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateRefused {
    NotFound,
    Archived,
}

/// Sessions in a map: fast, gone on restart.
///
/// The map is sharded (dashmap): an update runs on the request's own thread while it holds the
/// lock of its session's shard, and with one lock for the whole map a thread preempted while
/// holding it stalled every other request for a scheduler tick (p99 up to 29 ms at c = 50 on
/// two cores; sharded, 6–8 ms).
#[derive(Debug, Default)]
pub struct MemoryStore {
    sessions: dashmap::DashMap<String, Session>,
}

impl SessionStore for MemoryStore {
    /// An update is a lock and a map insert: it runs right here, with no trip through the
    /// blocking pool.
    fn submit_update(&self, id: &str, f: UpdateFn) -> Result<PendingUpdate, UpdateFn> {
        let result = self.update_dyn(id, f);
        Ok(Box::pin(std::future::ready(result)))
    }

    fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        Ok(self.sessions.get(id).map(|s| s.clone()))
    }

    fn update_dyn(&self, id: &str, mut f: UpdateFn) -> Result<UpdateResult, StoreError> {
        // The entry holds its shard's lock until the session is written: two updates of one
        // session never interleave.
        let entry = self.sessions.entry(id.to_string());
        let current = match &entry {
            dashmap::Entry::Occupied(o) => Some(o.get().clone()),
            dashmap::Entry::Vacant(_) => None,
        };
        Ok(match f(current) {
            Update::Save(session, value) => {
                debug_assert_eq!(session.id, id, "an update keeps its session's id");
                entry.insert(session);
                value
            }
            Update::Keep(value) => value,
        })
    }

    fn delete(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.sessions.remove(id).is_some())
    }

    fn purge(&self, before: Millis) -> Result<usize, StoreError> {
        let mut removed = 0;
        self.sessions.retain(|_, s| {
            let keep = s.last_access_ms >= before;
            removed += usize::from(!keep);
            keep
        });
        Ok(removed)
    }

    fn count(&self) -> Result<usize, StoreError> {
        Ok(self.sessions.len())
    }

    fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn tiers() -> Tiers {
        Tiers {
            active: Duration::from_secs(10),
            inactive: Duration::from_secs(100),
            archive: Duration::from_secs(1000),
        }
    }

    #[test]
    fn tiers_follow_each_other() {
        let t = tiers();
        assert_eq!(t.tier_at(0, 9_999), Tier::Active);
        assert_eq!(t.tier_at(0, 10_000), Tier::Inactive);
        assert_eq!(t.tier_at(0, 109_999), Tier::Inactive);
        assert_eq!(t.tier_at(0, 110_000), Tier::Archived);
        assert_eq!(t.tier_at(0, 1_109_999), Tier::Archived);
        assert_eq!(t.tier_at(0, 1_110_000), Tier::Expired);
        assert_eq!(t.purge_before(1_110_000), 0);
    }

    #[test]
    fn manual_clock_moves_when_told() {
        let clock = ManualClock::new(5);
        clock.advance(Duration::from_secs(1));
        assert_eq!(clock.now_ms(), 1005);
    }
}
