//! The room log in the store: appending entries (each takes the room's next
//! `seq`, see the module docs of `store`) and reading them back. Implemented
//! in SQL by `sql_log` (appending), `sql_log_changes` (edits, deletions,
//! reactions, topics) and `sql_log_reads`.

use async_trait::async_trait;
use protocol::{Entry, Seq, ThreadPage, UserRef};
use uuid::Uuid;

use super::{NewEntry, Outcome, StoreError, StoreResult};

/// A message as access rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRecord {
    pub id: Uuid,
    pub author: Uuid,
    pub thread: Option<Uuid>,
    pub deleted: bool,
}

/// A page of a room's log as a reader sees it (`history`).
#[derive(Clone, Debug, Default)]
pub struct LogPage {
    /// Oldest first; messages in their current state.
    pub entries: Vec<Entry>,
    /// The room's latest `seq` when the page was read.
    pub seq: Seq,
}

/// Which part of a room's log a history page holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageAt {
    /// The newest entries before this `seq` (or the newest of all).
    Before(Option<Seq>),
    /// The oldest entries after this `seq`.
    After(Seq),
    /// The entries around this `seq`, itself included: half of the page
    /// before it and the rest after (more of one side near an end).
    Around(Seq),
}

/// Each room's log: written in one order, read as pages, threads and deltas.
#[async_trait]
pub trait LogStore: Send + Sync {
    /// Stores one entry and assigns its `seq` (see the module docs).
    async fn append(&self, entry: NewEntry) -> StoreResult<Outcome> {
        let room = entry.room().to_string();
        let mut outcomes = self.append_batch(&room, vec![entry]).await?;
        outcomes.pop().ok_or(StoreError::NotFound)
    }
    /// Stores entries of one room in one transaction (group commit), in the
    /// order given, each as [`LogStore::append`] would: answers one [`Outcome`]
    /// per entry, in the same order. A `client_msg_id` stored before, or
    /// twice in the batch, answers with the first copy.
    async fn append_batch(&self, room: &str, batch: Vec<NewEntry>) -> StoreResult<Vec<Outcome>>;
    /// The log's entries with `seq` in `(after, after + limit]`, oldest first,
    /// as they are delivered: messages with their current body, without
    /// reactions or reply counts (the entries that changed those follow).
    async fn entries_after(&self, room: &str, after: Seq, limit: u32) -> StoreResult<Vec<Entry>>;
    /// The newest `limit` entries before `before` (or the newest of all),
    /// oldest first, as `viewer` sees them: messages in their whole current
    /// state, read in one snapshot with the room's latest `seq`.
    async fn history(
        &self,
        room: &str,
        at: PageAt,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<LogPage>;
    /// A thread's root and its newest `limit` replies before `before`, oldest
    /// first, as `viewer` sees them; `None` if `root` is no top-level message
    /// of the room.
    async fn thread(
        &self,
        room: &str,
        root: Uuid,
        before: Option<Seq>,
        limit: u32,
        viewer: Uuid,
    ) -> StoreResult<Option<ThreadPage>>;
    /// The pinned messages of `room`, the most recently pinned first.
    async fn pins(&self, room: &str) -> StoreResult<Vec<protocol::Message>>;
    /// The message `id` of `room`, for access rules.
    async fn message_record(&self, room: &str, id: Uuid) -> StoreResult<Option<MessageRecord>>;
    /// Of the users `names` (lower-case), those who can read `room` now: anyone
    /// (not disabled) for a public room, its members otherwise.
    async fn readers_named(&self, room: &str, names: &[String]) -> StoreResult<Vec<UserRef>>;
}
