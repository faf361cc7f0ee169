//! What the store keeps of a user's attention: notification levels,
//! do-not-disturb, followed threads and saved messages, and the member
//! lists broad mentions need. Implemented in SQL by `sql_attention` and
//! `sql_follows`.

use async_trait::async_trait;
use protocol::{FollowedThread, Message, NotificationLevel, RoomId, Seq};
use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreResult;

/// A user's do-not-disturb as stored, with the profile's time zone it is
/// reckoned in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DndRecord {
    /// Paused until then.
    pub until: Option<OffsetDateTime>,
    /// Quiet hours: minutes after midnight, start and end.
    pub schedule: Option<(u16, u16)>,
    /// The IANA time zone of the user's profile.
    pub timezone: Option<String>,
}

/// One of a user's rooms as their notifications see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomNotice {
    pub room: RoomId,
    pub level: NotificationLevel,
    pub muted: bool,
}

#[async_trait]
pub trait AttentionStore: Send + Sync {
    /// How many members `room` has.
    async fn member_count(&self, room: &str) -> StoreResult<u64>;
    /// The ids of `room`'s active members.
    async fn member_ids(&self, room: &str) -> StoreResult<Vec<Uuid>>;

    /// Sets `user`'s level in `room`; their notice there now, `None` if they
    /// are not a member.
    async fn set_level(
        &self,
        room: &str,
        user: Uuid,
        level: NotificationLevel,
    ) -> StoreResult<Option<RoomNotice>>;
    /// `user`'s notice in `room`, if a member.
    async fn notice(&self, room: &str, user: Uuid) -> StoreResult<Option<RoomNotice>>;

    /// `user`'s do-not-disturb.
    async fn dnd(&self, user: Uuid) -> StoreResult<DndRecord>;
    /// `user`'s rooms (at most `limit`) with their levels and muting, and
    /// their do-not-disturb, in one read: what a user's first connection on
    /// an instance needs to hear `activity` (after a deploy, every user's).
    async fn watch_needs(
        &self,
        user: Uuid,
        limit: u32,
    ) -> StoreResult<(Vec<RoomNotice>, DndRecord)>;
    /// Sets what is given of it (`Some(None)` clears that part).
    async fn set_dnd(
        &self,
        user: Uuid,
        until: Option<Option<OffsetDateTime>>,
        schedule: Option<Option<(u16, u16)>>,
    ) -> StoreResult<()>;

    /// Follows (or unfollows) a thread; answers the place read in it.
    async fn set_following(&self, user: Uuid, room: &str, root: Uuid, on: bool)
        -> StoreResult<Seq>;
    /// Moves `user`'s place in a thread they follow forward to `seq`;
    /// `None` if they do not follow it, else their place now.
    async fn read_thread(
        &self,
        user: Uuid,
        room: &str,
        root: Uuid,
        seq: Seq,
    ) -> StoreResult<Option<Seq>>;
    /// Who follows a thread.
    async fn followers(&self, room: &str, root: Uuid) -> StoreResult<Vec<Uuid>>;
    /// The threads `user` follows, newest activity first, at most `limit`,
    /// with their unread replies (rooms they can no longer read left out).
    async fn followed_threads(&self, user: Uuid, limit: u32) -> StoreResult<Vec<FollowedThread>>;

    /// The room of message `id`, if it exists.
    async fn message_room(&self, id: Uuid) -> StoreResult<Option<RoomId>>;
    /// Saves (or unsaves) a message for `user`; answers how many they keep.
    async fn set_saved(&self, user: Uuid, message: Uuid, on: bool) -> StoreResult<u64>;
    /// `user`'s saved messages, the most recently saved first, at most
    /// `limit` (rooms they can no longer read left out).
    async fn saved(&self, user: Uuid, limit: u32) -> StoreResult<Vec<(Message, OffsetDateTime)>>;
}
