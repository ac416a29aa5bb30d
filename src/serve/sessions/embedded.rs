//! The default store: one redb file, `sessions.redb`, in the data directory.
//!
//! redb was picked over SQLite (rusqlite) and sled: it is pure Rust (no C build), ACID with
//! copy-on-write B-trees and a checksummed commit, so a commit that returned survives a crash or
//! `kill -9`; it is one file; and it is actively maintained with a stable file format. Every write
//! is its own transaction committed with `Durability::Immediate` (fsync): an acknowledged message
//! is on disk. Records are JSON so that the format can gain fields without a migration.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::{Millis, Session, SessionStore, StoreError, Update, UpdateFn, UpdateResult};

const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");

/// The file name inside the data directory.
pub const FILE_NAME: &str = "sessions.redb";

/// Sessions in a redb file.
#[derive(Debug)]
pub struct EmbeddedStore {
    db: Database,
    path: PathBuf,
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
        Ok(Self { db, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn decode(id: &str, bytes: &[u8]) -> Result<Session, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        id: id.to_string(),
        message: e.to_string(),
    })
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

    fn update_dyn(
        &self,
        id: &str,
        f: UpdateFn<'_, UpdateResult>,
    ) -> Result<UpdateResult, StoreError> {
        // redb runs one write transaction at a time, so the read-modify-write below is atomic.
        let tx = self.db.begin_write().map_err(backend)?;
        let result = {
            let mut table = tx.open_table(SESSIONS).map_err(backend)?;
            let current = match table.get(id).map_err(backend)? {
                Some(value) => Some(decode(id, value.value())?),
                None => None,
            };
            match f(current) {
                Update::Save(session, value) => {
                    let bytes = serde_json::to_vec(&session).map_err(backend)?;
                    table
                        .insert(session.id.as_str(), bytes.as_slice())
                        .map_err(backend)?;
                    Some(value)
                }
                Update::Keep(value) => {
                    drop(table);
                    tx.abort().map_err(backend)?;
                    return Ok(value);
                }
            }
        };
        tx.commit().map_err(backend)?;
        Ok(result.expect("set when saving"))
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

#[cfg(test)]
mod tests {
    use super::super::{Message, UpdateRefused};
    use super::*;

    fn session(id: &str, at: Millis) -> Session {
        Session {
            id: id.into(),
            user: None,
            created_ms: at,
            last_access_ms: at,
            messages: vec![Message {
                role: "user".into(),
                content: "hi".into(),
                at_ms: at,
            }],
        }
    }

    fn save(store: &dyn SessionStore, s: Session) {
        store
            .update_dyn(
                &s.id.clone(),
                Box::new(move |_| Update::Save(s.clone(), Ok(s))),
            )
            .unwrap()
            .unwrap();
    }

    /// The contract every store keeps; run against each of them.
    fn contract(store: &dyn SessionStore) {
        assert_eq!(store.get("a").unwrap(), None);
        save(store, session("a", 10));
        save(store, session("b", 20));
        assert_eq!(store.count().unwrap(), 2);
        assert_eq!(store.get("a").unwrap().unwrap().last_access_ms, 10);
        let refused = store
            .update_dyn(
                "zz",
                Box::new(|_| Update::Keep(Err(UpdateRefused::NotFound))),
            )
            .unwrap();
        assert_eq!(refused, Err(UpdateRefused::NotFound));
        assert_eq!(store.purge(15).unwrap(), 1);
        assert_eq!(store.get("a").unwrap(), None);
        assert!(store.delete("b").unwrap());
        assert!(!store.delete("b").unwrap());
        assert_eq!(store.count().unwrap(), 0);
        store.ping().unwrap();
        store.flush().unwrap();
    }

    #[test]
    fn memory_store_keeps_the_contract() {
        contract(&super::super::MemoryStore::default());
    }

    #[test]
    fn embedded_store_keeps_the_contract_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = EmbeddedStore::open(dir.path()).unwrap();
            contract(&store);
            save(&store, session("kept", 5));
        }
        let store = EmbeddedStore::open(dir.path()).unwrap();
        assert_eq!(store.get("kept").unwrap().unwrap().messages.len(), 1);
    }

    #[test]
    fn second_open_of_one_dir_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = EmbeddedStore::open(dir.path()).unwrap();
        let second = EmbeddedStore::open(dir.path());
        assert!(
            matches!(second, Err(StoreError::Locked { .. })),
            "{second:?}"
        );
    }
}
