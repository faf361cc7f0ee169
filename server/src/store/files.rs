//! What the store keeps of uploaded files (their bytes live in the file
//! store, named by digest). Implemented in SQL by `sql_files`.

use async_trait::async_trait;
use protocol::{Attachment, RoomId};
use uuid::Uuid;

use super::StoreResult;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    pub id: Uuid,
    /// Whoever can read this room can download it.
    pub room: RoomId,
    pub uploader: Uuid,
    pub name: String,
    pub mime: String,
    pub size: u64,
    /// SHA-256 of the bytes, hex: the object's name in the file store.
    pub digest: String,
    /// For an image: its thumbnail's digest, and its size in pixels.
    pub thumb_digest: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The `client_msg_id` of the send that claimed it.
    pub claim: Option<Uuid>,
    pub created_ms: i64,
    /// Kept by a legal hold after its message went: served to nobody,
    /// exported (docs/DESIGN.md, "Retention").
    pub held: bool,
}

impl FileRecord {
    /// As a message's `attachments` and the upload's answer show it.
    pub fn attachment(&self) -> Attachment {
        Attachment {
            id: self.id,
            name: self.name.clone(),
            size: self.size,
            mime: self.mime.clone(),
            url: Attachment::url_of(self.id),
            thumbnail: self
                .thumb_digest
                .as_ref()
                .map(|_| Attachment::thumbnail_of(self.id)),
            width: self.width,
            height: self.height,
        }
    }
}

/// Uploads: recorded, claimed by the message that sends them, swept.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Records an upload unless it would take its uploader past `quota`
    /// bytes in all; false if it would (nothing recorded).
    async fn add_file(&self, file: &FileRecord, quota: u64) -> StoreResult<bool>;
    async fn file(&self, id: Uuid) -> StoreResult<Option<FileRecord>>;
    /// Bytes of every file `user` uploaded that is still stored.
    async fn bytes_used(&self, user: Uuid) -> StoreResult<u64>;
    /// Claims the files `ids` for the message `claim` (a `client_msg_id`)
    /// that `uploader` sends to `room`: each must be theirs, uploaded to that
    /// room and not claimed by another message. All or none: None if any is
    /// not available. The records come in the order of `ids`.
    async fn claim_files(
        &self,
        room: &str,
        uploader: Uuid,
        claim: Uuid,
        ids: &[Uuid],
    ) -> StoreResult<Option<Vec<FileRecord>>>;
    /// Files uploaded before `before_ms` that no stored message carries (never
    /// sent, or their send never stored), at most `limit`.
    async fn stale_files(&self, before_ms: i64, limit: u32) -> StoreResult<Vec<FileRecord>>;
    /// Deletes files' rows, queuing their objects for [`FileStore::collect_objects`].
    async fn delete_files(&self, ids: &[Uuid]) -> StoreResult<()>;
    /// Takes up to `limit` queued objects that no file names any more (a
    /// deleted message's, a deleted file's): the caller deletes them.
    async fn collect_objects(&self, limit: u32) -> StoreResult<Vec<String>>;
}
