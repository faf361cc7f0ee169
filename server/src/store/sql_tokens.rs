//! Bot accounts and personal access tokens in SQL (migration 0011), for
//! `SqlStore`'s [`TokenStore`].

use async_trait::async_trait;
use protocol::UserRef;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::access_tokens::{AccessToken, NewAccessToken, TokenStore};
use super::sql::SqlStore;
use super::sql_accounts::{insert_user, NO_PASSWORD};
use super::sql_rows::parse_uuid;
use super::{now_ms, StoreResult};

/// A live bot managed as a bot: a webhook's bot is the webhook's, managed
/// through it.
const LIVE_BOT: &str = "disabled = 0 AND bot_owner IS NOT NULL \
    AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.bot_id = users.id)";

/// A session's end for a token without an expiry: 9999-12-31.
const NEVER_MS: i64 = 253_402_300_799_000;

const TOKEN_COLUMNS: &str = "t.id, t.prefix, t.user_id, u.name AS user_name, t.created_by, \
    t.name, t.read_only, t.room_id, t.created_ms, t.expires_ms, t.last_used_ms";

fn token_from_row(row: &AnyRow) -> StoreResult<AccessToken> {
    Ok(AccessToken {
        id: parse_uuid(row.try_get("id")?)?,
        prefix: row.try_get("prefix")?,
        user: UserRef {
            id: parse_uuid(row.try_get("user_id")?)?,
            name: row.try_get("user_name")?,
        },
        created_by: parse_uuid(row.try_get("created_by")?)?,
        name: row.try_get("name")?,
        read_only: row.try_get::<i64, _>("read_only")? != 0,
        room: row.try_get("room_id")?,
        created_ms: row.try_get("created_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        last_used_ms: row.try_get("last_used_ms")?,
    })
}

fn user_from(row: &AnyRow) -> StoreResult<UserRef> {
    Ok(UserRef {
        id: parse_uuid(row.try_get("id")?)?,
        name: row.try_get("name")?,
    })
}

#[async_trait]
impl TokenStore for SqlStore {
    async fn create_bot(&self, name: &str, owner: Uuid) -> StoreResult<UserRef> {
        insert_user(&self.writer, Uuid::new_v4(), name, NO_PASSWORD, Some(owner)).await
    }

    async fn bots_of(&self, owner: Uuid) -> StoreResult<Vec<UserRef>> {
        sqlx::query(&format!(
            "SELECT id, name FROM users WHERE bot_owner = $1 AND {LIVE_BOT} ORDER BY lower(name)"
        ))
        .bind(owner.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(user_from)
        .collect()
    }

    async fn bot_owner(&self, user: Uuid) -> StoreResult<Option<Uuid>> {
        let row = sqlx::query(&format!(
            "SELECT bot_owner FROM users WHERE id = $1 AND {LIVE_BOT}"
        ))
        .bind(user.to_string())
        .fetch_optional(&self.reader)
        .await?;
        match row.map(|r| r.try_get::<Option<String>, _>(0)).transpose()? {
            Some(Some(owner)) => Ok(Some(parse_uuid(&owner)?)),
            _ => Ok(None),
        }
    }

    async fn tokens_made_by(&self, by: Uuid) -> StoreResult<Vec<AccessToken>> {
        sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM access_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.created_by = $1 AND t.revoked_ms IS NULL AND u.disabled = 0 \
             ORDER BY t.created_ms DESC, t.id"
        ))
        .bind(by.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(token_from_row)
        .collect()
    }

    async fn create_token(&self, new: &NewAccessToken) -> StoreResult<()> {
        let token = &new.token;
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(token.id.to_string())
        .bind(token.user.id.to_string())
        .bind(token.created_ms)
        .bind(token.expires_ms.unwrap_or(NEVER_MS))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO access_tokens (id, hash, prefix, user_id, created_by, name, read_only, \
             room_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(token.id.to_string())
        .bind(&new.hash)
        .bind(&token.prefix)
        .bind(token.user.id.to_string())
        .bind(token.created_by.to_string())
        .bind(&token.name)
        .bind(token.read_only as i64)
        .bind(token.room.as_deref())
        .bind(token.created_ms)
        .bind(token.expires_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<AccessToken>> {
        sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM access_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.hash = $1 AND t.revoked_ms IS NULL"
        ))
        .bind(hash)
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(token_from_row)
        .transpose()
    }

    async fn touch_token(&self, id: Uuid) -> StoreResult<()> {
        sqlx::query("UPDATE access_tokens SET last_used_ms = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(now_ms())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn revoke_token(&self, id: Uuid, by: Uuid) -> StoreResult<Option<Uuid>> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(
            "UPDATE access_tokens SET revoked_ms = $3 \
             WHERE id = $1 AND created_by = $2 AND revoked_ms IS NULL RETURNING user_id",
        )
        .bind(id.to_string())
        .bind(by.to_string())
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let user = parse_uuid(row.try_get(0)?)?;
        sqlx::query("UPDATE sessions SET revoked_ms = $2 WHERE id = $1 AND revoked_ms IS NULL")
            .bind(id.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(user))
    }
}
