//! Web Push in SQL ([`PushStore`] for `SqlStore`).

use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

use super::push::{PushStore, PushSubscription, PushTarget};
use super::sql::SqlStore;
use super::sql_attention::{bind_ids, member_notice};
use super::sql_email::placeholders;
use super::sql_rows::parse_uuid;
use super::{ms_to_time, now_ms, StoreResult};

/// Most ids bound into one target query; past it every member is read (the
/// list only narrows what is read: the rules are applied by the caller).
const MAX_NAMED: usize = 500;

const SUBSCRIPTION_COLUMNS: &str = "s.endpoint, s.user_id, s.p256dh, s.auth, s.agent, s.created_ms";

fn subscription_from_row(row: &sqlx::any::AnyRow) -> StoreResult<PushSubscription> {
    Ok(PushSubscription {
        endpoint: row.try_get("endpoint")?,
        user: parse_uuid(row.try_get("user_id")?)?,
        p256dh: row.try_get("p256dh")?,
        auth: row.try_get("auth")?,
        agent: row.try_get("agent")?,
        created: ms_to_time(row.try_get("created_ms")?),
    })
}

#[async_trait]
impl PushStore for SqlStore {
    async fn push_key(&self, generated: &str) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO push_keys (id, private_key, created_ms) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(generated)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT private_key FROM push_keys WHERE id = 1")
                .fetch_one(&self.writer)
                .await?,
        )
    }

    async fn subscribe(&self, subscription: &PushSubscription, max: u32) -> StoreResult<()> {
        let user = subscription.user.to_string();
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, agent, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, \
               p256dh = excluded.p256dh, auth = excluded.auth, agent = excluded.agent, \
               created_ms = excluded.created_ms",
        )
        .bind(&subscription.endpoint)
        .bind(&user)
        .bind(&subscription.p256dh)
        .bind(&subscription.auth)
        .bind(&subscription.agent)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint NOT IN \
             (SELECT endpoint FROM push_subscriptions WHERE user_id = $1 \
              ORDER BY created_ms DESC, endpoint LIMIT $2)",
        )
        .bind(&user)
        .bind(i64::from(max))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unsubscribe(&self, user: Uuid, endpoint: &str) -> StoreResult<bool> {
        let done =
            sqlx::query("DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2")
                .bind(user.to_string())
                .bind(endpoint)
                .execute(&self.writer)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn drop_subscription(&self, endpoint: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
            .bind(endpoint)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn subscriptions(&self, user: Uuid) -> StoreResult<Vec<PushSubscription>> {
        sqlx::query(&format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM push_subscriptions s WHERE s.user_id = $1 \
             ORDER BY s.created_ms DESC, s.endpoint"
        ))
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(subscription_from_row)
        .collect()
    }

    async fn push_targets(
        &self,
        room: &str,
        seq: u64,
        author: Uuid,
        named: &[Uuid],
        everyone: bool,
    ) -> StoreResult<Vec<PushTarget>> {
        let narrow = !everyone && named.len() <= MAX_NAMED;
        let mut filter = String::new();
        if narrow {
            filter.push_str(
                " AND (m.notify_level = 'all' OR (m.notify_level IS NULL AND r.kind = 'direct')",
            );
            if !named.is_empty() {
                let marks = placeholders(4, named.len());
                filter.push_str(&format!(" OR s.user_id IN ({marks})"));
            }
            filter.push(')');
        }
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS}, m.notify_level, m.muted, r.kind, r.name AS room_name, \
               u.dnd_until_ms, u.dnd_start, u.dnd_end, u.timezone, \
               (SELECT COUNT(*) FROM (SELECT 1 FROM messages x WHERE x.room_id = m.room_id \
                  AND x.seq > m.last_read_seq AND x.seq <= $2 AND x.author_id <> m.user_id \
                  AND x.deleted_ms IS NULL LIMIT 99) unread) AS unread \
             FROM push_subscriptions s \
             JOIN memberships m ON m.user_id = s.user_id AND m.room_id = $1 \
             JOIN rooms r ON r.id = m.room_id \
             JOIN users u ON u.id = s.user_id \
             WHERE u.disabled = 0 AND s.user_id <> $3{filter}"
        );
        let query = sqlx::query(&sql)
            .bind(room)
            .bind(seq as i64)
            .bind(author.to_string());
        bind_ids(query, if narrow { named } else { &[] })
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| {
                let notice = member_notice(row)?;
                Ok(PushTarget {
                    subscription: subscription_from_row(row)?,
                    level: notice.level,
                    muted: notice.muted,
                    dnd: notice.dnd,
                    kind: notice.kind,
                    room_name: row.try_get("room_name")?,
                    unread: row.try_get::<i64, _>("unread")?.clamp(0, 99) as u32,
                })
            })
            .collect()
    }
}
