//! Reads for exports (docs/PROTOCOL.md, "Records"): everything, a page at a
//! time in a stable order, so an export of any size streams in bounded
//! memory. A room's log is read with `LogStore::entries_after`.

use async_trait::async_trait;
use protocol::{Entry, ExportedMember, ExportedRoom, ExportedUser};
use uuid::Uuid;

use super::StoreResult;

#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Users after `after` (by id), at most `limit`.
    async fn export_users(&self, after: Option<Uuid>, limit: u32)
        -> StoreResult<Vec<ExportedUser>>;
    /// Rooms after `after` (by id), at most `limit`; `log` left empty for
    /// the caller to name.
    async fn export_rooms(&self, after: Option<&str>, limit: u32)
        -> StoreResult<Vec<ExportedRoom>>;
    /// The memberships of `room`, or of `user` when `room` is `None`.
    async fn export_members(
        &self,
        room: Option<&str>,
        user: Option<Uuid>,
    ) -> StoreResult<Vec<ExportedMember>>;
    /// The messages `author` wrote and did not delete, after message `after`
    /// (by id: ids are made in time order), at most `limit`.
    async fn export_authored(
        &self,
        author: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Entry>>;
}
