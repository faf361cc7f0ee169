//! The room log in SQL, shared by both backends through
//! [`sql_store!`](super::sql::sql_store): the transaction that appends a batch
//! of entries (where every entry's `seq` is assigned), and the reads of the log.
//!
//! A message row holds the message's current state (body, edit time, deletion,
//! reply count); the other entries are rows of `room_events`; current
//! reactions are rows of `reactions`. A deletion empties the body of the
//! message and of its edits in its own transaction. The reads that decorate a
//! page for a reader (`history`, `thread`) are in `sql_log_reads`.

/// The columns of a message row, in the shape every log read shares; `$1` is
/// the room.
macro_rules! message_select {
    ($where:literal) => {
        concat!(
            "SELECT 'message' AS kind, m.seq, r.epoch, m.id AS message_id, m.client_msg_id, \
             m.author_id AS user_id, u.name AS user_name, m.body, m.created_ms, m.thread_id, \
             m.mentions, m.edited_ms, m.deleted_ms, m.reply_count, m.last_reply_ms, \
             NULL AS emoji, NULL AS on_flag \
             FROM messages m JOIN users u ON u.id = m.author_id JOIN rooms r ON r.id = m.room_id \
             WHERE m.room_id = $1 ",
            $where
        )
    };
}

/// Entries of every kind with `seq` in `($2, $3]` of room `$1`, oldest first.
macro_rules! entry_select {
    () => {
        concat!(
            $crate::store::sql_log::message_select!("AND m.seq > $2 AND m.seq <= $3"),
            " UNION ALL \
             SELECT e.kind, e.seq, r.epoch, e.message_id, NULL, e.user_id, u.name, e.body, \
             e.created_ms, NULL, e.mentions, NULL, NULL, 0, NULL, e.emoji, e.on_flag \
             FROM room_events e JOIN users u ON u.id = e.user_id JOIN rooms r ON r.id = e.room_id \
             WHERE e.room_id = $1 AND e.seq > $2 AND e.seq <= $3 ORDER BY seq"
        )
    };
}

/// The log's row functions and its append transaction for `$store`, whose
/// rows are `$row`; expects the imports and row functions of `sql_store!`.
macro_rules! sql_log {
    ($store:ty, $row:ty) => {
        type Tx = sqlx::Transaction<'static, <$row as sqlx::Row>::Database>;

        fn join_ids(ids: &[Uuid]) -> String {
            ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",")
        }

        fn split_ids(text: Option<&str>) -> StoreResult<Vec<Uuid>> {
            text.unwrap_or("")
                .split(',')
                .filter(|s| !s.is_empty())
                .map(parse_uuid)
                .collect()
        }

        fn optional_uuid(text: Option<&str>) -> StoreResult<Option<Uuid>> {
            text.map(parse_uuid).transpose()
        }

        /// One row of `message_select!` / `entry_select!` as its entry; a
        /// message in its whole stored state (no reactions: see `sql_log_reads`).
        fn entry_from_row(room: &str, row: &$row) -> StoreResult<Entry> {
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
            let mentions = split_ids(row.try_get("mentions")?)?;
            let room = room.to_string();
            let kind: &str = row.try_get("kind")?;
            Ok(match kind {
                "message" => Entry::Message(Message {
                    room,
                    seq,
                    epoch,
                    id,
                    client_msg_id: parse_uuid(
                        row.try_get::<Option<&str>, _>("client_msg_id")?.unwrap_or(""),
                    )?,
                    author: user,
                    body,
                    ts,
                    thread: optional_uuid(row.try_get("thread_id")?)?,
                    mentions,
                    edited_ts: row.try_get::<Option<i64>, _>("edited_ms")?.map(ms_to_time),
                    deleted: row.try_get::<Option<i64>, _>("deleted_ms")?.is_some(),
                    reactions: Vec::new(),
                    reply_count: row.try_get::<i64, _>("reply_count")?.max(0) as u32,
                    last_reply_ts: row.try_get::<Option<i64>, _>("last_reply_ms")?.map(ms_to_time),
                }),
                "edited" => Entry::Edited(Edited { room, seq, epoch, ts, id, body, by: user, mentions }),
                "deleted" => Entry::Deleted(Deleted { room, seq, epoch, ts, id, by: user }),
                "reaction" => Entry::Reaction(Reaction {
                    room,
                    seq,
                    epoch,
                    ts,
                    id,
                    emoji: row.try_get::<Option<String>, _>("emoji")?.unwrap_or_default(),
                    user,
                    on: row.try_get::<Option<i64>, _>("on_flag")? == Some(1),
                }),
                other => {
                    return Err(StoreError::Database(sqlx::Error::Decode(
                        format!("unknown log entry kind {other:?}").into(),
                    )))
                }
            })
        }

        /// Whether message `id` of `room` is deleted, and its thread's root;
        /// `None` if there is no such message.
        async fn message_in_tx(
            tx: &mut Tx,
            room: &str,
            id: Uuid,
        ) -> StoreResult<Option<(bool, Option<Uuid>)>> {
            let row = sqlx::query(
                "SELECT deleted_ms, thread_id FROM messages WHERE room_id = $1 AND id = $2",
            )
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
        async fn change_in_tx(
            tx: &mut Tx,
            room: &str,
            epoch: &str,
            last_seq: &mut i64,
            change: &NewEntry,
            created: i64,
        ) -> StoreResult<Outcome> {
            let ts = ms_to_time(created);
            let target = match change {
                NewEntry::Message(_) => unreachable!("messages are stored by append_in_tx"),
                NewEntry::Edit { id, .. } | NewEntry::Delete { id, .. } | NewEntry::React { id, .. } => *id,
            };
            let (deleted, thread) = match message_in_tx(tx, room, target).await? {
                None => return Ok(Outcome::Refused(Refusal::NoSuchMessage)),
                Some(state) => state,
            };
            let unchanged = Outcome::Unchanged { seq: *last_seq as Seq };
            let (room_id, epoch, id) = (room.to_string(), epoch.to_string(), target);
            let entry = match change {
                NewEntry::Message(_) => unreachable!(),
                NewEntry::Edit { body, mentions, by, .. } => {
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
                    let event = Event { seq: *last_seq, kind: "edited", message: id, user: by.id,
                        body: Some(body), mentions: Some(listed), emoji: None, on: None };
                    insert_event(tx, room, event, created).await?;
                    Entry::Edited(Edited { room: room_id, seq: *last_seq as Seq, epoch, ts, id,
                        body: body.clone(), by: by.clone(), mentions: mentions.clone() })
                }
                NewEntry::Delete { by, .. } => {
                    if deleted {
                        return Ok(unchanged);
                    }
                    *last_seq += 1;
                    // The body goes, from the message and from its edits.
                    sqlx::query(
                        "UPDATE messages SET body = '', mentions = '', deleted_ms = $3 \
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
                    let event = Event { seq: *last_seq, kind: "deleted", message: id, user: by.id,
                        body: None, mentions: None, emoji: None, on: None };
                    insert_event(tx, room, event, created).await?;
                    Entry::Deleted(Deleted { room: room_id, seq: *last_seq as Seq, epoch, ts, id, by: by.clone() })
                }
                NewEntry::React { emoji, on, user, .. } => {
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
                    if *on && same == 0
                        && kinds >= app::protocol::MAX_REACTIONS_PER_MESSAGE as i64
                    {
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
                    let event = Event { seq: *last_seq, kind: "reaction", message: id, user: user.id,
                        body: None, mentions: None, emoji: Some(emoji), on: Some(*on as i64) };
                    insert_event(tx, room, event, created).await?;
                    Entry::Reaction(Reaction { room: room_id, seq: *last_seq as Seq, epoch, ts, id,
                        emoji: emoji.clone(), user: user.clone(), on: *on })
                }
            };
            Ok(Outcome::Stored { entry, fresh: true })
        }

        impl $store {
            /// One attempt at [`Store::append_batch`]. With `check`, messages
            /// stored before are looked up first and answered with their first
            /// copy; without, the attempt answers `None` (and stores nothing)
            /// if any was.
            async fn append_in_tx(
                &self,
                room: &str,
                batch: &[NewEntry],
                check: bool,
            ) -> StoreResult<Option<Vec<Outcome>>> {
                use std::collections::HashMap;
                let mut tx: Tx = self.writer.begin().await?;
                // Write first: this no-op bump takes the room's row lock (the
                // database's write lock in SQLite) before anything is read,
                // serializing this room's writers on every instance.
                let Some(row) = sqlx::query(
                    "UPDATE rooms SET last_seq = last_seq WHERE id = $1 RETURNING last_seq, epoch",
                )
                .bind(room)
                .fetch_optional(&mut *tx)
                .await?
                else {
                    return Err(StoreError::NotFound);
                };
                let mut last_seq: i64 = row.try_get("last_seq")?;
                let epoch: String = row.try_get("epoch")?;

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
                        "{} AND (m.author_id, m.client_msg_id) IN ({})",
                        $crate::store::sql_log::message_select!(""),
                        pairs.join(", ")
                    );
                    let mut query = sqlx::query(&sql).bind(room);
                    for m in &sent {
                        query = query
                            .bind(m.author.id.to_string())
                            .bind(m.client_msg_id.to_string());
                    }
                    for row in query.fetch_all(&mut *tx).await? {
                        if let Entry::Message(mut message) = entry_from_row(room, &row)? {
                            message.reply_count = 0;
                            message.last_reply_ts = None;
                            known.insert((message.author.id, message.client_msg_id), message);
                        }
                    }
                }

                // Every entry in order takes the next seq; a repeated message
                // answers with its first copy.
                let created = now_ms();
                let mut outcomes = Vec::with_capacity(batch.len());
                let mut fresh: Vec<Message> = Vec::new();
                let mut changed = false;
                for entry in batch {
                    let NewEntry::Message(new) = entry else {
                        let outcome =
                            change_in_tx(&mut tx, room, &epoch, &mut last_seq, entry, created).await?;
                        changed |= matches!(outcome, Outcome::Stored { .. });
                        outcomes.push(outcome);
                        continue;
                    };
                    let key = (new.author.id, new.client_msg_id);
                    if let Some(first) = known.get(&key) {
                        outcomes.push(Outcome::Stored {
                            entry: Entry::Message(first.clone()),
                            fresh: false,
                        });
                        continue;
                    }
                    if let Some(root) = new.thread {
                        match message_in_tx(&mut tx, room, root).await? {
                            None => {
                                outcomes.push(Outcome::Refused(Refusal::NoSuchMessage));
                                continue;
                            }
                            Some((_, Some(_))) => {
                                outcomes.push(Outcome::Refused(Refusal::NotTopLevel));
                                continue;
                            }
                            Some((_, None)) => {
                                sqlx::query(
                                    "UPDATE messages SET reply_count = reply_count + 1, \
                                     last_reply_ms = $3 WHERE room_id = $1 AND id = $2",
                                )
                                .bind(room)
                                .bind(root.to_string())
                                .bind(created)
                                .execute(&mut *tx)
                                .await?;
                            }
                        }
                    }
                    last_seq += 1;
                    let message = Message {
                        room: new.room.clone(),
                        seq: last_seq as Seq,
                        epoch: epoch.clone(),
                        id: Uuid::now_v7(),
                        client_msg_id: new.client_msg_id,
                        author: new.author.clone(),
                        body: new.body.clone(),
                        ts: ms_to_time(created),
                        thread: new.thread,
                        mentions: new.mentions.clone(),
                        ..Default::default()
                    };
                    known.insert(key, message.clone());
                    fresh.push(message.clone());
                    outcomes.push(Outcome::Stored {
                        entry: Entry::Message(message),
                        fresh: true,
                    });
                }
                if fresh.is_empty() && !changed {
                    tx.rollback().await?;
                    return Ok(Some(outcomes));
                }
                if !fresh.is_empty() {
                    let rows: Vec<String> = (0..fresh.len())
                        .map(|i| {
                            let p: Vec<String> =
                                (1..=9).map(|k| format!("${}", 9 * i + k)).collect();
                            format!("({})", p.join(", "))
                        })
                        .collect();
                    let sql = format!(
                        "INSERT INTO messages (room_id, seq, id, author_id, client_msg_id, body, \
                         created_ms, thread_id, mentions) VALUES {} \
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
                            .bind(created)
                            .bind(m.thread.map(|t| t.to_string()))
                            .bind(join_ids(&m.mentions));
                    }
                    let inserted = insert.execute(&mut *tx).await?.rows_affected();
                    if inserted != fresh.len() as u64 {
                        // Some were stored before: their seqs would leave holes.
                        tx.rollback().await?;
                        return Ok(None);
                    }
                }
                sqlx::query("UPDATE rooms SET last_seq = $2 WHERE id = $1")
                    .bind(room)
                    .bind(last_seq)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some(outcomes))
            }
        }
    };
}

pub(crate) use entry_select;
pub(crate) use message_select;
pub(crate) use sql_log;
