//! What the store keeps of each member's place in their rooms: read markers,
//! muting, and the room list built from them. Implemented in SQL by
//! `sql_read_state`.

use std::collections::HashMap;

use async_trait::async_trait;
use protocol::{RoomId, RoomInfo, Seq};
use uuid::Uuid;

use super::StoreResult;

/// Read markers, muting and the room list with unread counts.
#[async_trait]
pub trait ReadStateStore: Send + Sync {
    /// The rooms `user` belongs to, with their read state of each (see
    /// [`RoomInfo`]), in one query.
    async fn rooms_for(&self, user: Uuid) -> StoreResult<Vec<RoomInfo>>;
    /// For each direct room of `user`: the other members' names, sorted.
    async fn direct_names(&self, user: Uuid) -> StoreResult<HashMap<RoomId, Vec<String>>>;
    /// Moves `user`'s read marker in `room` forward to `seq` (at most the
    /// room's latest); the new marker if it moved, None if it did not (not
    /// a member, or already there).
    async fn mark_read(&self, room: &str, user: Uuid, seq: Seq) -> StoreResult<Option<Seq>>;
    /// Mutes or unmutes `room` for `user`; false if they are not a member.
    async fn set_muted(&self, room: &str, user: Uuid, muted: bool) -> StoreResult<bool>;
}
