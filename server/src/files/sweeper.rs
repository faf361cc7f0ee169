//! Deletes what no one can reach any more, every `--file-sweep-secs`: uploads
//! never sent within a day (or whose send was never stored), then every
//! object no file names (a deleted message's, a deleted upload's). Any
//! instance may sweep; the store hands each object to one sweep only.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::Files;
use crate::store::Store;

/// How long an upload may wait to be sent, in ms.
pub const UNSENT_KEPT_MS: i64 = 24 * 3600 * 1000;
/// Files or objects handled per query.
const BATCH: u32 = 500;

/// One sweep: answers how many objects it deleted.
pub async fn sweep(store: &dyn Store, files: &Files) -> anyhow::Result<usize> {
    loop {
        let stale = store
            .stale_files(crate::store::now_ms() - UNSENT_KEPT_MS, BATCH)
            .await?;
        if stale.is_empty() {
            break;
        }
        let ids: Vec<uuid::Uuid> = stale.iter().map(|f| f.id).collect();
        store.delete_files(&ids).await?;
        if stale.len() < BATCH as usize {
            break;
        }
    }
    let mut deleted = 0;
    loop {
        let digests = store.collect_objects(BATCH).await?;
        for digest in &digests {
            if let Err(e) = files.delete(digest).await {
                // Off the queue already: the object stays, unreachable.
                tracing::warn!(digest, error = %e, "could not delete a file's object");
            } else {
                deleted += 1;
            }
        }
        if digests.len() < BATCH as usize {
            return Ok(deleted);
        }
    }
}

/// Sweeps every `every` until `shutdown`.
pub fn spawn(
    store: Arc<dyn Store>,
    files: Arc<Files>,
    every: Duration,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            match sweep(&*store, &files).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(objects = n, "files swept"),
                Err(e) => tracing::warn!(error = %e, "file sweep failed"),
            }
        }
    })
}
