//! The SQL behind both stores. SQLite and PostgreSQL accept the same text here
//! (`$N` parameters, `ON CONFLICT`, `UPDATE … RETURNING`), so the [`Store`]
//! implementation is written once and stamped out for each backend by
//! [`sql_store!`]: the backends differ only in how they connect. Reading rows
//! is in `sql_rows`, the room log in `sql_log` (appending) and `sql_log_reads`,
//! refresh-token rotation in `sql_transactions`.
//!
//! [`Store`]: super::Store

/// Implements `Store` for `$store`, a struct with `writer` and `reader` pools whose
/// rows are `$row`.
macro_rules! sql_store {
    ($store:ty, $row:ty) => {
        use app::protocol::{
            Deleted, Edited, Entry, Message, Reaction, RoomInfo, RoomKind, Seq, ThreadPage, UserRef,
        };
        use async_trait::async_trait;
        use sqlx::Row;
        use uuid::Uuid;

        use super::{
            ms_to_time, new_epoch, now_ms, LogPage, MessageRecord, NewEntry, NewMessage, Outcome,
            Refusal, RoomRecord, Store, StoreError, StoreResult, UserRecord,
        };

        $crate::store::sql_rows::sql_rows!($row);
        $crate::store::sql_log::sql_log!($store, $row);
        $crate::store::sql_log_reads::sql_log_reads!($store);
        $crate::store::sql_transactions::sql_transactions!($store);

        fn is_unique_violation(e: &sqlx::Error) -> bool {
            matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
        }

        #[async_trait]
        impl Store for $store {
            async fn create_user(&self, name: &str, password_hash: &str) -> StoreResult<UserRef> {
                let id = Uuid::new_v4();
                let result = sqlx::query(
                    "INSERT INTO users (id, name, password_hash, created_ms) VALUES ($1, $2, $3, $4)",
                )
                .bind(id.to_string())
                .bind(name)
                .bind(password_hash)
                .bind(now_ms())
                .execute(&self.writer)
                .await;
                match result {
                    Ok(_) => Ok(UserRef { id, name: name.to_string() }),
                    Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict),
                    Err(e) => Err(e.into()),
                }
            }

            async fn user_by_name(&self, name: &str) -> StoreResult<Option<UserRecord>> {
                sqlx::query("SELECT id, name, password_hash, is_admin, disabled FROM users WHERE lower(name) = lower($1)")
                    .bind(name)
                    .fetch_optional(&self.reader)
                    .await?
                    .as_ref()
                    .map(user_from_row)
                    .transpose()
            }

            async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>> {
                sqlx::query("SELECT id, name, password_hash, is_admin, disabled FROM users WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(&self.reader)
                    .await?
                    .as_ref()
                    .map(user_from_row)
                    .transpose()
            }

            async fn set_admin(&self, user: Uuid, admin: bool) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE users SET is_admin = $2 WHERE id = $1")
                    .bind(user.to_string())
                    .bind(admin as i64)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_disabled(&self, user: Uuid, disabled: bool) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
                    .bind(user.to_string())
                    .bind(disabled as i64)
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn create_session(
                &self,
                session: Uuid,
                user: Uuid,
                expires_ms: i64,
                refresh_hash: &str,
            ) -> StoreResult<()> {
                let now = now_ms();
                let mut tx = self.writer.begin().await?;
                sqlx::query(
                    "DELETE FROM refresh_tokens WHERE session_id IN \
                     (SELECT id FROM sessions WHERE expires_ms < $1)",
                )
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM sessions WHERE expires_ms < $1")
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4)",
                )
                .bind(session.to_string())
                .bind(user.to_string())
                .bind(now)
                .bind(expires_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO refresh_tokens (hash, session_id, issued_ms) VALUES ($1, $2, $3)",
                )
                .bind(refresh_hash)
                .bind(session.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn rotate_refresh(
                &self,
                hash: &str,
                next_hash: &str,
                reuse_grace_ms: i64,
            ) -> StoreResult<super::Rotation> {
                self.rotate_refresh_in_tx(hash, next_hash, reuse_grace_ms).await
            }

            async fn refresh_owner(&self, hash: &str) -> StoreResult<Option<(Uuid, Uuid)>> {
                let row = sqlx::query(
                    "SELECT s.user_id, s.id FROM refresh_tokens t \
                     JOIN sessions s ON s.id = t.session_id WHERE t.hash = $1",
                )
                .bind(hash)
                .fetch_optional(&self.reader)
                .await?;
                match row {
                    Some(row) => Ok(Some((
                        parse_uuid(row.try_get(0)?)?,
                        parse_uuid(row.try_get(1)?)?,
                    ))),
                    None => Ok(None),
                }
            }

            async fn revoke_session(&self, session: Uuid) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE sessions SET revoked_ms = $2 WHERE id = $1 AND revoked_ms IS NULL",
                )
                .bind(session.to_string())
                .bind(now_ms())
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn session_valid(&self, user: Uuid, session: Uuid) -> StoreResult<bool> {
                let row = sqlx::query(
                    "SELECT u.disabled, \
                     (SELECT COUNT(*) FROM sessions s WHERE s.id = $2 AND s.user_id = u.id \
                      AND s.revoked_ms IS NULL AND s.expires_ms > $3) AS live \
                     FROM users u WHERE u.id = $1",
                )
                .bind(user.to_string())
                .bind(session.to_string())
                .bind(now_ms())
                .fetch_optional(&self.reader)
                .await?;
                Ok(match row {
                    Some(row) => {
                        row.try_get::<i64, _>(0)? == 0 && row.try_get::<i64, _>(1)? == 1
                    }
                    None => false,
                })
            }

            async fn create_invite(&self, code: &str, by: Uuid) -> StoreResult<()> {
                sqlx::query("INSERT INTO invites (code, created_by, created_ms) VALUES ($1, $2, $3)")
                    .bind(code)
                    .bind(by.to_string())
                    .bind(now_ms())
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            async fn claim_invite(&self, code: &str) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE invites SET used_ms = $2 WHERE code = $1 AND used_ms IS NULL",
                )
                .bind(code)
                .bind(now_ms())
                .execute(&self.writer)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_invite(&self, code: &str) -> StoreResult<()> {
                sqlx::query("UPDATE invites SET used_ms = NULL WHERE code = $1")
                    .bind(code)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

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
                sqlx::query("INSERT INTO memberships (room_id, user_id, joined_ms) VALUES ($1, $2, $3)")
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

            async fn direct_room(&self, a: Uuid, b: Uuid) -> StoreResult<RoomRecord> {
                let id = super::direct_room_id(a, b);
                let now = now_ms();
                let mut tx = self.writer.begin().await?;
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
                self.room(&id).await?.ok_or(StoreError::NotFound)
            }

            async fn room(&self, id: &str) -> StoreResult<Option<RoomRecord>> {
                sqlx::query("SELECT id, name, kind, owner_id, epoch, last_seq FROM rooms WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.reader)
                    .await?
                    .as_ref()
                    .map(room_from_row)
                    .transpose()
            }

            async fn rooms_for(&self, user: Uuid) -> StoreResult<Vec<RoomInfo>> {
                let rows = sqlx::query(
                    "SELECT r.id, r.name, r.kind, (m.user_id IS NOT NULL) AS member \
                     FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = $1 \
                     WHERE r.kind = 'public' OR m.user_id IS NOT NULL ORDER BY r.name",
                )
                .bind(user.to_string())
                .fetch_all(&self.reader)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(RoomInfo {
                            id: row.try_get("id")?,
                            name: row.try_get("name")?,
                            kind: kind_from_str(row.try_get("kind")?)?,
                            member: row.try_get("member")?,
                        })
                    })
                    .collect()
            }

            async fn add_member(&self, room: &str, user: Uuid) -> StoreResult<bool> {
                let result = sqlx::query(
                    "INSERT INTO memberships (room_id, user_id, joined_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (room_id, user_id) DO NOTHING",
                )
                .bind(room)
                .bind(user.to_string())
                .bind(now_ms())
                .execute(&self.writer)
                .await;
                match result {
                    Ok(done) => Ok(done.rows_affected() == 1),
                    Err(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => {
                        Err(StoreError::NotFound)
                    }
                    Err(e) => Err(e.into()),
                }
            }

            async fn is_member(&self, room: &str, user: Uuid) -> StoreResult<bool> {
                Ok(sqlx::query("SELECT 1 FROM memberships WHERE room_id = $1 AND user_id = $2")
                    .bind(room)
                    .bind(user.to_string())
                    .fetch_optional(&self.reader)
                    .await?
                    .is_some())
            }

            async fn remove_member(&self, room: &str, user: Uuid) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM memberships WHERE room_id = $1 AND user_id = $2")
                    .bind(room)
                    .bind(user.to_string())
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn append_batch(
                &self,
                room: &str,
                batch: Vec<NewEntry>,
            ) -> StoreResult<Vec<Outcome>> {
                if batch.is_empty() {
                    return Ok(Vec::new());
                }
                // Resends are rare: first assume none of the batch was stored
                // before (each backend's fastest way). If one was, try again
                // checking.
                let outcomes = match self.append_unchecked(room, &batch).await? {
                    Some(outcomes) => outcomes,
                    None => self
                        .append_in_tx(room, &batch, true)
                        .await?
                        .expect("a checked append always answers"),
                };
                self.after_commit(&batch).await;
                Ok(outcomes)
            }

            async fn entries_after(&self, room: &str, after: Seq, limit: u32) -> StoreResult<Vec<Entry>> {
                self.entries_after_impl(room, after, limit).await
            }

            async fn history(
                &self,
                room: &str,
                before: Option<Seq>,
                limit: u32,
                viewer: Uuid,
            ) -> StoreResult<LogPage> {
                self.history_impl(room, before, limit, viewer).await
            }

            async fn thread(
                &self,
                room: &str,
                root: Uuid,
                before: Option<Seq>,
                limit: u32,
                viewer: Uuid,
            ) -> StoreResult<Option<ThreadPage>> {
                self.thread_impl(room, root, before, limit, viewer).await
            }

            async fn message_record(&self, room: &str, id: Uuid) -> StoreResult<Option<MessageRecord>> {
                self.message_record_impl(room, id).await
            }

            async fn readers_named(&self, room: &str, names: &[String]) -> StoreResult<Vec<UserRef>> {
                self.readers_named_impl(room, names).await
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.reader).await?;
                Ok(())
            }

            async fn close(&self) {
                self.writer.close().await;
                self.reader.close().await;
            }
        }
    };
}

pub(crate) use sql_store;
