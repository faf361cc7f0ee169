//! Files: uploading one to a room, reading one back, and attaching uploads to
//! a message (`docs/PROTOCOL.md`, *Files*).
//!
//! - **Upload**: members of the room only, not while it is archived; at most `--max-file-bytes`
//!   (`too_large`, and nothing is kept); within the uploader's
//!   `--user-quota-bytes`. An image (by its bytes) must decode whole, within
//!   `--max-image-pixels` and a plausible number of pixels for its size, and
//!   gets a thumbnail; its type is what its bytes say, not what the client
//!   said. Decoding waits at most [`DECODE_QUEUE_DEADLINE`] for its turn
//!   (one image at a time per user: `files::decode_slots`).
//! - **Download**: whoever can read the file's room now.
//! - **Attach**: a send names files its sender uploaded to the same room
//!   and no other message carries.

use bytes::Bytes;
use futures_util::Stream;
use protocol::{clean_file_name, Attachment, MAX_ATTACHMENTS};
use uuid::Uuid;

use super::{access, Caller, DomainError, DomainResult};
use crate::files::image::{self, ImageError};
use crate::files::receive::{receive, ReceiveError, Received};
use crate::state::AppState;
use crate::store::FileRecord;

/// Longest an upload waits for its image to be decoded; past it, `busy`.
pub const DECODE_QUEUE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(15);

/// What an upload says of itself.
pub struct Upload {
    pub room: String,
    pub name: String,
    /// The declared `Content-Type`.
    pub mime: Option<String>,
    /// The declared `Content-Length`.
    pub length: Option<u64>,
}

/// A declared type kept for a file that is not an image: a plain
/// `type/subtype`, else `application/octet-stream`.
fn declared_type(mime: Option<&str>) -> String {
    let essence = mime
        .and_then(|m| m.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    match essence.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => essence,
        _ => "application/octet-stream".into(),
    }
}

fn too_large(max: u64) -> DomainError {
    DomainError::TooLarge(format!("a file may be at most {max} bytes"))
}

fn over_quota(state: &AppState) -> DomainError {
    DomainError::TooLarge(format!(
        "this upload would take you past your storage quota of {} bytes: delete some files first",
        state.config.user_quota_bytes
    ))
}

pub async fn upload<E: std::fmt::Display>(
    state: &AppState,
    caller: &Caller,
    upload: Upload,
    body: impl Stream<Item = Result<Bytes, E>>,
) -> DomainResult<Attachment> {
    let max = state.config.max_file_bytes;
    access::require_write(caller, Some(&upload.room))?;
    access::require_member(state, caller, &upload.room).await?;
    if let Some(room) = state.store.room(&upload.room).await? {
        access::require_not_archived(&room)?;
    }
    if upload.length.is_some_and(|n| n > max) {
        return Err(too_large(max));
    }
    let used = state.store.bytes_used(caller.user.id).await?;
    if used + upload.length.unwrap_or(0) > state.config.user_quota_bytes {
        return Err(over_quota(state));
    }
    let received = receive_within(state, body, max, too_large).await?;
    if received.size == 0 {
        return Err(DomainError::Invalid("the file is empty".into()));
    }
    let mut record = FileRecord {
        id: Uuid::new_v4(),
        room: upload.room,
        uploader: caller.user.id,
        name: clean_file_name(&upload.name),
        mime: declared_type(upload.mime.as_deref()),
        size: received.size,
        digest: received.digest.clone(),
        thumb_digest: None,
        width: None,
        height: None,
        claim: None,
        created_ms: crate::store::now_ms(),
        held: false,
    };
    let mut thumbnail = None;
    let format = image::format_of(&received.head);
    if format.is_some() || image::claims_image(&record.mime) {
        let Some(format) = format else {
            return Err(DomainError::Invalid(
                "the file says it is an image, but its bytes are not one (PNG, JPEG, GIF or WebP)"
                    .into(),
            ));
        };
        let inspected = decode_in_turn(state, caller, &received, move |path, max_pixels, bytes| {
            image::inspect(path, format, max_pixels, bytes)
        })
        .await?;
        record.mime = inspected.mime.to_string();
        record.width = Some(inspected.width);
        record.height = Some(inspected.height);
        record.thumb_digest = Some(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            &inspected.thumbnail,
        )));
        thumbnail = Some(inspected.thumbnail);
    }
    // The row first: within the quota or nothing; then the objects, which a
    // failure queues for the sweeper with the row.
    if !state
        .store
        .add_file(&record, state.config.user_quota_bytes)
        .await?
    {
        return Err(over_quota(state));
    }
    let stored = async {
        state.files.put(&record.digest, &received.file).await?;
        if let (Some(digest), Some(bytes)) = (&record.thumb_digest, thumbnail) {
            state.files.put_bytes(digest, bytes).await?;
        }
        anyhow::Ok(())
    };
    if let Err(e) = stored.await {
        tracing::warn!(error = %e, "a file could not be stored");
        let _ = state.store.delete_files(&[record.id]).await;
        return Err(DomainError::Unavailable);
    }
    Ok(record.attachment())
}

/// An upload's body, received into a temporary file (hashed and counted)
/// within `max` bytes; past it, `too_large(max)`.
pub(super) async fn receive_within<E: std::fmt::Display>(
    state: &AppState,
    body: impl Stream<Item = Result<Bytes, E>>,
    max: u64,
    too_large: fn(u64) -> DomainError,
) -> DomainResult<Received> {
    receive(&state.files.uploads, body, max)
        .await
        .map_err(|e| match e {
            ReceiveError::TooLarge(max) => too_large(max),
            ReceiveError::Interrupted(why) => {
                DomainError::Invalid(format!("the upload stopped: {why}"))
            }
            ReceiveError::Disk(e) => {
                tracing::warn!(error = %e, "an upload could not be written");
                DomainError::Unavailable
            }
        })
}

/// Runs `decode` on the received image (its path, `--max-image-pixels`
/// and its size in bytes) on a blocking thread, in the caller's turn to
/// decode (`files::decode_slots`, waiting at most [`DECODE_QUEUE_DEADLINE`]).
/// Too many pixels is `too_large`, an unreadable image `invalid`.
pub(super) async fn decode_in_turn<T: Send + 'static>(
    state: &AppState,
    caller: &Caller,
    received: &Received,
    decode: impl FnOnce(&std::path::Path, u64, u64) -> Result<T, ImageError> + Send + 'static,
) -> DomainResult<T> {
    let path = received.file.to_path_buf();
    let max_pixels = state.config.max_image_pixels;
    let bytes = received.size;
    let _decoding = state
        .files
        .decodes
        .take(caller.user.id, DECODE_QUEUE_DEADLINE)
        .await
        .ok_or_else(|| {
            DomainError::Busy("the server is busy reading images; try again shortly".into())
        })?;
    tokio::task::spawn_blocking(move || decode(&path, max_pixels, bytes))
        .await
        .map_err(|_| DomainError::Unavailable)?
        .map_err(|e| match e {
            ImageError::TooManyPixels { .. } | ImageError::TooDense { .. } => {
                DomainError::TooLarge(e.to_string())
            }
            ImageError::Unreadable(_) => DomainError::Invalid(e.to_string()),
        })
}

/// The file `id`, if the caller can read its room now.
pub async fn readable(state: &AppState, caller: &Caller, id: Uuid) -> DomainResult<FileRecord> {
    let record = state
        .store
        .file(id)
        .await?
        .filter(|file| !file.held)
        .ok_or_else(|| DomainError::NotFound(format!("no file {id}")))?;
    access::require_readable(state, caller, &record.room).await?;
    Ok(record)
}

/// Claims the files a send names for its message (see the module docs).
pub async fn attach(
    state: &AppState,
    caller: &Caller,
    room: &str,
    client_msg_id: Uuid,
    ids: &[Uuid],
) -> DomainResult<Vec<Attachment>> {
    if ids.len() > MAX_ATTACHMENTS {
        return Err(DomainError::Invalid(format!(
            "a message carries at most {MAX_ATTACHMENTS} files"
        )));
    }
    let mut distinct = ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() != ids.len() {
        return Err(DomainError::Invalid("a file is named twice".into()));
    }
    match state
        .store
        .claim_files(room, caller.user.id, client_msg_id, ids)
        .await?
    {
        Some(files) => Ok(files.iter().map(FileRecord::attachment).collect()),
        None => Err(DomainError::Invalid(
            "attach files you uploaded to this room and have not sent with another message".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::declared_type;

    #[test]
    fn declared_types_are_kept_only_when_plain() {
        assert_eq!(declared_type(Some("Text/HTML; charset=utf-8")), "text/html");
        assert_eq!(declared_type(Some("application/pdf")), "application/pdf");
        assert_eq!(
            declared_type(Some("text/html\r\nX-Evil: 1")),
            "application/octet-stream"
        );
        assert_eq!(declared_type(None), "application/octet-stream");
        assert_eq!(declared_type(Some("nonsense")), "application/octet-stream");
    }
}
