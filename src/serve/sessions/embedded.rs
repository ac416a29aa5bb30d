//! The default store: one redb file, `sessions.redb`, in the data directory.
//!
//! redb was picked over SQLite (rusqlite) and sled: it is pure Rust (no C build), ACID with
//! copy-on-write B-trees and a checksummed commit, so a commit that returned survives a crash or
//! `kill -9`; it is one file; and it is actively maintained with a stable file format. Records are
//! JSON so that the format can gain fields without a migration.
//!
//! Every update is acknowledged only after a commit with `Durability::Immediate` (fsync). To keep
//! one fsync from costing every request its own, updates go through a single writer thread that
//! takes everything queued while the previous commit was running and applies it in one
//! transaction (group commit): under load, many turns share one fsync; alone, a turn waits for
//! exactly one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::{Millis, Session, SessionStore, StoreError, Update, UpdateFn, UpdateResult, decode};

const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");

/// The file name inside the data directory.
pub const FILE_NAME: &str = "sessions.redb";

/// Most updates folded into one commit.
const MAX_BATCH: usize = 512;

/// One queued update and where its result goes.
struct Job {
    id: String,
    f: UpdateFn,
    done: SyncSender<Result<UpdateResult, StoreError>>,
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

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("id", &self.id).finish()
    }
}

impl EmbeddedStore {
    /// Opens (or creates) `<dir>/sessions.redb`, creating the directory when needed.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
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
        let db = Arc::new(db);
        let (queue, jobs) = sync_channel::<Job>(4 * MAX_BATCH);
        let writer_db = Arc::clone(&db);
        let writer = std::thread::Builder::new()
            .name("plugctl-store-writer".into())
            .spawn(move || write_loop(&writer_db, &jobs))
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

/// The writer thread: one transaction per batch of queued updates.
fn write_loop(db: &Database, jobs: &Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (work, waiting): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|j| ((j.id, j.f), j.done)).unzip();
        match apply(db, work) {
            Ok(results) => {
                for (done, result) in waiting.into_iter().zip(results) {
                    let _ = done.send(result);
                }
            }
            Err(e) => {
                for done in waiting {
                    let _ = done.send(Err(StoreError::Backend(e.clone())));
                }
            }
        }
    }
}

/// Applies a batch in one transaction; later updates of a session see the earlier ones. An
/// error of the transaction itself fails the whole batch (nothing of it was committed).
fn apply(
    db: &Database,
    work: Vec<(String, UpdateFn)>,
) -> Result<Vec<Result<UpdateResult, StoreError>>, String> {
    let mut results = Vec::with_capacity(work.len());
    let tx = db.begin_write().map_err(|e| e.to_string())?;
    {
        let mut table = tx.open_table(SESSIONS).map_err(|e| e.to_string())?;
        for (id, mut f) in work {
            let current = match table.get(id.as_str()).map_err(|e| e.to_string())? {
                Some(value) => match decode(&id, value.value()) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        results.push(Err(e));
                        continue;
                    }
                },
                None => None,
            };
            match f(current) {
                Update::Save(session, value) => {
                    let bytes = serde_json::to_vec(&session).map_err(|e| e.to_string())?;
                    table
                        .insert(session.id.as_str(), bytes.as_slice())
                        .map_err(|e| e.to_string())?;
                    results.push(Ok(value));
                }
                Update::Keep(value) => results.push(Ok(value)),
            }
        }
    }
    tx.commit().map_err(|e| e.to_string())?;
    Ok(results)
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
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
        let (done, result) = sync_channel(1);
        let job = Job {
            id: id.to_string(),
            f,
            done,
        };
        let queue = self
            .queue
            .as_ref()
            .ok_or_else(|| backend("the store is closed"))?;
        queue
            .send(job)
            .map_err(|_| backend("the store writer has stopped"))?;
        result
            .recv()
            .map_err(|_| backend("the store writer has stopped"))?
    }

    fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let tx = self.db.begin_write().map_err(backend)?;
        let removed = {
            let mut table = tx.open_table(SESSIONS).map_err(backend)?;
            table.remove(id).map_err(backend)?.is_some()
        };
        tx.commit().map_err(backend)?;
        Ok(removed)
    }

    fn purge(&self, before: Millis) -> Result<usize, StoreError> {
        let tx = self.db.begin_write().map_err(backend)?;
        let mut removed = 0;
        {
            let mut table = tx.open_table(SESSIONS).map_err(backend)?;
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
        }
        tx.commit().map_err(backend)?;
        Ok(removed)
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
        // Every commit is already durable; an empty immediate commit is cheap and makes that true
        // even if a future change relaxes per-write durability.
        let tx = self.db.begin_write().map_err(backend)?;
        tx.commit().map_err(backend)
    }
}
