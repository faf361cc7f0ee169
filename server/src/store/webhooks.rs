//! What the store keeps of incoming webhooks (migration 0012): the part of
//! [`super::Store`] that `domain::webhooks` uses.

use async_trait::async_trait;
use protocol::{RoomId, UserRef};
use uuid::Uuid;

use super::StoreResult;

/// A webhook as stored: everything but its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub id: Uuid,
    pub name: String,
    pub room: RoomId,
    /// Who posts: the webhook's own bot user.
    pub bot: UserRef,
    pub created_by: Uuid,
    pub created_ms: i64,
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Creates the webhook's bot (owned by `hook.created_by`), makes it a
    /// member of the room and stores the webhook, in one transaction;
    /// [`super::StoreError::Conflict`] if the bot's name is taken,
    /// [`super::StoreError::NotFound`] if the room is gone.
    async fn create_webhook(&self, hook: &Webhook, hash: &str) -> StoreResult<()>;
    /// The room's live webhooks, oldest first.
    async fn webhooks_of(&self, room: &str) -> StoreResult<Vec<Webhook>>;
    /// The live webhook whose secret hashes to `hash`.
    async fn webhook_by_hash(&self, hash: &str) -> StoreResult<Option<Webhook>>;
    /// The live webhook `id` of `room`.
    async fn webhook(&self, room: &str, id: Uuid) -> StoreResult<Option<Webhook>>;
    /// Revokes the webhook and disables its bot, in one transaction. The
    /// bot's name is released: the bot is renamed `NAME~ID` (no username
    /// has a `~`), which its old messages show.
    async fn delete_webhook(&self, hook: &Webhook) -> StoreResult<()>;
    /// How many live webhooks `maker` made, in every room.
    async fn webhooks_made_by(&self, maker: Uuid) -> StoreResult<u64>;
    /// How many messages the webhook's bot stored at or after `since_ms`
    /// (its allowance: migration 0014 indexes this).
    async fn webhook_posts_since(&self, hook: &Webhook, since_ms: i64) -> StoreResult<u64>;
}
