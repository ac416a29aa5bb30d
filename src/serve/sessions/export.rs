//! A session's transcript for export and audit (`plugctl serve export`): the whole history of a
//! session in any tier short of purged, read without renewing it.

use serde::Serialize;

use super::{Message, Millis, Session, SessionStore, StoreError, Tier};
use crate::serve::settings::Tiers;

/// The file formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON document: the metadata and the messages.
    Json,
    /// One JSON object per message, each carrying the session id.
    Jsonl,
}

/// A transcript as exported.
#[derive(Debug, Clone, Serialize)]
pub struct Transcript {
    pub session_id: String,
    pub user: Option<String>,
    /// The tier when it was exported.
    pub tier: Tier,
    pub created_at_ms: Millis,
    pub last_access_at_ms: Millis,
    pub messages: Vec<Message>,
}

#[derive(Serialize)]
struct Line<'a> {
    session_id: &'a str,
    #[serde(flatten)]
    message: &'a Message,
}

/// The transcript of session `id` at time `now`, if the store has it and it is not past the
/// archive. Reading it does not count as an access.
pub fn transcript(
    store: &dyn SessionStore,
    tiers: &Tiers,
    id: &str,
    now: Millis,
) -> Result<Option<Transcript>, StoreError> {
    let Some(session) = store.get(id)? else {
        return Ok(None);
    };
    let tier = tiers.tier_at(session.last_access_ms, now);
    if tier == Tier::Expired {
        return Ok(None);
    }
    let Session {
        id,
        user,
        created_ms,
        last_access_ms,
        messages,
    } = session;
    Ok(Some(Transcript {
        session_id: id,
        user,
        tier,
        created_at_ms: created_ms,
        last_access_at_ms: last_access_ms,
        messages,
    }))
}

impl Transcript {
    /// The file contents, ending with a newline.
    pub fn render(&self, format: ExportFormat) -> Result<Vec<u8>, serde_json::Error> {
        let mut out = Vec::new();
        match format {
            ExportFormat::Json => serde_json::to_writer_pretty(&mut out, self)?,
            ExportFormat::Jsonl => {
                for message in &self.messages {
                    serde_json::to_writer(
                        &mut out,
                        &Line {
                            session_id: &self.session_id,
                            message,
                        },
                    )?;
                    out.push(b'\n');
                }
                return Ok(out);
            }
        }
        out.push(b'\n');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{MemoryStore, Update};
    use super::*;
    use std::time::Duration;

    fn store_with(last_access_ms: Millis) -> MemoryStore {
        let store = MemoryStore::default();
        let session = Session {
            id: "s1".into(),
            user: None,
            created_ms: 1,
            last_access_ms,
            messages: vec![
                Message {
                    role: "user".into(),
                    content: "line one\nline \"two\"".into(),
                    at_ms: 1,
                },
                Message {
                    role: "assistant".into(),
                    content: "ok".into(),
                    at_ms: 2,
                },
            ],
        };
        store
            .update_dyn(
                "s1",
                Box::new(move |_| Update::Save(session.clone(), Ok(session.clone()))),
            )
            .unwrap()
            .unwrap();
        store
    }

    const TIERS: Tiers = Tiers {
        active: Duration::from_secs(1),
        inactive: Duration::from_secs(1),
        archive: Duration::from_secs(1),
    };

    #[test]
    fn archived_sessions_export_and_purged_ones_do_not() {
        let store = store_with(1_000);
        let t = transcript(&store, &TIERS, "s1", 3_500).unwrap().unwrap();
        assert_eq!(t.tier, Tier::Archived);
        assert_eq!(
            transcript(&store, &TIERS, "s1", 4_000)
                .unwrap()
                .map(|t| t.tier),
            None
        );
        assert!(transcript(&store, &TIERS, "nope", 0).unwrap().is_none());
        // Exporting is not an access.
        assert_eq!(store.get("s1").unwrap().unwrap().last_access_ms, 1_000);
    }

    #[test]
    fn jsonl_has_one_line_per_message_and_json_parses_back() {
        let t = transcript(&store_with(1_000), &TIERS, "s1", 1_000)
            .unwrap()
            .unwrap();
        let jsonl = String::from_utf8(t.render(ExportFormat::Jsonl).unwrap()).unwrap();
        let lines: Vec<serde_json::Value> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["session_id"], "s1");
        assert_eq!(lines[0]["content"], "line one\nline \"two\"");
        assert_eq!(lines[1]["role"], "assistant");
        let json: serde_json::Value =
            serde_json::from_slice(&t.render(ExportFormat::Json).unwrap()).unwrap();
        assert_eq!(json["tier"], "active");
        assert_eq!(json["messages"].as_array().unwrap().len(), 2);
    }
}
