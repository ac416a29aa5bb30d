//! The default store: one redb file, `sessions.redb`, in the data directory, behind a write-ahead
//! log, `sessions.log`.
//!
//! redb was picked over SQLite (rusqlite) and sled: it is pure Rust (no C build), ACID with
//! copy-on-write B-trees and a checksummed commit, so a commit that returned survives a crash or
//! `kill -9`; it is one file; and it is actively maintained with a stable file format. Records are
//! JSON so that the format can gain fields without a migration.
//!
//! A redb commit rewrites the B-tree pages it touched and checksums them: under load that cost
//! more CPU per turn than everything else the server does. So a write is acknowledged once it is
//! in the log, and redb gets the writes later, many thousands per commit:
//!
//! - One writer thread takes everything queued while it was busy (group commit), applies each
//!   update to the newest version of its session, appends the results to `sessions.log` as JSON
//!   lines with one `write(2)`, and then, depending on the [`Durability`]:
//!   - `fsync`: `fdatasync`s the log, then acknowledges (survives a power cut);
//!   - `os`: acknowledges at once (the data is in the kernel's page cache: it survives a crash or
//!     `kill -9` of plugctl; a power cut or kernel crash can lose the last second).
//! - The sessions written since the last checkpoint also stay in memory (the overlay), where
//!   reads find them first.
//! - Once a second (`os`) or every five seconds (`fsync`) the writer starts a checkpoint: the
//!   log becomes `sessions.log.old`, a fresh log takes its place, and a second thread commits
//!   the overlay's frozen part to redb with fsync, then deletes the old log. The writer does not
//!   wait for it. With `fsync`, the commit syncs as it writes (`paced.rs`) so that the
//!   log's syncs do not queue behind all of it.
//! - A delete, a purge and the shutdown flush first checkpoint everything and empty the log, so
//!   that replaying a log can never bring back what they removed.
//!
//! At open, what the logs hold (the old one first) is applied to redb and the logs are emptied.
//! A last line cut short (a power cut in `os` mode) is ignored: it was never acknowledged.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::paced::PacedFile;
use super::{
    Millis, PendingUpdate, Session, SessionStore, StoreError, Update, UpdateFn, UpdateResult,
    decode,
};
use crate::serve::settings::Durability;

const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");

/// The file name inside the data directory.
pub const FILE_NAME: &str = "sessions.redb";
/// The write-ahead log: sessions acknowledged since the last checkpoint.
pub const LOG_NAME: &str = "sessions.log";
/// The log of a checkpoint in progress.
pub const OLD_LOG_NAME: &str = "sessions.log.old";

/// Most operations folded into one log write.
const MAX_BATCH: usize = 512;
/// How often the overlay is checkpointed into redb with `os` durability: this bounds what a
/// power cut can lose.
const CHECKPOINT_EVERY_OS: Duration = Duration::from_secs(1);
/// The same with `fsync`, where the log is already durable: a checkpoint then only bounds the
/// memory of the overlay and the replay at the next start, and fewer, larger commits cost less
/// (and their fsyncs get in the way of the log's less often).
const CHECKPOINT_EVERY_FSYNC: Duration = Duration::from_secs(5);
/// Sessions in the overlay beyond which the writer waits for a slow checkpoint to finish rather
/// than let memory grow.
const MAX_OVERLAY: usize = 200_000;

/// What the writer thread is asked to do.
enum Op {
    Update(String, UpdateFn),
    Delete(String),
    /// Remove these sessions if they are still last accessed before the time.
    Purge(Millis, Vec<String>),
    /// Make everything durable in redb (shutdown).
    Flush,
}

/// What it did.
enum Outcome {
    Updated(UpdateResult),
    Deleted(bool),
    Purged(usize),
    Flushed,
}

/// Where an operation's result goes (a blocked thread or an async task).
type Done = tokio::sync::oneshot::Sender<Result<Outcome, StoreError>>;

/// One queued operation.
struct Job {
    op: Op,
    done: Done,
}

/// A session as stored: its JSON.
type Record = Arc<[u8]>;

/// Sessions by id. foldhash rather than SipHash: the writer hashes every id twice per turn, and
/// its per-process random seed is enough for keys the server mostly makes itself.
type Records = HashMap<String, Record, foldhash::fast::RandomState>;

/// Sessions acknowledged but not yet committed to redb. Only the writer adds to it; a
/// checkpoint removes its frozen part once redb has it, so a read that misses here finds the
/// session in redb.
#[derive(Default)]
struct Overlay {
    /// Written since the last checkpoint began.
    active: Records,
    /// Being committed by the checkpoint in progress.
    frozen: Arc<Records>,
}

impl Overlay {
    fn get(&self, id: &str) -> Option<&Record> {
        self.active.get(id).or_else(|| self.frozen.get(id))
    }
}

/// What the writer, the checkpointer and readers share.
struct Shared {
    db: Database,
    overlay: Mutex<Overlay>,
    dir: PathBuf,
}

impl Shared {
    fn overlay(&self) -> MutexGuard<'_, Overlay> {
        // The overlay is only changed by whole inserts and swaps: a panic elsewhere while the
        // lock was held cannot leave it half-written.
        self.overlay.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session as the writer last wrote it, from the overlay or from redb.
    fn read(&self, id: &str) -> Result<Option<Session>, StoreError> {
        if let Some(record) = self.overlay().get(id).cloned() {
            return decode(id, &record).map(Some);
        }
        let tx = self.db.begin_read().map_err(backend)?;
        let table = tx.open_table(SESSIONS).map_err(backend)?;
        match table.get(id).map_err(backend)? {
            Some(value) => decode(id, value.value()).map(Some),
            None => Ok(None),
        }
    }

    /// A view for the writer's batch: the overlay's frozen part and a redb snapshot taken
    /// together, so that a checkpoint finishing meanwhile cannot hide a session from it.
    fn batch_view(&self) -> Result<BatchView, StoreError> {
        let overlay = self.overlay();
        let tx = self.db.begin_read().map_err(backend)?;
        Ok(BatchView {
            frozen: Arc::clone(&overlay.frozen),
            table: tx.open_table(SESSIONS).map_err(backend)?,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// What a batch of the writer reads sessions from, after the overlay's active part (which only
/// the writer changes).
struct BatchView {
    frozen: Arc<Records>,
    table: redb::ReadOnlyTable<&'static str, &'static [u8]>,
}

impl BatchView {
    fn read(&self, id: &str, active: Option<Record>) -> Result<Option<Session>, StoreError> {
        if let Some(record) = active.as_ref().or_else(|| self.frozen.get(id)) {
            return decode(id, record).map(Some);
        }
        match self.table.get(id).map_err(backend)? {
            Some(value) => decode(id, value.value()).map(Some),
            None => Ok(None),
        }
    }
}

/// Sessions in a redb file behind a log.
pub struct EmbeddedStore {
    shared: Arc<Shared>,
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
    /// what a crash left in the logs.
    pub fn open_with(dir: &Path, durability: Durability) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!("creating data directory {}: {e}", dir.display()))
        })?;
        let path = dir.join(FILE_NAME);
        let db = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(redb::DatabaseError::from)
            .and_then(|file| PacedFile::new(file, durability == Durability::Fsync))
            .and_then(|file| Database::builder().create_with_backend(file))
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked {
                    path: dir.display().to_string(),
                },
                other => StoreError::Backend(format!("opening {}: {other}", path.display())),
            })?;
        // Create the table up front so that readers never meet a missing table.
        let tx = db.begin_write().map_err(backend)?;
        tx.open_table(SESSIONS).map_err(backend)?;
        tx.commit().map_err(backend)?;
        let shared = Arc::new(Shared {
            db,
            overlay: Mutex::new(Overlay::default()),
            dir: dir.to_path_buf(),
        });
        // The log exists in either mode: replay it whatever the mode now.
        let log = replay(&shared, durability)?;
        let (checkpoints, checkpoint_jobs) = sync_channel::<Arc<Records>>(1);
        let (checkpoint_done, checkpoint_results) = sync_channel::<()>(1);
        let checkpointer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("plugctl-store-checkpoint".into())
                .spawn(move || checkpoint_loop(&shared, &checkpoint_jobs, &checkpoint_done))
                .map_err(|e| StoreError::Backend(format!("starting the store checkpointer: {e}")))?
        };
        let mut writer = Writer {
            shared: Arc::clone(&shared),
            durability,
            log,
            dirty_since: None,
            checkpoints: Some(checkpoints),
            checkpoint_results,
            checkpointer: Some(checkpointer),
            in_flight: false,
        };
        let (queue, jobs) = sync_channel::<Job>(4 * MAX_BATCH);
        let writer = std::thread::Builder::new()
            .name("plugctl-store-writer".into())
            .spawn(move || writer.run(&jobs))
            .map_err(|e| StoreError::Backend(format!("starting the store writer: {e}")))?;
        Ok(Self {
            shared,
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
        // Finish queued work, checkpoint and release the file before the store is gone, so that
        // reopening the same directory right away works.
        self.queue.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Applies the sessions of the logs a server left behind (the old log, then the current one) in
/// one fsynced commit, then empties the logs. Returns the current log, open for appending.
fn replay(shared: &Shared, durability: Durability) -> Result<Log, StoreError> {
    let old_path = shared.path(OLD_LOG_NAME);
    let old = match std::fs::read(&old_path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io_error("reading", &old_path, e)),
    };
    let log_path = shared.path(LOG_NAME);
    let mut log = Log::create(log_path.clone(), durability)?;
    let mut current = Vec::new();
    log.file
        .read_to_end(&mut current)
        .map_err(|e| io_error("reading", &log_path, e))?;
    if old.is_empty() && current.is_empty() {
        if old_path.exists() {
            remove_old_log(shared)?;
        }
        return Ok(log);
    }
    let tx = shared.db.begin_write().map_err(backend)?;
    {
        let mut table = tx.open_table(SESSIONS).map_err(backend)?;
        for (bytes, path) in [(&old, &old_path), (&current, &log_path)] {
            for line in complete_lines(bytes)
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
            {
                let session: Session = serde_json::from_slice(line).map_err(|e| {
                    StoreError::Backend(format!("{}: a record does not parse: {e}", path.display()))
                })?;
                table.insert(session.id.as_str(), line).map_err(backend)?;
            }
        }
    }
    tx.commit().map_err(backend)?;
    log.empty()?;
    if old_path.exists() {
        remove_old_log(shared)?;
    }
    Ok(log)
}

/// The bytes up to and including the last newline.
fn complete_lines(bytes: &[u8]) -> &[u8] {
    match bytes.iter().rposition(|b| *b == b'\n') {
        Some(end) => &bytes[..=end],
        None => &[],
    }
}

/// Appends `session` to `lines` as one JSON line and returns its record (the line without the
/// newline). On failure `lines` is left as it was.
fn encode_line(lines: &mut Vec<u8>, session: &Session) -> Result<Record, serde_json::Error> {
    let start = lines.len();
    if let Err(e) = serde_json::to_writer(&mut *lines, session) {
        lines.truncate(start);
        return Err(e);
    }
    let record = Record::from(&lines[start..]);
    lines.push(b'\n');
    Ok(record)
}

/// How far ahead of its end the log is filled with zeros (`fsync` durability).
const PREFILL: u64 = 4 << 20;
static ZEROS: [u8; 64 << 10] = [0; 64 << 10];

/// The write-ahead log, written at explicit offsets. With `fsync` durability it is filled with
/// zeros [`PREFILL`] bytes ahead of its end: an append inside the file leaves its size alone, so
/// the `fdatasync` after it writes the data only, where an append that grows the file also makes
/// the file system write the inode (two disk writes per acknowledgement instead of one). The
/// zeros hold no newline, so a replay, which reads complete lines only, passes over them.
struct Log {
    file: File,
    path: PathBuf,
    /// Where the next record goes.
    end: u64,
    /// How far the file holds zeros written by us (`end` ≤ `filled`).
    filled: u64,
    sync: bool,
}

impl Log {
    /// Opens the log at `path`, creating it. Records go from offset 0: a log with content is
    /// replayed and emptied before the first append.
    fn create(path: PathBuf, durability: Durability) -> Result<Self, StoreError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| io_error("opening", &path, e))?;
        Ok(Self {
            file,
            path,
            end: 0,
            filled: 0,
            sync: durability == Durability::Fsync,
        })
    }

    /// Appends records; with `fsync` durability they are on disk when this returns.
    fn append(&mut self, lines: &[u8]) -> Result<(), StoreError> {
        use std::os::unix::fs::FileExt as _;
        let end = self.end + lines.len() as u64;
        if self.sync && end > self.filled {
            let target = end.next_multiple_of(PREFILL);
            while self.filled < target {
                let n = ZEROS.len().min((target - self.filled) as usize);
                self.file
                    .write_all_at(&ZEROS[..n], self.filled)
                    .map_err(|e| io_error("extending", &self.path, e))?;
                self.filled += n as u64;
            }
        }
        if let Err(e) = self.file.write_all_at(lines, self.end) {
            // A partial record must not be taken for one at the next replay.
            let _ = self.file.write_all_at(&vec![0; lines.len()], self.end);
            return Err(io_error("writing", &self.path, e));
        }
        self.end = end;
        self.filled = self.filled.max(end);
        if self.sync {
            self.file
                .sync_data()
                .map_err(|e| io_error("syncing", &self.path, e))?;
        }
        Ok(())
    }

    /// Truncates the log and makes that durable: a later delete must not be undone by a replay
    /// of what the log held.
    fn empty(&mut self) -> Result<(), StoreError> {
        self.file
            .set_len(0)
            .map_err(|e| io_error("emptying", &self.path, e))?;
        self.file
            .sync_all()
            .map_err(|e| io_error("syncing", &self.path, e))?;
        self.end = 0;
        self.filled = 0;
        Ok(())
    }
}

/// Deletes the old log once redb has its content, durably (the directory is synced). Already
/// gone is fine: a retry after a failed directory sync finds it so.
fn remove_old_log(shared: &Shared) -> Result<(), StoreError> {
    let path = shared.path(OLD_LOG_NAME);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error("removing", &path, e)),
    }
    sync_dir(&shared.dir)
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error("syncing", dir, e))
}

/// Commits a frozen overlay to redb with fsync.
fn commit_records(db: &Database, records: &Records) -> Result<(), StoreError> {
    let tx = db.begin_write().map_err(backend)?;
    {
        let mut table = tx.open_table(SESSIONS).map_err(backend)?;
        // In key order, the inserts walk the B-tree's pages once, left to right.
        let mut sorted: Vec<_> = records.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (id, record) in sorted {
            table.insert(id.as_str(), &record[..]).map_err(backend)?;
        }
    }
    tx.commit().map_err(backend)
}

/// The checkpoint thread: commits each frozen overlay it is given, then drops it from the
/// overlay and deletes the old log. A failed commit (a full disk, say) is retried each second;
/// nothing is lost meanwhile, the old log still holds it. Ends when the writer hangs up.
fn checkpoint_loop(shared: &Shared, jobs: &Receiver<Arc<Records>>, done: &SyncSender<()>) {
    while let Ok(frozen) = jobs.recv() {
        loop {
            let result = commit_records(&shared.db, &frozen).and_then(|()| {
                shared.overlay().frozen = Arc::default();
                remove_old_log(shared)
            });
            match result {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "store checkpoint failed; retrying in a second");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
        if done.send(()).is_err() {
            return;
        }
    }
}

/// The writer thread's state.
struct Writer {
    shared: Arc<Shared>,
    durability: Durability,
    log: Log,
    /// When the oldest write not yet checkpointed was acknowledged.
    dirty_since: Option<Instant>,
    /// `None` once the writer stops: the checkpointer then ends.
    checkpoints: Option<SyncSender<Arc<Records>>>,
    checkpoint_results: Receiver<()>,
    checkpointer: Option<JoinHandle<()>>,
    /// A checkpoint was handed over and has not reported back.
    in_flight: bool,
}

impl Writer {
    /// One log write per batch of queued operations, until the queue is closed.
    fn run(&mut self, jobs: &Receiver<Job>) {
        loop {
            // Idle with nothing to checkpoint: sleep until the next job.
            let next = match self.dirty_since {
                None => jobs.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(since) => {
                    jobs.recv_timeout(self.checkpoint_every().saturating_sub(since.elapsed()))
                }
            };
            let first = match next {
                Ok(job) => job,
                Err(RecvTimeoutError::Timeout) => {
                    self.maybe_checkpoint();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            // Updates go through the log; anything else is a barrier that sees the updates
            // queued before it already applied.
            let mut updates = Vec::with_capacity(batch.len());
            for job in batch {
                match job.op {
                    Op::Update(id, f) => updates.push((id, f, job.done)),
                    op => {
                        self.log_updates(std::mem::take(&mut updates));
                        let _ = job.done.send(self.barrier(op));
                    }
                }
            }
            self.log_updates(updates);
            self.maybe_checkpoint();
        }
        self.log_updates(Vec::new());
        if let Err(e) = self.checkpoint_all() {
            tracing::warn!(error = %e, "store checkpoint at close");
        }
        // Hang up on the checkpointer and wait for it (it finishes a commit in progress).
        self.checkpoints.take();
        if let Some(checkpointer) = self.checkpointer.take() {
            let _ = checkpointer.join();
        }
    }

    fn checkpoint_every(&self) -> Duration {
        match self.durability {
            Durability::Fsync => CHECKPOINT_EVERY_FSYNC,
            Durability::Os => CHECKPOINT_EVERY_OS,
        }
    }

    /// Applies updates, appends what they wrote to the log (synced in `fsync` mode) and only then
    /// acknowledges them. If the log cannot be written, none of them is acknowledged and the
    /// overlay forgets them.
    fn log_updates(&mut self, updates: Vec<(String, UpdateFn, Done)>) {
        if updates.is_empty() {
            return;
        }
        let view = match self.shared.batch_view() {
            Ok(view) => view,
            Err(e) => {
                for (_, _, done) in updates {
                    let _ = done.send(Err(e.clone_message()));
                }
                return;
            }
        };
        let mut lines = Vec::with_capacity(updates.len() * 512);
        let mut written: Vec<(String, Option<Record>)> = Vec::new();
        let mut outcomes = Vec::with_capacity(updates.len());
        for (id, mut f, done) in updates {
            let active = self.shared.overlay().active.get(&id).cloned();
            let outcome = view.read(&id, active).map(|current| match f(current) {
                // Encoded straight into the batch's log write; the record copies it once.
                Update::Save(session, value) => match encode_line(&mut lines, &session) {
                    Ok(record) => {
                        let mut overlay = self.shared.overlay();
                        let before = overlay.active.insert(session.id.clone(), record);
                        written.push((session.id, before));
                        Ok(Outcome::Updated(value))
                    }
                    Err(e) => Err(backend(format!("encoding session {id}: {e}"))),
                },
                Update::Keep(value) => Ok(Outcome::Updated(value)),
            });
            outcomes.push((done, outcome.and_then(|o| o)));
        }
        let logged = if lines.is_empty() {
            Ok(())
        } else {
            self.log.append(&lines)
        };
        match logged {
            Ok(()) => {
                if !written.is_empty() {
                    self.dirty_since.get_or_insert_with(Instant::now);
                }
                for (done, outcome) in outcomes {
                    let _ = done.send(outcome);
                }
            }
            Err(e) => {
                // Put back what the overlay held before this batch, newest change undone first.
                let mut overlay = self.shared.overlay();
                for (id, before) in written.into_iter().rev() {
                    match before {
                        Some(record) => overlay.active.insert(id, record),
                        None => overlay.active.remove(&id),
                    };
                }
                drop(overlay);
                for (done, _) in outcomes {
                    let _ = done.send(Err(e.clone_message()));
                }
            }
        }
    }

    /// A delete, purge or flush: everything goes to redb first, then the operation is committed
    /// there with fsync.
    fn barrier(&mut self, op: Op) -> Result<Outcome, StoreError> {
        self.checkpoint_all()?;
        let tx = self.shared.db.begin_write().map_err(backend)?;
        let outcome = {
            let mut table = tx.open_table(SESSIONS).map_err(backend)?;
            match op {
                Op::Delete(id) => {
                    Outcome::Deleted(table.remove(id.as_str()).map_err(backend)?.is_some())
                }
                Op::Purge(before, ids) => Outcome::Purged(purge(&mut table, before, &ids)?),
                Op::Flush => Outcome::Flushed,
                Op::Update(..) => unreachable!("updates are logged, not barriers"),
            }
        };
        tx.commit().map_err(backend)?;
        Ok(outcome)
    }

    /// Starts a checkpoint when one is due and the previous one has finished.
    fn maybe_checkpoint(&mut self) {
        if self.in_flight && self.checkpoint_results.try_recv().is_ok() {
            self.in_flight = false;
        }
        let too_big = self.shared.overlay().active.len() >= MAX_OVERLAY;
        if self.in_flight && too_big {
            // The checkpointer is behind: wait for it rather than grow without bound.
            self.wait_for_checkpoint();
        }
        let due = self
            .dirty_since
            .is_some_and(|since| since.elapsed() >= self.checkpoint_every());
        if !(due || too_big) || self.in_flight {
            return;
        }
        if let Err(e) = self.start_checkpoint() {
            tracing::warn!(error = %e, "store checkpoint");
        }
    }

    fn wait_for_checkpoint(&mut self) {
        if self.in_flight {
            // An error means the checkpointer is gone, which only happens at close.
            let _ = self.checkpoint_results.recv();
            self.in_flight = false;
        }
    }

    /// Moves the log aside and the overlay's active part to its frozen part, and hands that to
    /// the checkpointer. The new log's name is made durable before anything is written to it.
    fn start_checkpoint(&mut self) -> Result<(), StoreError> {
        let (log_path, old_path) = (self.shared.path(LOG_NAME), self.shared.path(OLD_LOG_NAME));
        std::fs::rename(&log_path, &old_path).map_err(|e| io_error("renaming", &log_path, e))?;
        let log = Log::create(log_path, self.durability)?;
        sync_dir(&self.shared.dir)?;
        self.log = log;
        self.dirty_since = None;
        let frozen = {
            let mut overlay = self.shared.overlay();
            // The next period will likely write as many sessions: size the map for them now
            // rather than grow it by doubling, rehashing everything each time.
            let capacity = overlay.active.len();
            let fresh = Records::with_capacity_and_hasher(capacity, Default::default());
            let active = std::mem::replace(&mut overlay.active, fresh);
            overlay.frozen = Arc::new(active);
            Arc::clone(&overlay.frozen)
        };
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints
                .send(frozen)
                .map_err(|_| backend("the store checkpointer has stopped"))?;
            self.in_flight = true;
        }
        Ok(())
    }

    /// Everything acknowledged into redb, fsynced, and the log emptied (barriers and close).
    fn checkpoint_all(&mut self) -> Result<(), StoreError> {
        self.wait_for_checkpoint();
        let active = std::mem::take(&mut self.shared.overlay().active);
        if active.is_empty() {
            self.dirty_since = None;
            return Ok(());
        }
        if let Err(e) = commit_records(&self.shared.db, &active) {
            // Still in the log: keep serving it from memory.
            self.shared.overlay().active = active;
            return Err(e);
        }
        self.log.empty()?;
        self.dirty_since = None;
        Ok(())
    }
}

/// Removes those of `ids` that are still last accessed before `before` (one may have been used
/// since the scan that found it).
fn purge(
    table: &mut redb::Table<'_, &'static str, &'static [u8]>,
    before: Millis,
    ids: &[String],
) -> Result<usize, StoreError> {
    let mut removed = 0;
    for id in ids {
        let past = match table.get(id.as_str()).map_err(backend)? {
            Some(bytes) => past_archive(bytes.value(), before),
            None => false,
        };
        if past {
            table.remove(id.as_str()).map_err(backend)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Whether a stored session was last accessed before `before`. An unreadable record is kept for
/// a human to look at, not silently dropped.
fn past_archive(bytes: &[u8], before: Millis) -> bool {
    /// The one field the sweep needs; the messages are skipped, not built.
    #[derive(serde::Deserialize)]
    struct LastAccess {
        last_access_ms: Millis,
    }
    serde_json::from_slice::<LastAccess>(bytes).is_ok_and(|s| s.last_access_ms < before)
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

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Backend(format!("{what} {}: {e}", path.display()))
}

impl StoreError {
    /// The same failure, for each operation of a failed batch.
    fn clone_message(&self) -> StoreError {
        StoreError::Backend(self.to_string())
    }
}

impl SessionStore for EmbeddedStore {
    fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        self.shared.read(id)
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

    /// The scan for sessions past the archive reads a snapshot beside the writer; only what it
    /// finds is removed under the writer, each checked again there. Scanning under the writer
    /// held every turn for 0.4-0.7 s once a minute when the store had a few hundred thousand
    /// sessions.
    fn purge(&self, before: Millis) -> Result<usize, StoreError> {
        // The overlay's records and a redb snapshot at one instant (as in `count`): a session
        // a checkpoint moves meanwhile is in one or the other. The lock is held for copies of
        // pointers only; the records are parsed after it is released.
        let (overlay, tx) = {
            let overlay = self.shared.overlay();
            let records: Vec<(String, Record)> = overlay
                .active
                .iter()
                .chain(overlay.frozen.iter())
                .map(|(id, record)| (id.clone(), Arc::clone(record)))
                .collect();
            (records, self.shared.db.begin_read().map_err(backend)?)
        };
        let mut expired: Vec<String> = overlay
            .into_iter()
            .filter(|(_, record)| past_archive(record, before))
            .map(|(id, _)| id)
            .collect();
        let table = tx.open_table(SESSIONS).map_err(backend)?;
        for entry in table.iter().map_err(backend)? {
            let (id, bytes) = entry.map_err(backend)?;
            if past_archive(bytes.value(), before) {
                expired.push(id.value().to_string());
            }
        }
        expired.sort_unstable();
        expired.dedup();
        if expired.is_empty() {
            return Ok(0);
        }
        match self.call(Op::Purge(before, expired))? {
            Outcome::Purged(n) => Ok(n),
            _ => Err(backend("the store writer answered another operation")),
        }
    }

    /// The sessions in redb plus those only the overlay has yet, read at one instant: the
    /// overlay is locked while the redb snapshot is taken, and a checkpoint clears its part of
    /// the overlay only after its commit.
    fn count(&self) -> Result<usize, StoreError> {
        let overlay = self.shared.overlay();
        let tx = self.shared.db.begin_read().map_err(backend)?;
        let table = tx.open_table(SESSIONS).map_err(backend)?;
        let mut count = table.len().map_err(backend)? as usize;
        let ids = overlay.active.keys().chain(
            overlay
                .frozen
                .keys()
                .filter(|id| !overlay.active.contains_key(*id)),
        );
        for id in ids {
            if table.get(id.as_str()).map_err(backend)?.is_none() {
                count += 1;
            }
        }
        Ok(count)
    }

    fn ping(&self) -> Result<(), StoreError> {
        let tx = self.shared.db.begin_read().map_err(backend)?;
        tx.open_table(SESSIONS).map_err(backend)?;
        Ok(())
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.call(Op::Flush).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session as the store writes it.
    fn record(last_access_ms: Millis) -> Vec<u8> {
        serde_json::to_vec(&Session {
            id: "x".into(),
            user: Some("ann".into()),
            created_ms: 1,
            last_access_ms,
            messages: vec![crate::serve::sessions::Message {
                role: "user".into(),
                content: "hi".into(),
                at_ms: 1,
            }],
        })
        .unwrap()
    }

    #[test]
    fn purge_removes_only_what_is_still_past_the_archive() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("t.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let mut table = tx.open_table(SESSIONS).unwrap();
            table.insert("old", record(100).as_slice()).unwrap();
            // Found by the scan, then used again before the writer got to it.
            table
                .insert("used-since", record(5_000).as_slice())
                .unwrap();
            table.insert("bad", b"not json".as_slice()).unwrap();
            let ids = ["old", "used-since", "bad", "gone-already"].map(String::from);
            assert_eq!(purge(&mut table, 1_000, &ids).unwrap(), 1);
            assert!(table.get("old").unwrap().is_none());
            assert!(table.get("used-since").unwrap().is_some());
            assert!(
                table.get("bad").unwrap().is_some(),
                "unreadable records are kept"
            );
        }
        tx.commit().unwrap();
    }

    #[test]
    fn the_sweep_reads_only_the_access_time() {
        assert!(past_archive(&record(999), 1_000));
        assert!(!past_archive(&record(1_000), 1_000));
        assert!(!past_archive(b"{\"last_access_ms\": \"soon\"}", 1_000));
        assert!(!past_archive(b"", 1_000));
    }
}
