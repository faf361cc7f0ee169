//! Group commit: entries (sends, edits, deletions, reactions) for one room that
//! arrive while a commit of that room is in flight wait, and go together in the
//! next one — one transaction (one
//! flush to disk), one pass of the room's lock to deliver them, one round of
//! publishes. Under load, batches grow by themselves; when idle, a send is
//! committed at once.
//!
//! A sender does not wait for its entry's commit: it hands over a callback
//! ([`OnStored`]) that is told the outcome after the entry is delivered here,
//! so one connection can have many sends in flight, and its `ack` still comes
//! after its own `message` frame.

use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::RoomId;
use tokio::sync::oneshot;

use super::Node;
use crate::broker::BrokerEvent;
use crate::store::{NewEntry, Outcome, StoreError};

/// Most messages in one commit.
pub const MAX_BATCH: usize = 256;

/// Longest an ack waits for its message to go out here (held behind another
/// instance's messages: see `delivery`) before it is sent anyway.
const ACK_WAIT: Duration = Duration::from_secs(1);

/// What to do once a submitted entry is stored and delivered here (or
/// could not be stored: then nothing was).
pub type OnStored = Box<dyn FnOnce(Result<Outcome, StoreError>) + Send>;

/// One room's sends waiting for the next commit.
#[derive(Default)]
pub(super) struct SendQueue {
    waiting: Vec<(NewEntry, OnStored)>,
    /// Whether a task is committing this room's batches now.
    committing: bool,
}

impl Node {
    /// Queues `entry` for its room's next commit; `done` is told the outcome.
    pub fn submit(self: &Arc<Self>, entry: NewEntry, done: OnStored) {
        let room = entry.room().to_string();
        let start = {
            let mut queues = self.queues.lock().unwrap();
            let queue = queues.entry(room.clone()).or_default();
            queue.waiting.push((entry, done));
            !std::mem::replace(&mut queue.committing, true)
        };
        if start {
            self.commits.spawn(self.clone().commit_room(room));
        }
    }

    /// Stores an entry, delivers it here and tells the other instances;
    /// answers once that is done. A resent `client_msg_id` answers with the
    /// first copy.
    pub async fn apply(self: &Arc<Self>, entry: NewEntry) -> Result<Outcome, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.submit(
            entry,
            Box::new(move |outcome| {
                let _ = tx.send(outcome);
            }),
        );
        rx.await
            .unwrap_or_else(|_| Err(StoreError::Shared("the commit was abandoned".into())))
    }

    /// Waits for every commit in flight (shutdown).
    pub async fn finish_commits(&self) {
        self.commits.close();
        self.commits.wait().await;
    }

    /// Waits until no commit is in flight, then takes sends again (the fuzz
    /// harness, which checks the store once everything sent is in it).
    #[cfg(feature = "fuzzing")]
    pub async fn settle_commits(&self) {
        self.finish_commits().await;
        self.commits.reopen();
    }

    /// Commits `room`'s waiting sends, batch after batch, until none wait.
    async fn commit_room(self: Arc<Self>, room: RoomId) {
        loop {
            let batch: Vec<(NewEntry, OnStored)> = {
                let mut queues = self.queues.lock().unwrap();
                let Some(queue) = queues.get_mut(&room) else {
                    return;
                };
                if queue.waiting.is_empty() {
                    queues.remove(&room);
                    return;
                }
                let n = queue.waiting.len().min(MAX_BATCH);
                queue.waiting.drain(..n).collect()
            };
            let (entries, callbacks): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
            metrics::histogram!("confab_commit_batch_size").record(entries.len() as f64);
            let committing = Instant::now();
            let committed = self.store.append_batch(&room, entries).await;
            metrics::histogram!("confab_commit_seconds").record(committing.elapsed().as_secs_f64());
            match committed {
                Ok(outcomes) => {
                    let fresh = outcomes
                        .iter()
                        .filter(|o| matches!(o, Outcome::Stored { fresh: true, .. }))
                        .count() as u64;
                    metrics::counter!("confab_messages_stored_total").increment(fresh);
                    // Delivery is idempotent by seq, so a resend whose first
                    // delivery was lost (say, in a crash right after the
                    // commit) is delivered now.
                    let started = Instant::now();
                    let entries: Vec<_> = outcomes
                        .iter()
                        .filter_map(|o| match o {
                            Outcome::Stored { entry, .. } => Some(entry.clone()),
                            _ => None,
                        })
                        .collect();
                    if entries.is_empty() {
                        for (done, outcome) in callbacks.into_iter().zip(outcomes) {
                            done(Ok(outcome));
                        }
                        continue;
                    }
                    let newest = entries.iter().map(|e| e.seq()).max().unwrap_or(0);
                    let held = self.deliver_all(&room, entries.clone()).await;
                    metrics::histogram!("confab_fanout_seconds")
                        .record(started.elapsed().as_secs_f64());
                    self.note_activity(&entries).await;
                    // One publish for the whole commit.
                    if let Err(e) = self
                        .broker
                        .publish(&room, BrokerEvent::Stored(entries))
                        .await
                    {
                        // The store has them: peers fill the gap when the
                        // broker is back.
                        tracing::warn!(error = %e, room, "publish failed");
                    }
                    // Each sender gets its own message frame before its ack.
                    if let Some(mut progress) = held {
                        let out = progress.wait_for(|delivered| *delivered >= newest);
                        let _ = tokio::time::timeout(ACK_WAIT, out).await;
                    }
                    for (done, outcome) in callbacks.into_iter().zip(outcomes) {
                        done(Ok(outcome));
                    }
                }
                Err(e) => {
                    tracing::warn!(room, error = %e, n = callbacks.len(), "commit failed; nothing stored");
                    for done in callbacks {
                        done(Err(e.share()));
                    }
                }
            }
        }
    }
}
