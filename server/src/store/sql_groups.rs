//! User groups in SQL: [`GroupStore`] for `SqlStore`. A group's name and the
//! users' names share one namespace: each insert or rename checks the other
//! table in the same statement.

use std::collections::HashMap;

use async_trait::async_trait;
use protocol::{UserGroup, UserRef};
use sqlx::Row;
use uuid::Uuid;

use super::groups::{GroupChange, GroupStore};
use super::sql::{insert_error, SqlStore};
use super::sql_rows::{parse_uuid, readable};
use super::{now_ms, StoreError, StoreResult};

/// `$1, $2, …` from `first` on, one per item.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn set_members(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: Uuid,
    members: &[Uuid],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM user_group_members WHERE group_id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    for chunk in members.chunks(500) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${})", i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO user_group_members (group_id, user_id) VALUES {} \
             ON CONFLICT DO NOTHING",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(id.to_string());
        for member in chunk {
            query = query.bind(member.to_string());
        }
        query.execute(&mut **tx).await.map_err(insert_error)?;
    }
    Ok(())
}

/// Groups' rows (`g`) and their members, in the shape of the answer.
async fn load(store: &SqlStore, filter: &str, bind: Option<String>) -> StoreResult<Vec<UserGroup>> {
    let sql = format!(
        "SELECT g.id, g.name, g.description, g.created_by, c.name AS creator, \
           u.id AS member_id, u.name AS member_name \
         FROM user_groups g JOIN users c ON c.id = g.created_by \
         LEFT JOIN user_group_members gm ON gm.group_id = g.id \
         LEFT JOIN users u ON u.id = gm.user_id \
         {filter} ORDER BY lower(g.name), g.id, lower(u.name)"
    );
    let mut query = sqlx::query(&sql);
    if let Some(value) = bind {
        query = query.bind(value);
    }
    let rows = query.fetch_all(&store.reader).await?;
    let mut groups: Vec<UserGroup> = Vec::new();
    for row in &rows {
        let id = parse_uuid(row.try_get("id")?)?;
        if groups.last().is_none_or(|g| g.id != id) {
            groups.push(UserGroup {
                id,
                name: row.try_get("name")?,
                description: row.try_get("description")?,
                members: Vec::new(),
                created_by: UserRef {
                    id: parse_uuid(row.try_get("created_by")?)?,
                    name: row.try_get("creator")?,
                },
            });
        }
        if let Some(member) = row.try_get::<Option<String>, _>("member_id")? {
            let group = groups.last_mut().expect("pushed above");
            group.members.push(UserRef {
                id: parse_uuid(&member)?,
                name: row.try_get("member_name")?,
            });
        }
    }
    Ok(groups)
}

#[async_trait]
impl GroupStore for SqlStore {
    async fn create_group(
        &self,
        id: Uuid,
        created_by: Uuid,
        name: &str,
        description: &str,
        members: &[Uuid],
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(
            "INSERT INTO user_groups (id, name, description, created_by, created_ms) \
             SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS \
               (SELECT 1 FROM users WHERE lower(name) = lower($2))",
        )
        .bind(id.to_string())
        .bind(name)
        .bind(description)
        .bind(created_by.to_string())
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(insert_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        set_members(&mut tx, id, members).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_group(&self, id: Uuid, change: &GroupChange) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM user_groups WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        if let Some(name) = &change.name {
            let done = sqlx::query(
                "UPDATE user_groups SET name = $2 WHERE id = $1 AND NOT EXISTS \
                   (SELECT 1 FROM users WHERE lower(name) = lower($2))",
            )
            .bind(id.to_string())
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(insert_error)?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict);
            }
        }
        if let Some(description) = &change.description {
            sqlx::query("UPDATE user_groups SET description = $2 WHERE id = $1")
                .bind(id.to_string())
                .bind(description)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(members) = &change.members {
            set_members(&mut tx, id, members).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn delete_group(&self, id: Uuid) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM user_group_members WHERE group_id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM user_groups WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn group(&self, id: Uuid) -> StoreResult<Option<UserGroup>> {
        let mut found = load(self, "WHERE g.id = $1", Some(id.to_string())).await?;
        Ok(found.pop())
    }

    async fn groups(&self, limit: u32) -> StoreResult<Vec<UserGroup>> {
        let mut groups = load(self, "", None).await?;
        groups.truncate(limit as usize);
        Ok(groups)
    }

    async fn users_named(&self, keys: &[String]) -> StoreResult<Vec<UserRef>> {
        let mut found: HashMap<Uuid, UserRef> = HashMap::new();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT id, name FROM users WHERE disabled = 0 AND \
                 (id IN ({list}) OR lower(name) IN ({list}))",
                list = placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for key in chunk {
                query = query.bind(key.to_ascii_lowercase());
            }
            for row in query.fetch_all(&self.reader).await? {
                let id = parse_uuid(row.try_get("id")?)?;
                found.insert(
                    id,
                    UserRef {
                        id,
                        name: row.try_get("name")?,
                    },
                );
            }
        }
        Ok(found.into_values().collect())
    }

    async fn group_readers(&self, room: &str, names: &[String]) -> StoreResult<Vec<Uuid>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT DISTINCT u.id FROM user_groups g \
             JOIN user_group_members gm ON gm.group_id = g.id \
             JOIN users u ON u.id = gm.user_id AND u.disabled = 0 \
             JOIN rooms r ON r.id = $1 \
             WHERE lower(g.name) IN ({}) AND {}",
            placeholders(2, names.len()),
            readable("r", "u.id")
        );
        let mut query = sqlx::query(&sql).bind(room);
        for name in names {
            query = query.bind(name);
        }
        query
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| parse_uuid(row.try_get("id")?))
            .collect()
    }
}
