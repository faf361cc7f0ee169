//! The engine's handle on one connection: a bounded queue of ready-to-send frames,
//! and a way to ask the connection to close.
//!
//! Frames are `Utf8Bytes`: a reference-counted buffer, so one message serialized
//! once is pushed to every subscriber as a pointer copy. Pushing never waits: a full
//! queue means the client is not reading fast enough, and it is asked to close with
//! 1008 instead of slowing down the room.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

use app::protocol::close_code;
use axum::extract::ws::Utf8Bytes;
use tokio::sync::{mpsc, Notify};

/// One serialized server frame, shared between all the queues it sits in.
pub type Frame = Utf8Bytes;

/// Serializes a server frame once, for as many queues as need it.
pub fn frame(server_frame: &app::protocol::ServerFrame) -> Frame {
    Frame::from(server_frame.to_json())
}

/// Identifies one WebSocket connection within this instance.
pub type ConnId = u64;

#[derive(Default)]
struct Kick {
    code: AtomicU16,
    notify: Notify,
}

/// The sending side of a connection's queue. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Frame>,
    kick: Arc<Kick>,
}

impl Outbox {
    /// A new queue holding at most `capacity` frames, and its receiving end.
    pub fn new(capacity: usize) -> (Outbox, mpsc::Receiver<Frame>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let outbox = Outbox {
            tx,
            kick: Arc::default(),
        };
        (outbox, rx)
    }

    /// How many frames the queue holds at most.
    pub fn capacity(&self) -> usize {
        self.tx.max_capacity()
    }

    /// Queues a frame without waiting. Returns false if the connection is gone or
    /// its queue is full; in the latter case it is asked to close with 1008.
    pub fn push(&self, frame: Frame) -> bool {
        match self.tx.try_send(frame) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                if self.close_with(close_code::POLICY) {
                    metrics::counter!("confab_slow_consumers_total").increment(1);
                }
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Asks the connection to close with `code`. The first code asked for wins;
    /// returns true if this call was the first.
    pub fn close_with(&self, code: u16) -> bool {
        let first = self
            .kick
            .code
            .compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        self.kick.notify.notify_one();
        first
    }

    /// Resolves with the close code once someone has asked this connection to close.
    pub async fn closing(&self) -> u16 {
        loop {
            let code = self.kick.code.load(Ordering::Acquire);
            if code != 0 {
                return code;
            }
            self.kick.notify.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_asks_for_a_policy_close() {
        let (outbox, mut rx) = Outbox::new(2);
        assert!(outbox.push(Frame::from("a")));
        assert!(outbox.push(Frame::from("b")));
        assert!(!outbox.push(Frame::from("c")), "third frame does not fit");
        assert_eq!(outbox.closing().await, close_code::POLICY);
        assert_eq!(rx.recv().await.unwrap().as_str(), "a");
        // A later request does not change the first code.
        assert!(!outbox.close_with(close_code::GOING_AWAY));
        assert_eq!(outbox.closing().await, close_code::POLICY);
    }
}
