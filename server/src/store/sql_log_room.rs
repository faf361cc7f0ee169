//! What changes a room rather than one message's text, in SQL: renaming,
//! archiving and unarchiving (the room's row and a `room` entry of
//! `room_events`: its name in `body`, whether it is archived in `on_flag`),
//! pinning (the message's `pinned_ms` and a `pinned` entry) and link
//! previews (the message's `previews` and an `unfurled` entry, their JSON in
//! `body`), inside the transaction of `sql_log`'s append.

use protocol::{Entry, LinkPreview, Pinned, RoomChanged, Unfurled, UserRef, MAX_PINS_PER_ROOM};
use sqlx::Row;
use uuid::Uuid;

use super::sql_log_changes::{Event, LogTx};
use super::sql_rows::previews_json;
use super::{ms_to_time, Outcome, Refusal, StoreResult};

/// Gives the room `name` and sets whether it is `archived` (each unchanged
/// when `None`): a `room` entry, unless nothing changes. A name another
/// room has (as its name or its id) is refused.
pub(super) async fn room_in_tx(
    at: &mut LogTx<'_>,
    name: Option<&str>,
    archived: Option<bool>,
    by: &UserRef,
) -> StoreResult<Outcome> {
    let row = sqlx::query("SELECT name, archived FROM rooms WHERE id = $1")
        .bind(at.room)
        .fetch_one(&mut **at.tx)
        .await?;
    let current_name: String = row.try_get("name")?;
    let current_archived = row.try_get::<i64, _>("archived")? != 0;
    let new_name = name.unwrap_or(&current_name).to_string();
    let new_archived = archived.unwrap_or(current_archived);
    if new_name == current_name && new_archived == current_archived {
        return Ok(at.unchanged());
    }
    if new_name != current_name {
        let taken = sqlx::query("SELECT 1 FROM rooms WHERE (name = $1 OR id = $1) AND id <> $2")
            .bind(&new_name)
            .bind(at.room)
            .fetch_optional(&mut **at.tx)
            .await?;
        if taken.is_some() {
            return Ok(Outcome::Refused(Refusal::NameTaken));
        }
    }
    sqlx::query("UPDATE rooms SET name = $2, archived = $3 WHERE id = $1")
        .bind(at.room)
        .bind(&new_name)
        .bind(i64::from(new_archived))
        .execute(&mut **at.tx)
        .await?;
    let seq = at
        .record(Event {
            body: Some(&new_name),
            on: Some(i64::from(new_archived)),
            ..Event::new("room", Uuid::nil(), by.id)
        })
        .await?;
    let entry = Entry::RoomChanged(RoomChanged {
        room: at.room.to_string(),
        seq,
        epoch: at.epoch.to_string(),
        ts: ms_to_time(at.created),
        name: new_name,
        archived: new_archived,
        by: by.clone(),
    });
    Ok(Outcome::Stored { entry, fresh: true })
}

/// Message `id`'s `column`, if the message exists and is not deleted.
async fn live_row(
    at: &mut LogTx<'_>,
    id: Uuid,
    column: &'static str,
) -> StoreResult<Option<sqlx::any::AnyRow>> {
    let row = sqlx::query(&format!(
        "SELECT deleted_ms, {column} FROM messages WHERE room_id = $1 AND id = $2"
    ))
    .bind(at.room)
    .bind(id.to_string())
    .fetch_optional(&mut **at.tx)
    .await?;
    match row {
        Some(row) if row.try_get::<Option<i64>, _>("deleted_ms")?.is_none() => Ok(Some(row)),
        _ => Ok(None),
    }
}

/// Pins (`on`) or unpins message `id`: a `pinned` entry, unless it is so
/// already. A missing or deleted message is refused, and so is a pin past
/// [`MAX_PINS_PER_ROOM`].
pub(super) async fn pin_in_tx(
    at: &mut LogTx<'_>,
    id: Uuid,
    on: bool,
    by: &UserRef,
) -> StoreResult<Outcome> {
    let Some(row) = live_row(at, id, "pinned_ms").await? else {
        return Ok(Outcome::Refused(Refusal::NoSuchMessage));
    };
    if row.try_get::<Option<i64>, _>("pinned_ms")?.is_some() == on {
        return Ok(at.unchanged());
    }
    if on {
        let pins: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages WHERE room_id = $1 AND pinned_ms IS NOT NULL",
        )
        .bind(at.room)
        .fetch_one(&mut **at.tx)
        .await?;
        if pins >= MAX_PINS_PER_ROOM as i64 {
            return Ok(Outcome::Refused(Refusal::TooManyPins));
        }
    }
    sqlx::query("UPDATE messages SET pinned_ms = $3 WHERE room_id = $1 AND id = $2")
        .bind(at.room)
        .bind(id.to_string())
        .bind(on.then_some(at.created))
        .execute(&mut **at.tx)
        .await?;
    let seq = at
        .record(Event {
            on: Some(i64::from(on)),
            ..Event::new("pinned", id, by.id)
        })
        .await?;
    let entry = Entry::Pinned(Pinned {
        room: at.room.to_string(),
        seq,
        epoch: at.epoch.to_string(),
        ts: ms_to_time(at.created),
        id,
        on,
        by: by.clone(),
    });
    Ok(Outcome::Stored { entry, fresh: true })
}

/// Sets message `id`'s previews: an `unfurled` entry, unless they are so
/// already. A missing or deleted message is refused.
pub(super) async fn unfurl_in_tx(
    at: &mut LogTx<'_>,
    id: Uuid,
    previews: &[LinkPreview],
    by: &UserRef,
) -> StoreResult<Outcome> {
    let Some(row) = live_row(at, id, "previews").await? else {
        return Ok(Outcome::Refused(Refusal::NoSuchMessage));
    };
    let stored = previews_json(previews);
    if row.try_get::<String, _>("previews")? == stored {
        return Ok(at.unchanged());
    }
    sqlx::query("UPDATE messages SET previews = $3 WHERE room_id = $1 AND id = $2")
        .bind(at.room)
        .bind(id.to_string())
        .bind(&stored)
        .execute(&mut **at.tx)
        .await?;
    let seq = at
        .record(Event {
            body: Some(&stored),
            ..Event::new("unfurled", id, by.id)
        })
        .await?;
    let entry = Entry::Unfurled(Unfurled {
        room: at.room.to_string(),
        seq,
        epoch: at.epoch.to_string(),
        ts: ms_to_time(at.created),
        id,
        previews: previews.to_vec(),
        by: by.clone(),
    });
    Ok(Outcome::Stored { entry, fresh: true })
}
