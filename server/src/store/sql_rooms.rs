//! Rooms and memberships in SQL: [`RoomStore`] for `SqlStore`.

use async_trait::async_trait;
use protocol::{DirectoryRoom, RoomId, RoomKind, RoomRole, UserRef};
use sqlx::Row;
use uuid::Uuid;

use super::sql::{is_unique_violation, SqlStore};
use super::sql_rows::{parse_uuid, room_from_row};
use super::{new_epoch, now_ms, RoomRecord, RoomStore, StoreError, StoreResult};

#[async_trait]
impl RoomStore for SqlStore {
    async fn ensure_public_room(&self, name: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO rooms (id, name, kind, owner_id, epoch, last_seq, created_ms) \
             VALUES ($1, $1, 'public', NULL, $2, 0, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(name)
        .bind(new_epoch())
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn create_room(
        &self,
        name: &str,
        kind: RoomKind,
        owner: Uuid,
    ) -> StoreResult<RoomRecord> {
        let room = RoomRecord {
            id: name.to_string(),
            name: name.to_string(),
            kind,
            owner: Some(owner),
            epoch: new_epoch(),
            last_seq: 0,
            topic: String::new(),
            archived: false,
        };
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO rooms (id, name, kind, owner_id, epoch, last_seq, created_ms) \
             VALUES ($1, $2, $3, $4, $5, 0, $6)",
        )
        .bind(&room.id)
        .bind(&room.name)
        .bind(kind.as_str())
        .bind(owner.to_string())
        .bind(&room.epoch)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict),
            Err(e) => return Err(e.into()),
        }
        sqlx::query(
            "INSERT INTO memberships (room_id, user_id, joined_ms, role) \
             VALUES ($1, $2, $3, 'owner')",
        )
        .bind(&room.id)
        .bind(owner.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(room)
    }

    async fn rooms_owned(&self, user: Uuid) -> StoreResult<u64> {
        let owned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rooms WHERE owner_id = $1")
            .bind(user.to_string())
            .fetch_one(&self.reader)
            .await?;
        Ok(owned as u64)
    }

    async fn direct_room(&self, users: &[Uuid]) -> StoreResult<(RoomRecord, bool)> {
        let id = protocol::direct_room_id(users);
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let created = sqlx::query(
            "INSERT INTO rooms (id, name, kind, owner_id, epoch, last_seq, created_ms) \
             VALUES ($1, $1, 'direct', NULL, $2, 0, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&id)
        .bind(new_epoch())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        for user in users {
            sqlx::query(
                "INSERT INTO memberships (room_id, user_id, joined_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (room_id, user_id) DO NOTHING",
            )
            .bind(&id)
            .bind(user.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let room = self.room(&id).await?.ok_or(StoreError::NotFound)?;
        Ok((room, created))
    }

    async fn room(&self, id: &str) -> StoreResult<Option<RoomRecord>> {
        sqlx::query(
            "SELECT id, name, kind, owner_id, epoch, last_seq, topic, archived FROM rooms WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(room_from_row)
        .transpose()
    }

    async fn member_rooms(&self, user: Uuid, limit: u32) -> StoreResult<Vec<RoomId>> {
        let rows = sqlx::query("SELECT room_id FROM memberships WHERE user_id = $1 LIMIT $2")
            .bind(user.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(|row| Ok(row.try_get("room_id")?)).collect()
    }

    async fn members(&self, room: &str, limit: u32) -> StoreResult<Vec<(UserRef, RoomRole)>> {
        let rows = sqlx::query(
            "SELECT u.id, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.room_id = $1 ORDER BY u.name LIMIT $2",
        )
        .bind(room)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let user = UserRef {
                    id: parse_uuid(row.try_get("id")?)?,
                    name: row.try_get("name")?,
                };
                Ok((user, RoomRole::parse(row.try_get("role")?)))
            })
            .collect()
    }

    async fn role_of(&self, room: &str, user: Uuid) -> StoreResult<Option<RoomRole>> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE room_id = $1 AND user_id = $2")
                .bind(room)
                .bind(user.to_string())
                .fetch_optional(&self.reader)
                .await?;
        Ok(role.as_deref().map(RoomRole::parse))
    }

    async fn set_role(&self, room: &str, user: Uuid, role: RoomRole) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        // Takes the room's row lock first (the write lock in SQLite), so two
        // owners demoting each other cannot both pass the count below.
        sqlx::query("UPDATE rooms SET last_seq = last_seq WHERE id = $1")
            .bind(room)
            .execute(&mut *tx)
            .await?;
        let done =
            sqlx::query("UPDATE memberships SET role = $3 WHERE room_id = $1 AND user_id = $2")
                .bind(room)
                .bind(user.to_string())
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let owners: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships WHERE room_id = $1 AND role = 'owner'",
        )
        .bind(room)
        .fetch_one(&mut *tx)
        .await?;
        if owners == 0 {
            tx.rollback().await?;
            return Err(StoreError::Conflict);
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn owner_count(&self, room: &str) -> StoreResult<u64> {
        let owners: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM memberships WHERE room_id = $1 AND role = 'owner'",
        )
        .bind(room)
        .fetch_one(&self.reader)
        .await?;
        Ok(owners as u64)
    }

    async fn add_member(&self, room: &str, user: Uuid) -> StoreResult<bool> {
        // A new member has read what came before: their marker starts at the end.
        let result = sqlx::query(
            "INSERT INTO memberships (room_id, user_id, joined_ms, last_read_seq) \
             SELECT id, $2, $3, last_seq FROM rooms WHERE id = $1 \
             ON CONFLICT (room_id, user_id) DO NOTHING",
        )
        .bind(room)
        .bind(user.to_string())
        .bind(now_ms())
        .execute(&self.writer)
        .await;
        match result {
            Ok(done) if done.rows_affected() == 1 => Ok(true),
            // Nothing inserted: a member already, or no such room (or user).
            Ok(_) if self.room(room).await?.is_some() => Ok(false),
            Ok(_) => Err(StoreError::NotFound),
            Err(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => {
                Err(StoreError::NotFound)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn is_member(&self, room: &str, user: Uuid) -> StoreResult<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM memberships WHERE room_id = $1 AND user_id = $2")
                .bind(room)
                .bind(user.to_string())
                .fetch_optional(&self.reader)
                .await?
                .is_some(),
        )
    }

    async fn remove_member(&self, room: &str, user: Uuid) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM memberships WHERE room_id = $1 AND user_id = $2")
            .bind(room)
            .bind(user.to_string())
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn room_directory(
        &self,
        text: &str,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<Vec<DirectoryRoom>> {
        // Counted for the rooms listed only: the page, not every room.
        let rows = sqlx::query(
            "SELECT r.id, r.name, r.topic, \
               (SELECT COUNT(*) FROM memberships c WHERE c.room_id = r.id) AS member_count, \
               CASE WHEN EXISTS (SELECT 1 FROM memberships j \
                 WHERE j.room_id = r.id AND j.user_id = $1) THEN 1 ELSE 0 END AS joined \
             FROM rooms r WHERE r.kind = 'public' AND r.archived = 0 \
               AND (lower(r.name) LIKE $2 ESCAPE '\\' OR lower(r.topic) LIKE $2 ESCAPE '\\') \
             ORDER BY r.id LIMIT $3",
        )
        .bind(viewer.to_string())
        .bind(format!("%{}%", like_escaped(text)))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DirectoryRoom {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    topic: row.try_get("topic")?,
                    member_count: row
                        .try_get::<i64, _>("member_count")?
                        .clamp(0, u32::MAX as i64) as u32,
                    joined: row.try_get::<i64, _>("joined")? != 0,
                })
            })
            .collect()
    }
}

/// `text` with LIKE's wildcards (and the escape character) taken literally.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
