//! The default store: one redb file, `sessions.redb`, in the data directory.
//!
//! redb was picked over SQLite (rusqlite) and sled: it is pure Rust (no C build), ACID with
//! copy-on-write B-trees and a checksummed commit, so a commit that returned survives a crash or
//! `kill -9`; it is one file; and it is actively maintained with a stable file format. Records are
//! JSON so that the format can gain fields without a migration.
//!
//! Every write goes through one writer thread that takes everything queued while the previous
//! commit was running and applies it in one transaction (group commit): under load many turns
//! share one commit; alone, a turn waits for exactly one. When a turn is acknowledged depends on
//! the [`Durability`]:
//!
//! - `fsync`: after its transaction is committed with `Durability::Immediate` (fsynced). It
//!   survives a crash, `kill -9` and a power cut.
//! - `os`: after its transaction is committed without fsync *and* the sessions it wrote were
//!   appended to `sessions.log` with `write(2)`, no fsync. redb keeps a commit without fsync in its
//!   own memory, so the log is what survives a crash or `kill -9` of plugctl (the data is in the
//!   kernel's page cache): at the next open it is replayed. A power cut or kernel crash can lose
//!   the last moments. Once a second (and before a delete, a purge or a shutdown) a fsynced
//!   checkpoint commit makes everything durable and empties the log.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::{
    Millis, PendingUpdate, Session, SessionStore, StoreError, Update, UpdateFn, UpdateResult,
    decode,
};
use crate::serve::settings::Durability;

const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");

/// The file name inside the data directory.
pub const FILE_NAME: &str = "sessions.redb";
/// The log of writes not yet fsynced (`os` durability).
pub const LOG_NAME: &str = "sessions.log";

/// Most operations folded into one commit.
const MAX_BATCH: usize = 512;
/// Longest time a write stays only in the log (`os` durability).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// Largest log before a checkpoint is due anyway.
const CHECKPOINT_BYTES: u64 = 64 << 20;

/// What the writer thread is asked to do.
enum Op {
    Update(String, UpdateFn),
    Delete(String),
    Purge(Millis),
    /// Make everything durable (shutdown).
    Flush,
}

/// What it did.
enum Outcome {
    Updated(UpdateResult),
    Deleted(bool),
    Purged(usize),
    Flushed,
}

/// One queued operation and where its result goes (a blocked thread or an async task).
struct Job {
    op: Op,
    done: tokio::sync::oneshot::Sender<Result<Outcome, StoreError>>,
}

/// Sessions in a redb file.
pub struct EmbeddedStore {
    db: Arc<Database>,
    path: PathBuf,
    /// `None` only while dropping: closing the queue stops the writer.
    queue: Option<SyncSender<Job>>,
    writer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl EmbeddedStore {
    /// Opens (or creates) `<dir>/sessions.redb` with fsync durability.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, Durability::Fsync)
    }

    /// Opens (or creates) `<dir>/sessions.redb`, creating the directory when needed, and replays
    /// what a crash left in the log.
    pub fn open_with(dir: &Path, durability: Durability) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!("creating data directory {}: {e}", dir.display()))
        })?;
        let path = dir.join(FILE_NAME);
        let db = Database::create(&path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked {
                path: dir.display().to_string(),
            },
            other => StoreError::Backend(format!("opening {}: {other}", path.display())),
        })?;
        // Create the table up front so that readers never meet a missing table.
        let tx = db.begin_write().map_err(backend)?;
        tx.open_table(SESSIONS).map_err(backend)?;
        tx.commit().map_err(backend)?;
        // The log exists in either mode once a server ran with `os`: replay it, whatever the
        // mode now, so that switching back to fsync loses nothing.
        let log_path = dir.join(LOG_NAME);
        let log = replay(&db, &log_path)?;
        let mut writer = Writer {
            db: Arc::new(db),
            durability,
            log,
            log_path,
            log_bytes: 0,
            dirty_since: None,
        };
        let db = Arc::clone(&writer.db);
        let (queue, jobs) = sync_channel::<Job>(4 * MAX_BATCH);
        let writer = std::thread::Builder::new()
            .name("plugctl-store-writer".into())
            .spawn(move || writer.run(&jobs))
            .map_err(|e| StoreError::Backend(format!("starting the store writer: {e}")))?;
        Ok(Self {
            db,
            path,
            queue: Some(queue),
            writer: Some(writer),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues an operation and waits for its outcome.
    fn call(&self, op: Op) -> Result<Outcome, StoreError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let queue = self
            .queue
            .as_ref()
            .ok_or_else(|| backend("the store is closed"))?;
        queue
            .send(Job { op, done })
            .map_err(|_| backend("the store writer has stopped"))?;
        result
            .blocking_recv()
            .map_err(|_| backend("the store writer has stopped"))?
    }
}

impl Drop for EmbeddedStore {
    fn drop(&mut self) {
        // Finish queued work and release the file before the store is gone, so that reopening
        // the same directory right away works.
        self.queue.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Applies the sessions logged by a server that stopped without a checkpoint, then empties the
/// log. A last line cut short (possible only after a power cut) is ignored: it was never
/// acknowledged as written whole.
fn replay(db: &Database, log_path: &Path) -> Result<File, StoreError> {
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(log_path)
        .map_err(|e| StoreError::Backend(format!("opening {}: {e}", log_path.display())))?;
    let mut bytes = Vec::new();
    log.read_to_end(&mut bytes)
        .map_err(|e| StoreError::Backend(format!("reading {}: {e}", log_path.display())))?;
    if bytes.is_empty() {
        return Ok(log);
    }
    let tx = db.begin_write().map_err(backend)?;
    {
        let mut table = tx.open_table(SESSIONS).map_err(backend)?;
        for line in complete_lines(&bytes)
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
        {
            let session: Session = serde_json::from_slice(line).map_err(|e| {
                StoreError::Backend(format!(
                    "{}: a record does not parse: {e}",
                    log_path.display()
                ))
            })?;
            table.insert(session.id.as_str(), line).map_err(backend)?;
        }
    }
    tx.commit().map_err(backend)?;
    log.set_len(0)
        .map_err(|e| StoreError::Backend(format!("emptying {}: {e}", log_path.display())))?;
    log.sync_all().map_err(backend)?;
    Ok(log)
}

/// The bytes up to and including the last newline.
fn complete_lines(bytes: &[u8]) -> &[u8] {
    match bytes.iter().rposition(|b| *b == b'\n') {
        Some(end) => &bytes[..=end],
        None => &[],
    }
}

/// The writer thread's state.
struct Writer {
    db: Arc<Database>,
    durability: Durability,
    log: File,
    log_path: PathBuf,
    log_bytes: u64,
    /// When the oldest write not yet fsynced was acknowledged (`os` durability).
    dirty_since: Option<Instant>,
}

impl Writer {
    /// One transaction per batch of queued operations, until the queue is closed.
    fn run(&mut self, jobs: &Receiver<Job>) {
        loop {
            let first = match self.dirty_since {
                None => match jobs.recv() {
                    Ok(job) => job,
                    Err(_) => break,
                },
                Some(since) => {
                    let wait = CHECKPOINT_EVERY.saturating_sub(since.elapsed());
                    match jobs.recv_timeout(wait) {
                        Ok(job) => job,
                        Err(RecvTimeoutError::Timeout) => {
                            if let Err(e) = self.checkpoint() {
                                tracing::warn!(error = %e, "store checkpoint");
                            }
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let (ops, waiting): (Vec<_>, Vec<_>) =
                batch.into_iter().map(|j| (j.op, j.done)).unzip();
            match self.apply_batch(ops) {
                Ok(outcomes) => {
                    for (done, outcome) in waiting.into_iter().zip(outcomes) {
                        let _ = done.send(outcome);
                    }
                }
                Err(e) => {
                    for done in waiting {
                        let _ = done.send(Err(e.clone_message()));
                    }
                }
            }
        }
        if let Err(e) = self.checkpoint() {
            tracing::warn!(error = %e, "store checkpoint at close");
        }
    }

    /// Commits everything with fsync and empties the log.
    fn checkpoint(&mut self) -> Result<(), StoreError> {
        if self.dirty_since.is_none() && self.log_bytes == 0 {
            return Ok(());
        }
        let tx = self.db.begin_write().map_err(backend)?;
        tx.commit().map_err(backend)?;
        self.log.set_len(0).map_err(|e| {
            StoreError::Backend(format!("emptying {}: {e}", self.log_path.display()))
        })?;
        self.log_bytes = 0;
        self.dirty_since = None;
        Ok(())
    }

    /// Applies a batch and makes it as durable as the mode says before returning.
    fn apply_batch(
        &mut self,
        ops: Vec<Op>,
    ) -> Result<Vec<Result<Outcome, StoreError>>, StoreError> {
        let fast =
            self.durability == Durability::Os && ops.iter().all(|op| matches!(op, Op::Update(..)));
        if !fast && self.durability == Durability::Os {
            // A delete or purge must not be undone by replaying older records from the log:
            // make the log's content durable and empty it first.
            self.checkpoint()?;
        }
        let mut tx = self.db.begin_write().map_err(backend)?;
        if fast {
            tx.set_durability(redb::Durability::None).map_err(backend)?;
        }
        let mut logged = Vec::new();
        let mut outcomes = Vec::with_capacity(ops.len());
        {
            let mut table = tx.open_table(SESSIONS).map_err(backend)?;
            for op in ops {
                outcomes.push(match op {
                    Op::Update(id, f) => {
                        apply_update(&mut table, &id, f, fast.then_some(&mut logged))?
                    }
                    Op::Delete(id) => Ok(Outcome::Deleted(
                        table.remove(id.as_str()).map_err(backend)?.is_some(),
                    )),
                    Op::Purge(before) => Ok(Outcome::Purged(purge(&mut table, before)?)),
                    Op::Flush => Ok(Outcome::Flushed),
                });
            }
        }
        tx.commit().map_err(backend)?;
        if fast && !logged.is_empty() {
            self.log.write_all(&logged).map_err(|e| {
                StoreError::Backend(format!("writing {}: {e}", self.log_path.display()))
            })?;
            self.log_bytes += logged.len() as u64;
            let since = *self.dirty_since.get_or_insert_with(Instant::now);
            // Under steady load the queue is never idle long enough for the timer: check here.
            if self.log_bytes > CHECKPOINT_BYTES || since.elapsed() >= CHECKPOINT_EVERY {
                self.checkpoint()?;
            }
        }
        Ok(outcomes)
    }
}

/// Applies one update; later updates of a session in the same batch see the earlier ones. The
/// JSON written is appended to `log` (with a newline) when one is given.
fn apply_update(
    table: &mut redb::Table<'_, &'static str, &'static [u8]>,
    id: &str,
    mut f: UpdateFn,
    log: Option<&mut Vec<u8>>,
) -> Result<Result<Outcome, StoreError>, StoreError> {
    let current = match table.get(id).map_err(backend)? {
        Some(value) => match decode(id, value.value()) {
            Ok(s) => Some(s),
            Err(e) => return Ok(Err(e)),
        },
        None => None,
    };
    Ok(Ok(Outcome::Updated(match f(current) {
        Update::Save(session, value) => {
            let bytes = serde_json::to_vec(&session).map_err(backend)?;
            table
                .insert(session.id.as_str(), bytes.as_slice())
                .map_err(backend)?;
            if let Some(log) = log {
                log.extend_from_slice(&bytes);
                log.push(b'\n');
            }
            value
        }
        Update::Keep(value) => value,
    })))
}

/// Removes every session last accessed before `before`.
fn purge(
    table: &mut redb::Table<'_, &'static str, &'static [u8]>,
    before: Millis,
) -> Result<usize, StoreError> {
    let mut removed = 0;
    table
        .retain(|_, bytes| {
            // An unreadable record is kept for a human to look at, not silently dropped.
            let keep = serde_json::from_slice::<Session>(bytes)
                .map(|s| s.last_access_ms >= before)
                .unwrap_or(true);
            if !keep {
                removed += 1;
            }
            keep
        })
        .map_err(backend)?;
    Ok(removed)
}

fn updated(outcome: Outcome) -> Result<UpdateResult, StoreError> {
    match outcome {
        Outcome::Updated(result) => Ok(result),
        _ => Err(backend("the store writer answered another operation")),
    }
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl StoreError {
    /// The same failure, for each operation of a failed batch.
    fn clone_message(&self) -> StoreError {
        StoreError::Backend(self.to_string())
    }
}

impl SessionStore for EmbeddedStore {
    fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let tx = self.db.begin_read().map_err(backend)?;
        let table = tx.open_table(SESSIONS).map_err(backend)?;
        let Some(value) = table.get(id).map_err(backend)? else {
            return Ok(None);
        };
        decode(id, value.value()).map(Some)
    }

    fn update_dyn(&self, id: &str, f: UpdateFn) -> Result<UpdateResult, StoreError> {
        updated(self.call(Op::Update(id.to_string(), f))?)
    }

    fn submit_update(&self, id: &str, f: UpdateFn) -> Result<PendingUpdate, UpdateFn> {
        let Some(queue) = self.queue.as_ref() else {
            return Err(f);
        };
        let (done, result) = tokio::sync::oneshot::channel();
        let job = Job {
            op: Op::Update(id.to_string(), f),
            done,
        };
        match queue.try_send(job) {
            Ok(()) => Ok(Box::pin(async move {
                let outcome = result
                    .await
                    .map_err(|_| backend("the store writer has stopped"))??;
                updated(outcome)
            })),
            Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => match job.op {
                Op::Update(_, f) => Err(f),
                _ => unreachable!("the job built above is an update"),
            },
        }
    }

    fn delete(&self, id: &str) -> Result<bool, StoreError> {
        match self.call(Op::Delete(id.to_string()))? {
            Outcome::Deleted(removed) => Ok(removed),
            _ => Err(backend("the store writer answered another operation")),
        }
    }

    fn purge(&self, before: Millis) -> Result<usize, StoreError> {
        match self.call(Op::Purge(before))? {
            Outcome::Purged(n) => Ok(n),
            _ => Err(backend("the store writer answered another operation")),
        }
    }

    fn count(&self) -> Result<usize, StoreError> {
        let tx = self.db.begin_read().map_err(backend)?;
        let table = tx.open_table(SESSIONS).map_err(backend)?;
        Ok(table.len().map_err(backend)? as usize)
    }

    fn ping(&self) -> Result<(), StoreError> {
        let tx = self.db.begin_read().map_err(backend)?;
        tx.open_table(SESSIONS).map_err(backend)?;
        Ok(())
    }

    fn flush(&self) -> Result<(), StoreError> {
        // A batch holding only a flush is committed with fsync (it is not all updates), after a
        // checkpoint in `os` mode.
        self.call(Op::Flush).map(|_| ())
    }
}
