//! [`RetentionStore`] in SQL, for SQLite and PostgreSQL alike, and the
//! rule a deletion shares with a sweep: [`keep_if_held`].

use async_trait::async_trait;
use protocol::{ExportedHeld, HoldKind, LegalHold, RoomId, RoomRetention, Seq, UserRef};
use sqlx::Row;
use uuid::Uuid;

use super::retention::{RetentionStore, Swept};
use super::sql_files::queue_objects;
use super::sql_log::Tx;
use super::sql_rows::{list_from, optional_uuid, parse_uuid};
use super::{ms_to_time, now_ms, Backend, SqlStore, StoreResult};

/// Whether message `m` (of `messages m`) is held: its room or its author.
const HELD: &str =
    "(EXISTS (SELECT 1 FROM legal_holds h WHERE h.kind = 'room' AND h.target = m.room_id) \
     OR EXISTS (SELECT 1 FROM legal_holds h WHERE h.kind = 'user' AND h.target = m.author_id))";

/// Which messages of room `$1` go: `$2` and `$3` as the variant says.
#[derive(Clone, Copy)]
pub(super) enum Going<'a> {
    /// One message, `$2` its id.
    One(&'a str),
    /// The log's entries with `$2 < seq <= $3`.
    Seqs(Seq, Seq),
}

impl Going<'_> {
    /// The condition on `messages m`.
    fn messages(self) -> &'static str {
        match self {
            Going::One(_) => "m.room_id = $1 AND m.id = $2",
            Going::Seqs(..) => "m.room_id = $1 AND m.seq > $2 AND m.seq <= $3",
        }
    }

    fn bind<'q>(
        self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        room: &'q str,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let query = query.bind(room);
        match self {
            Going::One(id) => query.bind(id.to_string()),
            Going::Seqs(after, upto) => query.bind(after as i64).bind(upto as i64),
        }
    }

    /// The files of the going messages that no hold keeps.
    fn files(self) -> String {
        format!(
            "room_id = $1 AND held_for IS NULL AND (uploader_id, claim_msg_id) IN \
             (SELECT m.author_id, m.client_msg_id FROM messages m WHERE {})",
            self.messages()
        )
    }
}

/// Keeps the original of each going message that a hold covers (and names
/// its files for it, so they stay and nobody is served them), then queues
/// the objects of the other going messages' files and deletes those files.
/// `why` is `deleted` or `retention`. Inside the deletion's or the sweep's
/// transaction.
pub(super) async fn keep_if_held(
    tx: &mut Tx,
    room: &str,
    going: Going<'_>,
    why: &str,
    now: i64,
) -> StoreResult<()> {
    let which = going.messages();
    let next = match going {
        Going::One(_) => 3,
        Going::Seqs(..) => 4,
    };
    let keep = format!(
        "INSERT INTO held_messages (id, room_id, seq, author_id, thread_id, body, attachments, \
         created_ms, edited_ms, gone_ms, why) \
         SELECT m.id, m.room_id, m.seq, m.author_id, m.thread_id, m.body, m.attachments, \
         m.created_ms, m.edited_ms, ${next}, ${} FROM messages m \
         WHERE {which} AND m.deleted_ms IS NULL AND {HELD} ON CONFLICT (id) DO NOTHING",
        next + 1
    );
    going
        .bind(sqlx::query(&keep), room)
        .bind(now)
        .bind(why)
        .execute(&mut **tx)
        .await?;
    let name_files = format!(
        "UPDATE files SET held_for = (SELECT m.id FROM messages m WHERE m.room_id = files.room_id \
         AND m.author_id = files.uploader_id AND m.client_msg_id = files.claim_msg_id) \
         WHERE room_id = $1 AND held_for IS NULL AND (uploader_id, claim_msg_id) IN \
         (SELECT m.author_id, m.client_msg_id FROM messages m JOIN held_messages k ON k.id = m.id \
          WHERE {which})"
    );
    going
        .bind(sqlx::query(&name_files), room)
        .execute(&mut **tx)
        .await?;
    let files = going.files();
    going
        .bind(sqlx::query(&queue_objects(&files, next)), room)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    going
        .bind(
            sqlx::query(&format!("DELETE FROM files WHERE {files}")),
            room,
        )
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl RetentionStore for SqlStore {
    async fn set_room_retention(&self, room: &str, days: Option<u32>) -> StoreResult<bool> {
        let changed = sqlx::query("UPDATE rooms SET retention_days = $2 WHERE id = $1")
            .bind(room)
            .bind(days.map(i64::from))
            .execute(&self.writer)
            .await?
            .rows_affected();
        Ok(changed == 1)
    }

    async fn room_retention(&self) -> StoreResult<Vec<RoomRetention>> {
        let rows = sqlx::query(
            "SELECT r.id, r.name, r.retention_days, r.log_floor, \
             (SELECT COUNT(*) FROM legal_holds h WHERE h.kind = 'room' AND h.target = r.id) AS held \
             FROM rooms r WHERE r.retention_days IS NOT NULL OR r.log_floor > 0 \
             OR EXISTS (SELECT 1 FROM legal_holds h WHERE h.kind = 'room' AND h.target = r.id) \
             ORDER BY r.name",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RoomRetention {
                    room: row.try_get("id")?,
                    name: row.try_get("name")?,
                    retention_days: row
                        .try_get::<Option<i64>, _>("retention_days")?
                        .map(|d| d.clamp(0, u32::MAX as i64) as u32),
                    kept_after: row.try_get::<i64, _>("log_floor")?.max(0) as Seq,
                    held: truth(row, "held")?,
                })
            })
            .collect()
    }

    async fn rooms_to_sweep(&self, default_days: Option<u32>) -> StoreResult<Vec<(RoomId, u32)>> {
        let rows = sqlx::query(
            "SELECT r.id, COALESCE(r.retention_days, $1) AS days FROM rooms r \
             WHERE COALESCE(r.retention_days, $1) IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.kind = 'room' AND h.target = r.id) \
             ORDER BY r.id",
        )
        .bind(default_days.map(i64::from))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let days: i64 = row.try_get("days")?;
                Ok((row.try_get("id")?, days.clamp(0, u32::MAX as i64) as u32))
            })
            .collect()
    }

    async fn sweep(&self, room: &str, before_ms: i64, batch: u32) -> StoreResult<Swept> {
        let mut tx = self.writer.begin().await?;
        let Some(row) = sqlx::query(
            "SELECT log_floor, last_seq, \
             (SELECT COUNT(*) FROM legal_holds h WHERE h.kind = 'room' AND h.target = $1) AS held \
             FROM rooms WHERE id = $1",
        )
        .bind(room)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(Swept::default());
        };
        let floor = row.try_get::<i64, _>("log_floor")?.max(0);
        let last = row.try_get::<i64, _>("last_seq")?;
        if truth(&row, "held")? {
            return Ok(Swept {
                kept_after: floor as Seq,
                ..Swept::default()
            });
        }
        let end = last.min(floor.saturating_add(i64::from(batch)));
        // The first message to keep, among the next `batch` entries: the
        // cut stops before it. Other entries go with the messages around
        // them: in a live log an entry is no older than the messages
        // before it, and an import's reactions (stamped with the import's
        // time) must not hold back the history they belong to.
        let young: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(seq) FROM (SELECT seq, created_ms FROM messages \
             WHERE room_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq) t \
             WHERE created_ms >= $4",
        )
        .bind(room)
        .bind(floor)
        .bind(end)
        .bind(before_ms)
        .fetch_one(&mut *tx)
        .await?;
        let upto = young.map_or(end, |young| end.min(young - 1));
        if upto <= floor {
            return Ok(Swept {
                kept_after: floor as Seq,
                ..Swept::default()
            });
        }
        let deleted = cut(&mut tx, self.backend, room, floor, upto).await?;
        let moved = sqlx::query("UPDATE rooms SET log_floor = $2 WHERE id = $1 AND log_floor = $3")
            .bind(room)
            .bind(upto)
            .bind(floor)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved != 1 {
            // Another sweeper cut this batch first: ours goes back.
            tx.rollback().await?;
            return Ok(Swept::default());
        }
        tx.commit().await?;
        Ok(Swept {
            deleted,
            kept_after: upto as Seq,
            more: upto == end && end < last,
        })
    }

    async fn log_floor(&self, room: &str) -> StoreResult<Seq> {
        let floor: Option<i64> = sqlx::query_scalar("SELECT log_floor FROM rooms WHERE id = $1")
            .bind(room)
            .fetch_optional(&self.reader)
            .await?;
        Ok(floor.unwrap_or(0).max(0) as Seq)
    }

    async fn take_lease(&self, name: &str, holder: &str, ttl_ms: i64) -> StoreResult<bool> {
        let now = now_ms();
        let taken = sqlx::query(
            "INSERT INTO leases (name, holder, until_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms \
             WHERE leases.until_ms < $4 OR leases.holder = excluded.holder",
        )
        .bind(name)
        .bind(holder)
        .bind(now + ttl_ms)
        .bind(now)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(taken == 1)
    }

    async fn put_hold(
        &self,
        kind: HoldKind,
        target: &str,
        reason: &str,
        by: Uuid,
    ) -> StoreResult<bool> {
        let placed = sqlx::query(
            "INSERT INTO legal_holds (kind, target, reason, by_id, created_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, target) DO NOTHING",
        )
        .bind(kind.as_str())
        .bind(target)
        .bind(reason)
        .bind(by.to_string())
        .bind(now_ms())
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(placed == 1)
    }

    async fn drop_hold(&self, kind: HoldKind, target: &str) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        let dropped = sqlx::query("DELETE FROM legal_holds WHERE kind = $1 AND target = $2")
            .bind(kind.as_str())
            .bind(target)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // What no hold covers any more goes: the files first (their objects
        // queued), then the originals.
        let released = format!("held_for IN (SELECT m.id FROM held_messages m WHERE NOT {HELD})");
        sqlx::query(&queue_objects(&released, 1))
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!("DELETE FROM files WHERE {released}"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "DELETE FROM held_messages WHERE id IN (SELECT m.id FROM held_messages m WHERE NOT {HELD})"
        ))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(dropped == 1)
    }

    async fn holds(&self) -> StoreResult<Vec<LegalHold>> {
        let rows = sqlx::query(
            "SELECT h.kind, h.target, h.reason, h.created_ms, h.by_id, b.name AS by_name, \
             COALESCE(r.name, u.name, h.target) AS name FROM legal_holds h \
             JOIN users b ON b.id = h.by_id \
             LEFT JOIN rooms r ON h.kind = 'room' AND r.id = h.target \
             LEFT JOIN users u ON h.kind = 'user' AND u.id = h.target \
             ORDER BY h.created_ms DESC, h.target",
        )
        .fetch_all(&self.reader)
        .await?;
        let mut holds = Vec::with_capacity(rows.len());
        for row in &rows {
            let Some(kind) = HoldKind::parse(row.try_get("kind")?) else {
                continue;
            };
            holds.push(LegalHold {
                kind,
                target: row.try_get("target")?,
                name: row.try_get("name")?,
                reason: row.try_get("reason")?,
                by: UserRef {
                    id: parse_uuid(row.try_get("by_id")?)?,
                    name: row.try_get("by_name")?,
                },
                placed_ts: ms_to_time(row.try_get("created_ms")?),
            });
        }
        Ok(holds)
    }

    async fn held_messages(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ExportedHeld>> {
        let rows = sqlx::query(
            "SELECT id, room_id, seq, author_id, thread_id, body, attachments, created_ms, \
             edited_ms, gone_ms, why FROM held_messages WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after.map(|id| id.to_string()).unwrap_or_default())
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ExportedHeld {
                    id: parse_uuid(row.try_get("id")?)?,
                    room: row.try_get("room_id")?,
                    seq: row.try_get::<i64, _>("seq")?.max(0) as Seq,
                    author: parse_uuid(row.try_get("author_id")?)?,
                    thread: optional_uuid(row.try_get("thread_id")?)?,
                    body: row.try_get("body")?,
                    attachments: list_from(row.try_get("attachments")?)?,
                    created_ts: ms_to_time(row.try_get("created_ms")?),
                    edited_ts: row.try_get::<Option<i64>, _>("edited_ms")?.map(ms_to_time),
                    gone_ts: ms_to_time(row.try_get("gone_ms")?),
                    why: row.try_get("why")?,
                })
            })
            .collect()
    }
}

/// Whether a count the query made is not zero.
fn truth(row: &sqlx::any::AnyRow, column: &str) -> StoreResult<bool> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// Removes the entries `floor < seq <= upto` of `room` as deletions would
/// (see `RetentionStore::sweep`); answers how many live messages went.
async fn cut(tx: &mut Tx, backend: Backend, room: &str, floor: i64, upto: i64) -> StoreResult<u64> {
    let going = Going::Seqs(floor as Seq, upto as Seq);
    let now = now_ms();
    let in_range = "room_id = $1 AND seq > $2 AND seq <= $3";
    let ids = format!("SELECT id FROM messages WHERE {in_range}");
    let deleted: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM messages WHERE {in_range} AND deleted_ms IS NULL"
    ))
    .bind(room)
    .bind(floor)
    .bind(upto)
    .fetch_one(&mut **tx)
    .await?;
    keep_if_held(tx, room, going, "retention", now).await?;
    // What hangs off the going messages: reactions, saved items, reminders
    // of them, follows of threads that go whole, and the bodies of their
    // later edits (the edit entries themselves stay in the kept log).
    for statement in [
        format!("DELETE FROM reactions WHERE message_id IN ({ids})"),
        format!("DELETE FROM saved_items WHERE message_id IN ({ids})"),
        format!("DELETE FROM later WHERE kind = 'message' AND message_id IN ({ids})"),
        format!(
            "UPDATE room_events SET body = '', mentions = '' WHERE room_id = $1 \
             AND kind = 'edited' AND seq > $3 AND message_id IN ({ids})"
        ),
        format!("DELETE FROM room_events WHERE {in_range}"),
        // A root whose thread goes on past the cut stays as a deleted
        // message (its replies still hang from it), counting what is left.
        format!(
            "UPDATE messages SET body = '', mentions = '', attachments = '', previews = '', \
             cards = '', pinned_ms = NULL, deleted_ms = COALESCE(deleted_ms, $4), \
             reply_count = (SELECT COUNT(*) FROM messages r WHERE r.room_id = $1 \
               AND r.thread_id = messages.id AND r.seq > $3 AND r.deleted_ms IS NULL) \
             WHERE {in_range} AND EXISTS (SELECT 1 FROM messages r WHERE r.room_id = $1 \
               AND r.thread_id = messages.id AND r.seq > $3)"
        ),
        // The rest: their words leave the search index (the body emptied)
        // and then the rows go.
        format!("UPDATE messages SET body = '', attachments = '' WHERE {in_range} AND body <> ''"),
    ] {
        let query = sqlx::query(&statement).bind(room).bind(floor).bind(upto);
        let query = if statement.contains("$4") {
            query.bind(now)
        } else {
            query
        };
        query.execute(&mut **tx).await?;
    }
    let gone = format!(
        "{in_range} AND NOT EXISTS (SELECT 1 FROM messages r WHERE r.room_id = $1 \
         AND r.thread_id = messages.id AND r.seq > $3)"
    );
    let follows = format!(
        "DELETE FROM thread_follows WHERE room_id = $1 AND root_id IN \
         (SELECT id FROM messages WHERE {gone})"
    );
    let mut statements = vec![follows];
    if backend == Backend::Sqlite {
        statements.push(format!(
            "DELETE FROM search_docs WHERE message_id IN (SELECT id FROM messages WHERE {gone})"
        ));
    }
    statements.push(format!("DELETE FROM messages WHERE {gone}"));
    // Roots kept below the floor by a thread whose last replies went now.
    statements.push(
        "DELETE FROM messages WHERE room_id = $1 AND seq <= $2 AND $3 > $2 AND NOT EXISTS \
         (SELECT 1 FROM messages r WHERE r.room_id = $1 AND r.thread_id = messages.id)"
            .to_string(),
    );
    for statement in statements {
        sqlx::query(&statement)
            .bind(room)
            .bind(floor)
            .bind(upto)
            .execute(&mut **tx)
            .await?;
    }
    Ok(deleted.max(0) as u64)
}
