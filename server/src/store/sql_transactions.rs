//! The store's two transactions of several statements, shared by both backends
//! through [`sql_store!`](super::sql::sql_store): appending a batch of messages
//! to a room (where `seq` is assigned; PostgreSQL tries its one-statement
//! version first) and rotating a refresh token (where reuse is caught).

/// `append_in_tx` and `rotate_refresh_in_tx` for `$store`; expects the imports
/// and row functions of `sql_store!` in scope.
macro_rules! sql_transactions {
    ($store:ty) => {
        impl $store {
            /// One attempt at [`Store::append_batch`]. With `check`, messages
            /// stored before are looked up first and answered with their first
            /// copy; without, the attempt answers `None` (and stores nothing)
            /// if any was.
            async fn append_in_tx(
                &self,
                room: &str,
                batch: &[NewMessage],
                check: bool,
            ) -> StoreResult<Option<Vec<Appended>>> {
                use std::collections::HashMap;
                let mut tx = self.writer.begin().await?;
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
                let mut last_seq = row.try_get::<i64, _>(0)?;
                let epoch: String = row.try_get(1)?;

                let mut known: HashMap<(Uuid, Uuid), Message> = HashMap::new();
                if check {
                    let pairs: Vec<String> = (0..batch.len())
                        .map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3))
                        .collect();
                    let sql = format!(
                        "{} WHERE m.room_id = $1 AND (m.author_id, m.client_msg_id) IN ({})",
                        $crate::store::sql_rows::message_select!(""),
                        pairs.join(", ")
                    );
                    let mut query = sqlx::query(&sql).bind(room);
                    for m in batch {
                        query = query
                            .bind(m.author.id.to_string())
                            .bind(m.client_msg_id.to_string());
                    }
                    for row in query.fetch_all(&mut *tx).await? {
                        let message = message_from_row(&row)?;
                        known.insert((message.author.id, message.client_msg_id), message);
                    }
                }

                // The rest get the next seqs, in order; a repeat within the
                // batch answers with its first copy.
                let created = now_ms();
                let mut answers = Vec::with_capacity(batch.len());
                let mut fresh = Vec::new();
                for new in batch {
                    let key = (new.author.id, new.client_msg_id);
                    if let Some(first) = known.get(&key) {
                        answers.push(Appended { message: first.clone(), fresh: false });
                        continue;
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
                    };
                    known.insert(key, message.clone());
                    fresh.push(message.clone());
                    answers.push(Appended { message, fresh: true });
                }
                if fresh.is_empty() {
                    tx.rollback().await?;
                    return Ok(Some(answers));
                }
                let rows: Vec<String> = (0..fresh.len())
                    .map(|i| {
                        let p = 7 * i;
                        format!(
                            "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                            p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7
                        )
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO messages \
                     (room_id, seq, id, author_id, client_msg_id, body, created_ms) VALUES {} \
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
                        .bind(created);
                }
                let inserted = insert.execute(&mut *tx).await?.rows_affected();
                if inserted != fresh.len() as u64 {
                    // Some were stored before: their seqs would leave holes.
                    tx.rollback().await?;
                    return Ok(None);
                }
                sqlx::query("UPDATE rooms SET last_seq = $2 WHERE id = $1")
                    .bind(room)
                    .bind(last_seq)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some(answers))
            }

            /// [`Store::rotate_refresh`] in one transaction: of two racing
            /// uses of one token, exactly one sees it unused.
            async fn rotate_refresh_in_tx(
                &self,
                hash: &str,
                next_hash: &str,
                reuse_grace_ms: i64,
            ) -> StoreResult<super::Rotation> {
                use super::Rotation;
                let now = now_ms();
                let mut tx = self.writer.begin().await?;
                let row = sqlx::query(
                    "SELECT t.session_id, t.used_ms, s.expires_ms, s.revoked_ms, u.id, u.name, u.disabled \
                     FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
                     JOIN users u ON u.id = s.user_id WHERE t.hash = $1",
                )
                .bind(hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(Rotation::Invalid);
                };
                let session: String = row.try_get(0)?;
                let used: Option<i64> = row.try_get(1)?;
                let expires_ms: i64 = row.try_get(2)?;
                let revoked: Option<i64> = row.try_get(3)?;
                let user = UserRef {
                    id: parse_uuid(row.try_get(4)?)?,
                    name: row.try_get(5)?,
                };
                let disabled = row.try_get::<i64, _>(6)? != 0;
                if revoked.is_some() || expires_ms <= now || disabled {
                    return Ok(Rotation::Invalid);
                }
                let session_id = parse_uuid(&session)?;
                // Mark it used; of two racing refreshes only one sees it unused.
                let first_use = used.is_none()
                    && sqlx::query(
                        "UPDATE refresh_tokens SET used_ms = $2 WHERE hash = $1 AND used_ms IS NULL",
                    )
                    .bind(hash)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1;
                if !first_use && now - used.unwrap_or(now) > reuse_grace_ms {
                    sqlx::query("UPDATE sessions SET revoked_ms = $2 WHERE id = $1")
                        .bind(&session)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    return Ok(Rotation::Reused {
                        user: user.id,
                        session: session_id,
                    });
                }
                sqlx::query(
                    "INSERT INTO refresh_tokens (hash, session_id, issued_ms) VALUES ($1, $2, $3)",
                )
                .bind(next_hash)
                .bind(&session)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Rotation::Rotated {
                    user,
                    session: session_id,
                    expires_ms,
                })
            }
        }
    };
}

pub(crate) use sql_transactions;
