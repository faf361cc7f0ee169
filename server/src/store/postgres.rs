//! PostgreSQL, for several instances sharing one store of record: how to
//! connect, and the one-statement append. The row lock that `UPDATE rooms SET
//! last_seq = …` takes serializes a room's writers across every instance, so
//! `seq` stays gap-free under concurrent senders.

use std::time::Duration;

use protocol::{Entry, Message};
use sqlx::any::AnyPoolOptions;
use sqlx::Row;
use uuid::Uuid;

use super::sql::{Backend, SqlStore};
use super::sql_rows::join_mentions;
use super::{NewEntry, Outcome, StoreResult};

impl SqlStore {
    pub(super) async fn open_postgres(url: &str) -> StoreResult<SqlStore> {
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            // No ping before every query (a round trip each): a connection
            // that died fails its query, is dropped, and the caller answers
            // `unavailable` (clients retry; nothing is half-stored).
            .test_before_acquire(false)
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(SqlStore {
            writer: pool.clone(),
            reader: pool,
            backend: Backend::Postgres,
        })
    }

    /// The fast path of `append_batch`: a batch of new top-level messages in
    /// one statement ([`APPEND_UNCHECKED`]); anything else (replies, edits,
    /// deletions, reactions) in one transaction.
    pub(super) async fn append_in_one_statement(
        &self,
        room: &str,
        batch: &[NewEntry],
    ) -> StoreResult<Option<Vec<Outcome>>> {
        use std::collections::HashSet;
        let mut messages = Vec::with_capacity(batch.len());
        for entry in batch {
            match entry {
                NewEntry::Message(m)
                    if m.thread.is_none()
                        && m.attachments.is_empty()
                        && m.cards.is_empty()
                        && m.imported.is_none() =>
                {
                    messages.push(m)
                }
                _ => return self.append_in_tx(room, batch, false).await,
            }
        }
        // A repeat within the batch is a resend too: let the checked path
        // answer it with its first copy.
        let mut keys = HashSet::with_capacity(batch.len());
        if !messages
            .iter()
            .all(|m| keys.insert((m.author.id, m.client_msg_id)))
        {
            return Ok(None);
        }
        let ids: Vec<Uuid> = messages.iter().map(|_| Uuid::now_v7()).collect();
        let created = super::now_ms();
        let rows: Vec<serde_json::Value> = messages
            .iter()
            .zip(&ids)
            .enumerate()
            .map(|(i, (m, id))| {
                serde_json::json!({
                    "n": i as i64 + 1,
                    "id": id.to_string(),
                    "author_id": m.author.id.to_string(),
                    "client_msg_id": m.client_msg_id.to_string(),
                    "body": m.body,
                    "mentions": join_mentions(&m.mentions, m.everyone),
                })
            })
            .collect();
        let row = sqlx::query(APPEND_UNCHECKED)
            .bind(room)
            .bind(messages.len() as i64)
            .bind(created)
            .bind(serde_json::Value::Array(rows).to_string())
            .fetch_optional(&self.writer)
            .await;
        let row = match row {
            Ok(Some(row)) => row,
            // No such room, or an archived one: the checked path tells which.
            Ok(None) => return Ok(None),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let base: i64 = row.try_get(0)?;
        let epoch: String = row.try_get(1)?;
        let outcomes = messages
            .iter()
            .zip(ids)
            .enumerate()
            .map(|(i, (new, id))| Outcome::Stored {
                entry: Entry::Message(Message {
                    room: new.room.clone(),
                    seq: (base + 1 + i as i64) as u64,
                    epoch: epoch.clone(),
                    id,
                    client_msg_id: new.client_msg_id,
                    author: new.author.clone(),
                    body: new.body.clone(),
                    ts: super::ms_to_time(created),
                    mentions: new.mentions.clone(),
                    everyone: new.everyone,
                    ..Default::default()
                }),
                fresh: true,
            })
            .collect();
        Ok(Some(outcomes))
    }
}

/// The one-statement append: bump the room's counter by the batch's size (the
/// row lock serializes writers on every instance), insert the batch numbered
/// after the old value, in one round trip and one flush. The batch is one JSON
/// parameter. If a message was stored before (a resend), the unique key fails
/// the whole statement — nothing stored, counter untouched — and the caller
/// takes the checked path, as it does when the room is missing or archived.
const APPEND_UNCHECKED: &str = "
WITH bump AS (
    UPDATE rooms SET last_seq = last_seq + $2, last_ms = $3 WHERE id = $1 AND archived = 0
    RETURNING last_seq - $2 AS base, epoch
), stored AS (
    INSERT INTO messages (room_id, seq, id, author_id, client_msg_id, body, created_ms, mentions)
    SELECT $1, bump.base + b.n, b.id, b.author_id, b.client_msg_id, b.body, $3, b.mentions
    FROM bump, json_to_recordset($4::json)
        AS b(n bigint, id text, author_id text, client_msg_id text, body text, mentions text)
    RETURNING 1
)
SELECT base, epoch, (SELECT count(*) FROM stored) FROM bump";
