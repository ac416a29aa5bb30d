//! redb's file backend with its writes paced: a commit that writes more than [`PACE`] bytes
//! syncs them as it goes instead of all at once at the end.
//!
//! A checkpoint commits hundreds of thousands of sessions, a few hundred megabytes, and with
//! plain file writes they all reach the disk in the commit's one `fsync`. Meanwhile every
//! `fdatasync` of the write-ahead log, which a request waits for, queues behind them: measured
//! at c = 50, one such stall of 40-60 ms per checkpoint, and it alone pushed the p99 of a 10 s
//! benchmark from 3 ms to 8-15 ms. Synced half a megabyte at a time, a log sync never waits for
//! more than one such step. Steps of 0.5, 2, 8 and 32 MiB were measured: 0.5 MiB gave the lowest
//! p99 (3.6-4.5 ms in six 10 s runs, 4.3-5.6 ms with 2 MiB) at the same req/s.
//!
//! The extra syncs only make pages durable earlier than redb asks; redb already has to survive
//! the kernel writing any dirty page back at any moment, so its commit protocol is unchanged.
//!
//! With `--durability os` no request waits for a log sync, and pacing only adds work: there it
//! is off (measured paced: 3-14% fewer req/s, the same p99).

use std::fs::File;
use std::io;
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};

use redb::backends::FileBackend;
use redb::{BackendError, StorageBackend};

/// Bytes written since the last sync beyond which a write syncs them.
const PACE: u64 = 512 << 10;

/// [`FileBackend`], syncing every [`PACE`] bytes written when `paced`.
#[derive(Debug)]
pub(super) struct PacedFile {
    inner: FileBackend,
    paced: bool,
    unsynced: AtomicU64,
}

impl PacedFile {
    pub(super) fn new(file: File, paced: bool) -> Result<Self, redb::DatabaseError> {
        Ok(Self {
            inner: FileBackend::new(file)?,
            paced,
            unsynced: AtomicU64::new(0),
        })
    }
}

impl StorageBackend for PacedFile {
    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.inner.write(offset, data)?;
        let len = data.len() as u64;
        if self.paced && self.unsynced.fetch_add(len, Ordering::Relaxed) + len >= PACE {
            self.sync_data()?;
        }
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        self.unsynced.store(0, Ordering::Relaxed);
        self.inner.sync_data()
    }

    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.inner.set_len(len)
    }

    fn close(&self) -> io::Result<()> {
        self.inner.close()
    }

    // The locks keep a second plugctl off the same file; they are the file backend's own.

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend(paced: bool) -> (tempfile::TempDir, PacedFile) {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(dir.path().join("db"))
            .unwrap();
        (dir, PacedFile::new(file, paced).unwrap())
    }

    fn unsynced(file: &PacedFile) -> u64 {
        file.unsynced.load(Ordering::Relaxed)
    }

    #[test]
    fn a_write_that_reaches_the_pace_syncs_what_came_before() {
        let (_dir, file) = backend(true);
        let page = vec![7u8; 64 << 10];
        let pages = PACE / page.len() as u64;
        for i in 0..pages - 1 {
            file.write(i * page.len() as u64, &page).unwrap();
        }
        assert_eq!(unsynced(&file), PACE - page.len() as u64);
        file.write((pages - 1) * page.len() as u64, &page).unwrap();
        assert_eq!(unsynced(&file), 0, "the write that reached the pace synced");
        file.write(PACE, &page[..10]).unwrap();
        file.sync_data().unwrap();
        assert_eq!(unsynced(&file), 0, "redb's own sync starts a new step");

        let mut back = vec![0u8; page.len()];
        file.read(PACE - page.len() as u64, &mut back).unwrap();
        assert_eq!(back, page);
        assert_eq!(file.len().unwrap(), PACE + 10);
    }

    #[test]
    fn unpaced_writes_are_left_to_the_commit() {
        let (_dir, file) = backend(false);
        file.write(0, &vec![1u8; PACE as usize / 2]).unwrap();
        assert_eq!(unsynced(&file), 0, "not counted towards a sync");
    }
}
