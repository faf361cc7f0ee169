//! What imports remember (docs/PROTOCOL.md, "Slack import"): each source
//! id's counterpart here, so a second import of the same export finds what
//! the first made. Imported messages go through `LogStore::append_batch`
//! with `NewMessage::imported`.

use async_trait::async_trait;
use protocol::{ImportJob, ImportMapping};
use uuid::Uuid;

use super::StoreResult;

#[async_trait]
pub trait ImportStore: Send + Sync {
    /// What `source`'s `kind` `id` became (`("slack", "user", "U123")` →
    /// a user id), if it was imported.
    async fn imported(&self, source: &str, kind: &str, id: &str) -> StoreResult<Option<String>>;
    /// Remembers what it became (the first answer stays).
    async fn remember_import(
        &self,
        source: &str,
        kind: &str,
        id: &str,
        target: &str,
    ) -> StoreResult<()>;
    /// Keeps an import job as it is now (made, or replaced), started by
    /// `by`.
    async fn put_import_job(&self, job: &ImportJob, by: Option<Uuid>) -> StoreResult<()>;
    async fn import_job(&self, id: Uuid) -> StoreResult<Option<ImportJob>>;
    /// The account an invite is a claim link for, if it is one.
    async fn invite_account(&self, code: &str) -> StoreResult<Option<Uuid>>;
    /// Takes the planner's statistics of the tables an import fills again
    /// (PostgreSQL's `ANALYZE`; nothing on SQLite, whose plans do not
    /// depend on them this way).
    async fn refresh_statistics(&self) -> StoreResult<()>;
    /// What `source`'s people and conversations became here.
    async fn import_mapping(&self, source: &str) -> StoreResult<ImportMapping>;
    /// The one account with no password, no linked identity, not a bot and
    /// not deactivated whose e-mail is `email` (case aside): an imported
    /// person's, to claim by single sign-on. `None` if none or several.
    async fn claimable_by_email(&self, email: &str) -> StoreResult<Option<Uuid>>;
    /// Sets the password of `user` if they have none yet (an imported
    /// account being claimed); false if they have one.
    async fn claim_account(&self, user: Uuid, password_hash: &str) -> StoreResult<bool>;
}
