//! What the store keeps of sign-ins through an OpenID provider (migration
//! 0013): the part of [`super::Store`] that `domain::oidc` uses.

use app::protocol::UserRef;
use async_trait::async_trait;
use uuid::Uuid;

use super::{StoreResult, UserRecord};

#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// The user linked to the provider's subject, if any.
    async fn identity_user(&self, issuer: &str, subject: &str) -> StoreResult<Option<UserRecord>>;
    /// Links the provider's subject to `user`; [`super::StoreError::Conflict`]
    /// if it names someone already.
    async fn link_identity(&self, issuer: &str, subject: &str, user: Uuid) -> StoreResult<()>;
    /// Creates a user with no password, linked to the provider's subject, in
    /// one transaction; [`super::StoreError::Conflict`] if the name is taken.
    async fn create_identified_user(
        &self,
        name: &str,
        issuer: &str,
        subject: &str,
    ) -> StoreResult<UserRef>;
}
