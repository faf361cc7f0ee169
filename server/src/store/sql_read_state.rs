//! Each member's read state in SQL ([`ReadStateStore`] for `SqlStore`):
//! the room list with unread and mention counts, read markers, muting, and the
//! names a direct room shows.

use std::collections::HashMap;

use async_trait::async_trait;
use protocol::{NotificationLevel, RoomId, RoomInfo, RoomKind, RoomRole, Seq};
use sqlx::Row;
use uuid::Uuid;

use super::sql::SqlStore;
use super::sql_rows::kind_from_str;
use super::{ms_to_time, ReadStateStore, StoreResult};

/// The caller's own rooms (an index range of their memberships: the rooms
/// of the instance they are not in cost nothing). The counts are correlated
/// subqueries over the room's messages after the
/// marker (the primary key's range), skipped when the marker is at the end:
/// one statement however many rooms. `mentions` holds comma-separated ids
/// (an id never matches across a comma, so `LIKE '%id%'` is exact), after
/// `*` when the message mentions every member (`sql_rows::EVERYONE`).
const ROOMS_FOR: &str = "\
    SELECT r.id, r.name, r.kind, r.topic, r.last_seq, 1 AS member, r.archived, r.last_ms, \
       m.last_read_seq, m.muted, m.role, m.notify_level, \
       CASE WHEN m.last_read_seq >= r.last_seq THEN 0 ELSE \
         (SELECT COUNT(*) FROM messages x WHERE x.room_id = r.id AND x.seq > m.last_read_seq \
            AND x.author_id <> $1 AND x.deleted_ms IS NULL) END AS unread, \
       CASE WHEN m.last_read_seq >= r.last_seq THEN 0 ELSE \
         (SELECT COUNT(*) FROM messages x WHERE x.room_id = r.id AND x.seq > m.last_read_seq \
            AND x.author_id <> $1 AND x.deleted_ms IS NULL AND (x.mentions LIKE $2 OR x.mentions LIKE '*%')) END AS mentions \
     FROM memberships m JOIN rooms r ON r.id = m.room_id \
     WHERE m.user_id = $1 ORDER BY r.name";

#[async_trait]
impl ReadStateStore for SqlStore {
    async fn rooms_for(&self, user: Uuid) -> StoreResult<Vec<RoomInfo>> {
        let rows = sqlx::query(ROOMS_FOR)
            .bind(user.to_string())
            .bind(format!("%{user}%"))
            .fetch_all(&self.reader)
            .await?;
        let count = |row: &sqlx::any::AnyRow, column: &str| -> StoreResult<u32> {
            Ok(row.try_get::<i64, _>(column)?.clamp(0, u32::MAX as i64) as u32)
        };
        rows.iter()
            .map(|row| {
                let kind = kind_from_str(row.try_get("kind")?)?;
                let role: &str = row.try_get("role")?;
                Ok(RoomInfo {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    kind,
                    member: row.try_get::<i64, _>("member")? != 0,
                    topic: row.try_get("topic")?,
                    latest_seq: row.try_get::<i64, _>("last_seq")?.max(0) as Seq,
                    last_read_seq: row.try_get::<i64, _>("last_read_seq")?.max(0) as Seq,
                    unread: count(row, "unread")?,
                    mentions: count(row, "mentions")?,
                    muted: row.try_get::<i64, _>("muted")? != 0,
                    notifications: row
                        .try_get::<Option<&str>, _>("notify_level")?
                        .and_then(NotificationLevel::parse)
                        .unwrap_or(NotificationLevel::default_for(kind)),
                    archived: row.try_get::<i64, _>("archived")? != 0,
                    role: (kind != RoomKind::Direct).then(|| RoomRole::parse(role)),
                    last_activity: row.try_get::<Option<i64>, _>("last_ms")?.map(ms_to_time),
                })
            })
            .collect()
    }

    async fn direct_names(&self, user: Uuid) -> StoreResult<HashMap<RoomId, Vec<String>>> {
        let rows = sqlx::query(
            "SELECT m.room_id, u.name FROM memberships mine \
             JOIN rooms r ON r.id = mine.room_id AND r.kind = 'direct' \
             JOIN memberships m ON m.room_id = mine.room_id AND m.user_id <> mine.user_id \
             JOIN users u ON u.id = m.user_id \
             WHERE mine.user_id = $1 ORDER BY u.name",
        )
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await?;
        let mut names: HashMap<RoomId, Vec<String>> = HashMap::new();
        for row in &rows {
            names
                .entry(row.try_get("room_id")?)
                .or_default()
                .push(row.try_get("name")?);
        }
        Ok(names)
    }

    async fn mark_read(&self, room: &str, user: Uuid, seq: Seq) -> StoreResult<Option<Seq>> {
        let seq = seq.min(i64::MAX as u64) as i64;
        let moved: Option<i64> = sqlx::query_scalar(
            "UPDATE memberships SET last_read_seq = \
               (SELECT CASE WHEN $3 < last_seq THEN $3 ELSE last_seq END FROM rooms WHERE id = $1) \
             WHERE room_id = $1 AND user_id = $2 AND last_read_seq < $3 \
               AND last_read_seq < (SELECT last_seq FROM rooms WHERE id = $1) \
             RETURNING last_read_seq",
        )
        .bind(room)
        .bind(user.to_string())
        .bind(seq)
        .fetch_optional(&self.writer)
        .await?;
        Ok(moved.map(|s| s.max(0) as Seq))
    }

    async fn set_muted(&self, room: &str, user: Uuid, muted: bool) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE memberships SET muted = $3 WHERE room_id = $1 AND user_id = $2")
                .bind(room)
                .bind(user.to_string())
                .bind(i64::from(muted))
                .execute(&self.writer)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}
