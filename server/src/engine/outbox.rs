//! The engine's handle on one connection: a bounded queue of ready-to-send frames,
//! and a way to ask the connection to close.
//!
//! Frames are `Utf8Bytes`: a reference-counted buffer, so one message serialized
//! once is pushed to every subscriber as a pointer copy. Pushing never waits: a full
//! queue means the client is not reading fast enough, and it is asked to close with
//! 1008 instead of slowing down the room. A queue is full at its count of frames
//! or at its count of bytes, whichever comes first (a few big history pages weigh
//! more than a thousand small messages).

use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use protocol::close_code;
use tokio::sync::{mpsc, Notify};

/// One serialized server frame, shared between all the queues it sits in.
pub type Frame = Utf8Bytes;

/// Serializes a server frame once, for as many queues as need it.
pub fn frame(server_frame: &protocol::ServerFrame) -> Frame {
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
    /// Bytes queued and not yet taken by the connection.
    bytes: Arc<AtomicUsize>,
    max_bytes: usize,
}

/// The receiving side of a connection's queue.
pub struct Queue {
    rx: mpsc::Receiver<Frame>,
    bytes: Arc<AtomicUsize>,
}

impl Queue {
    /// The next frame; `None` once every [`Outbox`] is gone.
    pub async fn recv(&mut self) -> Option<Frame> {
        let frame = self.rx.recv().await?;
        self.bytes.fetch_sub(frame.len(), Ordering::AcqRel);
        Some(frame)
    }

    /// The next frame if one is queued.
    pub fn try_recv(&mut self) -> Result<Frame, mpsc::error::TryRecvError> {
        let frame = self.rx.try_recv()?;
        self.bytes.fetch_sub(frame.len(), Ordering::AcqRel);
        Ok(frame)
    }
}

impl Outbox {
    /// A new queue holding at most `capacity` frames (of any size), and its
    /// receiving end.
    pub fn new(capacity: usize) -> (Outbox, Queue) {
        Self::bounded(capacity, usize::MAX)
    }

    /// A new queue holding at most `capacity` frames and `max_bytes` bytes.
    pub fn bounded(capacity: usize, max_bytes: usize) -> (Outbox, Queue) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let bytes = Arc::new(AtomicUsize::new(0));
        let outbox = Outbox {
            tx,
            kick: Arc::default(),
            bytes: bytes.clone(),
            max_bytes,
        };
        (outbox, Queue { rx, bytes })
    }

    /// How many frames the queue holds at most.
    pub fn capacity(&self) -> usize {
        self.tx.max_capacity()
    }

    /// Queues a frame without waiting. Returns false if the connection is gone or
    /// its queue is full; in the latter case it is asked to close with 1008.
    pub fn push(&self, frame: Frame) -> bool {
        let len = frame.len();
        let before = self.bytes.fetch_add(len, Ordering::AcqRel);
        if before.saturating_add(len) > self.max_bytes && before > 0 {
            // Over the byte bound (a frame alone may exceed it: it still goes
            // to an empty queue, or it could never be sent).
            self.bytes.fetch_sub(len, Ordering::AcqRel);
            self.too_slow();
            return false;
        }
        match self.tx.try_send(frame) {
            Ok(()) => true,
            Err(e) => {
                self.bytes.fetch_sub(len, Ordering::AcqRel);
                if matches!(e, mpsc::error::TrySendError::Full(_)) {
                    self.too_slow();
                }
                false
            }
        }
    }

    /// The queue is full: the client is not reading fast enough.
    fn too_slow(&self) {
        if self.close_with(close_code::POLICY) {
            metrics::counter!("confab_slow_consumers_total").increment(1);
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

    #[tokio::test]
    async fn a_queue_is_full_at_its_bytes_too() {
        let (outbox, mut queue) = Outbox::bounded(100, 10);
        assert!(
            outbox.push(Frame::from("0123456789abcdef")),
            "alone, a big frame goes"
        );
        assert!(!outbox.push(Frame::from("x")), "then nothing fits");
        assert_eq!(outbox.closing().await, close_code::POLICY);
        assert_eq!(queue.recv().await.unwrap().len(), 16);
        let (outbox, mut queue) = Outbox::bounded(100, 10);
        assert!(outbox.push(Frame::from("12345")));
        assert!(outbox.push(Frame::from("12345")));
        assert!(!outbox.push(Frame::from("1")), "11 bytes > 10");
        queue.try_recv().unwrap();
        assert!(
            outbox.bytes.load(Ordering::Acquire) == 5,
            "taken frames give their bytes back"
        );
    }
}
