//! What the store keeps for administration: the audit log (append-only),
//! settings changed at run time, and invite links. Implemented in SQL by
//! `sql_admin`.

use async_trait::async_trait;
use protocol::{AuditEntry, InviteInfo, UserRef};
use uuid::Uuid;

use super::StoreResult;

/// An entry for the audit log.
pub struct NewAudit<'a> {
    pub actor: Option<&'a UserRef>,
    pub action: &'a str,
    pub target: &'a str,
    /// A JSON object.
    pub detail: String,
}

/// Which audit entries to read: the newest `limit` with an id below
/// `before`, by `actor`, whose action starts with `action`, stored at or
/// after `from_ms` and before `to_ms`.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub limit: u32,
    pub before: Option<i64>,
    pub actor: Option<Uuid>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// A new invite link.
pub struct NewInvite<'a> {
    pub code: &'a str,
    pub by: Uuid,
    pub expires_ms: Option<i64>,
    pub max_uses: u32,
    /// The account with no password it lets someone claim (an imported
    /// one), if it is a claim link.
    pub account: Option<Uuid>,
}

/// The audit log, settings and invites.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Appends an entry; answers its id. Entries are never changed or
    /// deleted.
    async fn append_audit(&self, entry: NewAudit<'_>) -> StoreResult<i64>;
    /// Audit entries, newest first.
    async fn audit(&self, query: &AuditQuery) -> StoreResult<Vec<AuditEntry>>;
    /// A setting's value, if it was ever set.
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()>;
    /// Records `user` as the instance's first account if no other account
    /// exists and none was recorded before; true for the one that was.
    async fn claim_first_account(&self, user: Uuid) -> StoreResult<bool>;
    async fn create_invite(&self, invite: NewInvite<'_>) -> StoreResult<()>;
    /// Takes one use of an invite code; false if it does not exist, is used
    /// up, expired or revoked.
    async fn claim_invite(&self, code: &str) -> StoreResult<bool>;
    /// Gives back a use taken (the registration it was for failed).
    async fn release_invite(&self, code: &str) -> StoreResult<()>;
    /// Revokes an invite code; false if there is none.
    async fn revoke_invite(&self, code: &str) -> StoreResult<bool>;
    /// The newest `limit` invite links (`url` is left empty for the caller).
    async fn invites(&self, limit: u32) -> StoreResult<Vec<InviteInfo>>;
}
