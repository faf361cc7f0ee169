//! Identities at OpenID providers in SQL (migration 0013), for `SqlStore`'s
//! [`IdentityStore`].

use app::protocol::UserRef;
use async_trait::async_trait;
use uuid::Uuid;

use super::identities::IdentityStore;
use super::sql::{is_unique_violation, SqlStore};
use super::sql_rows::user_from_row;
use super::{now_ms, StoreError, StoreResult, UserRecord};

fn conflict_or(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict
    } else {
        e.into()
    }
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
        sqlx::query(
            "INSERT INTO identities (issuer, subject, user_id, created_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(issuer)
        .bind(subject)
        .bind(user.to_string())
        .bind(now_ms())
        .execute(&self.writer)
        .await
        .map_err(conflict_or)?;
        Ok(())
    }

    async fn create_identified_user(
        &self,
        name: &str,
        issuer: &str,
        subject: &str,
    ) -> StoreResult<UserRef> {
        let id = Uuid::new_v4();
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, name, password_hash, created_ms) VALUES ($1, $2, '!', $3)",
        )
        .bind(id.to_string())
        .bind(name)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(conflict_or)?;
        sqlx::query(
            "INSERT INTO identities (issuer, subject, user_id, created_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(issuer)
        .bind(subject)
        .bind(id.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(conflict_or)?;
        tx.commit().await?;
        Ok(UserRef {
            id,
            name: name.to_string(),
        })
    }
}
