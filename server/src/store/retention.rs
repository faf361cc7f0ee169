//! Retention and legal holds in the store (docs/DESIGN.md, "Retention").
//!
//! A room's log is cut from the bottom: [`RetentionStore::sweep`] removes
//! one batch of the oldest entries older than a time and raises the room's
//! floor (`kept_after`) in the same transaction, so a join whose `since` is
//! below the floor knows it cannot be recovered. Each batch is its own
//! transaction and takes the room's row only at its end, for the moment of
//! the commit: appends to the room wait that long at most. Two sweepers on
//! the same room cannot both cut a batch: the floor moves only from the
//! value the batch started from.
//!
//! A held message (its room or its author under a legal hold) that goes, by
//! a deletion or by a sweep of a room that is not held, leaves its original
//! and its files for exports only.

use async_trait::async_trait;
use protocol::{ExportedHeld, HoldKind, LegalHold, RoomId, RoomRetention, Seq};
use uuid::Uuid;

use super::StoreResult;

/// What one batch of a sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Messages that were not deleted before and are gone now.
    pub deleted: u64,
    /// The room's floor after the batch.
    pub kept_after: Seq,
    /// Whether the batch stopped at its size, not at the first entry to
    /// keep: there may be more to sweep now.
    pub more: bool,
}

#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// Sets `room`'s own period (`None`: the instance's); false if there
    /// is no such room.
    async fn set_room_retention(&self, room: &str, days: Option<u32>) -> StoreResult<bool>;
    /// Every room with a period of its own, a cut log or a hold.
    async fn room_retention(&self) -> StoreResult<Vec<RoomRetention>>;
    /// The rooms to sweep and each one's period: those with a period (their
    /// own, else `default_days`) and no hold.
    async fn rooms_to_sweep(&self, default_days: Option<u32>) -> StoreResult<Vec<(RoomId, u32)>>;
    /// Removes at most `batch` of the oldest entries of `room` stored before
    /// `before_ms` (see the module docs).
    async fn sweep(&self, room: &str, before_ms: i64, batch: u32) -> StoreResult<Swept>;
    /// The `seq` after which `room`'s log is whole (0: all of it).
    async fn log_floor(&self, room: &str) -> StoreResult<Seq>;
    /// Takes (or renews) the lease `name` for `ttl_ms` unless another
    /// holder's is still running; true if `holder` has it now.
    async fn take_lease(&self, name: &str, holder: &str, ttl_ms: i64) -> StoreResult<bool>;
    /// Places a hold; false if there was one already (its reason stays).
    async fn put_hold(
        &self,
        kind: HoldKind,
        target: &str,
        reason: &str,
        by: Uuid,
    ) -> StoreResult<bool>;
    /// Releases a hold; false if there was none. What it alone kept (the
    /// originals of messages that went, and their files) goes with it.
    async fn drop_hold(&self, kind: HoldKind, target: &str) -> StoreResult<bool>;
    /// Every hold, the newest first.
    async fn holds(&self) -> StoreResult<Vec<LegalHold>>;
    /// Kept originals after `after` (by id), at most `limit`, for exports.
    async fn held_messages(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ExportedHeld>>;
}
