//! Drafts in SQL: [`DraftStore`] for `SqlStore`.

use async_trait::async_trait;
use protocol::Draft;
use sqlx::Row;
use uuid::Uuid;

use super::drafts::DraftStore;
use super::sql::SqlStore;
use super::sql_rows::parse_uuid;
use super::{now_ms, StoreResult};

#[async_trait]
impl DraftStore for SqlStore {
    async fn save_draft(&self, user: Uuid, draft: &Draft) -> StoreResult<u64> {
        let thread = draft.thread.map(|t| t.to_string()).unwrap_or_default();
        if draft.body.is_empty() {
            sqlx::query(
                "DELETE FROM drafts WHERE user_id = $1 AND room_id = $2 AND thread_id = $3",
            )
            .bind(user.to_string())
            .bind(&draft.room)
            .bind(&thread)
            .execute(&self.writer)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO drafts (user_id, room_id, thread_id, body, updated_ms) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, room_id, thread_id) \
                 DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms",
            )
            .bind(user.to_string())
            .bind(&draft.room)
            .bind(&thread)
            .bind(&draft.body)
            .bind(now_ms())
            .execute(&self.writer)
            .await?;
        }
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drafts WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_one(&self.writer)
            .await?;
        Ok(kept.max(0) as u64)
    }

    async fn drafts(&self, user: Uuid, limit: u32) -> StoreResult<Vec<Draft>> {
        let rows = sqlx::query(
            "SELECT room_id, thread_id, body FROM drafts WHERE user_id = $1 \
             ORDER BY updated_ms DESC LIMIT $2",
        )
        .bind(user.to_string())
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let thread: &str = row.try_get("thread_id")?;
                Ok(Draft {
                    room: row.try_get("room_id")?,
                    thread: (!thread.is_empty())
                        .then(|| parse_uuid(thread))
                        .transpose()?,
                    body: row.try_get("body")?,
                })
            })
            .collect()
    }
}
