//! Accounts in SQL: users, sessions and refresh tokens, invites (for
//! `SqlStore`'s `Store` implementation; refresh rotation is `sql_transactions`).

use protocol::UserRef;
use sqlx::Row;
use uuid::Uuid;

use super::sql::{insert_error, SqlStore};
use super::sql_rows::{parse_uuid, user_from_row};
use super::{now_ms, StoreResult, UserRecord};

pub(super) async fn create_user(
    store: &SqlStore,
    name: &str,
    password_hash: &str,
) -> StoreResult<UserRef> {
    insert_user(&store.writer, Uuid::new_v4(), name, password_hash, None).await
}

/// What a user without a password has for its hash: nothing verifies
/// against it (bots, accounts made at sign-in through an OpenID provider).
pub const NO_PASSWORD: &str = "!";

/// Inserts user `id` (owned by `bot_owner`, for a bot);
/// [`super::StoreError::Conflict`] if the name (in any case) is taken.
pub(super) async fn insert_user<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: Uuid,
    name: &str,
    password_hash: &str,
    bot_owner: Option<Uuid>,
) -> StoreResult<UserRef> {
    sqlx::query(
        "INSERT INTO users (id, name, password_hash, created_ms, bot_owner) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.to_string())
    .bind(name)
    .bind(password_hash)
    .bind(now_ms())
    .bind(bot_owner.map(|owner| owner.to_string()))
    .execute(executor)
    .await
    .map_err(insert_error)?;
    Ok(UserRef {
        id,
        name: name.to_string(),
    })
}

pub(super) async fn user_by_name(store: &SqlStore, name: &str) -> StoreResult<Option<UserRecord>> {
    sqlx::query("SELECT id, name, password_hash, is_admin, disabled FROM users WHERE lower(name) = lower($1)")
        .bind(name)
        .fetch_optional(&store.reader)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
}

pub(super) async fn user_by_id(store: &SqlStore, id: Uuid) -> StoreResult<Option<UserRecord>> {
    sqlx::query("SELECT id, name, password_hash, is_admin, disabled FROM users WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&store.reader)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
}

pub(super) async fn set_admin(store: &SqlStore, user: Uuid, admin: bool) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE users SET is_admin = $2 WHERE id = $1")
        .bind(user.to_string())
        .bind(admin as i64)
        .execute(&store.writer)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn set_disabled(
    store: &SqlStore,
    user: Uuid,
    disabled: bool,
) -> StoreResult<bool> {
    let mut tx = store.writer.begin().await?;
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

pub(super) async fn create_session(
    store: &SqlStore,
    session: Uuid,
    user: Uuid,
    expires_ms: i64,
    refresh_hash: &str,
) -> StoreResult<()> {
    let now = now_ms();
    let mut tx = store.writer.begin().await?;
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

pub(super) async fn refresh_owner(
    store: &SqlStore,
    hash: &str,
) -> StoreResult<Option<(Uuid, Uuid)>> {
    let row = sqlx::query(
        "SELECT s.user_id, s.id FROM refresh_tokens t \
         JOIN sessions s ON s.id = t.session_id WHERE t.hash = $1",
    )
    .bind(hash)
    .fetch_optional(&store.reader)
    .await?;
    match row {
        Some(row) => Ok(Some((
            parse_uuid(row.try_get(0)?)?,
            parse_uuid(row.try_get(1)?)?,
        ))),
        None => Ok(None),
    }
}

pub(super) async fn revoke_session(store: &SqlStore, session: Uuid) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_ms = $2 WHERE id = $1 AND revoked_ms IS NULL")
        .bind(session.to_string())
        .bind(now_ms())
        .execute(&store.writer)
        .await?;
    Ok(())
}

pub(super) async fn session_valid(
    store: &SqlStore,
    user: Uuid,
    session: Uuid,
) -> StoreResult<bool> {
    let row = sqlx::query(
        "SELECT u.disabled, \
         (SELECT COUNT(*) FROM sessions s WHERE s.id = $2 AND s.user_id = u.id \
          AND s.revoked_ms IS NULL AND s.expires_ms > $3) AS live \
         FROM users u WHERE u.id = $1",
    )
    .bind(user.to_string())
    .bind(session.to_string())
    .bind(now_ms())
    .fetch_optional(&store.reader)
    .await?;
    Ok(match row {
        Some(row) => row.try_get::<i64, _>(0)? == 0 && row.try_get::<i64, _>(1)? == 1,
        None => false,
    })
}

pub(super) async fn create_invite(store: &SqlStore, code: &str, by: Uuid) -> StoreResult<()> {
    sqlx::query("INSERT INTO invites (code, created_by, created_ms) VALUES ($1, $2, $3)")
        .bind(code)
        .bind(by.to_string())
        .bind(now_ms())
        .execute(&store.writer)
        .await?;
    Ok(())
}

pub(super) async fn claim_invite(store: &SqlStore, code: &str) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE invites SET used_ms = $2 WHERE code = $1 AND used_ms IS NULL")
        .bind(code)
        .bind(now_ms())
        .execute(&store.writer)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn release_invite(store: &SqlStore, code: &str) -> StoreResult<()> {
    sqlx::query("UPDATE invites SET used_ms = NULL WHERE code = $1")
        .bind(code)
        .execute(&store.writer)
        .await?;
    Ok(())
}
