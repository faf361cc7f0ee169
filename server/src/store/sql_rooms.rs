//! Rooms and memberships in SQL (for `SqlStore`'s `Store` implementation).

use app::protocol::{RoomInfo, RoomKind};
use sqlx::Row;
use uuid::Uuid;

use super::sql::{is_unique_violation, SqlStore};
use super::sql_rows::{kind_from_str, room_from_row};
use super::{new_epoch, now_ms, RoomRecord, StoreError, StoreResult};

pub(super) async fn ensure_public_room(store: &SqlStore, name: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO rooms (id, name, kind, owner_id, epoch, last_seq, created_ms) \
         VALUES ($1, $1, 'public', NULL, $2, 0, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(name)
    .bind(new_epoch())
    .bind(now_ms())
    .execute(&store.writer)
    .await?;
    Ok(())
}

pub(super) async fn create_room(
    store: &SqlStore,
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
    };
    let now = now_ms();
    let mut tx = store.writer.begin().await?;
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
    sqlx::query("INSERT INTO memberships (room_id, user_id, joined_ms) VALUES ($1, $2, $3)")
        .bind(&room.id)
        .bind(owner.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(room)
}

pub(super) async fn rooms_owned(store: &SqlStore, user: Uuid) -> StoreResult<u64> {
    let owned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rooms WHERE owner_id = $1")
        .bind(user.to_string())
        .fetch_one(&store.reader)
        .await?;
    Ok(owned as u64)
}

pub(super) async fn direct_room(store: &SqlStore, a: Uuid, b: Uuid) -> StoreResult<RoomRecord> {
    let id = super::direct_room_id(a, b);
    let now = now_ms();
    let mut tx = store.writer.begin().await?;
    sqlx::query(
        "INSERT INTO rooms (id, name, kind, owner_id, epoch, last_seq, created_ms) \
         VALUES ($1, $1, 'direct', NULL, $2, 0, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&id)
    .bind(new_epoch())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for user in [a, b] {
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
    room(store, &id).await?.ok_or(StoreError::NotFound)
}

pub(super) async fn room(store: &SqlStore, id: &str) -> StoreResult<Option<RoomRecord>> {
    sqlx::query("SELECT id, name, kind, owner_id, epoch, last_seq FROM rooms WHERE id = $1")
        .bind(id)
        .fetch_optional(&store.reader)
        .await?
        .as_ref()
        .map(room_from_row)
        .transpose()
}

pub(super) async fn rooms_for(store: &SqlStore, user: Uuid) -> StoreResult<Vec<RoomInfo>> {
    let rows = sqlx::query(
        "SELECT r.id, r.name, r.kind, CASE WHEN m.user_id IS NULL THEN 0 ELSE 1 END AS member \
         FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = $1 \
         WHERE r.kind = 'public' OR m.user_id IS NOT NULL ORDER BY r.name",
    )
    .bind(user.to_string())
    .fetch_all(&store.reader)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RoomInfo {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                kind: kind_from_str(row.try_get("kind")?)?,
                member: row.try_get::<i64, _>("member")? != 0,
            })
        })
        .collect()
}

pub(super) async fn add_member(store: &SqlStore, room: &str, user: Uuid) -> StoreResult<bool> {
    let result = sqlx::query(
        "INSERT INTO memberships (room_id, user_id, joined_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (room_id, user_id) DO NOTHING",
    )
    .bind(room)
    .bind(user.to_string())
    .bind(now_ms())
    .execute(&store.writer)
    .await;
    match result {
        Ok(done) => Ok(done.rows_affected() == 1),
        Err(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => Err(StoreError::NotFound),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn is_member(store: &SqlStore, room: &str, user: Uuid) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM memberships WHERE room_id = $1 AND user_id = $2")
            .bind(room)
            .bind(user.to_string())
            .fetch_optional(&store.reader)
            .await?
            .is_some(),
    )
}

pub(super) async fn remove_member(store: &SqlStore, room: &str, user: Uuid) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM memberships WHERE room_id = $1 AND user_id = $2")
        .bind(room)
        .bind(user.to_string())
        .execute(&store.writer)
        .await?;
    Ok(done.rows_affected() == 1)
}
