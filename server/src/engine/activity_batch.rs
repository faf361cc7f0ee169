//! `activity` frames gathered per connection for a moment before they go
//! out together.
//!
//! A connection that has not joined a busy room hears of each of its
//! messages alone: one wake of its task, one write and one flush (a system
//! call) each, which cost twice what a joined delivery costs, where a batch
//! of messages shares one write. Activity is a hint (an unread count, a
//! notification), so holding it for [`ACTIVITY_GATHER`] costs nobody
//! anything they can see, and lets a connection write what gathered at once.
//! Clients count activity by `seq`, so its order against other frames does
//! not matter (docs/PROTOCOL.md).

use std::collections::HashMap;
use std::time::Duration;

use super::outbox::{ConnId, Frame, Outbox};

/// How long an `activity` frame waits for others to the same connection.
pub const ACTIVITY_GATHER: Duration = Duration::from_millis(200);

/// Activity waiting to go out, per connection.
#[derive(Default)]
pub struct ActivityBatch {
    waiting: HashMap<ConnId, (Outbox, Vec<Frame>)>,
}

impl ActivityBatch {
    /// Holds `frame` for `conn`. A connection's share is bounded by its
    /// queue: once as many wait as the queue holds, they go at once (and a
    /// client that does not read is cut off as usual). Returns true if this
    /// is the first frame waiting (the caller schedules [`Self::take`]).
    pub fn hold(&mut self, conn: ConnId, outbox: &Outbox, frame: Frame) -> bool {
        let first = self.waiting.is_empty();
        let (_, frames) = self
            .waiting
            .entry(conn)
            .or_insert_with(|| (outbox.clone(), Vec::new()));
        frames.push(frame);
        if frames.len() >= outbox.capacity() {
            if let Some((outbox, frames)) = self.waiting.remove(&conn) {
                send(&outbox, frames);
            }
        }
        first
    }

    /// Everything waiting, to hand to [`send_all`] outside the index's lock.
    pub fn take(&mut self) -> Vec<(Outbox, Vec<Frame>)> {
        self.waiting.drain().map(|(_, waiting)| waiting).collect()
    }
}

/// Queues each connection's frames back to back: it writes them together.
pub fn send_all(batches: Vec<(Outbox, Vec<Frame>)>) {
    for (outbox, frames) in batches {
        send(&outbox, frames);
    }
}

fn send(outbox: &Outbox, frames: Vec<Frame>) {
    for frame in frames {
        if !outbox.push(frame) {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_wait_until_taken_and_a_full_queue_worth_goes_at_once() {
        let mut batch = ActivityBatch::default();
        let (outbox, mut queue) = Outbox::new(3);
        assert!(batch.hold(1, &outbox, Frame::from("a")));
        assert!(!batch.hold(1, &outbox, Frame::from("b")));
        assert!(queue.try_recv().is_err(), "nothing goes before the batch");
        send_all(batch.take());
        assert_eq!(queue.try_recv().unwrap().as_str(), "a");
        assert_eq!(queue.try_recv().unwrap().as_str(), "b");
        for f in ["c", "d", "e"] {
            batch.hold(1, &outbox, Frame::from(f));
        }
        assert_eq!(
            queue.try_recv().unwrap().as_str(),
            "c",
            "three waiting: sent"
        );
        assert!(batch.take().is_empty());
    }
}
