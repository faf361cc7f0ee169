//! [`ImportStore`] in SQL, for SQLite and PostgreSQL alike.

use async_trait::async_trait;
use protocol::{ImportJob, ImportMapping, ImportState, ImportedPerson, ImportedRoom, UserRef};
use sqlx::Row;
use uuid::Uuid;

use super::sql_rows::parse_uuid;
use super::{ms_to_time, now_ms, time_to_ms, ImportStore, SqlStore, StoreResult};

fn state_str(state: ImportState) -> &'static str {
    match state {
        ImportState::Running => "running",
        ImportState::Done => "done",
        ImportState::Failed => "failed",
    }
}

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

    async fn put_import_job(&self, job: &ImportJob, by: Option<Uuid>) -> StoreResult<()> {
        let report = job.report.as_ref().map(|r| r.to_string());
        sqlx::query(
            "INSERT INTO import_jobs (id, source, started_by, state, done, total, current, \
             report, error, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (id) DO UPDATE SET state = $4, done = $5, total = $6, current = $7, \
             report = $8, error = $9, updated_ms = $11",
        )
        .bind(job.id.to_string())
        .bind(&job.source)
        .bind(by.map(|u| u.to_string()))
        .bind(state_str(job.state))
        .bind(i64::from(job.done))
        .bind(i64::from(job.total))
        .bind(&job.current)
        .bind(report)
        .bind(job.error.as_deref())
        .bind(time_to_ms(job.started_ts))
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn invite_account(&self, code: &str) -> StoreResult<Option<Uuid>> {
        let row = sqlx::query("SELECT account FROM invites WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.reader)
            .await?;
        let account: Option<String> = match row {
            Some(row) => row.try_get("account")?,
            None => None,
        };
        account.as_deref().map(parse_uuid).transpose()
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        if self.backend == super::Backend::Postgres {
            sqlx::query(
                "ANALYZE messages, room_events, reactions, thread_follows, files, memberships",
            )
            .execute(&self.writer)
            .await?;
        }
        Ok(())
    }

    async fn import_mapping(&self, source: &str) -> StoreResult<ImportMapping> {
        let people = sqlx::query(
            "SELECT i.source_id, u.id, u.name, u.disabled, \
             CASE WHEN u.password_hash <> $2 OR EXISTS (SELECT 1 FROM identities d \
               WHERE d.user_id = u.id) THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS claimed \
             FROM import_ids i JOIN users u ON u.id = i.target \
             WHERE i.source = $1 AND i.kind = 'user' ORDER BY u.name",
        )
        .bind(source)
        .bind(super::NO_PASSWORD)
        .fetch_all(&self.reader)
        .await?;
        let rooms = sqlx::query(
            "SELECT i.source_id, r.id, r.name, r.kind FROM import_ids i \
             JOIN rooms r ON r.id = i.target \
             WHERE i.source = $1 AND i.kind = 'room' ORDER BY r.name, r.id",
        )
        .bind(source)
        .fetch_all(&self.reader)
        .await?;
        let flag = |row: &sqlx::any::AnyRow, column: &str| -> StoreResult<bool> {
            Ok(row.try_get::<i64, _>(column)? != 0)
        };
        Ok(ImportMapping {
            source: source.to_string(),
            people: people
                .iter()
                .map(|row| {
                    Ok(ImportedPerson {
                        source_id: row.try_get("source_id")?,
                        user: UserRef {
                            id: parse_uuid(row.try_get("id")?)?,
                            name: row.try_get("name")?,
                        },
                        claimed: flag(row, "claimed")?,
                        disabled: flag(row, "disabled")?,
                    })
                })
                .collect::<StoreResult<_>>()?,
            rooms: rooms
                .iter()
                .map(|row| {
                    Ok(ImportedRoom {
                        source_id: row.try_get("source_id")?,
                        room: row.try_get("id")?,
                        name: row.try_get("name")?,
                        kind: super::sql_rows::kind_from_str(row.try_get("kind")?)?,
                    })
                })
                .collect::<StoreResult<_>>()?,
        })
    }

    async fn claimable_by_email(&self, email: &str) -> StoreResult<Option<Uuid>> {
        let found: Vec<String> = sqlx::query_scalar(
            "SELECT u.id FROM users u WHERE lower(u.email) = lower($1) AND u.password_hash = $2 \
             AND u.disabled = 0 AND u.bot_owner IS NULL \
             AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id) LIMIT 2",
        )
        .bind(email.trim())
        .bind(super::NO_PASSWORD)
        .fetch_all(&self.reader)
        .await?;
        match found.as_slice() {
            [one] => Ok(Some(parse_uuid(one)?)),
            _ => Ok(None),
        }
    }

    async fn claim_account(&self, user: Uuid, password_hash: &str) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3")
                .bind(user.to_string())
                .bind(password_hash)
                .bind(super::NO_PASSWORD)
                .execute(&self.writer)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn import_job(&self, id: Uuid) -> StoreResult<Option<ImportJob>> {
        let Some(row) = sqlx::query(
            "SELECT id, source, state, done, total, current, report, error, created_ms \
             FROM import_jobs WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let state = match row.try_get::<&str, _>("state")? {
            "done" => ImportState::Done,
            "failed" => ImportState::Failed,
            _ => ImportState::Running,
        };
        let report: Option<String> = row.try_get("report")?;
        Ok(Some(ImportJob {
            id: parse_uuid(row.try_get("id")?)?,
            source: row.try_get("source")?,
            state,
            done: row.try_get::<i64, _>("done")?.max(0) as u32,
            total: row.try_get::<i64, _>("total")?.max(0) as u32,
            current: row.try_get("current")?,
            report: report.and_then(|r| serde_json::from_str(&r).ok()),
            error: row.try_get("error")?,
            started_ts: ms_to_time(row.try_get("created_ms")?),
        }))
    }
}
