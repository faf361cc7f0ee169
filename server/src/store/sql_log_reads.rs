//! Reading the room log, shared by both backends in
//! `SqlStore`: entries as they are delivered, pages
//! as a reader sees them (messages with reactions and reply counts, read in one
//! snapshot with the room's latest `seq`), threads, and what access rules ask.

use async_trait::async_trait;
use protocol::{Entry, Message, Seq, UserRef};
use sqlx::Row;
use uuid::Uuid;

use super::sql::SqlStore;
use super::sql_log::Tx;
use super::sql_rows::parse_uuid;
use super::sql_rows::{entry_from_row, optional_uuid, readable, ENTRY_SELECT, MESSAGE_SELECT};
use super::{LogPage, LogStore, NewEntry, Outcome, PageAt, StoreError, StoreResult};

/// Messages as they are delivered: their current body, but none of the
/// counts that later entries of the log change.
fn as_delivered(entry: Entry) -> Entry {
    match entry {
        Entry::Message(mut m) => {
            m.reply_count = 0;
            m.last_reply_ts = None;
            m.reactions.clear();
            Entry::Message(m)
        }
        other => other,
    }
}

/// Fills in the reactions of the messages in `entries` as `viewer` sees them.
async fn add_reactions(tx: &mut Tx, entries: &mut [&mut Message], viewer: Uuid) -> StoreResult<()> {
    use std::collections::HashMap;
    if entries.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = (0..entries.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT message_id, emoji, COUNT(*) AS n, \
         CAST(MAX(CASE WHEN user_id = $1 THEN 1 ELSE 0 END) AS BIGINT) AS me, \
         MIN(created_ms) AS first_ms FROM reactions WHERE message_id IN ({}) \
         GROUP BY message_id, emoji ORDER BY first_ms, emoji",
        ids.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(viewer.to_string());
    for m in entries.iter() {
        query = query.bind(m.id.to_string());
    }
    let mut by_id: HashMap<Uuid, usize> = HashMap::new();
    for (i, m) in entries.iter().enumerate() {
        by_id.insert(m.id, i);
    }
    for row in query.fetch_all(&mut **tx).await? {
        let id = parse_uuid(row.try_get("message_id")?)?;
        if let Some(&i) = by_id.get(&id) {
            entries[i].reactions.push(protocol::ReactionCount {
                emoji: row.try_get("emoji")?,
                count: row.try_get::<i64, _>("n")?.max(0) as u32,
                me: row.try_get::<i64, _>("me")? != 0,
            });
        }
    }
    Ok(())
}

/// The room's latest `seq`, read in `tx`.
async fn latest_in(tx: &mut Tx, room: &str) -> StoreResult<i64> {
    sqlx::query_scalar::<_, i64>("SELECT last_seq FROM rooms WHERE id = $1")
        .bind(room)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)
}

#[async_trait]
impl LogStore for SqlStore {
    async fn append_batch(&self, room: &str, batch: Vec<NewEntry>) -> StoreResult<Vec<Outcome>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        // Resends are rare: first assume none of the batch was stored
        // before (each backend's fastest way). If one was, try again
        // checking.
        let outcomes = match self.append_unchecked(room, &batch).await? {
            Some(outcomes) => outcomes,
            None => self
                .append_in_tx(room, &batch, true)
                .await?
                .expect("a checked append always answers"),
        };
        self.after_commit(&batch).await;
        Ok(outcomes)
    }

    async fn entries_after(&self, room: &str, after: Seq, limit: u32) -> StoreResult<Vec<Entry>> {
        sqlx::query(ENTRY_SELECT.as_str())
            .bind(room)
            .bind(after as i64)
            .bind(after as i64 + limit as i64)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| entry_from_row(row).map(as_delivered))
            .collect()
    }

    async fn history(
        &self,
        room: &str,
        at: PageAt,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<LogPage> {
        let mut tx = self.read_snapshot().await?;
        let latest = latest_in(&mut tx, room).await?;
        let signed = |seq: Seq| seq.min(i64::MAX as u64) as i64;
        let (after, upto) = match at {
            PageAt::Before(before) => {
                let upto = before.map_or(latest, |b| (signed(b) - 1).min(latest));
                ((upto - limit as i64).max(0), upto)
            }
            PageAt::After(after) => {
                let after = signed(after).min(latest);
                (after, after.saturating_add(limit as i64).min(latest))
            }
            PageAt::Around(seq) => {
                // Half the page before `seq`, `seq` itself and the rest
                // after; near either end of the log, more of the other side.
                let half = limit as i64 / 2;
                let after = (signed(seq).min(latest) - 1 - half).max(0);
                let upto = after.saturating_add(limit as i64).min(latest);
                ((upto - limit as i64).max(0), upto)
            }
        };
        let rows = sqlx::query(ENTRY_SELECT.as_str())
            .bind(room)
            .bind(after)
            .bind(upto)
            .fetch_all(&mut *tx)
            .await?;
        let mut entries = rows
            .iter()
            .map(entry_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let mut messages: Vec<&mut Message> = entries
            .iter_mut()
            .filter_map(|e| match e {
                Entry::Message(m) if !m.deleted => Some(m),
                _ => None,
            })
            .collect();
        add_reactions(&mut tx, &mut messages, viewer).await?;
        tx.commit().await?;
        Ok(LogPage {
            entries,
            seq: latest as Seq,
        })
    }

    async fn pins(&self, room: &str) -> StoreResult<Vec<protocol::Message>> {
        let rows = sqlx::query(&format!(
            "{MESSAGE_SELECT}WHERE m.room_id = $1 AND m.pinned_ms IS NOT NULL \
             ORDER BY m.pinned_ms DESC, m.seq DESC LIMIT $2"
        ))
        .bind(room)
        .bind(protocol::MAX_PINS_PER_ROOM as i64)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .filter_map(|row| match entry_from_row(row) {
                Ok(Entry::Message(m)) => Some(Ok(m)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect()
    }

    async fn thread(
        &self,
        room: &str,
        root: Uuid,
        before: Option<Seq>,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<Option<protocol::ThreadPage>> {
        let mut tx = self.read_snapshot().await?;
        let latest = latest_in(&mut tx, room).await?;
        let root_row = sqlx::query(&format!(
            "{MESSAGE_SELECT}WHERE m.room_id = $1 AND m.id = $2"
        ))
        .bind(room)
        .bind(root.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(Entry::Message(mut root_message)) =
            root_row.as_ref().map(entry_from_row).transpose()?
        else {
            return Ok(None);
        };
        if root_message.thread.is_some() {
            return Ok(None);
        }
        let before = before.map_or(i64::MAX, |b| b as i64);
        let rows = sqlx::query(&format!(
            "{MESSAGE_SELECT}WHERE m.room_id = $1 AND m.thread_id = $2 AND m.seq < $3 ORDER BY m.seq DESC LIMIT $4"
        ))
        .bind(room)
        .bind(root.to_string())
        .bind(before)
        .bind(limit as i64)
        .fetch_all(&mut *tx)
        .await?;
        let mut replies = Vec::with_capacity(rows.len());
        for row in rows.iter().rev() {
            if let Entry::Message(m) = entry_from_row(row)? {
                replies.push(m);
            }
        }
        let mut messages: Vec<&mut Message> = std::iter::once(&mut root_message)
            .chain(replies.iter_mut())
            .filter(|m| !m.deleted)
            .collect();
        add_reactions(&mut tx, &mut messages, viewer).await?;
        tx.commit().await?;
        Ok(Some(protocol::ThreadPage {
            root: root_message,
            replies,
            seq: latest as Seq,
        }))
    }

    async fn message_record(
        &self,
        room: &str,
        id: Uuid,
    ) -> StoreResult<Option<super::MessageRecord>> {
        let row = sqlx::query(
            "SELECT author_id, thread_id, deleted_ms FROM messages WHERE room_id = $1 AND id = $2",
        )
        .bind(room)
        .bind(id.to_string())
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| {
            Ok(super::MessageRecord {
                id,
                author: parse_uuid(row.try_get("author_id")?)?,
                thread: optional_uuid(row.try_get("thread_id")?)?,
                deleted: row.try_get::<Option<i64>, _>("deleted_ms")?.is_some(),
            })
        })
        .transpose()
    }

    async fn readers_named(&self, room: &str, names: &[String]) -> StoreResult<Vec<UserRef>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..names.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT u.id, u.name FROM users u WHERE u.disabled = 0 AND lower(u.name) IN ({}) \
             AND EXISTS (SELECT 1 FROM rooms r WHERE r.id = $1 AND {})",
            list.join(", "),
            readable("r", "u.id")
        );
        let mut query = sqlx::query(&sql).bind(room);
        for name in names {
            query = query.bind(name);
        }
        query
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| {
                Ok(UserRef {
                    id: parse_uuid(row.try_get("id")?)?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }
}
