//! Accounts in SQL: users, sessions and refresh tokens (rotated in one
//! transaction, where reuse is caught): [`AccountStore`] for
//! `SqlStore`.

use async_trait::async_trait;
use protocol::UserRef;
use sqlx::Row;
use uuid::Uuid;

use super::sql::{insert_error, SqlStore};
use super::sql_rows::{parse_uuid, user_from_row};
use super::{now_ms, AccountStore, Rotation, StoreResult, UserRecord};

/// What a user without a password has for its hash: nothing verifies
/// against it (bots, accounts made at sign-in through an OpenID provider).
pub const NO_PASSWORD: &str = "!";

/// Inserts user `id` (owned by `bot_owner`, for a bot);
/// [`super::StoreError::Conflict`] if the name (in any case) is taken, by
/// a user or a user group.
pub(super) async fn insert_user<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: Uuid,
    name: &str,
    password_hash: &str,
    bot_owner: Option<Uuid>,
) -> StoreResult<UserRef> {
    let done = sqlx::query(
        "INSERT INTO users (id, name, password_hash, created_ms, bot_owner, name_key) \
         SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS \
           (SELECT 1 FROM user_groups WHERE lower(name) = lower($2))",
    )
    .bind(id.to_string())
    .bind(name)
    .bind(password_hash)
    .bind(now_ms())
    .bind(bot_owner.map(|owner| owner.to_string()))
    .bind(protocol::search_key(name))
    .execute(executor)
    .await
    .map_err(insert_error)?;
    if done.rows_affected() == 0 {
        return Err(super::StoreError::Conflict);
    }
    Ok(UserRef {
        id,
        name: name.to_string(),
    })
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_user(&self, name: &str, password_hash: &str) -> StoreResult<UserRef> {
        insert_user(&self.writer, Uuid::new_v4(), name, password_hash, None).await
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
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
            .bind(user.to_string())
            .bind(disabled as i64)
            .execute(&mut *tx)
            .await?;
        if disabled {
            // Its sessions end for good, and so do those of the bots it owns
            // (a bot's token is a session): enabling the account again later
            // revives none of the tokens handed out before.
            sqlx::query(
                "UPDATE sessions SET revoked_ms = $2 WHERE revoked_ms IS NULL \
                 AND (user_id = $1 OR user_id IN (SELECT id FROM users WHERE bot_owner = $1))",
            )
            .bind(user.to_string())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
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
        sqlx::query("INSERT INTO refresh_tokens (hash, session_id, issued_ms) VALUES ($1, $2, $3)")
            .bind(refresh_hash)
            .bind(session.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
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
        sqlx::query("UPDATE sessions SET revoked_ms = $2 WHERE id = $1 AND revoked_ms IS NULL")
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
            Some(row) => row.try_get::<i64, _>(0)? == 0 && row.try_get::<i64, _>(1)? == 1,
            None => false,
        })
    }

    /// In one transaction: of two racing uses of one token, exactly one
    /// sees it unused.
    async fn rotate_refresh(
        &self,
        hash: &str,
        next_hash: &str,
        reuse_grace_ms: i64,
    ) -> StoreResult<Rotation> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(
            "SELECT t.session_id, t.used_ms, s.expires_ms, s.revoked_ms, u.id, u.name, u.disabled, \
             t.superseded_ms \
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
        let superseded = row.try_get::<Option<i64>, _>(7)?.is_some();
        if revoked.is_some() || expires_ms <= now || disabled {
            return Ok(Rotation::Invalid);
        }
        let session_id = parse_uuid(&session)?;
        let reused = Rotation::Reused {
            user: user.id,
            session: session_id,
        };
        if superseded {
            // A copy of its parent was traded inside the grace period after
            // this token was issued: one of the two holders is not the
            // owner, and this one coming back shows it. The session ends.
            revoke(&mut tx, &session, now).await?;
            tx.commit().await?;
            return Ok(reused);
        }
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
            revoke(&mut tx, &session, now).await?;
            tx.commit().await?;
            return Ok(reused);
        }
        if !first_use {
            // Used again inside the grace period (two tabs at once): the
            // session keeps one line of tokens. If the successor handed out
            // before was already traded on, this is no second tab but a copy
            // replayed: the session ends. Else that successor gives way to
            // the one issued now (and ends the session if it comes back).
            let moved_on: i64 = sqlx::query(
                "SELECT COUNT(*) FROM refresh_tokens WHERE parent_hash = $1 AND used_ms IS NOT NULL",
            )
            .bind(hash)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            if moved_on > 0 {
                revoke(&mut tx, &session, now).await?;
                tx.commit().await?;
                return Ok(reused);
            }
            sqlx::query(
                "UPDATE refresh_tokens SET superseded_ms = $2 \
                 WHERE parent_hash = $1 AND superseded_ms IS NULL",
            )
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO refresh_tokens (hash, session_id, issued_ms, parent_hash) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(next_hash)
        .bind(&session)
        .bind(now)
        .bind(hash)
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

/// Ends `session` (a reuse showed its refresh token copied).
async fn revoke(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    session: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_ms = $2 WHERE id = $1")
        .bind(session)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
