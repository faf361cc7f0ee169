//! The SQL behind both stores: [`SqlStore`] implements each area's trait
//! over sqlx's `Any` driver, for SQLite and PostgreSQL alike, beside that
//! area's SQL: accounts in `sql_accounts`, rooms and members in `sql_rooms`,
//! each member's read state in `sql_read_state`, the room log in `sql_log`
//! (appending), `sql_log_changes` (one function per kind of change) and
//! `sql_log_reads`, search in `sql_search`, files in `sql_files`, tokens in
//! `sql_tokens`, webhooks in `sql_webhooks`, identities in `sql_identities`;
//! reading rows in `sql_rows`. The two databases accept the same text here
//! (`$N` parameters, `ON CONFLICT`, `UPDATE … RETURNING`); where they differ —
//! how they connect, PostgreSQL's one-statement append and its snapshot
//! reads, SQLite's scrubbing after a deletion — `sqlite.rs` and
//! `postgres.rs` say so, chosen by [`Backend`].

use async_trait::async_trait;
use sqlx::AnyPool;

use super::sql_log::Tx;
use super::{NewEntry, Outcome, Store, StoreError, StoreResult};

/// Which database a [`SqlStore`] speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store of record on SQLite or PostgreSQL.
pub struct SqlStore {
    /// Writes: one connection on SQLite (its writers queue here instead of
    /// spinning on `SQLITE_BUSY`), the shared pool on PostgreSQL.
    pub(super) writer: AnyPool,
    /// Reads: read-only connections beside the writer on SQLite (WAL), the
    /// same pool on PostgreSQL.
    pub(super) reader: AnyPool,
    pub(super) backend: Backend,
}

impl SqlStore {
    /// Opens the database a URL names (`sqlite:…` or `postgres://…`), creating
    /// (SQLite) and migrating it.
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            Self::open_sqlite(url).await
        } else {
            Self::open_postgres(url).await
        }
    }

    /// The fast path of `append_batch`: assume nothing in the batch was
    /// stored before; `None` if something was.
    pub(super) async fn append_unchecked(
        &self,
        room: &str,
        batch: &[NewEntry],
    ) -> StoreResult<Option<Vec<Outcome>>> {
        match self.backend {
            Backend::Postgres => self.append_in_one_statement(room, batch).await,
            Backend::Sqlite => self.append_in_tx(room, batch, false).await,
        }
    }

    /// After a batch is committed.
    pub(super) async fn after_commit(&self, batch: &[NewEntry]) {
        if self.backend == Backend::Sqlite {
            self.scrub_deleted(batch).await;
        }
    }

    /// A read transaction that sees one state of the database throughout.
    pub(super) async fn read_snapshot(&self) -> StoreResult<Tx> {
        let mut tx = self.reader.begin().await?;
        if self.backend == Backend::Postgres {
            // Its default isolation takes a new snapshot per statement; in
            // WAL mode SQLite's read transaction sees one already.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }
}

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// An insert's failure as the store reports it: a taken key is
/// [`StoreError::Conflict`], a row it names that is gone
/// [`StoreError::NotFound`].
pub(super) fn insert_error(e: sqlx::Error) -> StoreError {
    match &e {
        e if is_unique_violation(e) => StoreError::Conflict,
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => e.into(),
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
