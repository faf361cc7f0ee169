//! The embedded store: one SQLite file in WAL mode.
//!
//! SQLite allows one writer at a time, so writes go through a pool of exactly one
//! connection (they queue in the pool instead of spinning on `SQLITE_BUSY`), and reads
//! use a separate pool that WAL lets run beside the writer. The queries themselves
//! are shared with PostgreSQL (`sql.rs`).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and runs the migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // A deleted message's body is overwritten in the file, not only
            // unlinked (see `scrub_deleted`).
            .pragma("secure_delete", "ON")
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(e.into()))?;
            }
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore { writer, reader })
    }
}

super::sql::sql_store!(SqliteStore, sqlx::sqlite::SqliteRow);

impl SqliteStore {
    /// The fast path of `append_batch`: one transaction, assuming no resends.
    async fn append_unchecked(
        &self,
        room: &str,
        batch: &[super::NewEntry],
    ) -> Result<Option<Vec<super::Outcome>>, StoreError> {
        self.append_in_tx(room, batch, false).await
    }

    /// After a batch is committed: if it deleted a message, scrub the body
    /// from the write-ahead log too. With `secure_delete`, a deleted body is
    /// zeroed in the pages that held it, but earlier copies of those pages
    /// stay in the log until it is reused; a checkpoint that truncates the log
    /// removes them.
    async fn after_commit(&self, batch: &[super::NewEntry]) {
        if !batch
            .iter()
            .any(|e| matches!(e, super::NewEntry::Delete { .. }))
        {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.writer)
            .await
        {
            tracing::warn!(error = %e, "checkpoint after a deletion failed");
        }
    }

    /// A read transaction: in WAL mode it sees one state of the database
    /// from its first read to its end.
    async fn read_snapshot(&self) -> Result<Tx, StoreError> {
        Ok(self.reader.begin().await?)
    }
}
