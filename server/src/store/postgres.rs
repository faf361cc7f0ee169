//! The PostgreSQL store, for several instances sharing one store of record.
//!
//! The queries are shared with SQLite (`sql.rs`). Here the row lock that
//! `UPDATE rooms SET last_seq = last_seq + 1` takes serializes a room's writers
//! across every instance, so `seq` stays gap-free under concurrent senders.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

pub struct PgStore {
    writer: PgPool,
    /// The same pool: PostgreSQL needs no separate readers.
    reader: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` and runs the migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore {
            writer: pool.clone(),
            reader: pool,
        })
    }
}

super::sql::sql_store!(PgStore, sqlx::postgres::PgRow);
