//! People in SQL: profiles on the `users` row, avatar thumbnails in
//! `avatars`, the directory as index ranges over the name keys (migration
//! 0015): [`PeopleStore`] for `SqlStore`.

use async_trait::async_trait;
use protocol::{search_key, Profile, ProfileUpdate, Status};
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::sql::SqlStore;
use super::sql_rows::parse_uuid;
use super::{ms_to_time, now_ms, NewAvatar, PeopleStore, StoreResult};

/// The columns [`profile_from_row`] reads.
const PROFILE_SELECT: &str = "SELECT id, name, display_name, title, timezone, status_text, \
     status_emoji, status_until_ms, avatar_large, avatar_small, bot_owner, disabled, is_admin FROM users ";

/// Past every character a key can continue with: `key..key+MAX` is a prefix range.
const PAST_ANY: char = '\u{10FFFF}';

/// Where thumbnail `digest` is served.
pub fn avatar_url(digest: &str) -> String {
    format!("/api/avatars/{digest}")
}

fn profile_from_row(row: &AnyRow, now: i64) -> StoreResult<Profile> {
    let until: Option<i64> = row.try_get("status_until_ms")?;
    let text: Option<String> = row.try_get("status_text")?;
    let emoji: Option<String> = row.try_get("status_emoji")?;
    let status = match until {
        Some(until) if until <= now => None,
        _ if text.is_none() && emoji.is_none() => None,
        _ => Some(Status {
            text: text.unwrap_or_default(),
            emoji,
            until: until.map(ms_to_time),
        }),
    };
    let large: Option<String> = row.try_get("avatar_large")?;
    let small: Option<String> = row.try_get("avatar_small")?;
    Ok(Profile {
        id: parse_uuid(row.try_get("id")?)?,
        name: row.try_get("name")?,
        display_name: row.try_get("display_name")?,
        title: row.try_get("title")?,
        timezone: row.try_get("timezone")?,
        status,
        avatar_url: large.as_deref().map(avatar_url),
        avatar_small_url: small.as_deref().map(avatar_url),
        bot: row.try_get::<Option<String>, _>("bot_owner")?.is_some(),
        deactivated: row.try_get::<i64, _>("disabled")? != 0,
        admin: row.try_get::<i64, _>("is_admin")? != 0,
    })
}

/// Commits a change to user `id`'s profile, answering the profile as the
/// change left it (`None`: no such user).
async fn commit_and_read(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
) -> StoreResult<Option<Profile>> {
    let row = sqlx::query(&format!("{PROFILE_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    row.map(|row| profile_from_row(&row, now_ms())).transpose()
}

/// `$from, $from+1, …` for `n` values.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A cleared text (`null` or only spaces) is stored as NULL.
fn text_of(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

#[async_trait]
impl PeopleStore for SqlStore {
    async fn profile(&self, user: Uuid) -> StoreResult<Option<Profile>> {
        let now = now_ms();
        sqlx::query(&format!("{PROFILE_SELECT} WHERE id = $1"))
            .bind(user.to_string())
            .fetch_optional(&self.reader)
            .await?
            .map(|row| profile_from_row(&row, now))
            .transpose()
    }

    async fn profiles(&self, users: &[Uuid]) -> StoreResult<Vec<Profile>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let sql = format!(
            "{PROFILE_SELECT} WHERE id IN ({})",
            placeholders(1, users.len())
        );
        let mut query = sqlx::query(&sql);
        for user in users {
            query = query.bind(user.to_string());
        }
        let rows = query.fetch_all(&self.reader).await?;
        rows.iter().map(|row| profile_from_row(row, now)).collect()
    }

    async fn update_profile(
        &self,
        user: Uuid,
        update: &ProfileUpdate,
    ) -> StoreResult<Option<Profile>> {
        let mut tx = self.writer.begin().await?;
        let id = user.to_string();
        if let Some(display) = &update.display_name {
            let display = text_of(display);
            sqlx::query("UPDATE users SET display_name = $2, display_key = $3 WHERE id = $1")
                .bind(&id)
                .bind(display.clone())
                .bind(display.as_deref().map(search_key))
                .execute(&mut *tx)
                .await?;
        }
        // Plain texts: the column names are these constants.
        for (column, value) in [("title", &update.title), ("timezone", &update.timezone)] {
            if let Some(value) = value {
                sqlx::query(&format!("UPDATE users SET {column} = $2 WHERE id = $1"))
                    .bind(&id)
                    .bind(text_of(value))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if let Some(status) = &update.status {
            let status = status
                .as_ref()
                .filter(|s| !s.text.trim().is_empty() || s.emoji.is_some());
            let until = status
                .and_then(|s| s.until)
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64);
            sqlx::query(
                "UPDATE users SET status_text = $2, status_emoji = $3, status_until_ms = $4 \
                 WHERE id = $1",
            )
            .bind(&id)
            .bind(status.and_then(|s| text_of(&Some(s.text.clone()))))
            .bind(status.and_then(|s| s.emoji.clone()))
            .bind(until)
            .execute(&mut *tx)
            .await?;
        }
        commit_and_read(tx, &id).await
    }

    async fn set_avatar(&self, user: Uuid, avatar: &NewAvatar) -> StoreResult<Option<Profile>> {
        let mut tx = self.writer.begin().await?;
        let id = user.to_string();
        sqlx::query("DELETE FROM avatars WHERE user_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        for (digest, bytes) in [&avatar.large, &avatar.small] {
            // A picture of at most the small side has one thumbnail twice.
            sqlx::query(
                "INSERT INTO avatars (digest, user_id, bytes) VALUES ($1, $2, $3) \
                 ON CONFLICT (digest, user_id) DO NOTHING",
            )
            .bind(digest)
            .bind(&id)
            .bind(bytes.clone())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE users SET avatar_large = $2, avatar_small = $3 WHERE id = $1")
            .bind(&id)
            .bind(&avatar.large.0)
            .bind(&avatar.small.0)
            .execute(&mut *tx)
            .await?;
        commit_and_read(tx, &id).await
    }

    async fn clear_avatar(&self, user: Uuid) -> StoreResult<Option<Profile>> {
        let mut tx = self.writer.begin().await?;
        let id = user.to_string();
        sqlx::query("DELETE FROM avatars WHERE user_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET avatar_large = NULL, avatar_small = NULL WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        commit_and_read(tx, &id).await
    }

    async fn avatar(&self, digest: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(
            sqlx::query("SELECT bytes FROM avatars WHERE digest = $1 LIMIT 1")
                .bind(digest)
                .fetch_optional(&self.reader)
                .await?
                .map(|row| row.try_get::<Vec<u8>, _>("bytes"))
                .transpose()?,
        )
    }

    async fn find_people(
        &self,
        key: &str,
        limit: u32,
        deactivated: bool,
    ) -> StoreResult<Vec<Profile>> {
        let end = format!("{key}{PAST_ANY}");
        let shown = "($3 = 1 OR disabled = 0)";
        // Every name matches an empty key: one range of the name index,
        // already in order. Otherwise the first `limit` of each index's
        // range (a short prefix matches thousands: none is sorted), merged
        // by username.
        let matches = if key.is_empty() {
            format!("name_key >= $1 AND name_key < $2 AND {shown}")
        } else {
            format!(
                "id IN (SELECT id FROM (SELECT id FROM users WHERE name_key >= $1 \
                 AND name_key < $2 AND {shown} ORDER BY name_key LIMIT $4) AS by_name \
                 UNION SELECT id FROM (SELECT id FROM users WHERE display_key >= $1 \
                 AND display_key < $2 AND {shown} ORDER BY display_key LIMIT $4) AS by_display)"
            )
        };
        let sql = format!("{PROFILE_SELECT} WHERE {matches} ORDER BY name_key LIMIT $4");
        let now = now_ms();
        let rows = sqlx::query(&sql)
            .bind(key)
            .bind(end)
            .bind(deactivated as i64)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(|row| profile_from_row(row, now)).collect()
    }
}
