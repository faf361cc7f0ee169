//! An upload's body into a temporary file under the data directory, hashed
//! (SHA-256, the object's name) and counted as it arrives; more than the
//! limit stops the upload and removes what arrived. The temporary file is
//! removed when the upload ends, however it ends (and at the next start, if
//! the process died meanwhile).

use std::path::Path;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// A complete upload, waiting in its temporary file.
pub struct Received {
    /// Removed when dropped.
    pub file: tempfile::TempPath,
    pub size: u64,
    /// SHA-256 of the bytes, hex.
    pub digest: String,
    /// The first bytes, for telling what the file is.
    pub head: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("the upload stopped before its end: {0}")]
    Interrupted(String),
    #[error("the upload could not be written: {0}")]
    Disk(#[from] std::io::Error),
}

/// Bytes of the start kept for recognizing the file's type.
const HEAD: usize = 64;

/// Reads `body` into a new temporary file in `dir`, at most `max` bytes.
pub async fn receive<E: std::fmt::Display>(
    dir: &Path,
    body: impl Stream<Item = Result<Bytes, E>>,
    max: u64,
) -> Result<Received, ReceiveError> {
    let temp = tempfile::Builder::new()
        .prefix("upload-")
        .tempfile_in(dir)?
        .into_temp_path();
    let mut out = tokio::fs::File::create(&temp).await?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut head = Vec::with_capacity(HEAD);
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| ReceiveError::Interrupted(e.to_string()))?;
        size += chunk.len() as u64;
        if size > max {
            return Err(ReceiveError::TooLarge(max));
        }
        if head.len() < HEAD {
            let take = (HEAD - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await?;
    }
    out.sync_all().await?;
    Ok(Received {
        file: temp,
        size,
        digest: hex::encode(hasher.finalize()),
        head,
    })
}
