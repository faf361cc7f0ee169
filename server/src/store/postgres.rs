//! The PostgreSQL store, for several instances sharing one store of record.
//!
//! The queries are shared with SQLite (`sql.rs`). Here the row lock that
//! `UPDATE rooms SET last_seq = last_seq + 1` takes serializes a room's writers
//! across every instance, so `seq` stays gap-free under concurrent senders.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

pub struct PgStore {
    writer: PgPool,
    /// The same pool: PostgreSQL needs no separate readers.
    reader: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` and runs the migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            // No ping before every query (a round trip each): a connection
            // that died fails its query, is dropped, and the caller answers
            // `unavailable` (clients retry; nothing is half-stored).
            .test_before_acquire(false)
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore {
            writer: pool.clone(),
            reader: pool,
        })
    }
}

super::sql::sql_store!(PgStore, sqlx::postgres::PgRow);

/// The fast path of `append_batch` in one statement, so one round trip and the
/// commit's flush: bump the room's counter by the batch's size (the row lock
/// serializes writers on every instance), insert the batch numbered after the
/// old value. If a message was stored before (a resend), the unique key fails
/// the whole statement — nothing stored, counter untouched — and the caller
/// takes the checked path.
const APPEND_UNCHECKED: &str = "
WITH bump AS (
    UPDATE rooms SET last_seq = last_seq + $2 WHERE id = $1
    RETURNING last_seq - $2 AS base, epoch
), stored AS (
    INSERT INTO messages (room_id, seq, id, author_id, client_msg_id, body, created_ms, mentions)
    SELECT $1, bump.base + b.n, b.id, b.author_id, b.client_msg_id, b.body, $3, b.mentions
    FROM bump, unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
        WITH ORDINALITY AS b(id, author_id, client_msg_id, body, mentions, n)
    RETURNING 1
)
SELECT base, epoch, (SELECT count(*) FROM stored) FROM bump";

impl PgStore {
    /// The fast path of `append_batch`: a batch of new top-level messages in
    /// one statement ([`APPEND_UNCHECKED`]); anything else (replies, edits,
    /// deletions, reactions) in one transaction.
    async fn append_unchecked(
        &self,
        room: &str,
        batch: &[NewEntry],
    ) -> StoreResult<Option<Vec<Outcome>>> {
        use std::collections::HashSet;
        let mut messages = Vec::with_capacity(batch.len());
        for entry in batch {
            match entry {
                NewEntry::Message(m) if m.thread.is_none() => messages.push(m),
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
        let column = |f: &dyn Fn(&NewMessage) -> String| -> Vec<String> {
            messages.iter().map(|m| f(m)).collect()
        };
        let row = sqlx::query(APPEND_UNCHECKED)
            .bind(room)
            .bind(messages.len() as i64)
            .bind(created)
            .bind(ids.iter().map(Uuid::to_string).collect::<Vec<_>>())
            .bind(column(&|m| m.author.id.to_string()))
            .bind(column(&|m| m.client_msg_id.to_string()))
            .bind(column(&|m| m.body.clone()))
            .bind(column(&|m| join_ids(&m.mentions)))
            .fetch_optional(&self.writer)
            .await;
        let row = match row {
            Ok(Some(row)) => row,
            Ok(None) => return Err(StoreError::NotFound),
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
                    ..Default::default()
                }),
                fresh: true,
            })
            .collect();
        Ok(Some(outcomes))
    }

    /// Nothing to do after a commit: a deleted body's old row version is
    /// removed by (auto)vacuum, as PostgreSQL removes every dead row.
    async fn after_commit(&self, _batch: &[NewEntry]) {}

    /// A read transaction that sees one state of the database throughout
    /// (PostgreSQL's default isolation takes a new snapshot per statement).
    async fn read_snapshot(&self) -> StoreResult<Tx> {
        let mut tx = self.reader.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}
