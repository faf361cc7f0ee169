//! [`ImportStore`] in SQL, for SQLite and PostgreSQL alike.

use async_trait::async_trait;
use sqlx::Row;

use super::{ImportStore, SqlStore, StoreResult};

#[async_trait]
impl ImportStore for SqlStore {
    async fn imported(&self, source: &str, kind: &str, id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query(
            "SELECT target FROM import_ids WHERE source = $1 AND kind = $2 AND source_id = $3",
        )
        .bind(source)
        .bind(kind)
        .bind(id)
        .fetch_optional(&self.writer)
        .await?;
        Ok(row.map(|r| r.try_get("target")).transpose()?)
    }

    async fn remember_import(
        &self,
        source: &str,
        kind: &str,
        id: &str,
        target: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO import_ids (source, kind, source_id, target) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (source, kind, source_id) DO NOTHING",
        )
        .bind(source)
        .bind(kind)
        .bind(id)
        .bind(target)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}
