//! Where uploaded files' bytes live: objects named by their SHA-256, in a
//! directory under the data directory by default (or another one, `--file-store
//! file:///DIR`, e.g. a filesystem the instances share), or in S3-compatible
//! object storage (`--file-store s3://BUCKET/PREFIX`), through `object_store`
//! for both. Which upload is which file, and who may read it, is the store's and
//! the domain's business (`store::FileRecord`, `domain::files`).
//!
//! - [`receive`]: an upload's body, into a temporary file under the data
//!   directory while it is hashed and counted (bounded in bytes);
//! - [`image`]: what an image is, and its thumbnail (bounded in pixels,
//!   and in pixels per byte); [`avatar`]: a profile picture's two square
//!   thumbnails, re-encoded; [`avatar_cache`]: those thumbnails held in
//!   memory, bounded;
//! - [`decode_slots`]: who may decode an image now (a few at once, one per
//!   user, a deadline for waiting);
//! - [`Files::put`]: the temporary file into the file store. On local disk
//!   the object is written beside its final name and renamed, so a crash
//!   never leaves half a file served; on S3 a multipart upload is complete
//!   or absent;
//! - [`sweeper`]: deletes objects no file names any more, and uploads never
//!   sent.
//!
//! The local disk serves one instance only: instances behind a load balancer
//! need the S3 store (or one shared filesystem).

pub mod avatar;
pub mod avatar_cache;
pub mod decode_slots;
pub mod image;
pub mod receive;
pub mod sweeper;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;

/// Bytes copied to the file store at a time.
const CHUNK: usize = 256 * 1024;

/// Copies into the file store at once. Each holds at most a few chunks of
/// its file in memory (S3 parts are 5 MiB), so this bounds that memory too.
const PUTS_AT_ONCE: usize = 8;

/// The file store, and where uploads wait while they arrive.
pub struct Files {
    objects: Arc<dyn ObjectStore>,
    puts: tokio::sync::Semaphore,
    /// Taken by whoever decodes an image (see [`image::inspect`]).
    pub decodes: decode_slots::DecodeSlots,
    /// Uploads being received (emptied at start: nothing there is complete).
    pub uploads: PathBuf,
    /// Where local objects are, when they are local (to clear staging files).
    local: Option<PathBuf>,
}

/// An object's name for a digest: `blobs/ab/abcdef…`.
fn object_path(digest: &str) -> ObjectPath {
    ObjectPath::from(format!("blobs/{}/{digest}", &digest[..2.min(digest.len())]))
}

impl Files {
    /// Opens the file store `url` names (`s3://BUCKET[/PREFIX]`, configured
    /// further by the usual `AWS_*` variables), or the directory `files/`
    /// under `data_dir`; clears unfinished uploads.
    pub fn open(data_dir: &Path, url: Option<&str>) -> anyhow::Result<Files> {
        let uploads = data_dir.join("uploads");
        std::fs::create_dir_all(&uploads)?;
        for entry in std::fs::read_dir(&uploads)? {
            let _ = std::fs::remove_file(entry?.path());
        }
        let (objects, local): (Arc<dyn ObjectStore>, _) = match url {
            Some(url) if url.starts_with("s3://") => {
                let s3 = object_store::aws::AmazonS3Builder::from_env()
                    .with_url(url)
                    .build()?;
                (Arc::new(s3), None)
            }
            Some(url) if url.starts_with("file://") => {
                // Perhaps shared with other instances: their staging files
                // may be in use, so none are cleared.
                let dir = PathBuf::from(url.trim_start_matches("file://"));
                std::fs::create_dir_all(&dir)?;
                let shared = object_store::local::LocalFileSystem::new_with_prefix(&dir)?;
                (Arc::new(shared), None)
            }
            Some(other) => anyhow::bail!(
                "unsupported --file-store {other:?}: use s3://BUCKET/PREFIX or file:///DIR"
            ),
            None => {
                let dir = data_dir.join("files");
                std::fs::create_dir_all(&dir)?;
                clear_staging(&dir);
                let local = object_store::local::LocalFileSystem::new_with_prefix(&dir)?;
                (Arc::new(local), Some(dir))
            }
        };
        Ok(Files {
            objects,
            puts: tokio::sync::Semaphore::new(PUTS_AT_ONCE),
            decodes: decode_slots::DecodeSlots::new(),
            uploads,
            local,
        })
    }

    /// Copies a received file into the file store as the object `digest`.
    pub async fn put(&self, digest: &str, file: &Path) -> anyhow::Result<()> {
        let _permit = self.puts.acquire().await?;
        let upload = self.objects.put_multipart(&object_path(digest)).await?;
        let mut writer = WriteMultipart::new(upload);
        let mut source = tokio::fs::File::open(file).await?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = source.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            // At most a few chunks wait in memory, whatever the file's size.
            writer.wait_for_capacity(4).await?;
            writer.write(&buf[..n]);
        }
        writer.finish().await?;
        Ok(())
    }

    /// Stores small bytes (a thumbnail) as the object `digest`.
    pub async fn put_bytes(&self, digest: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.objects
            .put(&object_path(digest), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The object `digest` as a stream of chunks; `None` if it is not there.
    pub async fn get(
        &self,
        digest: &str,
    ) -> anyhow::Result<Option<BoxStream<'static, std::io::Result<Bytes>>>> {
        match self.objects.get(&object_path(digest)).await {
            Ok(found) => Ok(Some(
                found
                    .into_stream()
                    .map(|chunk| chunk.map_err(std::io::Error::other))
                    .boxed(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, digest: &str) -> anyhow::Result<()> {
        match self.objects.delete(&object_path(digest)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether objects are in this instance's own data directory (one
    /// instance only).
    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }
}

/// Removes what a crash left of local objects being written: their staging
/// files (`NAME#N`), never served, since objects are read by exact name.
fn clear_staging(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            clear_staging(&path);
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains('#'))
        {
            let _ = std::fs::remove_file(&path);
        }
    }
}
