//! The room log in SQL, shared by both backends in `SqlStore`: the
//! transaction that appends a batch of entries, where every entry's `seq` is
//! assigned.
//!
//! A message row holds the message's current state (body, edit time, deletion,
//! reply count); the other entries are rows of `room_events` (stored by
//! `sql_log_changes`); current reactions are rows of `reactions`. The reads of
//! the log are in `sql_log_reads`, row decoding in `sql_rows`.

use std::collections::HashMap;

use protocol::{Entry, Message, Seq};
use sqlx::Row;
use uuid::Uuid;

use super::sql::SqlStore;
use super::sql_follows::follow_reply_in_tx;
use super::sql_log_changes::{
    delete_in_tx, edit_in_tx, message_in_tx, react_in_tx, topic_in_tx, LogTx,
};
use super::sql_log_room::{pin_in_tx, room_in_tx, unfurl_in_tx};
use super::sql_rows::{
    attachments_json, cards_json, entry_from_row, join_mentions, MESSAGE_SELECT,
};
use super::{
    ms_to_time, now_ms, time_to_ms, NewEntry, NewMessage, Outcome, Refusal, StoreError, StoreResult,
};

/// A transaction on either backend.
pub(super) type Tx = sqlx::Transaction<'static, sqlx::Any>;

impl SqlStore {
    /// One attempt at [`LogStore::append_batch`]. With `check`, messages
    /// stored before are looked up first and answered with their first
    /// copy; without, the attempt answers `None` (and stores nothing)
    /// if any was.
    pub(super) async fn append_in_tx(
        &self,
        room: &str,
        batch: &[NewEntry],
        check: bool,
    ) -> StoreResult<Option<Vec<Outcome>>> {
        let mut tx: Tx = self.writer.begin().await?;
        // Write first: this no-op bump takes the room's row lock (the
        // database's write lock in SQLite) before anything is read,
        // serializing this room's writers on every instance.
        let Some(row) = sqlx::query(
            "UPDATE rooms SET last_seq = last_seq WHERE id = $1 \
             RETURNING last_seq, epoch, archived",
        )
        .bind(room)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Err(StoreError::NotFound);
        };
        let mut last_seq: i64 = row.try_get("last_seq")?;
        let epoch: String = row.try_get("epoch")?;
        let mut archived = row.try_get::<i64, _>("archived")? != 0;

        let sent: Vec<&NewMessage> = batch
            .iter()
            .filter_map(|e| match e {
                NewEntry::Message(m) => Some(m),
                _ => None,
            })
            .collect();
        let mut known: HashMap<(Uuid, Uuid), Message> = HashMap::new();
        if check && !sent.is_empty() {
            let pairs: Vec<String> = (0..sent.len())
                .map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3))
                .collect();
            let sql = format!(
                "{}WHERE m.room_id = $1 AND (m.author_id, m.client_msg_id) IN ({})",
                MESSAGE_SELECT,
                pairs.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(room);
            for m in &sent {
                query = query
                    .bind(m.author.id.to_string())
                    .bind(m.client_msg_id.to_string());
            }
            for row in query.fetch_all(&mut *tx).await? {
                if let Entry::Message(mut message) = entry_from_row(&row)? {
                    message.reply_count = 0;
                    message.last_reply_ts = None;
                    known.insert((message.author.id, message.client_msg_id), message);
                }
            }
        }

        // Every entry in order takes the next seq; a repeated message
        // answers with its first copy.
        // Now, or an imported message's own time (the entries after it,
        // its reactions, take the same).
        let mut created = now_ms();
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut fresh: Vec<Message> = Vec::new();
        let mut changed = false;
        for entry in batch {
            if let NewEntry::Message(NewMessage {
                imported: Some(imported),
                ..
            }) = entry
            {
                created = imported.created_ms;
            }
            let mut at = LogTx {
                tx: &mut tx,
                room,
                epoch: &epoch,
                last_seq: &mut last_seq,
                created,
            };
            let outcome = match entry {
                // A resend of a message stored before still gets its copy.
                NewEntry::Message(new)
                    if archived && !known.contains_key(&(new.author.id, new.client_msg_id)) =>
                {
                    Outcome::Refused(Refusal::Archived)
                }
                NewEntry::Message(new) => message_in_batch(&mut at, new, &mut known).await?,
                _ if archived && !entry.allowed_when_archived() => {
                    Outcome::Refused(Refusal::Archived)
                }
                NewEntry::Edit {
                    id,
                    body,
                    mentions,
                    everyone,
                    by,
                    ..
                } => edit_in_tx(&mut at, *id, body, (mentions, *everyone), by).await?,
                NewEntry::Delete { id, by, .. } => delete_in_tx(&mut at, *id, by).await?,
                NewEntry::React {
                    id,
                    emoji,
                    on,
                    user,
                    ..
                } => react_in_tx(&mut at, *id, emoji, *on, user).await?,
                NewEntry::Topic { topic, by, .. } => topic_in_tx(&mut at, topic, by).await?,
                NewEntry::Pin { id, on, by, .. } => pin_in_tx(&mut at, *id, *on, by).await?,
                NewEntry::Unfurl {
                    id, previews, by, ..
                } => unfurl_in_tx(&mut at, *id, previews, by).await?,
                NewEntry::RoomChange {
                    name,
                    archived: to,
                    by,
                    ..
                } => room_in_tx(&mut at, name.as_deref(), *to, by).await?,
            };
            if let Some(Entry::RoomChanged(c)) = outcome.entry() {
                archived = c.archived;
            }
            match (&outcome, entry) {
                (
                    Outcome::Stored {
                        entry: Entry::Message(m),
                        fresh: true,
                    },
                    NewEntry::Message(_),
                ) => fresh.push(m.clone()),
                (Outcome::Stored { .. }, NewEntry::Message(_)) => {}
                (Outcome::Stored { .. }, _) => changed = true,
                _ => {}
            }
            outcomes.push(outcome);
        }
        if fresh.is_empty() && !changed {
            tx.rollback().await?;
            return Ok(Some(outcomes));
        }
        if !fresh.is_empty() {
            let rows: Vec<String> = (0..fresh.len())
                .map(|i| {
                    let p: Vec<String> = (1..=12).map(|k| format!("${}", 12 * i + k)).collect();
                    format!("({})", p.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO messages (room_id, seq, id, author_id, client_msg_id, body, \
                 created_ms, thread_id, mentions, attachments, cards, edited_ms) VALUES {} \
                 ON CONFLICT (room_id, author_id, client_msg_id) DO NOTHING",
                rows.join(", ")
            );
            let mut insert = sqlx::query(&sql);
            for m in &fresh {
                insert = insert
                    .bind(room)
                    .bind(m.seq as i64)
                    .bind(m.id.to_string())
                    .bind(m.author.id.to_string())
                    .bind(m.client_msg_id.to_string())
                    .bind(&m.body)
                    .bind(time_to_ms(m.ts))
                    .bind(m.thread.map(|t| t.to_string()))
                    .bind(join_mentions(&m.mentions, m.everyone))
                    .bind(attachments_json(&m.attachments))
                    .bind(cards_json(&m.cards))
                    .bind(m.edited_ts.map(time_to_ms));
            }
            let inserted = insert.execute(&mut *tx).await?.rows_affected();
            if inserted != fresh.len() as u64 {
                // Some were stored before: their seqs would leave holes.
                tx.rollback().await?;
                return Ok(None);
            }
        }
        sqlx::query("UPDATE rooms SET last_seq = $2, last_ms = $3 WHERE id = $1")
            .bind(room)
            .bind(last_seq)
            .bind(created)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(outcomes))
    }
}

/// A message of the batch: answered with its first copy if it was stored
/// before (`known`), refused if it replies to a missing or non-top-level
/// message, else given the next `seq` (its row is inserted with the batch's
/// others).
async fn message_in_batch(
    at: &mut LogTx<'_>,
    new: &NewMessage,
    known: &mut HashMap<(Uuid, Uuid), Message>,
) -> StoreResult<Outcome> {
    let key = (new.author.id, new.client_msg_id);
    if let Some(first) = known.get(&key) {
        return Ok(Outcome::Stored {
            entry: Entry::Message(first.clone()),
            fresh: false,
        });
    }
    if let Some(root) = new.thread {
        match message_in_tx(at.tx, at.room, root).await? {
            None => return Ok(Outcome::Refused(Refusal::NoSuchMessage)),
            Some((_, Some(_))) => return Ok(Outcome::Refused(Refusal::NotTopLevel)),
            Some((_, None)) => {
                sqlx::query(
                    "UPDATE messages SET reply_count = reply_count + 1, \
                     last_reply_ms = $3 WHERE room_id = $1 AND id = $2",
                )
                .bind(at.room)
                .bind(root.to_string())
                .bind(at.created)
                .execute(&mut **at.tx)
                .await?;
            }
        }
    }
    *at.last_seq += 1;
    if let Some(root) = new.thread {
        follow_reply_in_tx(at, root, new.author.id, &new.mentions, *at.last_seq).await?;
    }
    let message = Message {
        room: new.room.clone(),
        seq: *at.last_seq as Seq,
        epoch: at.epoch.to_string(),
        id: new.imported.map_or_else(Uuid::now_v7, |i| i.id),
        client_msg_id: new.client_msg_id,
        author: new.author.clone(),
        body: new.body.clone(),
        ts: ms_to_time(at.created),
        thread: new.thread,
        mentions: new.mentions.clone(),
        everyone: new.everyone,
        attachments: new.attachments.clone(),
        cards: new.cards.clone(),
        edited_ts: new.imported.and_then(|i| i.edited_ms).map(ms_to_time),
        ..Default::default()
    };
    known.insert(key, message.clone());
    Ok(Outcome::Stored {
        entry: Entry::Message(message),
        fresh: true,
    })
}
