//! Renaming, archiving and unarchiving a room in SQL: the room's row and the
//! `room` entry of `room_events` (its name in `body`, whether it is archived
//! in `on_flag`), inside the transaction of `sql_log`'s append.

use protocol::{Entry, RoomChanged, UserRef};
use sqlx::Row;
use uuid::Uuid;

use super::sql_log_changes::{Event, LogTx};
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
