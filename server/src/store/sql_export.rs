//! [`ExportStore`] in SQL, for SQLite and PostgreSQL alike.

use async_trait::async_trait;
use protocol::{Entry, ExportedMember, ExportedRoom, ExportedUser, RoomRole, Seq};
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::sql_rows::{entry_from_row, kind_from_str, optional_uuid, parse_uuid, MESSAGE_SELECT};
use super::{ms_to_time, ExportStore, SqlStore, StoreResult};

fn user_from(row: &AnyRow) -> StoreResult<ExportedUser> {
    Ok(ExportedUser {
        id: parse_uuid(row.try_get("id")?)?,
        name: row.try_get("name")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        admin: row.try_get::<i64, _>("is_admin")? != 0,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        bot_owner: optional_uuid(row.try_get("bot_owner")?)?,
        created_ts: ms_to_time(row.try_get("created_ms")?),
    })
}

fn member_from(row: &AnyRow) -> StoreResult<ExportedMember> {
    Ok(ExportedMember {
        room: row.try_get("room_id")?,
        user: parse_uuid(row.try_get("user_id")?)?,
        role: RoomRole::parse(row.try_get("role")?),
        last_read_seq: row.try_get::<i64, _>("last_read_seq")?.max(0) as Seq,
        joined_ts: ms_to_time(row.try_get("joined_ms")?),
    })
}

#[async_trait]
impl ExportStore for SqlStore {
    async fn export_users(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ExportedUser>> {
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        sqlx::query(
            "SELECT id, name, display_name, email, is_admin, disabled, bot_owner, created_ms \
             FROM users WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(user_from)
        .collect()
    }

    async fn export_rooms(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ExportedRoom>> {
        sqlx::query(
            "SELECT id, name, kind, topic, archived, owner_id, epoch, last_seq, created_ms \
             FROM rooms WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| {
            Ok(ExportedRoom {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                kind: kind_from_str(row.try_get("kind")?)?,
                topic: row.try_get("topic")?,
                archived: row.try_get::<i64, _>("archived")? != 0,
                owner: optional_uuid(row.try_get("owner_id")?)?,
                epoch: row.try_get("epoch")?,
                last_seq: row.try_get::<i64, _>("last_seq")?.max(0) as Seq,
                created_ts: ms_to_time(row.try_get("created_ms")?),
                log: String::new(),
            })
        })
        .collect()
    }

    async fn export_members(
        &self,
        room: Option<&str>,
        user: Option<Uuid>,
    ) -> StoreResult<Vec<ExportedMember>> {
        let (column, value) = match (room, user) {
            (Some(room), _) => ("room_id", room.to_string()),
            (None, Some(user)) => ("user_id", user.to_string()),
            (None, None) => return Ok(Vec::new()),
        };
        let sql = format!(
            "SELECT room_id, user_id, role, last_read_seq, joined_ms FROM memberships \
             WHERE {column} = $1 ORDER BY room_id, user_id"
        );
        sqlx::query(&sql)
            .bind(value)
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(member_from)
            .collect()
    }

    async fn export_authored(
        &self,
        author: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Entry>> {
        let sql = format!(
            "{MESSAGE_SELECT}WHERE m.author_id = $1 AND m.id > $2 AND m.deleted_ms IS NULL \
             ORDER BY m.id LIMIT $3"
        );
        sqlx::query(&sql)
            .bind(author.to_string())
            .bind(after.map(|id| id.to_string()).unwrap_or_default())
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(entry_from_row)
            .collect()
    }
}
