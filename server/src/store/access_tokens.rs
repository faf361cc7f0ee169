//! What the store keeps of bot accounts and personal access tokens: the part
//! of [`super::Store`] that `domain::tokens` and `access_tokens` use.
//!
//! A token is a session (its id is the session's), so [`super::AccountStore::session_valid`]
//! answers for it as for a sign-in: revoked, expired or its user disabled
//! means refused.

use async_trait::async_trait;
use protocol::{RoomId, UserRef};
use uuid::Uuid;

use super::StoreResult;

/// A personal access token as stored: everything but its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    pub id: Uuid,
    /// The secret's first characters.
    pub prefix: String,
    /// Whose token it is.
    pub user: UserRef,
    pub created_by: Uuid,
    pub name: String,
    pub read_only: bool,
    pub room: Option<RoomId>,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
    pub last_used_ms: Option<i64>,
}

/// A token to store: the record and the SHA-256 (hex) of its secret.
#[derive(Clone, Debug)]
pub struct NewAccessToken {
    pub token: AccessToken,
    pub hash: String,
}

#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Creates a bot account owned by `owner`, with no password;
    /// [`super::StoreError::Conflict`] if the name is taken.
    async fn create_bot(&self, name: &str, owner: Uuid) -> StoreResult<UserRef>;
    /// The live (not disabled) bots `owner` owns, by name; webhooks' bots
    /// are their webhooks' and not among them.
    async fn bots_of(&self, owner: Uuid) -> StoreResult<Vec<UserRef>>;
    /// Whose bot `user` is, if it is a live bot (not a webhook's).
    async fn bot_owner(&self, user: Uuid) -> StoreResult<Option<Uuid>>;
    /// Live tokens `by` made (theirs and their bots').
    async fn tokens_made_by(&self, by: Uuid) -> StoreResult<Vec<AccessToken>>;
    /// Stores a token and opens its session, which lasts until the token
    /// expires (or, without an expiry, as long as a session can).
    async fn create_token(&self, token: &NewAccessToken) -> StoreResult<()>;
    /// The live token whose secret hashes to `hash` (not revoked; its expiry
    /// and its user are checked with its session).
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<AccessToken>>;
    /// Records that the token was used now.
    async fn touch_token(&self, id: Uuid) -> StoreResult<()>;
    /// Revokes token `id` made by `by`, and its session; the token's user if
    /// there was such a live token.
    async fn revoke_token(&self, id: Uuid, by: Uuid) -> StoreResult<Option<Uuid>>;
}
