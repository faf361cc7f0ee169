//! Incoming webhooks in SQL (migration 0012), for `SqlStore`'s
//! [`WebhookStore`].

use async_trait::async_trait;
use protocol::UserRef;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::sql::{insert_error, SqlStore};
use super::sql_accounts::{insert_user, NO_PASSWORD};
use super::sql_rows::parse_uuid;
use super::webhooks::{Webhook, WebhookStore};
use super::{now_ms, StoreError, StoreResult};

const COLUMNS: &str = "w.id, w.name, w.room_id, w.bot_id, u.name AS bot_name, w.created_by, \
    w.created_ms FROM webhooks w JOIN users u ON u.id = w.bot_id";

fn hook_from_row(row: &AnyRow) -> StoreResult<Webhook> {
    Ok(Webhook {
        id: parse_uuid(row.try_get("id")?)?,
        name: row.try_get("name")?,
        room: row.try_get("room_id")?,
        bot: UserRef {
            id: parse_uuid(row.try_get("bot_id")?)?,
            name: row.try_get("bot_name")?,
        },
        created_by: parse_uuid(row.try_get("created_by")?)?,
        created_ms: row.try_get("created_ms")?,
    })
}

#[async_trait]
impl WebhookStore for SqlStore {
    async fn create_webhook(&self, hook: &Webhook, hash: &str) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        insert_user(
            &mut *tx,
            hook.bot.id,
            &hook.bot.name,
            NO_PASSWORD,
            Some(hook.created_by),
        )
        .await?;
        let joined = sqlx::query(
            "INSERT INTO memberships (room_id, user_id, joined_ms, last_read_seq) \
             SELECT id, $2, $3, last_seq FROM rooms WHERE id = $1",
        )
        .bind(&hook.room)
        .bind(hook.bot.id.to_string())
        .bind(hook.created_ms)
        .execute(&mut *tx)
        .await
        .map_err(insert_error)?;
        if joined.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO webhooks (id, hash, room_id, bot_id, created_by, name, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hook.id.to_string())
        .bind(hash)
        .bind(&hook.room)
        .bind(hook.bot.id.to_string())
        .bind(hook.created_by.to_string())
        .bind(&hook.name)
        .bind(hook.created_ms)
        .execute(&mut *tx)
        .await
        .map_err(insert_error)?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhooks_of(&self, room: &str) -> StoreResult<Vec<Webhook>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} WHERE w.room_id = $1 AND w.revoked_ms IS NULL AND u.disabled = 0 \
             ORDER BY w.created_ms, w.id"
        ))
        .bind(room)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(hook_from_row)
        .collect()
    }

    async fn webhook_by_hash(&self, hash: &str) -> StoreResult<Option<Webhook>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} WHERE w.hash = $1 AND w.revoked_ms IS NULL AND u.disabled = 0"
        ))
        .bind(hash)
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(hook_from_row)
        .transpose()
    }

    async fn webhook(&self, room: &str, id: Uuid) -> StoreResult<Option<Webhook>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} WHERE w.room_id = $1 AND w.id = $2 AND w.revoked_ms IS NULL"
        ))
        .bind(room)
        .bind(id.to_string())
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(hook_from_row)
        .transpose()
    }

    async fn delete_webhook(&self, hook: &Webhook) -> StoreResult<()> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE webhooks SET revoked_ms = $2 WHERE id = $1 AND revoked_ms IS NULL")
            .bind(hook.id.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET disabled = 1, name = $2 WHERE id = $1")
            .bind(hook.bot.id.to_string())
            .bind(released_name(hook))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhooks_made_by(&self, maker: Uuid) -> StoreResult<u64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhooks WHERE created_by = $1 AND revoked_ms IS NULL",
        )
        .bind(maker.to_string())
        .fetch_one(&self.reader)
        .await?;
        Ok(count as u64)
    }

    async fn webhook_posts_since(&self, hook: &Webhook, since_ms: i64) -> StoreResult<u64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages \
             WHERE room_id = $1 AND author_id = $2 AND created_ms >= $3",
        )
        .bind(&hook.room)
        .bind(hook.bot.id.to_string())
        .bind(since_ms)
        .fetch_one(&self.reader)
        .await?;
        Ok(count as u64)
    }
}

/// A deleted webhook's bot's name: its own, made unique by the webhook's id
/// and a `~` no username may hold, so the name is free again.
fn released_name(hook: &Webhook) -> String {
    format!("{}~{}", hook.name, &hook.id.simple().to_string()[..12])
}
