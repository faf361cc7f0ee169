//! What the store keeps of accounts: users, sessions and their refresh
//! tokens. Implemented in SQL by `sql_accounts`.

use async_trait::async_trait;
use protocol::UserRef;
use uuid::Uuid;

use super::StoreResult;

/// A user as the server knows them, password hash included.
#[derive(Clone, Debug)]
pub struct UserRecord {
    pub user: UserRef,
    pub password_hash: String,
    pub is_admin: bool,
    pub disabled: bool,
}

/// What [`AccountStore::rotate_refresh`] did.
#[derive(Clone, Debug)]
pub enum Rotation {
    /// The new token is live in the same session, which lasts until `expires_ms`.
    Rotated {
        user: UserRef,
        session: Uuid,
        expires_ms: i64,
    },
    /// The token had been used already (after the grace period, or inside it
    /// once its successor was used), or it was superseded by a second use of
    /// its parent (a session keeps one line of refresh tokens: see migration
    /// 0006): a copy is in other hands, so its session is now revoked.
    Reused { user: Uuid, session: Uuid },
    /// Unknown token, or its session expired or was revoked, or the account is
    /// disabled.
    Invalid,
}

/// Users and sessions.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates a user; [`StoreError::Conflict`] if the name (in any case) is taken.
    async fn create_user(&self, name: &str, password_hash: &str) -> StoreResult<UserRef>;
    /// Looks a user up by name, regardless of case.
    async fn user_by_name(&self, name: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>>;
    /// Marks a user admin (or not); false if no such user.
    async fn set_admin(&self, user: Uuid, admin: bool) -> StoreResult<bool>;
    /// Disables (or re-enables) a user; false if no such user. Disabling
    /// also ends every session of the user and every token of the bots they
    /// own, so enabling revives none.
    async fn set_disabled(&self, user: Uuid, disabled: bool) -> StoreResult<bool>;
    /// Starts a session for `user`, lasting until `expires_ms`, with its first
    /// refresh token (stored as its hash). Sessions that expired are cleared out.
    async fn create_session(
        &self,
        session: Uuid,
        user: Uuid,
        expires_ms: i64,
        refresh_hash: &str,
    ) -> StoreResult<()>;
    /// Trades the refresh token `hash` for `next_hash` in the same session (see
    /// [`Rotation`]). A token used before is accepted again only within
    /// `reuse_grace_ms` of its first use (two tabs refreshing at once); later, it
    /// revokes its session.
    async fn rotate_refresh(
        &self,
        hash: &str,
        next_hash: &str,
        reuse_grace_ms: i64,
    ) -> StoreResult<Rotation>;
    /// The user and session a refresh token belongs to, if it is known.
    async fn refresh_owner(&self, hash: &str) -> StoreResult<Option<(Uuid, Uuid)>>;
    /// Ends a session: its access and refresh tokens are refused from now on.
    async fn revoke_session(&self, session: Uuid) -> StoreResult<()>;
    /// Whether a session may go on: the user exists and is not disabled, and the
    /// session is theirs, not revoked and not expired.
    async fn session_valid(&self, user: Uuid, session: Uuid) -> StoreResult<bool>;
}
