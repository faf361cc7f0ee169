//! One room as this instance sees it: who is subscribed here, and how far delivery
//! has got.

use std::collections::HashMap;

use app::protocol::{Message, Seq, ServerFrame, UserRef};

use super::outbox::{frame, ConnId, Frame, Outbox};

/// A connection subscribed to a room.
pub struct Subscriber {
    pub user: UserRef,
    pub outbox: Outbox,
}

/// The state behind a room's lock. Everything that delivers to the room's
/// subscribers, and every join, happens while holding it, so each subscriber's
/// queue gets the room's messages in `seq` order, each once.
#[derive(Default)]
pub struct RoomState {
    /// Set once the broker subscription exists and `last_delivered` was read.
    pub ready: bool,
    /// Set when the last subscriber left and the room was dropped from the node:
    /// whoever still holds it must fetch a fresh one.
    pub closed: bool,
    pub epoch: String,
    /// The highest `seq` every subscriber here has been given.
    pub last_delivered: Seq,
    pub subscribers: HashMap<ConnId, Subscriber>,
}

impl RoomState {
    /// Queues `message` for every subscriber, serialized once. Subscribers whose
    /// queue is full are dropped here (their connection closes with 1008).
    pub fn fan_out_message(&mut self, message: Message) {
        let seq = message.seq;
        self.broadcast(frame(&ServerFrame::Message(message)), None);
        self.last_delivered = seq;
    }

    /// Queues a frame for every subscriber but those of `except_user`.
    pub fn broadcast(&mut self, frame: Frame, except_user: Option<uuid::Uuid>) {
        self.subscribers
            .retain(|_, sub| Some(sub.user.id) == except_user || sub.outbox.push(frame.clone()));
    }
}
