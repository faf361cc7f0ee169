//! The embedded store: one SQLite file in WAL mode.
//!
//! SQLite allows one writer at a time, so writes go through a pool of exactly one
//! connection (they queue in the pool instead of spinning on `SQLITE_BUSY`), and
//! reads use read-only connections that WAL lets run beside the writer. The
//! queries themselves are shared with PostgreSQL (`sql.rs`).

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::Executor;

use super::sql::{Backend, SqlStore};
use super::{NewEntry, StoreError, StoreResult};

/// Every connection's settings. A deleted message's body is overwritten in the
/// file, not only unlinked (`secure_delete`; see `scrub_deleted`).
const PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
     PRAGMA secure_delete = ON;";

/// `synchronous = FULL` by default: every commit reaches the disk before it
/// returns, so an `ack` survives a power loss, not only a process kill (in WAL
/// mode `NORMAL` may lose the last commits on power loss). It costs a sync per
/// commit (3.5 ms here for one message, 8 ms for a group commit of 64:
/// `cargo bench -p server -- "sqlite commit"`), which group commit spreads
/// over every send waiting for the room. `?synchronous=normal` in the URL
/// trades that guarantee for speed (`make bench` measures both).
fn synchronous(url: &str) -> (String, &'static str) {
    let Some((path, query)) = url.split_once('?') else {
        return (url.to_string(), "FULL");
    };
    let mut level = "FULL";
    let rest: Vec<&str> = query
        .split('&')
        .filter(|param| match param.to_ascii_lowercase().as_str() {
            "synchronous=normal" => {
                level = "NORMAL";
                false
            }
            "synchronous=full" => false,
            _ => true,
        })
        .collect();
    if rest.is_empty() {
        (path.to_string(), level)
    } else {
        (format!("{path}?{}", rest.join("&")), level)
    }
}

async fn configure(conn: &mut AnyConnection, level: &'static str) -> Result<(), sqlx::Error> {
    conn.execute(PRAGMAS).await?;
    conn.execute(format!("PRAGMA synchronous = {level}").as_str())
        .await?;
    Ok(())
}

/// `url` with the open mode SQLite should use (`rwc`: create if missing).
fn with_mode(url: &str, mode: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}mode={mode}")
}

impl SqlStore {
    /// Opens (creating if needed) the database at `url` and runs the migrations.
    pub(super) async fn open_sqlite(url: &str) -> StoreResult<SqlStore> {
        let (url, level) = synchronous(url);
        let url = url.as_str();
        let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(e.into()))?;
            }
        }
        let writer = AnyPoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .after_connect(move |conn, _| Box::pin(configure(conn, level)))
            .connect(&with_mode(url, "rwc"))
            .await?;
        // Persistent: set once, on the writer, before any reader opens.
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&writer)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = AnyPoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| Box::pin(configure(conn, level)))
            .connect(&with_mode(url, "ro"))
            .await?;
        Ok(SqlStore {
            writer,
            reader,
            backend: Backend::Sqlite,
        })
    }

    /// After a committed batch that deleted a message: scrub its body from the
    /// write-ahead log too. With `secure_delete` a deleted body is zeroed in the
    /// pages that held it, but earlier copies of those pages stay in the log
    /// until it is reused; a checkpoint that truncates the log removes them.
    pub(super) async fn scrub_deleted(&self, batch: &[NewEntry]) {
        if !batch.iter().any(|e| matches!(e, NewEntry::Delete { .. })) {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.writer)
            .await
        {
            tracing::warn!(error = %e, "checkpoint after a deletion failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::synchronous;

    #[test]
    fn synchronous_is_full_unless_the_url_says_normal() {
        assert_eq!(synchronous("sqlite:a.db"), ("sqlite:a.db".into(), "FULL"));
        assert_eq!(
            synchronous("sqlite:a.db?synchronous=normal"),
            ("sqlite:a.db".into(), "NORMAL")
        );
        assert_eq!(
            synchronous("sqlite:a.db?cache=shared&synchronous=NORMAL"),
            ("sqlite:a.db?cache=shared".into(), "NORMAL")
        );
    }
}
