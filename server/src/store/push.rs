//! What the store keeps for Web Push (migration 0024): the server's VAPID
//! key, the browsers subscribed, and whom a stored message may be pushed to
//! with what their notifications need. Implemented in SQL by `sql_push`.

use async_trait::async_trait;
use protocol::{NotificationLevel, RoomKind};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{DndRecord, StoreResult};

/// A subscribed browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushSubscription {
    pub endpoint: String,
    pub user: Uuid,
    /// The browser's public key and auth secret, base64url as it gave them.
    pub p256dh: String,
    pub auth: String,
    pub agent: Option<String>,
    pub created: OffsetDateTime,
}

/// One subscription of a member of a room a message was stored in, with
/// what decides whether it is pushed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushTarget {
    pub subscription: PushSubscription,
    pub level: NotificationLevel,
    pub muted: bool,
    pub dnd: DndRecord,
    /// The room's kind and name.
    pub kind: RoomKind,
    pub room_name: String,
    /// Messages of others in the room after the member's read marker, up
    /// to and with the message (at most 99).
    pub unread: u32,
}

#[async_trait]
pub trait PushStore: Send + Sync {
    /// The VAPID private key (PKCS#8 PEM or raw, as the caller made it):
    /// `generated` is kept unless a key is kept already, and the kept one is
    /// answered, so every instance uses the first one made.
    async fn push_key(&self, generated: &str) -> StoreResult<String>;
    /// Keeps `subscription` (moving its endpoint to this user), dropping the
    /// user's oldest past `max`.
    async fn subscribe(&self, subscription: &PushSubscription, max: u32) -> StoreResult<()>;
    /// Drops `user`'s subscription of `endpoint`; false if there is none.
    async fn unsubscribe(&self, user: Uuid, endpoint: &str) -> StoreResult<bool>;
    /// Drops a subscription the push service says is gone.
    async fn drop_subscription(&self, endpoint: &str) -> StoreResult<()>;
    /// `user`'s subscriptions, the newest first.
    async fn subscriptions(&self, user: Uuid) -> StoreResult<Vec<PushSubscription>>;
    /// The subscriptions of `room`'s active members but `author` that a
    /// message at `seq` could notify: members at level `all` (or direct
    /// rooms' default), and `named` (those mentioned or following), or all
    /// members when `everyone`.
    async fn push_targets(
        &self,
        room: &str,
        seq: u64,
        author: Uuid,
        named: &[Uuid],
        everyone: bool,
    ) -> StoreResult<Vec<PushTarget>>;
}
