//! Fan-out between server instances.
//!
//! Each instance delivers to its own connections itself (see `engine`); the broker
//! carries what one instance must tell the others: entries were stored, someone is
//! typing, someone came or went. Following docs/DESIGN.md, the store stays the truth: a
//! lost publish only delays delivery until the receiving side fills the gap from the
//! store.
//!
//! [`MemoryBroker`] serves a single instance; a Redis implementation of the same trait
//! lets any number of instances act as one.

mod memory;
mod redis_broker;
pub mod redis_health;
mod redis_presence;
mod redis_sharded;
mod redis_subscriber;
pub mod redis_target;
pub mod redis_wire;

use async_trait::async_trait;
use protocol::{Entry, PresenceStatus, RoomId, ServerFrame, UserRef};

pub use crate::engine::Noted;
pub use memory::MemoryBroker;
pub use redis_broker::{RedisBroker, HEARTBEAT};

/// What one instance publishes to the others about a room.
#[derive(Clone, Debug)]
pub enum BrokerEvent {
    /// Log entries were stored (one commit's worth, in `seq` order).
    Stored(Vec<Entry>),
    /// A user is typing (never stored).
    Typing(UserRef),
    /// A user's first connection to the room opened, or their last one closed.
    Presence(UserRef, PresenceStatus),
    /// A user was removed from the room (or left it: `true`, and they are
    /// not told it as an error): drop their subscriptions at once.
    Evicted(uuid::Uuid, bool),
    /// Close a user's connections (all, or those of one session) with 4001.
    /// Published on [`ALL_ROOMS`].
    SessionsEnded(uuid::Uuid, Option<uuid::Uuid>),
    /// Messages were stored: whoever belongs to their rooms hears `activity`.
    /// Published on [`ALL_ROOMS`] (one event for every instance, not one per
    /// member).
    Activity(Vec<Noted>),
    /// A frame for one user's connections wherever they are (`read`,
    /// `room_added`, `room_removed`). Published on [`ALL_ROOMS`].
    ForUser(uuid::Uuid, Box<ServerFrame>),
    /// A frame for every signed-in connection (`user_updated`). Published
    /// on [`ALL_ROOMS`].
    ForEveryone(Box<ServerFrame>),
    /// A frame for every connection joined to the room (`role_changed`):
    /// not a log entry, so a hint like typing.
    ForRoom(Box<ServerFrame>),
}

impl BrokerEvent {
    /// Whether the event must reach every instance even if Redis is away
    /// when it is published: taking access away (an eviction, an ended
    /// session) and what one user's devices are told. The broker keeps
    /// these (bounded) until Redis takes them; the rest are hints the store
    /// makes good.
    pub fn must_arrive(&self) -> bool {
        matches!(
            self,
            BrokerEvent::Evicted(..)
                | BrokerEvent::SessionsEnded(..)
                | BrokerEvent::ForUser(..)
                | BrokerEvent::ForEveryone(..)
        )
    }
}

/// The pseudo-room whose channel every instance listens to: events about users
/// rather than rooms. No room can have this id.
pub const ALL_ROOMS: &str = "*";

/// What a broker hands to its instance: an event from a peer, or word that the
/// subscription was re-established (after which the instance fills gaps from the store).
#[derive(Clone, Debug)]
pub enum Incoming {
    Event(RoomId, BrokerEvent),
    Resubscribed,
}

#[derive(Debug, thiserror::Error)]
#[error("broker unavailable: {0}")]
pub struct BrokerError(pub String);

#[async_trait]
pub trait Broker: Send + Sync + 'static {
    /// Tells the other instances about `event` in `room`. Called after the store
    /// has committed what the event speaks of.
    async fn publish(&self, room: &str, event: BrokerEvent) -> Result<(), BrokerError>;
    /// Starts receiving `room`'s events (when its first local member joins).
    async fn subscribe(&self, room: &str) -> Result<(), BrokerError>;
    /// Stops receiving them (when its last local member leaves).
    async fn unsubscribe(&self, room: &str) -> Result<(), BrokerError>;

    /// Counts one more connection of `user` in `room`; true if it is their first,
    /// on any instance (they just came online there).
    async fn presence_join(&self, room: &str, user: &UserRef) -> Result<bool, BrokerError>;
    /// Counts one connection fewer; true if it was their last (they went offline).
    async fn presence_leave(&self, room: &str, user: &UserRef) -> Result<bool, BrokerError>;
    /// Who is online in `room`.
    async fn presence_list(&self, room: &str) -> Result<Vec<UserRef>, BrokerError>;

    /// Whether the broker can serve now (for `/readyz`).
    async fn ready(&self) -> bool;
}
