//! What the store keeps of sign-ins through an OpenID provider (migration
//! 0013): the part of [`super::Store`] that `domain::oidc` uses.

use async_trait::async_trait;
use protocol::UserRef;
use uuid::Uuid;

use super::{StoreResult, UserRecord};

/// An identity linked to an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedIdentity {
    pub issuer: String,
    pub subject: String,
    pub created_ms: i64,
}

#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// The user linked to the provider's subject, if any.
    async fn identity_user(&self, issuer: &str, subject: &str) -> StoreResult<Option<UserRecord>>;
    /// Links the provider's subject to `user`; [`super::StoreError::Conflict`]
    /// if it names someone already.
    async fn link_identity(&self, issuer: &str, subject: &str, user: Uuid) -> StoreResult<()>;
    /// The identities linked to `user`, oldest first.
    async fn identities_of(&self, user: Uuid) -> StoreResult<Vec<LinkedIdentity>>;
    /// Unlinks the identity from `user`; false if it was not theirs.
    async fn unlink_identity(&self, issuer: &str, subject: &str, user: Uuid) -> StoreResult<bool>;
    /// Creates a user with no password, linked to the provider's subject, in
    /// one transaction; [`super::StoreError::Conflict`] if the name is taken.
    async fn create_identified_user(
        &self,
        name: &str,
        issuer: &str,
        subject: &str,
    ) -> StoreResult<UserRef>;
}
