//! Attention in SQL, but followed threads (`sql_follows`): member lists for
//! broad mentions, notification levels, do-not-disturb and saved messages
//! ([`AttentionStore`] for `SqlStore`).

use async_trait::async_trait;
use protocol::{Entry, FollowedThread, Message, NotificationLevel, RoomKind, Seq};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::attention::{AttentionStore, DndRecord, RoomNotice};
use super::sql::SqlStore;
use super::sql_rows::{entry_from_row, kind_from_str, parse_uuid, readable, MESSAGE_SELECT};
use super::{ms_to_time, now_ms, time_to_ms, StoreResult};

/// A membership row (`m`, with its room's `kind`) as a notice.
fn notice_from_row(row: &sqlx::any::AnyRow) -> StoreResult<RoomNotice> {
    let kind: RoomKind = kind_from_str(row.try_get("kind")?)?;
    Ok(RoomNotice {
        room: row.try_get("room_id")?,
        level: level_from_row(row, kind)?,
        muted: row.try_get::<i64, _>("muted")? != 0,
    })
}

/// A user row's do-not-disturb (`dnd_until_ms`, `dnd_start`, `dnd_end`,
/// `timezone`).
pub(super) fn dnd_from_row(row: &sqlx::any::AnyRow) -> StoreResult<DndRecord> {
    let minute = |column: &str| -> StoreResult<Option<u16>> {
        Ok(row
            .try_get::<Option<i64>, _>(column)?
            .map(|m| m.clamp(0, 24 * 60 - 1) as u16))
    };
    Ok(DndRecord {
        until: row
            .try_get::<Option<i64>, _>("dnd_until_ms")?
            .map(ms_to_time),
        schedule: minute("dnd_start")?.zip(minute("dnd_end")?),
        timezone: row.try_get("timezone")?,
    })
}

/// What decides whether a message notifies a member, from a row with the
/// membership's `notify_level` and `muted`, the room's `kind` and the
/// user's do-not-disturb.
pub(super) struct MemberNotice {
    pub kind: RoomKind,
    pub level: NotificationLevel,
    pub muted: bool,
    pub dnd: DndRecord,
}

pub(super) fn member_notice(row: &sqlx::any::AnyRow) -> StoreResult<MemberNotice> {
    let kind = kind_from_str(row.try_get("kind")?)?;
    Ok(MemberNotice {
        kind,
        level: level_from_row(row, kind)?,
        muted: row.try_get::<i64, _>("muted")? != 0,
        dnd: dnd_from_row(row)?,
    })
}

/// `query` with `ids` bound, in order, after what it has.
pub(super) fn bind_ids<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ids: &[Uuid],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for id in ids {
        query = query.bind(id.to_string());
    }
    query
}

/// A membership row's level (`notify_level`, with the room's `kind`).
pub(super) fn level_from_row(
    row: &sqlx::any::AnyRow,
    kind: RoomKind,
) -> StoreResult<NotificationLevel> {
    Ok(row
        .try_get::<Option<&str>, _>("notify_level")?
        .and_then(NotificationLevel::parse)
        .unwrap_or(NotificationLevel::default_for(kind)))
}

const NOTICE_SELECT: &str = "SELECT m.room_id, m.notify_level, m.muted, r.kind \
     FROM memberships m JOIN rooms r ON r.id = m.room_id ";

#[async_trait]
impl AttentionStore for SqlStore {
    async fn member_count(&self, room: &str) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE room_id = $1")
            .bind(room)
            .fetch_one(&self.reader)
            .await?;
        Ok(n.max(0) as u64)
    }

    async fn member_ids(&self, room: &str) -> StoreResult<Vec<Uuid>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.room_id = $1 AND u.disabled = 0",
        )
        .bind(room)
        .fetch_all(&self.reader)
        .await?;
        ids.iter().map(|id| parse_uuid(id)).collect()
    }

    async fn set_level(
        &self,
        room: &str,
        user: Uuid,
        level: NotificationLevel,
    ) -> StoreResult<Option<RoomNotice>> {
        let done = sqlx::query(
            "UPDATE memberships SET notify_level = $3 WHERE room_id = $1 AND user_id = $2",
        )
        .bind(room)
        .bind(user.to_string())
        .bind(level.as_str())
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.notice(room, user).await
    }

    async fn notice(&self, room: &str, user: Uuid) -> StoreResult<Option<RoomNotice>> {
        sqlx::query(&format!(
            "{NOTICE_SELECT}WHERE m.room_id = $1 AND m.user_id = $2"
        ))
        .bind(room)
        .bind(user.to_string())
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(notice_from_row)
        .transpose()
    }

    async fn dnd(&self, user: Uuid) -> StoreResult<DndRecord> {
        let row = sqlx::query(
            "SELECT dnd_until_ms, dnd_start, dnd_end, timezone FROM users WHERE id = $1",
        )
        .bind(user.to_string())
        .fetch_optional(&self.writer)
        .await?;
        match row {
            Some(row) => dnd_from_row(&row),
            None => Ok(DndRecord::default()),
        }
    }

    async fn watch_needs(
        &self,
        user: Uuid,
        limit: u32,
    ) -> StoreResult<(Vec<RoomNotice>, DndRecord)> {
        // One row per room, or one with no room: the user's columns on each.
        let rows = sqlx::query(
            "SELECT u.dnd_until_ms, u.dnd_start, u.dnd_end, u.timezone, \
               m.room_id, m.notify_level, m.muted, r.kind \
             FROM users u LEFT JOIN (memberships m JOIN rooms r ON r.id = m.room_id) \
               ON m.user_id = u.id \
             WHERE u.id = $1 ORDER BY m.room_id LIMIT $2",
        )
        .bind(user.to_string())
        .bind(i64::from(limit.max(1)))
        .fetch_all(&self.reader)
        .await?;
        let Some(first) = rows.first() else {
            return Ok((Vec::new(), DndRecord::default()));
        };
        let dnd = dnd_from_row(first)?;
        let mut notices = Vec::with_capacity(rows.len());
        for row in &rows {
            if row.try_get::<Option<String>, _>("room_id")?.is_some() {
                notices.push(notice_from_row(row)?);
            }
        }
        notices.truncate(limit as usize);
        Ok((notices, dnd))
    }

    async fn set_dnd(
        &self,
        user: Uuid,
        until: Option<Option<OffsetDateTime>>,
        schedule: Option<Option<(u16, u16)>>,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        if let Some(until) = until {
            sqlx::query("UPDATE users SET dnd_until_ms = $2 WHERE id = $1")
                .bind(user.to_string())
                .bind(until.map(time_to_ms))
                .execute(&mut *tx)
                .await?;
        }
        if let Some(schedule) = schedule {
            sqlx::query("UPDATE users SET dnd_start = $2, dnd_end = $3 WHERE id = $1")
                .bind(user.to_string())
                .bind(schedule.map(|(start, _)| i64::from(start)))
                .bind(schedule.map(|(_, end)| i64::from(end)))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_following(
        &self,
        user: Uuid,
        room: &str,
        root: Uuid,
        on: bool,
    ) -> StoreResult<Seq> {
        super::sql_follows::set_following(self, user, room, root, on).await
    }

    async fn read_thread(
        &self,
        user: Uuid,
        room: &str,
        root: Uuid,
        seq: Seq,
    ) -> StoreResult<Option<Seq>> {
        super::sql_follows::read_thread(self, user, room, root, seq).await
    }

    async fn followers(&self, room: &str, root: Uuid) -> StoreResult<Vec<Uuid>> {
        super::sql_follows::followers(self, room, root).await
    }

    async fn followed_threads(&self, user: Uuid, limit: u32) -> StoreResult<Vec<FollowedThread>> {
        super::sql_follows::followed_threads(self, user, limit).await
    }

    async fn message_room(&self, id: Uuid) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT room_id FROM messages WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.reader)
                .await?,
        )
    }

    async fn set_saved(&self, user: Uuid, message: Uuid, on: bool) -> StoreResult<u64> {
        if on {
            sqlx::query(
                "INSERT INTO saved_items (user_id, message_id, saved_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, message_id) DO NOTHING",
            )
            .bind(user.to_string())
            .bind(message.to_string())
            .bind(now_ms())
            .execute(&self.writer)
            .await?;
        } else {
            sqlx::query("DELETE FROM saved_items WHERE user_id = $1 AND message_id = $2")
                .bind(user.to_string())
                .bind(message.to_string())
                .execute(&self.writer)
                .await?;
        }
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM saved_items WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_one(&self.writer)
            .await?;
        Ok(kept.max(0) as u64)
    }

    async fn saved(&self, user: Uuid, limit: u32) -> StoreResult<Vec<(Message, OffsetDateTime)>> {
        let rows = sqlx::query(&format!(
            "SELECT x.*, s.saved_ms FROM saved_items s JOIN \
               ({MESSAGE_SELECT}WHERE m.id IN \
                  (SELECT message_id FROM saved_items WHERE user_id = $1) AND {}) x \
               ON x.message_id = s.message_id \
             WHERE s.user_id = $1 ORDER BY s.saved_ms DESC LIMIT $2",
            readable("r", "$1")
        ))
        .bind(user.to_string())
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .filter_map(|row| match entry_from_row(row) {
                Ok(Entry::Message(m)) => Some(
                    row.try_get::<i64, _>("saved_ms")
                        .map(|ms| (m, ms_to_time(ms)))
                        .map_err(Into::into),
                ),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect()
    }
}
