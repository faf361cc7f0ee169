//! Rotating a refresh token in one transaction (where reuse is caught).

use app::protocol::UserRef;
use sqlx::Row;

use super::sql::SqlStore;
use super::sql_rows::parse_uuid;
use super::{now_ms, StoreResult};

impl SqlStore {
    /// [`Store::rotate_refresh`] in one transaction: of two racing
    /// uses of one token, exactly one sees it unused.
    pub(super) async fn rotate_refresh_in_tx(
        &self,
        hash: &str,
        next_hash: &str,
        reuse_grace_ms: i64,
    ) -> StoreResult<super::Rotation> {
        use super::Rotation;
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(
            "SELECT t.session_id, t.used_ms, s.expires_ms, s.revoked_ms, u.id, u.name, u.disabled \
             FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
             JOIN users u ON u.id = s.user_id WHERE t.hash = $1",
        )
        .bind(hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Rotation::Invalid);
        };
        let session: String = row.try_get(0)?;
        let used: Option<i64> = row.try_get(1)?;
        let expires_ms: i64 = row.try_get(2)?;
        let revoked: Option<i64> = row.try_get(3)?;
        let user = UserRef {
            id: parse_uuid(row.try_get(4)?)?,
            name: row.try_get(5)?,
        };
        let disabled = row.try_get::<i64, _>(6)? != 0;
        if revoked.is_some() || expires_ms <= now || disabled {
            return Ok(Rotation::Invalid);
        }
        let session_id = parse_uuid(&session)?;
        // Mark it used; of two racing refreshes only one sees it unused.
        let first_use = used.is_none()
            && sqlx::query(
                "UPDATE refresh_tokens SET used_ms = $2 WHERE hash = $1 AND used_ms IS NULL",
            )
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
        if !first_use && now - used.unwrap_or(now) > reuse_grace_ms {
            sqlx::query("UPDATE sessions SET revoked_ms = $2 WHERE id = $1")
                .bind(&session)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Rotation::Reused {
                user: user.id,
                session: session_id,
            });
        }
        sqlx::query("INSERT INTO refresh_tokens (hash, session_id, issued_ms) VALUES ($1, $2, $3)")
            .bind(next_hash)
            .bind(&session)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Rotation::Rotated {
            user,
            session: session_id,
            expires_ms,
        })
    }
}
