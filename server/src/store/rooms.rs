//! What the store keeps of rooms and who is in them. Implemented in SQL by
//! `sql_rooms`.

use async_trait::async_trait;
use protocol::{DirectoryRoom, RoomId, RoomKind, RoomRole, Seq, UserRef};
use uuid::Uuid;

use super::StoreResult;

/// A room as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomRecord {
    pub id: RoomId,
    pub name: String,
    pub kind: RoomKind,
    pub owner: Option<Uuid>,
    /// Names this room's history; a new one means `seq` started again.
    pub epoch: String,
    pub last_seq: Seq,
    /// What the room is about ("" when unset).
    pub topic: String,
    /// Read-only until unarchived.
    pub archived: bool,
}

/// Rooms, direct rooms and memberships.
#[async_trait]
pub trait RoomStore: Send + Sync {
    /// Creates the public room `name` unless it exists (used for `general`).
    async fn ensure_public_room(&self, name: &str) -> StoreResult<()>;
    /// Creates a room owned (and joined, as its owner) by `owner`; Conflict
    /// if the id or the name is taken.
    async fn create_room(&self, name: &str, kind: RoomKind, owner: Uuid)
        -> StoreResult<RoomRecord>;
    /// How many rooms `user` owns.
    async fn rooms_owned(&self, user: Uuid) -> StoreResult<u64>;
    /// The direct room of `users` (2 to 9 of them, ids as [`protocol::direct_room_id`]
    /// makes them), created with all of them as members if new; true if it was.
    async fn direct_room(&self, users: &[Uuid]) -> StoreResult<(RoomRecord, bool)>;
    async fn room(&self, id: &str) -> StoreResult<Option<RoomRecord>>;
    /// The rooms `user` is a member of, at most `limit`.
    async fn member_rooms(&self, user: Uuid, limit: u32) -> StoreResult<Vec<RoomId>>;
    /// A room's members with their roles, sorted by name, at most `limit`.
    async fn members(&self, room: &str, limit: u32) -> StoreResult<Vec<(UserRef, RoomRole)>>;
    /// `user`'s role in `room`, if they are a member.
    async fn role_of(&self, room: &str, user: Uuid) -> StoreResult<Option<RoomRole>>;
    /// Gives member `user` of `room` the role `role`; false if they are not
    /// a member. Refused (Conflict) if it would leave the room without an
    /// owner.
    async fn set_role(&self, room: &str, user: Uuid, role: RoomRole) -> StoreResult<bool>;
    /// How many owners `room` has.
    async fn owner_count(&self, room: &str) -> StoreResult<u64>;
    /// Adds a member; returns false if they already were one.
    async fn add_member(&self, room: &str, user: Uuid) -> StoreResult<bool>;
    async fn is_member(&self, room: &str, user: Uuid) -> StoreResult<bool>;
    /// Removes a member; returns false if they were not one.
    async fn remove_member(&self, room: &str, user: Uuid) -> StoreResult<bool>;
    /// The directory: public rooms whose name or topic contains `text`
    /// (lower case; empty: every one), by name, at most `limit`, with their
    /// member counts and whether `viewer` is a member.
    async fn room_directory(
        &self,
        text: &str,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<Vec<DirectoryRoom>>;
}
