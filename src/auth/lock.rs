//! A per-profile file lock that serialises refreshes across processes.
//!
//! Providers rotate refresh tokens and treat the reuse of an old one as theft, revoking the whole
//! grant. Two `plugctl auth token` started together must therefore not both refresh: the second
//! waits for the lock, re-reads the store, and finds the first one's fresh token.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use super::error::AuthError;

/// How long to wait for another process's refresh.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// Holds the lock until dropped (the OS releases it when the file is closed).
#[derive(Debug)]
pub struct RefreshLock {
    _file: File,
}

impl RefreshLock {
    /// Takes the lock of `profile` in `dir`, waiting at most [`LOCK_TIMEOUT`].
    pub async fn acquire(dir: &Path, profile: &str) -> Result<Self, AuthError> {
        let fail =
            |e: std::io::Error| AuthError::Lock(format!("refresh lock in {}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(fail)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("{profile}.lock")))
            .map_err(fail)?;
        let deadline = tokio::time::Instant::now() + LOCK_TIMEOUT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(AuthError::Lock(format!(
                            "another plugctl has been refreshing profile {profile:?} for {}s",
                            LOCK_TIMEOUT.as_secs()
                        )));
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(fail(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = RefreshLock::acquire(dir.path(), "p").await.unwrap();
        let path = dir.path().to_path_buf();
        let second =
            tokio::spawn(async move { RefreshLock::acquire(&path, "p").await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!second.is_finished(), "the second must wait");
        drop(first);
        second.await.unwrap().unwrap();
    }
}
