//! The audit log, settings and invite links in SQL: [`AdminStore`] for
//! `SqlStore`.

use async_trait::async_trait;
use protocol::{AuditEntry, InviteInfo, UserRef};
use sqlx::Row;
use uuid::Uuid;

use super::admin::{AdminStore, AuditQuery, NewAudit, NewInvite};
use super::sql::SqlStore;
use super::sql_rows::parse_uuid;
use super::{ms_to_time, now_ms, StoreResult};

#[async_trait]
impl AdminStore for SqlStore {
    async fn append_audit(&self, entry: NewAudit<'_>) -> StoreResult<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit (ts_ms, actor_id, actor_name, action, target, detail) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(now_ms())
        .bind(entry.actor.map(|a| a.id.to_string()))
        .bind(entry.actor.map(|a| a.name.clone()))
        .bind(entry.action)
        .bind(entry.target)
        .bind(&entry.detail)
        .fetch_one(&self.writer)
        .await?;
        Ok(id)
    }

    async fn audit(&self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>> {
        // Each filter adds its condition and its parameter, in order.
        let mut conditions: Vec<String> = Vec::new();
        let mut texts: Vec<(usize, String)> = Vec::new();
        let mut numbers: Vec<(usize, i64)> = Vec::new();
        let mut next = 1;
        let mut number = |condition: &str, value: i64, conditions: &mut Vec<String>| {
            conditions.push(condition.replace('?', &format!("${next}")));
            numbers.push((next, value));
            next += 1;
        };
        if let Some(before) = query.before {
            number("id < ?", before, &mut conditions);
        }
        if let Some(from) = query.from_ms {
            number("ts_ms >= ?", from, &mut conditions);
        }
        if let Some(to) = query.to_ms {
            number("ts_ms < ?", to, &mut conditions);
        }
        if let Some(actor) = query.actor {
            conditions.push(format!("actor_id = ${next}"));
            texts.push((next, actor.to_string()));
            next += 1;
        }
        if let Some(action) = &query.action {
            // A prefix: "user." finds every user action. Actions are
            // [a-z_.] only, so nothing in one is a LIKE wildcard but '_',
            // escaped here.
            conditions.push(format!("action LIKE ${next} ESCAPE '\\'"));
            texts.push((next, format!("{}%", action.replace('_', "\\_"))));
            next += 1;
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT id, ts_ms, actor_id, actor_name, action, target, detail FROM audit \
             {filter} ORDER BY id DESC LIMIT ${next}"
        );
        let mut params: Vec<(usize, Result<i64, String>)> = numbers
            .into_iter()
            .map(|(i, n)| (i, Ok(n)))
            .chain(texts.into_iter().map(|(i, t)| (i, Err(t))))
            .collect();
        params.sort_by_key(|(i, _)| *i);
        let mut select = sqlx::query(&sql);
        for (_, param) in params {
            select = match param {
                Ok(n) => select.bind(n),
                Err(t) => select.bind(t),
            };
        }
        let rows = select
            .bind(i64::from(query.limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|row| {
                let actor = match row.try_get::<Option<&str>, _>("actor_id")? {
                    Some(id) => Some(UserRef {
                        id: parse_uuid(id)?,
                        name: row
                            .try_get::<Option<String>, _>("actor_name")?
                            .unwrap_or_default(),
                    }),
                    None => None,
                };
                let detail: &str = row.try_get("detail")?;
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    ts: ms_to_time(row.try_get("ts_ms")?),
                    actor,
                    action: row.try_get("action")?,
                    target: row.try_get("target")?,
                    detail: serde_json::from_str(detail).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect()
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.reader)
                .await?,
        )
    }

    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn claim_first_account(&self, user: Uuid) -> StoreResult<bool> {
        // The key is unique: of two accounts racing, one row goes in.
        let done = sqlx::query(
            "INSERT INTO settings (key, value) SELECT 'first_account', $1 \
             WHERE NOT EXISTS (SELECT 1 FROM users WHERE id <> $1) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(user.to_string())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_invite(&self, invite: NewInvite<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO invites (code, created_by, created_ms, expires_ms, max_uses, uses, account) \
             VALUES ($1, $2, $3, $4, $5, 0, $6)",
        )
        .bind(invite.code)
        .bind(invite.by.to_string())
        .bind(now_ms())
        .bind(invite.expires_ms)
        .bind(i64::from(invite.max_uses))
        .bind(invite.account.map(|a| a.to_string()))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn claim_invite(&self, code: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE invites SET uses = uses + 1, used_ms = $2 \
             WHERE code = $1 AND uses < max_uses AND revoked_ms IS NULL \
               AND (expires_ms IS NULL OR expires_ms > $2)",
        )
        .bind(code)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_invite(&self, code: &str) -> StoreResult<()> {
        sqlx::query("UPDATE invites SET uses = uses - 1 WHERE code = $1 AND uses > 0")
            .bind(code)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn revoke_invite(&self, code: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE invites SET revoked_ms = $2 WHERE code = $1 AND revoked_ms IS NULL",
        )
        .bind(code)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn invites(&self, limit: u32) -> StoreResult<Vec<InviteInfo>> {
        let rows = sqlx::query(
            "SELECT i.code, i.created_ms, i.expires_ms, i.max_uses, i.uses, i.revoked_ms, \
             u.id, u.name FROM invites i JOIN users u ON u.id = i.created_by \
             ORDER BY i.created_ms DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(InviteInfo {
                    code: row.try_get("code")?,
                    url: String::new(),
                    created_by: UserRef {
                        id: parse_uuid(row.try_get("id")?)?,
                        name: row.try_get("name")?,
                    },
                    created_ts: ms_to_time(row.try_get("created_ms")?),
                    expires_ts: row.try_get::<Option<i64>, _>("expires_ms")?.map(ms_to_time),
                    max_uses: row.try_get::<i64, _>("max_uses")?.clamp(0, u32::MAX as i64) as u32,
                    uses: row.try_get::<i64, _>("uses")?.clamp(0, u32::MAX as i64) as u32,
                    revoked: row.try_get::<Option<i64>, _>("revoked_ms")?.is_some(),
                })
            })
            .collect()
    }
}
