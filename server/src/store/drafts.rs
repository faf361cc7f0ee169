//! What the store keeps of drafts: one per user, room and thread.
//! Implemented in SQL by `sql_drafts`.

use async_trait::async_trait;
use protocol::Draft;
use uuid::Uuid;

use super::StoreResult;

#[async_trait]
pub trait DraftStore: Send + Sync {
    /// Saves `user`'s draft (an empty body deletes it); answers how many
    /// drafts they keep now.
    async fn save_draft(&self, user: Uuid, draft: &Draft) -> StoreResult<u64>;
    /// `user`'s drafts, the newest first, at most `limit`.
    async fn drafts(&self, user: Uuid, limit: u32) -> StoreResult<Vec<Draft>>;
}
