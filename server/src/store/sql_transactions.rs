//! Rotating a refresh token in one transaction (where reuse is caught).

use protocol::UserRef;
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
            "SELECT t.session_id, t.used_ms, s.expires_ms, s.revoked_ms, u.id, u.name, u.disabled, \
             t.superseded_ms \
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
        let superseded = row.try_get::<Option<i64>, _>(7)?.is_some();
        if revoked.is_some() || expires_ms <= now || disabled {
            return Ok(Rotation::Invalid);
        }
        let session_id = parse_uuid(&session)?;
        let reused = Rotation::Reused {
            user: user.id,
            session: session_id,
        };
        if superseded {
            // A copy of its parent was traded inside the grace period after
            // this token was issued: one of the two holders is not the
            // owner, and this one coming back shows it. The session ends.
            revoke(&mut tx, &session, now).await?;
            tx.commit().await?;
            return Ok(reused);
        }
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
            revoke(&mut tx, &session, now).await?;
            tx.commit().await?;
            return Ok(reused);
        }
        if !first_use {
            // Used again inside the grace period (two tabs at once): the
            // session keeps one line of tokens. If the successor handed out
            // before was already traded on, this is no second tab but a copy
            // replayed: the session ends. Else that successor gives way to
            // the one issued now (and ends the session if it comes back).
            let moved_on: i64 = sqlx::query(
                "SELECT COUNT(*) FROM refresh_tokens WHERE parent_hash = $1 AND used_ms IS NOT NULL",
            )
            .bind(hash)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            if moved_on > 0 {
                revoke(&mut tx, &session, now).await?;
                tx.commit().await?;
                return Ok(reused);
            }
            sqlx::query(
                "UPDATE refresh_tokens SET superseded_ms = $2 \
                 WHERE parent_hash = $1 AND superseded_ms IS NULL",
            )
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO refresh_tokens (hash, session_id, issued_ms, parent_hash) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(next_hash)
        .bind(&session)
        .bind(now)
        .bind(hash)
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

/// Ends `session` (a reuse showed its refresh token copied).
async fn revoke(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    session: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET revoked_ms = $2 WHERE id = $1")
        .bind(session)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
