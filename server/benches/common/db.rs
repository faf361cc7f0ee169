//! A database for one benchmark run: a SQLite file in a temporary
//! directory, or a fresh PostgreSQL database (dropped afterwards).

use sqlx::Connection;

pub enum Db {
    Sqlite { dir: tempfile::TempDir },
    Postgres { admin: String, name: String },
}

impl Db {
    pub fn sqlite() -> Db {
        Db::Sqlite {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn url(&self) -> String {
        match self {
            Db::Sqlite { dir } => format!(
                "sqlite:{}?synchronous=normal",
                dir.path().join("bench.db").display()
            ),
            Db::Postgres { admin, name } => {
                format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
            }
        }
    }

    /// The URL without the store's connection options (for sqlx directly).
    pub fn plain_url(&self) -> String {
        self.url().replace("?synchronous=normal", "")
    }

    pub async fn fresh_postgres(admin: &str, name: &str) -> Db {
        let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        Db::Postgres {
            admin: admin.to_string(),
            name: name.to_string(),
        }
    }

    /// Gathers the planner's statistics, as autovacuum would have by now.
    pub async fn analyze(&self) {
        let mut conn = sqlx::AnyConnection::connect(&self.plain_url())
            .await
            .unwrap();
        sqlx::query("ANALYZE").execute(&mut conn).await.unwrap();
    }

    pub async fn dispose(self) {
        if let Db::Postgres { admin, name } = self {
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    }
}

/// The PostgreSQL server benchmarks create their databases on.
pub fn postgres_admin() -> String {
    std::env::var("CONFAB_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}
