//! Group commit: sends to one room that arrive while a commit of that room is
//! in flight wait, and go together in the next one — one transaction (one
//! flush to disk), one pass of the room's lock to deliver them, one round of
//! publishes. Under load, batches grow by themselves; when idle, a send is
//! committed at once.
//!
//! A sender does not wait for its message's commit: it hands over a callback
//! ([`OnStored`]) that is told the outcome after the message is delivered here,
//! so one connection can have many sends in flight, and its `ack` still comes
//! after its own `message` frame.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::protocol::RoomId;
use tokio::sync::oneshot;

use super::Node;
use crate::broker::BrokerEvent;
use crate::store::{Appended, NewMessage, StoreError};

/// Most messages in one commit.
pub const MAX_BATCH: usize = 256;

/// Longest an ack waits for its message to go out here (held behind another
/// instance's messages: see `delivery`) before it is sent anyway.
const ACK_WAIT: Duration = Duration::from_secs(1);

/// What to do once a submitted message is stored and delivered here (or
/// could not be stored: then nothing was).
pub type OnStored = Box<dyn FnOnce(Result<Appended, StoreError>) + Send>;

/// One room's sends waiting for the next commit.
#[derive(Default)]
pub(super) struct SendQueue {
    waiting: Vec<(NewMessage, OnStored)>,
    /// Whether a task is committing this room's batches now.
    committing: bool,
}

impl Node {
    /// Queues `message` for its room's next commit; `done` is told the outcome.
    pub fn submit(self: &Arc<Self>, message: NewMessage, done: OnStored) {
        let room = message.room.clone();
        let start = {
            let mut queues = self.queues.lock().unwrap();
            let queue = queues.entry(room.clone()).or_default();
            queue.waiting.push((message, done));
            !std::mem::replace(&mut queue.committing, true)
        };
        if start {
            self.commits.spawn(self.clone().commit_room(room));
        }
    }

    /// Stores a message, delivers it here and tells the other instances;
    /// answers once that is done. A resent `client_msg_id` answers with the
    /// first copy.
    pub async fn send(self: &Arc<Self>, message: NewMessage) -> Result<Appended, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.submit(
            message,
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

    /// Waits until no commit is in flight, then takes sends again (tests and
    /// the fuzzer, which check the store once everything sent is in it).
    pub async fn settle_commits(&self) {
        self.finish_commits().await;
        self.commits.reopen();
    }

    /// Commits `room`'s waiting sends, batch after batch, until none wait.
    async fn commit_room(self: Arc<Self>, room: RoomId) {
        loop {
            let batch: Vec<(NewMessage, OnStored)> = {
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
            let (messages, callbacks): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
            metrics::histogram!("confab_commit_batch_size").record(messages.len() as f64);
            let committing = Instant::now();
            let committed = self.store.append_batch(&room, messages).await;
            metrics::histogram!("confab_commit_seconds").record(committing.elapsed().as_secs_f64());
            match committed {
                Ok(appended) => {
                    let fresh = appended.iter().filter(|a| a.fresh).count() as u64;
                    metrics::counter!("confab_messages_stored_total").increment(fresh);
                    // Delivery is idempotent by seq, so a resend whose first
                    // delivery was lost (say, in a crash right after the
                    // commit) is delivered now.
                    let started = Instant::now();
                    let messages: Vec<_> = appended.iter().map(|a| a.message.clone()).collect();
                    let newest = messages.iter().map(|m| m.seq).max().unwrap_or(0);
                    let held = self.deliver_all(&room, messages.clone()).await;
                    metrics::histogram!("confab_fanout_seconds")
                        .record(started.elapsed().as_secs_f64());
                    // One publish for the whole commit.
                    if let Err(e) = self
                        .broker
                        .publish(&room, BrokerEvent::Stored(messages))
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
                    for (done, a) in callbacks.into_iter().zip(appended) {
                        done(Ok(a));
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
