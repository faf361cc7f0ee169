//! Files in SQL, for both backends in `SqlStore` (migration 0010): uploads
//! as rows (their bytes live in the file store, named by digest), claimed by
//! the message that sends them, deleted with it.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::sql::SqlStore;
use super::sql_rows::{optional_uuid, parse_uuid};
use super::{FileRecord, FileStore, StoreResult};

const FILE_COLUMNS: &str = "id, room_id, uploader_id, name, mime, size, digest, thumb_digest, \
     width, height, claim_msg_id, created_ms, held_for";

fn file_from_row(row: &AnyRow) -> StoreResult<FileRecord> {
    let dimension = |column: &str| -> StoreResult<Option<u32>> {
        Ok(row
            .try_get::<Option<i64>, _>(column)?
            .map(|v| v.clamp(0, u32::MAX as i64) as u32))
    };
    Ok(FileRecord {
        id: parse_uuid(row.try_get("id")?)?,
        room: row.try_get("room_id")?,
        uploader: parse_uuid(row.try_get("uploader_id")?)?,
        name: row.try_get("name")?,
        mime: row.try_get("mime")?,
        size: row.try_get::<i64, _>("size")?.max(0) as u64,
        digest: row.try_get("digest")?,
        thumb_digest: row.try_get("thumb_digest")?,
        width: dimension("width")?,
        height: dimension("height")?,
        claim: optional_uuid(row.try_get("claim_msg_id")?)?,
        created_ms: row.try_get("created_ms")?,
        held: row.try_get::<Option<&str>, _>("held_for")?.is_some(),
    })
}

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait]
impl FileStore for SqlStore {
    async fn add_file(&self, file: &FileRecord, quota: u64) -> StoreResult<bool> {
        // One statement: the quota is checked against what is stored at
        // the moment of the insert.
        let inserted = sqlx::query(&format!(
            "INSERT INTO files ({FILE_COLUMNS}) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, NULL \
             WHERE (SELECT COALESCE(SUM(size), 0) FROM files WHERE uploader_id = $3 \
             AND held_for IS NULL) + $6 <= $12"
        ))
        .bind(file.id.to_string())
        .bind(&file.room)
        .bind(file.uploader.to_string())
        .bind(&file.name)
        .bind(&file.mime)
        .bind(file.size as i64)
        .bind(&file.digest)
        .bind(file.thumb_digest.as_deref())
        .bind(file.width.map(i64::from))
        .bind(file.height.map(i64::from))
        .bind(file.created_ms)
        .bind(quota.min(i64::MAX as u64) as i64)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    async fn file(&self, id: Uuid) -> StoreResult<Option<FileRecord>> {
        sqlx::query(&format!("SELECT {FILE_COLUMNS} FROM files WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(file_from_row)
            .transpose()
    }

    async fn bytes_used(&self, user: Uuid) -> StoreResult<u64> {
        let used: Option<i64> =
            // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back.
            sqlx::query_scalar("SELECT CAST(SUM(size) AS BIGINT) FROM files WHERE uploader_id = $1 AND held_for IS NULL")
                .bind(user.to_string())
                .fetch_one(&self.reader)
                .await?;
        Ok(used.unwrap_or(0).max(0) as u64)
    }

    async fn claim_files(
        &self,
        room: &str,
        uploader: Uuid,
        claim: Uuid,
        ids: &[Uuid],
    ) -> StoreResult<Option<Vec<FileRecord>>> {
        if ids.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let mut tx = self.writer.begin().await?;
        let sql = format!(
            "UPDATE files SET claim_msg_id = $1 WHERE room_id = $2 AND uploader_id = $3 \
             AND (claim_msg_id IS NULL OR claim_msg_id = $1) AND id IN ({}) \
             RETURNING {FILE_COLUMNS}",
            placeholders(4, ids.len())
        );
        let mut query = sqlx::query(&sql)
            .bind(claim.to_string())
            .bind(room)
            .bind(uploader.to_string());
        for id in ids {
            query = query.bind(id.to_string());
        }
        let rows = query.fetch_all(&mut *tx).await?;
        let mut claimed = rows
            .iter()
            .map(file_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        if claimed.len() != ids.len() {
            // One is not there, not the sender's, in another room or sent
            // with another message: nothing is claimed.
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        claimed.sort_by_key(|f| ids.iter().position(|id| *id == f.id));
        Ok(Some(claimed))
    }

    async fn stale_files(&self, before_ms: i64, limit: u32) -> StoreResult<Vec<FileRecord>> {
        // Never sent, or claimed by a send whose message was never stored.
        sqlx::query(&format!(
            "SELECT {FILE_COLUMNS} FROM files f WHERE f.created_ms < $1 AND \
             (f.claim_msg_id IS NULL OR NOT EXISTS (SELECT 1 FROM messages m \
              WHERE m.room_id = f.room_id AND m.author_id = f.uploader_id \
              AND m.client_msg_id = f.claim_msg_id)) LIMIT $2"
        ))
        .bind(before_ms)
        .bind(limit as i64)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(file_from_row)
        .collect()
    }

    async fn delete_files(&self, ids: &[Uuid]) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let which = format!("id IN ({})", placeholders(1, ids.len()));
        let mut tx = self.writer.begin().await?;
        let queue = queue_objects(&which, ids.len() + 1);
        let mut query = sqlx::query(&queue);
        for id in ids {
            query = query.bind(id.to_string());
        }
        query.bind(super::now_ms()).execute(&mut *tx).await?;
        let delete = format!("DELETE FROM files WHERE {which}");
        let mut query = sqlx::query(&delete);
        for id in ids {
            query = query.bind(id.to_string());
        }
        query.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn collect_objects(&self, limit: u32) -> StoreResult<Vec<String>> {
        // One statement: an object is taken off the queue only while no
        // file names it.
        Ok(sqlx::query_scalar(
            "DELETE FROM blob_gc WHERE digest IN (SELECT g.digest FROM blob_gc g \
             WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.digest = g.digest \
             OR f.thumb_digest = g.digest) LIMIT $1) RETURNING digest",
        )
        .bind(limit as i64)
        .fetch_all(&self.writer)
        .await?)
    }
}

/// Queues the objects of the files `which` (a condition on `files`) for
/// the sweeper; `$now` is the time.
pub(super) fn queue_objects(which: &str, now: usize) -> String {
    format!(
        "INSERT INTO blob_gc (digest, since_ms) SELECT d, ${now} FROM \
         (SELECT digest AS d FROM files WHERE {which} UNION \
          SELECT thumb_digest FROM files WHERE {which} AND thumb_digest IS NOT NULL) AS freed \
         WHERE true ON CONFLICT (digest) DO NOTHING"
    )
}
