//! What the store holds for later: scheduled messages and reminders, and
//! the claims instances take on those due. Implemented in SQL by
//! `sql_later`.

use async_trait::async_trait;
use protocol::RoomId;
use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreResult;

/// A scheduled message or a reminder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaterItem {
    pub id: Uuid,
    /// A reminder (else a message to send).
    pub reminder: bool,
    pub user: Uuid,
    pub room: RoomId,
    pub thread: Option<Uuid>,
    /// A reminder's message.
    pub message: Option<Uuid>,
    /// The message's body, or the reminder's note.
    pub body: String,
    pub due: OffsetDateTime,
    /// Sent or fired.
    pub done: bool,
    pub failed: Option<String>,
}

#[async_trait]
pub trait LaterStore: Send + Sync {
    /// Keeps `item`, unless its user has `max` waiting of its kind
    /// (answers false).
    async fn hold(&self, item: &LaterItem, max: u32) -> StoreResult<bool>;
    /// `user`'s items of one kind: waiting ones, failed messages and fired
    /// reminders, the soonest first.
    async fn held(&self, user: Uuid, reminder: bool) -> StoreResult<Vec<LaterItem>>;
    /// Drops one of `user`'s items; false if there is none.
    async fn drop_held(&self, user: Uuid, id: Uuid) -> StoreResult<bool>;
    /// Claims up to `limit` items due at `now` for `node` until `until`
    /// (items claimed by another instance whose claim has not run out are
    /// left alone).
    async fn claim_due(
        &self,
        node: Uuid,
        now: OffsetDateTime,
        until: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<LaterItem>>;
    /// Marks an item handled (`failed`: why it could not be).
    async fn finish(&self, id: Uuid, failed: Option<&str>) -> StoreResult<()>;
}
