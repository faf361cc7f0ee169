//! A stored file as the server knows it (see `sql_files`).

use protocol::{Attachment, RoomId};
use uuid::Uuid;

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
