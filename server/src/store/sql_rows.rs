//! How both stores read rows, by column name: a row as a user, a room or a log
//! entry, and the `SELECT` that every read of the log shares.

use protocol::{
    Attachment, Card, Deleted, Edited, Entry, LinkPreview, Message, Pinned, Reaction, RoomChanged,
    RoomKind, Seq, Topic, Unfurled, UserRef,
};
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::{ms_to_time, RoomRecord, StoreError, StoreResult, UserRecord};

pub(super) fn parse_uuid(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

pub(super) fn user_from_row(row: &AnyRow) -> StoreResult<UserRecord> {
    Ok(UserRecord {
        user: UserRef {
            id: parse_uuid(row.try_get("id")?)?,
            name: row.try_get("name")?,
        },
        password_hash: row.try_get("password_hash")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

pub(super) fn kind_from_str(s: &str) -> StoreResult<RoomKind> {
    RoomKind::parse(s).ok_or_else(|| {
        StoreError::Database(sqlx::Error::Decode(format!("bad room kind {s:?}").into()))
    })
}

pub(super) fn room_from_row(row: &AnyRow) -> StoreResult<RoomRecord> {
    let owner: Option<String> = row.try_get("owner_id")?;
    Ok(RoomRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: kind_from_str(row.try_get("kind")?)?,
        owner: owner.as_deref().map(parse_uuid).transpose()?,
        epoch: row.try_get("epoch")?,
        last_seq: row.try_get::<i64, _>("last_seq")? as Seq,
        topic: row.try_get("topic")?,
        archived: row.try_get::<i64, _>("archived")? != 0,
    })
}

/// The columns of a message row (`m`), in the shape every log read shares.
/// Callers append the `WHERE`.
pub(super) const MESSAGE_SELECT: &str = "\
    SELECT 'message' AS kind, m.room_id, m.seq, r.epoch, m.id AS message_id, \
    m.client_msg_id, m.author_id AS user_id, u.name AS user_name, m.body, m.created_ms, \
    m.thread_id, m.mentions, m.edited_ms, m.deleted_ms, m.reply_count, m.last_reply_ms, \
    NULL AS emoji, NULL AS on_flag, m.attachments, m.deleted_by, m.pinned_ms, m.previews, m.cards \
    FROM messages m JOIN users u ON u.id = m.author_id JOIN rooms r ON r.id = m.room_id ";

/// Who may read a room, in SQL: the rule of `domain::access` (any public
/// room; the others to their members), for reads that filter many rooms or
/// many readers at once. `room` is the alias of a `rooms` row, `reader` an
/// expression for the reader's id. Every SQL read that applies the rule
/// uses this.
pub(super) fn readable(room: &str, reader: &str) -> String {
    format!(
        "({room}.kind = 'public' OR EXISTS \
         (SELECT 1 FROM memberships rm WHERE rm.room_id = {room}.id AND rm.user_id = {reader}))"
    )
}

/// Entries of every kind with `seq` in `($2, $3]` of room `$1`, oldest first:
/// message rows and `room_events` rows in the same columns.
pub(super) static ENTRY_SELECT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{MESSAGE_SELECT}WHERE m.room_id = $1 AND m.seq > $2 AND m.seq <= $3 \
         UNION ALL \
         SELECT e.kind, e.room_id, e.seq, r.epoch, e.message_id, NULL, e.user_id, u.name, e.body, \
         e.created_ms, NULL, e.mentions, NULL, NULL, 0, NULL, e.emoji, e.on_flag, NULL, NULL, NULL, NULL, NULL \
         FROM room_events e JOIN users u ON u.id = e.user_id JOIN rooms r ON r.id = e.room_id \
         WHERE e.room_id = $1 AND e.seq > $2 AND e.seq <= $3 ORDER BY seq"
    )
});

/// A message's attachments as stored: JSON, or empty for none.
pub(super) fn attachments_json(attachments: &[Attachment]) -> String {
    list_json(attachments)
}

/// A message's previews as stored: JSON, or empty for none.
pub(super) fn previews_json(previews: &[LinkPreview]) -> String {
    list_json(previews)
}

/// A message's cards as stored: JSON, or empty for none.
pub(super) fn cards_json(cards: &[Card]) -> String {
    list_json(cards)
}

/// A list kept in one column: JSON, or empty for none.
fn list_json<T: serde::Serialize>(items: &[T]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        serde_json::to_string(items).unwrap_or_default()
    }
}

/// A list kept by [`list_json`] (a column that is NULL, in entries that
/// are not messages, is none).
pub(super) fn list_from<T: serde::de::DeserializeOwned>(text: Option<&str>) -> StoreResult<Vec<T>> {
    match text.unwrap_or("") {
        "" => Ok(Vec::new()),
        json => serde_json::from_str(json)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e)))),
    }
}

/// The marker that opens a `mentions` column when the message mentions
/// every member (`@channel`, `@all`): never part of an id, so `LIKE
/// '%id%'` still matches ids only.
pub(super) const EVERYONE: &str = "*";

/// A `mentions` column: the ids, comma-separated, after [`EVERYONE`] when
/// `everyone`.
pub(super) fn join_mentions(ids: &[Uuid], everyone: bool) -> String {
    everyone
        .then(|| EVERYONE.to_string())
        .into_iter()
        .chain(ids.iter().map(Uuid::to_string))
        .collect::<Vec<_>>()
        .join(",")
}

/// A `mentions` column's ids, and whether it mentions everyone.
fn split_mentions(text: Option<&str>) -> StoreResult<(Vec<Uuid>, bool)> {
    let mut everyone = false;
    let mut ids = Vec::new();
    for part in text.unwrap_or("").split(',').filter(|s| !s.is_empty()) {
        if part == EVERYONE {
            everyone = true;
        } else {
            ids.push(parse_uuid(part)?);
        }
    }
    Ok((ids, everyone))
}

pub(super) fn optional_uuid(text: Option<&str>) -> StoreResult<Option<Uuid>> {
    text.map(parse_uuid).transpose()
}

/// One row of [`MESSAGE_SELECT`] / [`ENTRY_SELECT`] as its entry; a
/// message in its whole stored state (no reactions: see `sql_log_reads`).
pub(super) fn entry_from_row(row: &AnyRow) -> StoreResult<Entry> {
    let room: String = row.try_get("room_id")?;
    let seq = row.try_get::<i64, _>("seq")? as Seq;
    let epoch: String = row.try_get("epoch")?;
    let id = parse_uuid(row.try_get("message_id")?)?;
    let user = UserRef {
        id: parse_uuid(row.try_get("user_id")?)?,
        name: row.try_get("user_name")?,
    };
    let ts = ms_to_time(row.try_get("created_ms")?);
    let body: Option<String> = row.try_get("body")?;
    let body = body.unwrap_or_default();
    let (mentions, everyone) = split_mentions(row.try_get("mentions")?)?;
    let kind: &str = row.try_get("kind")?;
    Ok(match kind {
        "message" => Entry::Message(Message {
            room,
            seq,
            epoch,
            id,
            client_msg_id: parse_uuid(
                row.try_get::<Option<&str>, _>("client_msg_id")?
                    .unwrap_or(""),
            )?,
            author: user,
            body,
            ts,
            thread: optional_uuid(row.try_get("thread_id")?)?,
            mentions,
            everyone,
            edited_ts: row.try_get::<Option<i64>, _>("edited_ms")?.map(ms_to_time),
            deleted: row.try_get::<Option<i64>, _>("deleted_ms")?.is_some(),
            reactions: Vec::new(),
            reply_count: row.try_get::<i64, _>("reply_count")?.max(0) as u32,
            last_reply_ts: row
                .try_get::<Option<i64>, _>("last_reply_ms")?
                .map(ms_to_time),
            attachments: list_from(row.try_get("attachments")?)?,
            deleted_by: optional_uuid(row.try_get("deleted_by")?)?,
            pinned: row.try_get::<Option<i64>, _>("pinned_ms")?.is_some(),
            previews: list_from(row.try_get("previews")?)?,
            cards: list_from(row.try_get("cards")?)?,
        }),
        "edited" => Entry::Edited(Edited {
            room,
            seq,
            epoch,
            ts,
            id,
            body,
            by: user,
            mentions,
            everyone,
        }),
        "deleted" => Entry::Deleted(Deleted {
            room,
            seq,
            epoch,
            ts,
            id,
            by: user,
        }),
        "reaction" => Entry::Reaction(Reaction {
            room,
            seq,
            epoch,
            ts,
            id,
            emoji: row
                .try_get::<Option<String>, _>("emoji")?
                .unwrap_or_default(),
            user,
            on: row.try_get::<Option<i64>, _>("on_flag")? == Some(1),
        }),
        "topic" => Entry::Topic(Topic {
            room,
            seq,
            epoch,
            ts,
            topic: body,
            by: user,
        }),
        "pinned" => Entry::Pinned(Pinned {
            room,
            seq,
            epoch,
            ts,
            id,
            on: row.try_get::<Option<i64>, _>("on_flag")? == Some(1),
            by: user,
        }),
        "unfurled" => Entry::Unfurled(Unfurled {
            room,
            seq,
            epoch,
            ts,
            id,
            previews: list_from(Some(&body))?,
            by: user,
        }),
        "room" => Entry::RoomChanged(RoomChanged {
            room,
            seq,
            epoch,
            ts,
            name: body,
            archived: row.try_get::<Option<i64>, _>("on_flag")? == Some(1),
            by: user,
        }),
        other => {
            return Err(StoreError::Database(sqlx::Error::Decode(
                format!("unknown log entry kind {other:?}").into(),
            )))
        }
    })
}
