//! Edits, deletions, reactions and topics in SQL, one function per kind of
//! entry: what each does to the current state (the message row,
//! `reactions`, the room's topic) and the `room_events` row that records
//! it, inside the transaction of `sql_log`'s append ([`LogTx`]).

use protocol::{Deleted, Edited, Entry, Reaction, Seq, Topic, UserRef};
use sqlx::Row;
use uuid::Uuid;

use super::sql_log::Tx;
use super::sql_rows::{join_mentions, optional_uuid};
use super::{ms_to_time, Outcome, Refusal, StoreResult};

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

/// The append's transaction as one entry sees it: its room, the room's
/// epoch and counter (an entry that is stored takes `last_seq + 1`), and the
/// time the batch is stored.
pub(super) struct LogTx<'a> {
    pub tx: &'a mut Tx,
    pub room: &'a str,
    pub epoch: &'a str,
    pub last_seq: &'a mut i64,
    pub created: i64,
}

/// A log entry other than a message, as `room_events` keeps it.
pub(super) struct Event<'a> {
    pub kind: &'static str,
    pub message: Uuid,
    pub user: Uuid,
    pub body: Option<&'a str>,
    pub mentions: Option<String>,
    pub emoji: Option<&'a str>,
    pub on: Option<i64>,
}

impl Event<'_> {
    pub(super) fn new(kind: &'static str, message: Uuid, user: Uuid) -> Self {
        Event {
            kind,
            message,
            user,
            body: None,
            mentions: None,
            emoji: None,
            on: None,
        }
    }
}

impl LogTx<'_> {
    /// Answers that the entry changed nothing (no `seq` taken).
    pub(super) fn unchanged(&self) -> Outcome {
        Outcome::Unchanged {
            seq: *self.last_seq as Seq,
        }
    }

    /// Takes the room's next `seq` and records `event` under it.
    pub(super) async fn record(&mut self, event: Event<'_>) -> StoreResult<Seq> {
        *self.last_seq += 1;
        sqlx::query(
            "INSERT INTO room_events (room_id, seq, kind, message_id, user_id, body, mentions, \
             emoji, on_flag, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(self.room)
        .bind(*self.last_seq)
        .bind(event.kind)
        .bind(event.message.to_string())
        .bind(event.user.to_string())
        .bind(event.body)
        .bind(event.mentions)
        .bind(event.emoji)
        .bind(event.on)
        .bind(self.created)
        .execute(&mut **self.tx)
        .await?;
        Ok(*self.last_seq as Seq)
    }

    /// Whether message `id` of this room is deleted, and its thread's root;
    /// `None` if there is no such message.
    async fn message(&mut self, id: Uuid) -> StoreResult<Option<(bool, Option<Uuid>)>> {
        message_in_tx(self.tx, self.room, id).await
    }
}

/// An edit: the message's new body and mentions, the old ones kept only
/// in the `edited` entry. A deleted or missing message is refused.
pub(super) async fn edit_in_tx(
    at: &mut LogTx<'_>,
    id: Uuid,
    body: &str,
    (mentions, everyone): (&[Uuid], bool),
    by: &UserRef,
) -> StoreResult<Outcome> {
    if !matches!(at.message(id).await?, Some((false, _))) {
        return Ok(Outcome::Refused(Refusal::NoSuchMessage));
    }
    let listed = join_mentions(mentions, everyone);
    sqlx::query(
        "UPDATE messages SET body = $3, mentions = $4, edited_ms = $5 \
         WHERE room_id = $1 AND id = $2",
    )
    .bind(at.room)
    .bind(id.to_string())
    .bind(body)
    .bind(&listed)
    .bind(at.created)
    .execute(&mut **at.tx)
    .await?;
    let seq = at
        .record(Event {
            body: Some(body),
            mentions: Some(listed),
            ..Event::new("edited", id, by.id)
        })
        .await?;
    let entry = Entry::Edited(Edited {
        room: at.room.to_string(),
        seq,
        epoch: at.epoch.to_string(),
        ts: ms_to_time(at.created),
        id,
        body: body.to_string(),
        by: by.clone(),
        mentions: mentions.to_vec(),
        everyone,
    });
    Ok(Outcome::Stored { entry, fresh: true })
}

/// A deletion: the body goes (from the message and its edits), with its
/// files, its reactions and its place in its thread's reply count. Deleting
/// a deleted message changes nothing.
pub(super) async fn delete_in_tx(
    at: &mut LogTx<'_>,
    id: Uuid,
    by: &UserRef,
) -> StoreResult<Outcome> {
    let thread = match at.message(id).await? {
        None => return Ok(Outcome::Refused(Refusal::NoSuchMessage)),
        Some((true, _)) => return Ok(at.unchanged()),
        Some((false, thread)) => thread,
    };
    let (room, created, id_text) = (at.room, at.created, id.to_string());
    // Under a legal hold its original stays, for exports only; its files'
    // rows go unless the hold keeps them, their objects queued for the
    // sweeper (deleted once no file names them).
    use super::sql_retention::{keep_if_held, Going};
    keep_if_held(at.tx, room, Going::One(&id_text), "deleted", created).await?;
    // Who deleted it is kept when it was not its author (a moderator).
    sqlx::query(
        "UPDATE messages SET body = '', mentions = '', attachments = '', previews = '', cards = '', deleted_ms = $3, \
         pinned_ms = NULL, \
         deleted_by = CASE WHEN author_id = $4 THEN NULL ELSE $4 END \
         WHERE room_id = $1 AND id = $2",
    )
    .bind(room)
    .bind(&id_text)
    .bind(created)
    .bind(by.id.to_string())
    .execute(&mut **at.tx)
    .await?;
    sqlx::query(
        "UPDATE room_events SET body = '', mentions = '' \
         WHERE room_id = $1 AND message_id = $2 AND kind = 'edited'",
    )
    .bind(room)
    .bind(&id_text)
    .execute(&mut **at.tx)
    .await?;
    sqlx::query("DELETE FROM reactions WHERE message_id = $1")
        .bind(&id_text)
        .execute(&mut **at.tx)
        .await?;
    if let Some(root) = thread {
        sqlx::query(
            "UPDATE messages SET reply_count = reply_count - 1 \
             WHERE room_id = $1 AND id = $2 AND reply_count > 0",
        )
        .bind(room)
        .bind(root.to_string())
        .execute(&mut **at.tx)
        .await?;
    }
    let seq = at.record(Event::new("deleted", id, by.id)).await?;
    let entry = Entry::Deleted(Deleted {
        room: room.to_string(),
        seq,
        epoch: at.epoch.to_string(),
        ts: ms_to_time(created),
        id,
        by: by.clone(),
    });
    Ok(Outcome::Stored { entry, fresh: true })
}

/// A reaction added (`on`) or taken back. Reacting as one already has, or
/// taking back what one has not, changes nothing; a new kind of reaction past
/// the per-message limit is refused.
pub(super) async fn react_in_tx(
    at: &mut LogTx<'_>,
    id: Uuid,
    emoji: &str,
    on: bool,
    user: &UserRef,
) -> StoreResult<Outcome> {
    if !matches!(at.message(id).await?, Some((false, _))) {
        return Ok(Outcome::Refused(Refusal::NoSuchMessage));
    }
    let (id_text, user_text) = (id.to_string(), user.id.to_string());
    let row = sqlx::query(
        "SELECT COUNT(DISTINCT emoji) AS kinds, \
         COALESCE(SUM(CASE WHEN emoji = $2 THEN 1 ELSE 0 END), 0) AS same, \
         COALESCE(SUM(CASE WHEN emoji = $2 AND user_id = $3 THEN 1 ELSE 0 END), 0) AS mine \
         FROM reactions WHERE message_id = $1",
    )
    .bind(&id_text)
    .bind(emoji)
    .bind(&user_text)
    .fetch_one(&mut **at.tx)
    .await?;
    let kinds: i64 = row.try_get("kinds")?;
    let same: i64 = row.try_get("same")?;
    let mine: i64 = row.try_get("mine")?;
    if (mine > 0) == on {
        return Ok(at.unchanged());
    }
    if on && same == 0 && kinds >= protocol::MAX_REACTIONS_PER_MESSAGE as i64 {
        return Ok(Outcome::Refused(Refusal::TooManyReactions));
    }
    if on {
        sqlx::query(
            "INSERT INTO reactions (message_id, user_id, emoji, created_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&id_text)
        .bind(&user_text)
        .bind(emoji)
        .bind(at.created)
        .execute(&mut **at.tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3")
            .bind(&id_text)
            .bind(&user_text)
            .bind(emoji)
            .execute(&mut **at.tx)
            .await?;
    }
    let seq = at
        .record(Event {
            emoji: Some(emoji),
            on: Some(on as i64),
            ..Event::new("reaction", id, user.id)
        })
        .await?;
    let entry = Entry::Reaction(Reaction {
        room: at.room.to_string(),
        seq,
        epoch: at.epoch.to_string(),
        ts: ms_to_time(at.created),
        id,
        emoji: emoji.to_string(),
        user: user.clone(),
        on,
    });
    Ok(Outcome::Stored { entry, fresh: true })
}

/// Sets the room's topic: a `topic` entry, unless it is the topic already.
pub(super) async fn topic_in_tx(
    at: &mut LogTx<'_>,
    topic: &str,
    by: &UserRef,
) -> StoreResult<Outcome> {
    let current: String = sqlx::query_scalar("SELECT topic FROM rooms WHERE id = $1")
        .bind(at.room)
        .fetch_one(&mut **at.tx)
        .await?;
    if current == topic {
        return Ok(at.unchanged());
    }
    sqlx::query("UPDATE rooms SET topic = $2 WHERE id = $1")
        .bind(at.room)
        .bind(topic)
        .execute(&mut **at.tx)
        .await?;
    let seq = at
        .record(Event {
            body: Some(topic),
            ..Event::new("topic", Uuid::nil(), by.id)
        })
        .await?;
    let entry = Entry::Topic(Topic {
        room: at.room.to_string(),
        seq,
        epoch: at.epoch.to_string(),
        ts: ms_to_time(at.created),
        topic: topic.to_string(),
        by: by.clone(),
    });
    Ok(Outcome::Stored { entry, fresh: true })
}
