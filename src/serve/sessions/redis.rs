//! The shared store: sessions in a Redis server, so that several `plugctl serve` nodes serve the
//! same sessions (`--store redis://127.0.0.1:6379/`).
//!
//! Layout (every key starts with `plugctl:`):
//! - `plugctl:session:{id}`: a hash with `data` (the session as JSON) and `rev` (a revision
//!   number taken from the counter `plugctl:rev`, unique across the whole server).
//! - `plugctl:sessions`: a sorted set of session ids scored by their last access, for `count`
//!   and the sweep.
//!
//! The tiers are Redis expiries: every write of a session (and every access writes its last
//! access time) sets the record's expiry to the end of its archive tier, `last access + active +
//! inactive + archive`. So the active tier slides on every access, an inactive session is still
//! there to be revived, and Redis itself erases a transcript once its archive time is over, even
//! when no node is running. Which tier a live record is in follows from its last access, exactly
//! as for the other stores.
//!
//! Updates are optimistic and atomic: read the record and its revision, apply the update in
//! Rust, then a Lua script writes the result only if the revision is still the one read (and
//! updates the index and the expiry in the same step). When another node won the race, the
//! update is applied again to the newer record. Two nodes appending to one session therefore
//! never lose a message. Lua rather than WATCH/MULTI: WATCH belongs to a connection, and the
//! multiplexed connection is shared by every request of the node.
//!
//! Updates run as futures on the server's runtime ([`SessionStore::submit_update`]); the other,
//! blocking calls of the trait (run on tokio's blocking pool) drive the same async client on the
//! runtime the store was opened on.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};
use tokio::runtime::Handle;

use super::{
    Millis, PendingUpdate, Session, SessionStore, StoreError, Update, UpdateFn, UpdateResult,
    decode,
};
use crate::serve::settings::Tiers;

const RECORD_PREFIX: &str = "plugctl:session:";
const INDEX: &str = "plugctl:sessions";
const REVISIONS: &str = "plugctl:rev";

/// How long a command may take before the store reports Redis unreachable.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// How often an update is retried after losing a race, before it gives up.
const MAX_ATTEMPTS: usize = 200;
/// Most index entries one purge step removes (keeps each script short for Redis).
const PURGE_STEP: usize = 1000;

/// Writes a record if its revision is still `ARGV[1]` ("" for a session that did not exist).
/// KEYS: record, index, revision counter. ARGV: expected revision, JSON, last access, expire-at
/// (ms), id. Returns the new revision, or 0 when the record changed meanwhile.
const SAVE: &str = r"
local rev = redis.call('HGET', KEYS[1], 'rev')
if (rev or '') ~= ARGV[1] then return 0 end
local new = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'rev', new)
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
return new
";

/// Erases a session: its record and its index entry. KEYS: record, index. ARGV: id.
const DELETE: &str = r"
local n = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return n
";

/// Removes up to ARGV[3] sessions last accessed before ARGV[2]. KEYS: index. ARGV: record
/// prefix, bound (exclusive), limit. Returns how many index entries it removed.
const PURGE: &str = r"
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do
  redis.call('DEL', ARGV[1] .. id)
  redis.call('ZREM', KEYS[1], id)
end
return #ids
";

/// Sessions in Redis.
pub struct RedisStore {
    runtime: Handle,
    /// What an update needs, shared with the futures of [`SessionStore::submit_update`].
    writer: Arc<Writer>,
    delete: Script,
    purge: Script,
}

/// The read-modify-write of one session.
struct Writer {
    conn: ConnectionManager,
    tiers: Tiers,
    /// The URL without a password, for messages.
    shown: String,
    save: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.writer.shown)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://HOST:PORT/DB`) and checks that the server answers. Must be
    /// called inside a tokio runtime, which then drives every later call.
    pub async fn open(url: &str, tiers: Tiers) -> Result<Self, StoreError> {
        let shown = without_password(url);
        let client = redis::Client::open(url).map_err(|e| StoreError::Unreachable {
            url: shown.clone(),
            message: e.to_string(),
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(RESPONSE_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            // Reconnect in the background quickly; a request while Redis is down fails at once
            // rather than waiting for a long backoff.
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(|e| StoreError::Unreachable {
                url: shown.clone(),
                message: e.to_string(),
            })?;
        let store = Self {
            runtime: Handle::current(),
            writer: Arc::new(Writer {
                conn,
                tiers,
                shown,
                save: Script::new(SAVE),
            }),
            delete: Script::new(DELETE),
            purge: Script::new(PURGE),
        };
        let mut conn = store.writer.conn.clone();
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(|e| store.error(e))?;
        Ok(store)
    }

    /// The URL as it may be shown: without its password.
    pub fn display_url(url: &str) -> String {
        without_password(url)
    }

    fn error(&self, e: redis::RedisError) -> StoreError {
        self.writer.error(e)
    }

    /// Runs a Redis future to its end from a blocking thread.
    fn block<T>(
        &self,
        f: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, StoreError> {
        self.runtime.block_on(f).map_err(|e| self.error(e))
    }
}

impl Writer {
    fn error(&self, e: redis::RedisError) -> StoreError {
        StoreError::Unreachable {
            url: self.shown.clone(),
            message: e.to_string(),
        }
    }

    /// The record and its revision ("" when there is none).
    async fn load(
        mut conn: ConnectionManager,
        id: &str,
    ) -> redis::RedisResult<(Option<Vec<u8>>, String)> {
        let (data, rev): (Option<Vec<u8>>, Option<String>) = redis::cmd("HMGET")
            .arg(record_key(id))
            .arg("data")
            .arg("rev")
            .query_async(&mut conn)
            .await?;
        Ok((data, rev.unwrap_or_default()))
    }

    /// When a session last accessed at `last_access` leaves the archive tier.
    fn expire_at(&self, last_access: Millis) -> Millis {
        let total = (self.tiers.active + self.tiers.inactive + self.tiers.archive).as_millis();
        last_access.saturating_add(u64::try_from(total).unwrap_or(u64::MAX))
    }

    /// Reads the session, applies `f` and writes the result if nobody wrote the session
    /// meanwhile; otherwise applies `f` again to the newer record.
    async fn update(&self, id: &str, mut f: UpdateFn) -> Result<UpdateResult, StoreError> {
        for attempt in 0..MAX_ATTEMPTS {
            let (data, rev) = Self::load(self.conn.clone(), id)
                .await
                .map_err(|e| self.error(e))?;
            let current = data.map(|bytes| decode(id, &bytes)).transpose()?;
            let (session, value) = match f(current) {
                Update::Keep(value) => return Ok(value),
                Update::Save(session, value) => (session, value),
            };
            let bytes = serde_json::to_vec(&session)
                .map_err(|e| StoreError::Backend(format!("encoding session {id}: {e}")))?;
            let mut invocation = self.save.prepare_invoke();
            invocation
                .key(record_key(id))
                .key(INDEX)
                .key(REVISIONS)
                .arg(&rev)
                .arg(bytes)
                .arg(session.last_access_ms)
                .arg(self.expire_at(session.last_access_ms))
                .arg(id);
            let mut conn = self.conn.clone();
            let written: u64 = invocation
                .invoke_async(&mut conn)
                .await
                .map_err(|e| self.error(e))?;
            if written != 0 {
                return Ok(value);
            }
            // Another writer changed the session between our read and our write: apply the
            // same change again to what it wrote. Back off a little once it keeps happening.
            if attempt >= 4 {
                tokio::time::sleep(Duration::from_micros(100 * attempt as u64)).await;
            }
        }
        Err(StoreError::Backend(format!(
            "session {id} changed {MAX_ATTEMPTS} times while one update was being written; \
             giving up"
        )))
    }
}

fn record_key(id: &str) -> String {
    format!("{RECORD_PREFIX}{id}")
}

/// `redis://user:secret@host/` → `redis://user:***@host/`: URLs end up in messages and logs.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
            } else {
                url.to_string()
            }
        }
        _ => url.to_string(),
    }
}

impl SessionStore for RedisStore {
    fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let (data, _) = self.block(Writer::load(self.writer.conn.clone(), id))?;
        data.map(|bytes| decode(id, &bytes)).transpose()
    }

    fn update_dyn(&self, id: &str, f: UpdateFn) -> Result<UpdateResult, StoreError> {
        self.runtime.block_on(self.writer.update(id, f))
    }

    /// The update runs as a future on the caller's runtime: no trip through the blocking pool.
    fn submit_update(&self, id: &str, f: UpdateFn) -> Result<PendingUpdate, UpdateFn> {
        let writer = Arc::clone(&self.writer);
        let id = id.to_string();
        Ok(Box::pin(async move { writer.update(&id, f).await }))
    }

    fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let mut invocation = self.delete.prepare_invoke();
        invocation.key(record_key(id)).key(INDEX).arg(id);
        let mut conn = self.writer.conn.clone();
        let removed: u64 = self.block(invocation.invoke_async(&mut conn))?;
        Ok(removed > 0)
    }

    fn purge(&self, before: Millis) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let mut invocation = self.purge.prepare_invoke();
            invocation
                .key(INDEX)
                .arg(RECORD_PREFIX)
                .arg(before)
                .arg(PURGE_STEP);
            let mut conn = self.writer.conn.clone();
            let removed: usize = self.block(invocation.invoke_async(&mut conn))?;
            total += removed;
            if removed < PURGE_STEP {
                return Ok(total);
            }
        }
    }

    fn count(&self) -> Result<usize, StoreError> {
        let mut conn = self.writer.conn.clone();
        self.block(async move { conn.zcard(INDEX).await })
    }

    fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.writer.conn.clone();
        let _: String =
            self.block(async move { redis::cmd("PING").query_async(&mut conn).await })?;
        Ok(())
    }

    fn flush(&self) -> Result<(), StoreError> {
        // Every acknowledged write is already in Redis; how durable Redis keeps it is the
        // server's own persistence setting (appendonly/appendfsync).
        Ok(())
    }
}
