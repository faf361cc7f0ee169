//! Followed threads in SQL: who follows which thread and the last reply each
//! read. A reply follows its thread for its author (read up to the reply),
//! the users it lists as mentioned (by name, group or `@here`; `@channel`
//! lists nobody) and
//! the root's author, unless that author unfollowed it by hand: in the
//! reply's transaction ([`follow_reply_in_tx`]).

use protocol::{Entry, FollowedThread, Seq};
use sqlx::Row;
use uuid::Uuid;

use super::sql::SqlStore;
use super::sql_log_changes::LogTx;
use super::sql_rows::{entry_from_row, parse_uuid, readable, MESSAGE_SELECT};
use super::StoreResult;

/// Keeps the larger of a row's `read_seq` and the one being written.
const KEEP_LATEST_READ: &str = "CASE WHEN excluded.read_seq > thread_follows.read_seq \
     THEN excluded.read_seq ELSE thread_follows.read_seq END";

/// The follows a reply (`seq`, by `author`, mentioning `mentions`) makes
/// in thread `root`.
pub(super) async fn follow_reply_in_tx(
    at: &mut LogTx<'_>,
    root: Uuid,
    author: Uuid,
    mentions: &[Uuid],
    seq: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO thread_follows (user_id, room_id, root_id, following, read_seq) \
         SELECT author_id, room_id, id, 1, $3 FROM messages \
         WHERE room_id = $1 AND id = $2 AND author_id <> $4 \
         ON CONFLICT (user_id, room_id, root_id) DO NOTHING",
    )
    .bind(at.room)
    .bind(root.to_string())
    .bind(seq - 1)
    .bind(author.to_string())
    .execute(&mut **at.tx)
    .await?;
    let upsert = format!(
        "INSERT INTO thread_follows (user_id, room_id, root_id, following, read_seq) \
         VALUES ($1, $2, $3, 1, $4) ON CONFLICT (user_id, room_id, root_id) \
         DO UPDATE SET following = 1, read_seq = {KEEP_LATEST_READ}"
    );
    let followers = std::iter::once((author, seq)).chain(mentions.iter().map(|m| (*m, seq - 1)));
    for (user, read) in followers {
        sqlx::query(&upsert)
            .bind(user.to_string())
            .bind(at.room)
            .bind(root.to_string())
            .bind(read)
            .execute(&mut **at.tx)
            .await?;
    }
    Ok(())
}

pub(super) async fn set_following(
    store: &SqlStore,
    user: Uuid,
    room: &str,
    root: Uuid,
    on: bool,
) -> StoreResult<Seq> {
    // Following by hand starts with every reply so far read.
    let read: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = $1 AND thread_id = $2",
    )
    .bind(room)
    .bind(root.to_string())
    .fetch_one(&store.writer)
    .await?;
    let read: i64 = sqlx::query_scalar(&format!(
        "INSERT INTO thread_follows (user_id, room_id, root_id, following, read_seq) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, room_id, root_id) \
         DO UPDATE SET following = $4, read_seq = {KEEP_LATEST_READ} RETURNING read_seq"
    ))
    .bind(user.to_string())
    .bind(room)
    .bind(root.to_string())
    .bind(i64::from(on))
    .bind(read)
    .fetch_one(&store.writer)
    .await?;
    Ok(read.max(0) as Seq)
}

pub(super) async fn read_thread(
    store: &SqlStore,
    user: Uuid,
    room: &str,
    root: Uuid,
    seq: Seq,
) -> StoreResult<Option<Seq>> {
    let seq = seq.min(i64::MAX as u64) as i64;
    let read: Option<i64> = sqlx::query_scalar(
        "UPDATE thread_follows SET read_seq = CASE WHEN read_seq < $4 THEN $4 ELSE read_seq END \
         WHERE user_id = $1 AND room_id = $2 AND root_id = $3 RETURNING read_seq",
    )
    .bind(user.to_string())
    .bind(room)
    .bind(root.to_string())
    .bind(seq)
    .fetch_optional(&store.writer)
    .await?;
    Ok(read.map(|r| r.max(0) as Seq))
}

pub(super) async fn followers(store: &SqlStore, room: &str, root: Uuid) -> StoreResult<Vec<Uuid>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT user_id FROM thread_follows WHERE room_id = $1 AND root_id = $2 AND following = 1",
    )
    .bind(room)
    .bind(root.to_string())
    .fetch_all(&store.writer)
    .await?;
    ids.iter().map(|id| parse_uuid(id)).collect()
}

pub(super) async fn followed_threads(
    store: &SqlStore,
    user: Uuid,
    limit: u32,
) -> StoreResult<Vec<FollowedThread>> {
    let rows = sqlx::query(&format!(
        "SELECT x.*, f.read_seq, \
           (SELECT COUNT(*) FROM messages y WHERE y.room_id = f.room_id \
              AND y.thread_id = f.root_id AND y.seq > f.read_seq AND y.author_id <> $1 \
              AND y.deleted_ms IS NULL) AS unread \
         FROM thread_follows f JOIN \
           ({MESSAGE_SELECT}WHERE m.id IN \
              (SELECT root_id FROM thread_follows WHERE user_id = $1 AND following = 1) \
            AND {}) x ON x.message_id = f.root_id AND x.room_id = f.room_id \
         WHERE f.user_id = $1 AND f.following = 1 \
         ORDER BY COALESCE(x.last_reply_ms, x.created_ms) DESC, x.seq DESC LIMIT $2",
        readable("r", "$1")
    ))
    .bind(user.to_string())
    .bind(i64::from(limit))
    .fetch_all(&store.reader)
    .await?;
    let mut threads = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Entry::Message(root) = entry_from_row(row)? {
            threads.push(FollowedThread {
                room: root.room.clone(),
                root,
                unread: row.try_get::<i64, _>("unread")?.clamp(0, u32::MAX as i64) as u32,
                read_seq: row.try_get::<i64, _>("read_seq")?.max(0) as Seq,
            });
        }
    }
    Ok(threads)
}
