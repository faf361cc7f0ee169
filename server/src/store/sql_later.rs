//! Scheduled messages and reminders in SQL: [`LaterStore`] for `SqlStore`.
//! A claim is one `UPDATE … RETURNING` whose conditions are checked again
//! on the rows it updates, so two instances never claim a row at once.

use async_trait::async_trait;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::later::{LaterItem, LaterStore};
use super::sql::SqlStore;
use super::sql_rows::{optional_uuid, parse_uuid};
use super::{ms_to_time, now_ms, StoreResult};

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

const COLUMNS: &str =
    "id, kind, user_id, room_id, thread_id, message_id, body, due_ms, done_ms, failed";

fn item_from_row(row: &sqlx::any::AnyRow) -> StoreResult<LaterItem> {
    Ok(LaterItem {
        id: parse_uuid(row.try_get("id")?)?,
        reminder: row.try_get::<&str, _>("kind")? == "reminder",
        user: parse_uuid(row.try_get("user_id")?)?,
        room: row.try_get("room_id")?,
        thread: optional_uuid(row.try_get("thread_id")?)?,
        message: optional_uuid(row.try_get("message_id")?)?,
        body: row.try_get("body")?,
        due: ms_to_time(row.try_get("due_ms")?),
        done: row.try_get::<Option<i64>, _>("done_ms")?.is_some(),
        failed: row.try_get("failed")?,
    })
}

fn kind(reminder: bool) -> &'static str {
    if reminder {
        "reminder"
    } else {
        "message"
    }
}

#[async_trait]
impl LaterStore for SqlStore {
    async fn hold(&self, item: &LaterItem, max: u32) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO later (id, kind, user_id, room_id, thread_id, message_id, body, due_ms, \
               created_ms) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE \
               (SELECT COUNT(*) FROM later WHERE user_id = $3 AND kind = $2 AND done_ms IS NULL) < $10",
        )
        .bind(item.id.to_string())
        .bind(kind(item.reminder))
        .bind(item.user.to_string())
        .bind(&item.room)
        .bind(item.thread.map(|t| t.to_string()))
        .bind(item.message.map(|m| m.to_string()))
        .bind(&item.body)
        .bind(ms(item.due))
        .bind(now_ms())
        .bind(i64::from(max))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn held(&self, user: Uuid, reminder: bool) -> StoreResult<Vec<LaterItem>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM later WHERE user_id = $1 AND kind = $2 \
             AND (done_ms IS NULL OR kind = 'reminder' OR failed IS NOT NULL) \
             ORDER BY due_ms, id"
        ))
        .bind(user.to_string())
        .bind(kind(reminder))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(item_from_row)
        .collect()
    }

    async fn drop_held(&self, user: Uuid, id: Uuid) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM later WHERE id = $1 AND user_id = $2")
            .bind(id.to_string())
            .bind(user.to_string())
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn claim_due(
        &self,
        node: Uuid,
        now: OffsetDateTime,
        until: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<LaterItem>> {
        let free = "done_ms IS NULL AND due_ms <= $3 \
                    AND (claimed_until_ms IS NULL OR claimed_until_ms < $3)";
        sqlx::query(&format!(
            "UPDATE later SET claimed_by = $1, claimed_until_ms = $2 \
             WHERE id IN (SELECT id FROM later WHERE {free} ORDER BY due_ms LIMIT $4) AND {free} \
             RETURNING {COLUMNS}"
        ))
        .bind(node.to_string())
        .bind(ms(until))
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.writer)
        .await?
        .iter()
        .map(item_from_row)
        .collect()
    }

    async fn finish(&self, id: Uuid, failed: Option<&str>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE later SET done_ms = $2, failed = $3, claimed_by = NULL, claimed_until_ms = NULL \
             WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(now_ms())
        .bind(failed)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
