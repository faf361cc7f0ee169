//! The engine: stores each room's log entries, orders them, and fans them out to
//! this instance's connections and, through the broker, to the other instances.
//!
//! The rules (docs/DESIGN.md):
//! - the store assigns `seq` ([`crate::store`]);
//! - to deliver `n`, a room first delivers everything up to `n - 1`, reading what it
//!   lacks from the store, under the room's lock ([`Node::deliver_all`]);
//! - a join with `since` replays from the store and subscribes under that same lock,
//!   so replayed and live messages never interleave ([`Node::join`]);
//! - after (re)subscribing, read up to the store's latest ([`Node::catch_up`]).

mod activity;
mod activity_batch;
mod delivery;
mod group_commit;
mod interest;
mod online;
pub mod outbox;
mod presence;
pub mod quiet;
mod recheck;
mod room;
mod watchers;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use protocol::{RoomId, ServerFrame, Since, UserRef};
use tokio::sync::Mutex as AsyncMutex;

use crate::broker::{Broker, BrokerEvent, Incoming};
use crate::store::{Store, StoreError};
pub use activity::{Noted, MAX_WATCHED_ROOMS};
pub use group_commit::{OnStored, MAX_BATCH};
use outbox::{frame, ConnId, Outbox};
use presence::{presence_frame, typing_frame, Heard};
use room::{RoomState, Subscriber};

/// Most messages a `join` with `since` replays; a longer gap answers
/// `recovered: false` and the client reloads history instead. A replay also never
/// takes more than half of the connection's queue, so recovering can never make a
/// healthy client look slow.
pub const MAX_REPLAY: u64 = 500;

type LocalRoom = Arc<AsyncMutex<RoomState>>;

pub struct Node {
    store: Arc<dyn Store>,
    broker: Arc<dyn Broker>,
    /// The Hub: every room with subscribers here.
    rooms: Mutex<HashMap<RoomId, LocalRoom>>,
    /// Sends waiting for their room's next commit ([`group_commit`]).
    queues: Mutex<HashMap<RoomId, group_commit::SendQueue>>,
    /// The tasks committing them.
    commits: tokio_util::task::TaskTracker,
    /// Connected users' rooms, for what they hear of rooms not joined.
    watchers: Arc<watchers::Watchers>,
    /// Whose presence each connection wants.
    interests: Arc<interest::Interests>,
    /// Up to how many online a connection that never said hears everyone.
    presence_for_all: u32,
}

/// How a join went, for the caller's logs.
#[derive(Debug, PartialEq, Eq)]
pub struct Joined {
    pub recovered: bool,
    pub replayed: usize,
}

impl Node {
    pub fn new(store: Arc<dyn Store>, broker: Arc<dyn Broker>) -> Arc<Self> {
        Self::with_presence_for_all(store, broker, interest::PRESENCE_FOR_ALL)
    }

    /// A node whose connections that never said whose presence they want
    /// hear every change in rooms with at most `presence_for_all` online.
    pub fn with_presence_for_all(
        store: Arc<dyn Store>,
        broker: Arc<dyn Broker>,
        presence_for_all: u32,
    ) -> Arc<Self> {
        Arc::new(Node {
            store,
            broker,
            rooms: Mutex::default(),
            queues: Mutex::default(),
            commits: tokio_util::task::TaskTracker::new(),
            watchers: Arc::default(),
            interests: Arc::default(),
            presence_for_all,
        })
    }

    /// Handles a room event a peer published (or word that the broker
    /// resubscribed). Events about users (`SessionsEnded`) are not the
    /// Hub's: whoever routes the broker's events hands those to `Sessions`.
    pub async fn on_incoming(self: &Arc<Self>, event: Incoming) {
        match event {
            Incoming::Event(room, BrokerEvent::Stored(entries)) => {
                self.deliver_all(&room, entries).await;
            }
            Incoming::Event(room, BrokerEvent::Typing(user)) => {
                self.broadcast_here(&room, typing_frame(&room, &user), &user, Heard::Typing)
                    .await;
            }
            Incoming::Event(room, BrokerEvent::Presence(user, status)) => {
                let presence = presence_frame(&room, &user, status);
                self.broadcast_here(&room, presence, &user, Heard::Presence(status))
                    .await;
            }
            Incoming::Event(room, BrokerEvent::Evicted(user, left)) => {
                self.local_evict(&room, user, left).await;
            }
            Incoming::Event(_, BrokerEvent::Activity(noted)) => self.hear_activity(&noted),
            Incoming::Event(_, BrokerEvent::ForUser(user, frame)) => {
                self.told_elsewhere(user, &frame)
            }
            Incoming::Event(_, BrokerEvent::ForEveryone(frame)) => {
                self.told_everyone_elsewhere(&frame)
            }
            Incoming::Event(room, BrokerEvent::ForRoom(frame)) => {
                self.told_room_here(&room, &frame).await
            }
            Incoming::Event(_, BrokerEvent::SessionsEnded(..)) => {}
            Incoming::Resubscribed => self.catch_up_all().await,
        }
    }

    fn existing_room(&self, room: &str) -> Option<LocalRoom> {
        self.rooms.lock().unwrap().get(room).cloned()
    }

    fn room_or_new(&self, room: &str) -> LocalRoom {
        self.rooms
            .lock()
            .unwrap()
            .entry(room.to_string())
            .or_default()
            .clone()
    }

    /// Subscribes a connection to a room. Queues `joined`, then (with a usable
    /// `since`) every message after `since.seq`, then who is online; live messages
    /// follow from then on, with no gap and no duplicate.
    ///
    /// With `members_only` (a private or direct room), membership is asked
    /// again under the room's lock, which an eviction takes too: a member
    /// removed after the caller's access check and before this point is not
    /// subscribed (`None`), and one removed after it is evicted by the
    /// removal's event, which waits for the lock.
    #[allow(clippy::too_many_arguments)]
    pub async fn join(
        &self,
        conn: ConnId,
        user: &UserRef,
        outbox: &Outbox,
        room: &str,
        since: Option<Since>,
        reference: Option<String>,
        members_only: bool,
    ) -> Result<Option<Joined>, StoreError> {
        loop {
            let local = self.room_or_new(room);
            let mut state = local.lock().await;
            if state.closed {
                continue; // dropped while we waited: take the fresh one
            }
            if !state.ready {
                // Subscribe first, then read: nothing falls between the two.
                if let Err(e) = self.broker.subscribe(room).await {
                    tracing::warn!(room, error = %e, "subscribe failed; catch-up will cover");
                }
                let record = self.store.room(room).await?.ok_or(StoreError::NotFound)?;
                state.epoch = record.epoch;
                state.last_delivered = record.last_seq;
                state.progress.send_replace(record.last_seq);
                state.ready = true;
            }
            if members_only && !self.store.is_member(room, user.id).await? {
                return Ok(None);
            }
            // The client saw entries this instance has not delivered yet
            // (another instance stored them, and its publish is late or was
            // lost with it): deliver them from the store first, so that the
            // replay reaches as far as the client had.
            if let Some(s) = since.as_ref().filter(|s| s.epoch == state.epoch) {
                if s.seq > state.last_delivered {
                    let record = self.store.room(room).await?.ok_or(StoreError::NotFound)?;
                    if record.epoch == state.epoch {
                        self.fill(&mut state, room, record.last_seq).await;
                        state.release_held();
                    }
                }
            }
            let latest = state.last_delivered;
            let max_replay = MAX_REPLAY.min(outbox.capacity() as u64 / 2);
            let replay = match &since {
                Some(s)
                    if s.epoch == state.epoch
                        && s.seq <= latest
                        && latest - s.seq <= max_replay =>
                {
                    let entries = self
                        .store
                        .entries_after(room, s.seq, (latest - s.seq) as u32)
                        .await?;
                    // Read after the entries: a retention cut that took
                    // some of them has raised the floor by now, and the
                    // gap is older than what is kept. (Nothing missed:
                    // nothing to have lost.)
                    let whole = s.seq == latest || self.store.log_floor(room).await? <= s.seq;
                    whole.then_some(entries)
                }
                _ => None,
            };
            let joined = Joined {
                recovered: replay.is_some(),
                replayed: replay.as_ref().map_or(0, Vec::len),
            };
            outbox.push(frame(&ServerFrame::Joined {
                room: room.to_string(),
                epoch: state.epoch.clone(),
                seq: latest,
                recovered: joined.recovered,
                reference,
            }));
            for entry in replay.into_iter().flatten() {
                outbox.push(frame(&ServerFrame::from(entry)));
            }
            let rejoin = state
                .subscribers
                .insert(
                    conn,
                    Subscriber {
                        user: user.clone(),
                        outbox: outbox.clone(),
                    },
                )
                .is_some();
            self.watchers.set_joined(user.id, conn, room, true);
            // Presence needs Redis round trips: not under the room's lock,
            // which every delivery and join to the room waits for.
            drop(state);
            if !rejoin {
                self.presence_joined(conn, room, user, outbox).await;
            }
            return Ok(Some(joined));
        }
    }

    /// Unsubscribes a connection from a room; returns false if it was not subscribed.
    pub async fn leave(&self, conn: ConnId, room: &str) -> bool {
        let Some(local) = self.existing_room(room) else {
            return false;
        };
        let mut state = local.lock().await;
        let user = match state.subscribers.remove(&conn) {
            Some(subscriber) => subscriber.user,
            // Dropped as a slow consumer: its leave still counts.
            None => match state.cut_off.remove(&conn) {
                Some(user) => user,
                None => return false,
            },
        };
        self.watchers.set_joined(user.id, conn, room, false);
        if state.subscribers.is_empty() {
            state.closed = true;
            self.rooms.lock().unwrap().remove(room);
            if let Err(e) = self.broker.unsubscribe(room).await {
                tracing::warn!(room, error = %e, "unsubscribe failed");
            }
        }
        drop(state);
        self.presence_left(room, &[user]).await;
        true
    }

    /// Removes every subscription of `user` to `room`, here and on every other
    /// instance: from this moment none of their connections gets the room's frames.
    /// Each affected connection is told with a `forbidden` error, unless the
    /// user `left` by themself.
    pub async fn evict(&self, room: &str, user: uuid::Uuid, left: bool) {
        self.local_evict(room, user, left).await;
        if let Err(e) = self
            .broker
            .publish(room, BrokerEvent::Evicted(user, left))
            .await
        {
            tracing::warn!(room, error = %e, "eviction publish failed");
        }
    }

    async fn local_evict(&self, room: &str, user: uuid::Uuid, left: bool) {
        let Some(local) = self.existing_room(room) else {
            return;
        };
        let mut state = local.lock().await;
        let notice = frame(&ServerFrame::Error {
            code: protocol::ErrorCode::Forbidden,
            message: format!("you were removed from {room:?}"),
            reference: None,
        });
        let mut evicted = Vec::new();
        state.subscribers.retain(|conn, sub| {
            if sub.user.id != user {
                return true;
            }
            if !left {
                sub.outbox.push(notice.clone());
            }
            self.watchers.set_joined(user, *conn, room, false);
            evicted.push(sub.user.clone());
            false
        });
        drop(state);
        self.presence_left(room, &evicted).await;
    }

    /// Whether `conn` is subscribed to `room` here.
    pub async fn is_subscribed(&self, conn: ConnId, room: &str) -> bool {
        match self.existing_room(room) {
            Some(local) => local.lock().await.subscribers.contains_key(&conn),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests;
