//! Identities at OpenID providers in SQL (migration 0013), for `SqlStore`'s
//! [`IdentityStore`].

use async_trait::async_trait;
use protocol::UserRef;
use uuid::Uuid;

use sqlx::Row;

use super::identities::{IdentityStore, LinkedIdentity};
use super::sql::{insert_error, SqlStore};
use super::sql_accounts::{insert_user, NO_PASSWORD};
use super::sql_rows::user_from_row;
use super::{now_ms, StoreResult, UserRecord};

/// Links the provider's subject to `user`.
async fn insert_identity<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    issuer: &str,
    subject: &str,
    user: Uuid,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO identities (issuer, subject, user_id, created_ms) VALUES ($1, $2, $3, $4)",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user.to_string())
    .bind(now_ms())
    .execute(executor)
    .await
    .map_err(insert_error)?;
    Ok(())
}

#[async_trait]
impl IdentityStore for SqlStore {
    async fn identity_user(&self, issuer: &str, subject: &str) -> StoreResult<Option<UserRecord>> {
        sqlx::query(
            "SELECT u.id, u.name, u.password_hash, u.is_admin, u.disabled FROM identities i \
             JOIN users u ON u.id = i.user_id WHERE i.issuer = $1 AND i.subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
    }

    async fn link_identity(&self, issuer: &str, subject: &str, user: Uuid) -> StoreResult<()> {
        insert_identity(&self.writer, issuer, subject, user).await
    }

    async fn identities_of(&self, user: Uuid) -> StoreResult<Vec<LinkedIdentity>> {
        let rows = sqlx::query(
            "SELECT issuer, subject, created_ms FROM identities WHERE user_id = $1 \
             ORDER BY created_ms, issuer, subject",
        )
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LinkedIdentity {
                    issuer: row.try_get(0)?,
                    subject: row.try_get(1)?,
                    created_ms: row.try_get(2)?,
                })
            })
            .collect()
    }

    async fn unlink_identity(&self, issuer: &str, subject: &str, user: Uuid) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM identities WHERE issuer = $1 AND subject = $2 AND user_id = $3",
        )
        .bind(issuer)
        .bind(subject)
        .bind(user.to_string())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_identified_user(
        &self,
        name: &str,
        issuer: &str,
        subject: &str,
    ) -> StoreResult<UserRef> {
        let mut tx = self.writer.begin().await?;
        let user = insert_user(&mut *tx, Uuid::new_v4(), name, NO_PASSWORD, None).await?;
        insert_identity(&mut *tx, issuer, subject, user.id).await?;
        tx.commit().await?;
        Ok(user)
    }
}
