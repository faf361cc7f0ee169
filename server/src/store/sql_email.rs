//! E-mail digests in SQL ([`EmailStore`] for `SqlStore`). A claim is one
//! `UPDATE` of every row of the users picked, whose conditions are checked
//! again on the rows it updates, so two instances never mail one user at
//! once.

use async_trait::async_trait;
use protocol::{EmailSettings, Seq};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::email::{EmailStore, EmailTarget, Missed};
use super::sql::SqlStore;
use super::sql_attention::{bind_ids, member_notice};
use super::sql_rows::{kind_from_str, optional_uuid, parse_uuid};
use super::StoreResult;

/// Tries before a mail that cannot be sent is given up.
const TRIES: i64 = 5;
/// Most ids bound into one target query; past it every member is read.
const MAX_NAMED: usize = 500;

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// `$first, $first+1, …` for `n` values.
pub(super) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait]
impl EmailStore for SqlStore {
    async fn email_settings(&self, user: Uuid) -> StoreResult<EmailSettings> {
        let row = sqlx::query("SELECT email, email_delay_secs, email_on FROM users WHERE id = $1")
            .bind(user.to_string())
            .fetch_optional(&self.writer)
            .await?;
        let Some(row) = row else {
            return Ok(EmailSettings::default());
        };
        Ok(EmailSettings {
            email: row.try_get("email")?,
            delay_secs: row
                .try_get::<i64, _>("email_delay_secs")?
                .clamp(0, u32::MAX as i64) as u32,
            on: row.try_get::<i64, _>("email_on")? != 0,
        })
    }

    async fn set_email_settings(&self, user: Uuid, settings: &EmailSettings) -> StoreResult<()> {
        sqlx::query(
            "UPDATE users SET email = $2, email_delay_secs = $3, email_on = $4 WHERE id = $1",
        )
        .bind(user.to_string())
        .bind(&settings.email)
        .bind(i64::from(settings.delay_secs))
        .bind(i64::from(settings.on))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn email_targets(
        &self,
        room: &str,
        author: Uuid,
        named: &[Uuid],
        everyone: bool,
    ) -> StoreResult<Vec<EmailTarget>> {
        let narrow = !everyone && named.len() <= MAX_NAMED;
        let filter = match (narrow, named.is_empty()) {
            (false, _) => String::new(),
            (true, true) => " AND r.kind = 'direct'".to_string(),
            (true, false) => format!(
                " AND (r.kind = 'direct' OR m.user_id IN ({}))",
                placeholders(3, named.len())
            ),
        };
        let sql = format!(
            "SELECT m.user_id, m.notify_level, m.muted, r.kind, u.email_delay_secs, \
               u.dnd_until_ms, u.dnd_start, u.dnd_end, u.timezone \
             FROM memberships m JOIN rooms r ON r.id = m.room_id JOIN users u ON u.id = m.user_id \
             WHERE m.room_id = $1 AND m.user_id <> $2 AND u.disabled = 0 \
               AND u.email IS NOT NULL AND u.email_on = 1{filter}"
        );
        let query = sqlx::query(&sql).bind(room).bind(author.to_string());
        bind_ids(query, if narrow { named } else { &[] })
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| {
                let notice = member_notice(row)?;
                Ok(EmailTarget {
                    user: parse_uuid(row.try_get("user_id")?)?,
                    delay_secs: row.try_get::<i64, _>("email_delay_secs")?.max(0) as u32,
                    level: notice.level,
                    muted: notice.muted,
                    dnd: notice.dnd,
                    kind: notice.kind,
                })
            })
            .collect()
    }

    async fn hold_missed(&self, missed: &[(Uuid, String, Seq, OffsetDateTime)]) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        for (user, room, seq, due) in missed {
            sqlx::query(
                "INSERT INTO email_pending (user_id, room_id, seq, due_ms) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, room_id, seq) DO NOTHING",
            )
            .bind(user.to_string())
            .bind(room)
            .bind(*seq as i64)
            .bind(ms(*due))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn claim_missed(
        &self,
        node: Uuid,
        now: OffsetDateTime,
        until: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<Missed>> {
        let free = "(claimed_until_ms IS NULL OR claimed_until_ms < $3)";
        sqlx::query(&format!(
            "UPDATE email_pending SET claimed_by = $1, claimed_until_ms = $2 \
             WHERE user_id IN (SELECT DISTINCT user_id FROM email_pending \
                               WHERE due_ms <= $3 AND {free} LIMIT $4) AND {free}"
        ))
        .bind(node.to_string())
        .bind(ms(until))
        .bind(ms(now))
        .bind(i64::from(limit))
        .execute(&self.writer)
        .await?;
        sqlx::query(
            "SELECT p.user_id, p.room_id, p.seq, u.email, u.email_on, r.name AS room_name, r.kind, \
               m.last_read_seq, m.muted, x.id AS message_id, x.body, x.thread_id, x.deleted_ms, \
               a.name AS author_name \
             FROM email_pending p JOIN users u ON u.id = p.user_id \
             JOIN rooms r ON r.id = p.room_id \
             JOIN messages x ON x.room_id = p.room_id AND x.seq = p.seq \
             JOIN users a ON a.id = x.author_id \
             LEFT JOIN memberships m ON m.room_id = p.room_id AND m.user_id = p.user_id \
             WHERE p.claimed_by = $1 AND p.claimed_until_ms = $2 \
             ORDER BY p.user_id, r.name, p.seq",
        )
        .bind(node.to_string())
        .bind(ms(until))
        .fetch_all(&self.writer)
        .await?
        .iter()
        .map(|row| {
            let seq = row.try_get::<i64, _>("seq")?.max(0) as Seq;
            let read = row.try_get::<Option<i64>, _>("last_read_seq")?;
            let muted = row.try_get::<Option<i64>, _>("muted")?.unwrap_or(0) != 0;
            let deleted = row.try_get::<Option<i64>, _>("deleted_ms")?.is_some();
            let gone = match read {
                Some(read) => read >= seq as i64 || muted || deleted,
                None => true,
            };
            Ok(Missed {
                user: parse_uuid(row.try_get("user_id")?)?,
                email: row.try_get("email")?,
                on: row.try_get::<i64, _>("email_on")? != 0,
                room: row.try_get("room_id")?,
                room_name: row.try_get("room_name")?,
                kind: kind_from_str(row.try_get("kind")?)?,
                seq,
                message: parse_uuid(row.try_get("message_id")?)?,
                thread: optional_uuid(row.try_get("thread_id")?)?,
                author: row.try_get("author_name")?,
                body: row.try_get("body")?,
                gone,
            })
        })
        .collect()
    }

    async fn finish_missed(&self, node: Uuid, user: Uuid) -> StoreResult<()> {
        sqlx::query("DELETE FROM email_pending WHERE claimed_by = $1 AND user_id = $2")
            .bind(node.to_string())
            .bind(user.to_string())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn retry_missed(&self, node: Uuid, user: Uuid, retry: OffsetDateTime) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE email_pending SET claimed_by = NULL, claimed_until_ms = $3, \
               tries = tries + 1 WHERE claimed_by = $1 AND user_id = $2",
        )
        .bind(node.to_string())
        .bind(user.to_string())
        .bind(ms(retry))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM email_pending WHERE user_id = $1 AND tries >= $2")
            .bind(user.to_string())
            .bind(TRIES)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
