//! What the store keeps for e-mail digests (migration 0025): each user's
//! address and delay, and the direct messages and mentions waiting to be
//! mailed if still unread then, claimed per user by one instance at a
//! time. Implemented in SQL by `sql_email`.

use async_trait::async_trait;
use protocol::{EmailSettings, NotificationLevel, RoomKind, Seq};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{DndRecord, StoreResult};

/// A member of a room a message was stored in who has e-mail on, with what
/// decides whether it may be mailed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailTarget {
    pub user: Uuid,
    pub delay_secs: u32,
    pub level: NotificationLevel,
    pub muted: bool,
    pub dnd: DndRecord,
    pub kind: RoomKind,
}

/// A message waiting for one user, as claimed: what the mail says of it,
/// and whether it still should be mailed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missed {
    pub user: Uuid,
    pub email: Option<String>,
    pub on: bool,
    pub room: String,
    pub room_name: String,
    pub kind: RoomKind,
    pub seq: Seq,
    pub message: Uuid,
    pub thread: Option<Uuid>,
    pub author: String,
    pub body: String,
    /// Read since, deleted, muted, or no longer the user's room.
    pub gone: bool,
}

#[async_trait]
pub trait EmailStore: Send + Sync {
    /// `user`'s settings (the defaults if never set).
    async fn email_settings(&self, user: Uuid) -> StoreResult<EmailSettings>;
    async fn set_email_settings(&self, user: Uuid, settings: &EmailSettings) -> StoreResult<()>;
    /// The members of `room` but `author` with an address and mails on that
    /// a message could be mailed to: every member of a direct room, those
    /// `named`, or everyone when `everyone`.
    async fn email_targets(
        &self,
        room: &str,
        author: Uuid,
        named: &[Uuid],
        everyone: bool,
    ) -> StoreResult<Vec<EmailTarget>>;
    /// Keeps messages waiting to be mailed: (user, room, seq, due).
    async fn hold_missed(&self, missed: &[(Uuid, String, Seq, OffsetDateTime)]) -> StoreResult<()>;
    /// Claims, for `node` until `until`, everything waiting for up to
    /// `limit` users who have something due at `now` (not claimed by
    /// another instance whose claim holds), and answers it.
    async fn claim_missed(
        &self,
        node: Uuid,
        now: OffsetDateTime,
        until: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<Missed>>;
    /// Drops what `node` claimed for `user` (mailed, or nothing to mail).
    async fn finish_missed(&self, node: Uuid, user: Uuid) -> StoreResult<()>;
    /// Leaves what `node` claimed for `user` to be claimed again at
    /// `retry` (the mail could not be sent), dropping it after five tries.
    async fn retry_missed(&self, node: Uuid, user: Uuid, retry: OffsetDateTime) -> StoreResult<()>;
}
