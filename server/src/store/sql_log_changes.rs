//! Edits, deletions, reactions and topics in SQL: what each does to the
//! current state (the message row, `reactions`, the room's topic) and the
//! `room_events` row that records it, inside the transaction of `sql_log`'s
//! append.

use protocol::{Deleted, Edited, Entry, Reaction, Seq, Topic, UserRef};
use sqlx::Row;
use uuid::Uuid;

use super::sql_log::Tx;
use super::sql_rows::{join_ids, optional_uuid};
use super::{ms_to_time, NewEntry, Outcome, Refusal, StoreResult};

/// Whether message `id` of `room` is deleted, and its thread's root;
/// `None` if there is no such message.
pub(super) async fn message_in_tx(
    tx: &mut Tx,
    room: &str,
    id: Uuid,
) -> StoreResult<Option<(bool, Option<Uuid>)>> {
    let row =
        sqlx::query("SELECT deleted_ms, thread_id FROM messages WHERE room_id = $1 AND id = $2")
            .bind(room)
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    match row {
        None => Ok(None),
        Some(row) => Ok(Some((
            row.try_get::<Option<i64>, _>("deleted_ms")?.is_some(),
            optional_uuid(row.try_get("thread_id")?)?,
        ))),
    }
}

/// A log entry other than a message.
struct Event<'a> {
    seq: i64,
    kind: &'static str,
    message: Uuid,
    user: Uuid,
    body: Option<&'a str>,
    mentions: Option<String>,
    emoji: Option<&'a str>,
    on: Option<i64>,
}

async fn insert_event(tx: &mut Tx, room: &str, event: Event<'_>, created: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO room_events (room_id, seq, kind, message_id, user_id, body, mentions, \
         emoji, on_flag, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(room)
    .bind(event.seq)
    .bind(event.kind)
    .bind(event.message.to_string())
    .bind(event.user.to_string())
    .bind(event.body)
    .bind(event.mentions)
    .bind(event.emoji)
    .bind(event.on)
    .bind(created)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What one edit, deletion or reaction does inside the transaction:
/// the entry it stores (taking `*last_seq + 1`), or why not.
pub(super) async fn change_in_tx(
    tx: &mut Tx,
    room: &str,
    epoch: &str,
    last_seq: &mut i64,
    change: &NewEntry,
    created: i64,
) -> StoreResult<Outcome> {
    let ts = ms_to_time(created);
    if let NewEntry::Topic { topic, by, .. } = change {
        return topic_in_tx(tx, room, epoch, last_seq, topic, by, created).await;
    }
    let target = match change {
        NewEntry::Message(_) | NewEntry::Topic { .. } => {
            unreachable!("messages are stored by append_in_tx, topics above")
        }
        NewEntry::Edit { id, .. } | NewEntry::Delete { id, .. } | NewEntry::React { id, .. } => *id,
    };
    let (deleted, thread) = match message_in_tx(tx, room, target).await? {
        None => return Ok(Outcome::Refused(Refusal::NoSuchMessage)),
        Some(state) => state,
    };
    let unchanged = Outcome::Unchanged {
        seq: *last_seq as Seq,
    };
    let (room_id, epoch, id) = (room.to_string(), epoch.to_string(), target);
    let entry = match change {
        NewEntry::Message(_) | NewEntry::Topic { .. } => unreachable!(),
        NewEntry::Edit {
            body, mentions, by, ..
        } => {
            if deleted {
                return Ok(Outcome::Refused(Refusal::NoSuchMessage));
            }
            *last_seq += 1;
            let listed = join_ids(mentions);
            sqlx::query(
                "UPDATE messages SET body = $3, mentions = $4, edited_ms = $5 \
                 WHERE room_id = $1 AND id = $2",
            )
            .bind(room)
            .bind(id.to_string())
            .bind(body)
            .bind(&listed)
            .bind(created)
            .execute(&mut **tx)
            .await?;
            let event = Event {
                seq: *last_seq,
                kind: "edited",
                message: id,
                user: by.id,
                body: Some(body),
                mentions: Some(listed),
                emoji: None,
                on: None,
            };
            insert_event(tx, room, event, created).await?;
            Entry::Edited(Edited {
                room: room_id,
                seq: *last_seq as Seq,
                epoch,
                ts,
                id,
                body: body.clone(),
                by: by.clone(),
                mentions: mentions.clone(),
            })
        }
        NewEntry::Delete { by, .. } => {
            if deleted {
                return Ok(unchanged);
            }
            *last_seq += 1;
            // Its files' rows go, their objects queued for the sweeper
            // (deleted once no file names them).
            use super::sql_files::{queue_objects, MESSAGE_FILES};
            sqlx::query(&queue_objects(MESSAGE_FILES, 3))
                .bind(room)
                .bind(id.to_string())
                .bind(created)
                .execute(&mut **tx)
                .await?;
            sqlx::query(&format!("DELETE FROM files WHERE {MESSAGE_FILES}"))
                .bind(room)
                .bind(id.to_string())
                .execute(&mut **tx)
                .await?;
            // The body goes, from the message and from its edits.
            sqlx::query(
                "UPDATE messages SET body = '', mentions = '', attachments = '', deleted_ms = $3 \
                 WHERE room_id = $1 AND id = $2",
            )
            .bind(room)
            .bind(id.to_string())
            .bind(created)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "UPDATE room_events SET body = '', mentions = '' \
                 WHERE room_id = $1 AND message_id = $2 AND kind = 'edited'",
            )
            .bind(room)
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
            sqlx::query("DELETE FROM reactions WHERE message_id = $1")
                .bind(id.to_string())
                .execute(&mut **tx)
                .await?;
            if let Some(root) = thread {
                sqlx::query(
                    "UPDATE messages SET reply_count = reply_count - 1 \
                     WHERE room_id = $1 AND id = $2 AND reply_count > 0",
                )
                .bind(room)
                .bind(root.to_string())
                .execute(&mut **tx)
                .await?;
            }
            let event = Event {
                seq: *last_seq,
                kind: "deleted",
                message: id,
                user: by.id,
                body: None,
                mentions: None,
                emoji: None,
                on: None,
            };
            insert_event(tx, room, event, created).await?;
            Entry::Deleted(Deleted {
                room: room_id,
                seq: *last_seq as Seq,
                epoch,
                ts,
                id,
                by: by.clone(),
            })
        }
        NewEntry::React {
            emoji, on, user, ..
        } => {
            if deleted {
                return Ok(Outcome::Refused(Refusal::NoSuchMessage));
            }
            let row = sqlx::query(
                "SELECT COUNT(DISTINCT emoji) AS kinds, \
                 COALESCE(SUM(CASE WHEN emoji = $2 THEN 1 ELSE 0 END), 0) AS same, \
                 COALESCE(SUM(CASE WHEN emoji = $2 AND user_id = $3 THEN 1 ELSE 0 END), 0) AS mine \
                 FROM reactions WHERE message_id = $1",
            )
            .bind(id.to_string())
            .bind(emoji)
            .bind(user.id.to_string())
            .fetch_one(&mut **tx)
            .await?;
            let kinds: i64 = row.try_get("kinds")?;
            let same: i64 = row.try_get("same")?;
            let mine: i64 = row.try_get("mine")?;
            if (mine > 0) == *on {
                return Ok(unchanged);
            }
            if *on && same == 0 && kinds >= protocol::MAX_REACTIONS_PER_MESSAGE as i64 {
                return Ok(Outcome::Refused(Refusal::TooManyReactions));
            }
            let (id_text, user_text) = (id.to_string(), user.id.to_string());
            if *on {
                sqlx::query(
                    "INSERT INTO reactions (message_id, user_id, emoji, created_ms) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&id_text)
                .bind(&user_text)
                .bind(emoji)
                .bind(created)
                .execute(&mut **tx)
                .await?;
            } else {
                sqlx::query(
                    "DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3",
                )
                .bind(&id_text)
                .bind(&user_text)
                .bind(emoji)
                .execute(&mut **tx)
                .await?;
            }
            *last_seq += 1;
            let event = Event {
                seq: *last_seq,
                kind: "reaction",
                message: id,
                user: user.id,
                body: None,
                mentions: None,
                emoji: Some(emoji),
                on: Some(*on as i64),
            };
            insert_event(tx, room, event, created).await?;
            Entry::Reaction(Reaction {
                room: room_id,
                seq: *last_seq as Seq,
                epoch,
                ts,
                id,
                emoji: emoji.clone(),
                user: user.clone(),
                on: *on,
            })
        }
    };
    Ok(Outcome::Stored { entry, fresh: true })
}

/// Sets the room's topic: a `topic` entry, unless it is the topic already.
async fn topic_in_tx(
    tx: &mut Tx,
    room: &str,
    epoch: &str,
    last_seq: &mut i64,
    topic: &str,
    by: &UserRef,
    created: i64,
) -> StoreResult<Outcome> {
    let current: String = sqlx::query_scalar("SELECT topic FROM rooms WHERE id = $1")
        .bind(room)
        .fetch_one(&mut **tx)
        .await?;
    if current == topic {
        return Ok(Outcome::Unchanged {
            seq: *last_seq as Seq,
        });
    }
    *last_seq += 1;
    sqlx::query("UPDATE rooms SET topic = $2 WHERE id = $1")
        .bind(room)
        .bind(topic)
        .execute(&mut **tx)
        .await?;
    let event = Event {
        seq: *last_seq,
        kind: "topic",
        message: Uuid::nil(),
        user: by.id,
        body: Some(topic),
        mentions: None,
        emoji: None,
        on: None,
    };
    insert_event(tx, room, event, created).await?;
    let entry = Entry::Topic(Topic {
        room: room.to_string(),
        seq: *last_seq as Seq,
        epoch: epoch.to_string(),
        ts: ms_to_time(created),
        topic: topic.to_string(),
        by: by.clone(),
    });
    Ok(Outcome::Stored { entry, fresh: true })
}
