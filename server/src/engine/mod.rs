//! The engine: stores messages, orders them, and fans them out to this instance's
//! connections and, through the broker, to the other instances.
//!
//! The rules (DESIGN.md):
//! - the store assigns `seq` ([`crate::store`]);
//! - to deliver `n`, a room first delivers everything up to `n - 1`, reading what it
//!   lacks from the store, under the room's lock ([`Node::deliver`]);
//! - a join with `since` replays from the store and subscribes under that same lock,
//!   so replayed and live messages never interleave ([`Node::join`]);
//! - after (re)subscribing, read up to the store's latest ([`Node::catch_up`]).

mod group_commit;
pub mod outbox;
mod room;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::protocol::{Message, PresenceStatus, RoomId, Seq, ServerFrame, Since, UserRef};
use tokio::sync::{mpsc, Mutex as AsyncMutex};

use crate::broker::{Broker, BrokerEvent, Incoming};
use crate::store::{Store, StoreError};
pub use group_commit::{OnStored, MAX_BATCH};
use outbox::{frame, ConnId, Outbox};
use room::{RoomState, Subscriber};

/// Most messages a `join` with `since` replays; a longer gap answers
/// `recovered: false` and the client reloads history instead. A replay also never
/// takes more than half of the connection's queue, so recovering can never make a
/// healthy client look slow.
pub const MAX_REPLAY: u64 = 500;

/// How much a gap fill reads from the store at once.
const FILL_BATCH: u32 = 500;

type LocalRoom = Arc<AsyncMutex<RoomState>>;

/// One user's connections on this instance: the session each was opened in, and
/// its outbox.
type UserSessions = HashMap<ConnId, (uuid::Uuid, Outbox)>;

pub struct Node {
    store: Arc<dyn Store>,
    broker: Arc<dyn Broker>,
    rooms: Mutex<HashMap<RoomId, LocalRoom>>,
    /// user → this instance's connections of theirs: session and outbox.
    sessions: Mutex<HashMap<uuid::Uuid, UserSessions>>,
    /// Sends waiting for their room's next commit ([`group_commit`]).
    queues: Mutex<HashMap<RoomId, group_commit::SendQueue>>,
    /// The tasks committing them.
    commits: tokio_util::task::TaskTracker,
}

/// How a join went, for the caller's logs.
#[derive(Debug, PartialEq, Eq)]
pub struct Joined {
    pub recovered: bool,
    pub replayed: usize,
}

impl Node {
    pub fn new(store: Arc<dyn Store>, broker: Arc<dyn Broker>) -> Arc<Self> {
        Arc::new(Node {
            store,
            broker,
            rooms: Mutex::default(),
            sessions: Mutex::default(),
            queues: Mutex::default(),
            commits: tokio_util::task::TaskTracker::new(),
        })
    }

    /// Handles what the broker receives from other instances, until it closes.
    pub async fn run_incoming(self: Arc<Self>, mut incoming: mpsc::Receiver<Incoming>) {
        while let Some(event) = incoming.recv().await {
            match event {
                Incoming::Event(room, BrokerEvent::Stored(message)) => {
                    debug_assert_eq!(room, message.room);
                    self.deliver(message).await;
                }
                Incoming::Event(room, BrokerEvent::Typing(user)) => {
                    self.local_typing(&room, &user).await;
                }
                Incoming::Event(room, BrokerEvent::Presence(user, status)) => {
                    self.local_presence(&room, &user, status).await;
                }
                Incoming::Event(room, BrokerEvent::Evicted(user)) => {
                    self.local_evict(&room, user).await;
                }
                Incoming::Event(_, BrokerEvent::SessionsEnded(user, session)) => {
                    self.local_end_sessions(user, session);
                }
                Incoming::Resubscribed => self.catch_up_all().await,
            }
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

    /// Delivers a stored message to this instance's subscribers, in order, once:
    /// anything between the last delivered `seq` and this one is read from the
    /// store first.
    pub async fn deliver(&self, message: Message) {
        let room = message.room.clone();
        self.deliver_all(&room, vec![message]).await
    }

    /// [`Node::deliver`] for several messages of one room, in `seq` order,
    /// under one hold of the room's lock.
    pub async fn deliver_all(&self, room: &str, messages: Vec<Message>) {
        let Some(local) = self.existing_room(room) else {
            return; // nobody here listens to this room
        };
        let mut state = local.lock().await;
        if !state.ready || state.closed {
            return;
        }
        for message in messages {
            if message.seq <= state.last_delivered {
                continue;
            }
            if message.epoch != state.epoch {
                tracing::warn!(room, "message from another epoch ignored");
                continue;
            }
            self.fill(&mut state, room, message.seq - 1).await;
            if message.seq == state.last_delivered + 1 {
                state.fan_out_message(message);
            }
        }
    }

    /// Delivers, from the store, every message after `last_delivered` up to `upto`.
    async fn fill(&self, state: &mut RoomState, room: &str, upto: Seq) {
        while state.last_delivered < upto {
            let want = (upto - state.last_delivered).min(FILL_BATCH as u64) as u32;
            match self
                .store
                .messages_after(room, state.last_delivered, want)
                .await
            {
                Ok(batch) if !batch.is_empty() => {
                    tracing::debug!(
                        room,
                        from = state.last_delivered + 1,
                        n = batch.len(),
                        "filling from the store"
                    );
                    for message in batch {
                        if message.seq == state.last_delivered + 1 && message.seq <= upto {
                            state.fan_out_message(message);
                        }
                    }
                }
                Ok(_) => {
                    tracing::error!(room, upto, "store lacks messages below a delivered seq");
                    return;
                }
                Err(e) => {
                    // Clients see the gap in seq and ask `history` for it.
                    tracing::warn!(room, error = %e, "gap fill failed");
                    return;
                }
            }
        }
    }

    /// Brings one room up to the store's latest `seq`.
    pub async fn catch_up(&self, room: &str) {
        let Some(local) = self.existing_room(room) else {
            return;
        };
        let mut state = local.lock().await;
        if !state.ready || state.closed {
            return;
        }
        match self.store.room(room).await {
            Ok(Some(record)) if record.epoch == state.epoch => {
                self.fill(&mut state, room, record.last_seq).await
            }
            Ok(_) => tracing::warn!(room, "room vanished or changed epoch"),
            Err(e) => tracing::warn!(room, error = %e, "catch-up failed"),
        }
    }

    /// Every `interval`, catches up every room with subscribers here: a publish
    /// lost while the subscription stayed up is delivered within one interval.
    pub async fn run_catch_up(self: Arc<Self>, interval: std::time::Duration) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.catch_up_all().await;
        }
    }

    /// Catches up every room that has subscribers here.
    pub async fn catch_up_all(&self) {
        let rooms: Vec<RoomId> = self.rooms.lock().unwrap().keys().cloned().collect();
        for room in rooms {
            self.catch_up(&room).await;
        }
    }

    /// Subscribes a connection to a room. Queues `joined`, then (with a usable
    /// `since`) every message after `since.seq`, then who is online; live messages
    /// follow from then on, with no gap and no duplicate.
    pub async fn join(
        &self,
        conn: ConnId,
        user: &UserRef,
        outbox: &Outbox,
        room: &str,
        since: Option<Since>,
        reference: Option<String>,
    ) -> Result<Joined, StoreError> {
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
                state.ready = true;
            }
            let latest = state.last_delivered;
            let max_replay = MAX_REPLAY.min(outbox.capacity() as u64 / 2);
            let replay = match &since {
                Some(s)
                    if s.epoch == state.epoch
                        && s.seq <= latest
                        && latest - s.seq <= max_replay =>
                {
                    Some(
                        self.store
                            .messages_after(room, s.seq, (latest - s.seq) as u32)
                            .await?,
                    )
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
            for message in replay.into_iter().flatten() {
                outbox.push(frame(&ServerFrame::Message(message)));
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
            if !rejoin {
                self.presence_joined(&mut state, room, user, outbox).await;
            }
            return Ok(joined);
        }
    }

    /// Tells the joiner who is online, and everyone else that the joiner is, if this
    /// is the joiner's first connection to the room.
    async fn presence_joined(
        &self,
        state: &mut RoomState,
        room: &str,
        user: &UserRef,
        outbox: &Outbox,
    ) {
        let first = match self.broker.presence_join(room, user).await {
            Ok(first) => first,
            Err(e) => {
                tracing::warn!(room, error = %e, "presence unavailable");
                return;
            }
        };
        for online in self.broker.presence_list(room).await.unwrap_or_default() {
            outbox.push(frame(&ServerFrame::Presence {
                room: room.to_string(),
                user: online,
                status: PresenceStatus::Online,
            }));
        }
        if first {
            self.announce_presence(state, room, user, PresenceStatus::Online)
                .await;
        }
    }

    async fn announce_presence(
        &self,
        state: &mut RoomState,
        room: &str,
        user: &UserRef,
        status: PresenceStatus,
    ) {
        state.broadcast(
            frame(&ServerFrame::Presence {
                room: room.to_string(),
                user: user.clone(),
                status,
            }),
            Some(user.id),
        );
        let event = BrokerEvent::Presence(user.clone(), status);
        if let Err(e) = self.broker.publish(room, event).await {
            tracing::warn!(room, error = %e, "presence publish failed");
        }
    }

    /// Unsubscribes a connection from a room; returns false if it was not subscribed.
    pub async fn leave(&self, conn: ConnId, room: &str) -> bool {
        let Some(local) = self.existing_room(room) else {
            return false;
        };
        let mut state = local.lock().await;
        let Some(subscriber) = state.subscribers.remove(&conn) else {
            return false;
        };
        match self.broker.presence_leave(room, &subscriber.user).await {
            Ok(true) => {
                self.announce_presence(&mut state, room, &subscriber.user, PresenceStatus::Offline)
                    .await
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(room, error = %e, "presence unavailable"),
        }
        if state.subscribers.is_empty() {
            state.closed = true;
            self.rooms.lock().unwrap().remove(room);
            if let Err(e) = self.broker.unsubscribe(room).await {
                tracing::warn!(room, error = %e, "unsubscribe failed");
            }
        }
        true
    }

    /// Removes every subscription of `user` to `room`, here and on every other
    /// instance: from this moment none of their connections gets the room's frames.
    /// Each affected connection is told with a `forbidden` error.
    pub async fn evict(&self, room: &str, user: uuid::Uuid) {
        self.local_evict(room, user).await;
        if let Err(e) = self.broker.publish(room, BrokerEvent::Evicted(user)).await {
            tracing::warn!(room, error = %e, "eviction publish failed");
        }
    }

    async fn local_evict(&self, room: &str, user: uuid::Uuid) {
        let Some(local) = self.existing_room(room) else {
            return;
        };
        let mut state = local.lock().await;
        let notice = frame(&ServerFrame::Error {
            code: app::protocol::ErrorCode::Forbidden,
            message: format!("you were removed from {room:?}"),
            reference: None,
        });
        let mut evicted = Vec::new();
        state.subscribers.retain(|_, sub| {
            if sub.user.id != user {
                return true;
            }
            sub.outbox.push(notice.clone());
            evicted.push(sub.user.clone());
            false
        });
        // One presence count per connection of theirs that was here.
        let mut went_offline = None;
        for who in evicted {
            if let Ok(true) = self.broker.presence_leave(room, &who).await {
                went_offline = Some(who);
            }
        }
        if let Some(who) = went_offline {
            self.announce_presence(&mut state, room, &who, PresenceStatus::Offline)
                .await;
        }
    }

    /// Records a connection as one of `user`'s sessions (see [`Node::end_sessions`]).
    pub fn session_opened(
        &self,
        user: uuid::Uuid,
        conn: ConnId,
        session: uuid::Uuid,
        outbox: &Outbox,
    ) {
        self.sessions
            .lock()
            .unwrap()
            .entry(user)
            .or_default()
            .insert(conn, (session, outbox.clone()));
    }

    pub fn session_closed(&self, user: uuid::Uuid, conn: ConnId) {
        let mut sessions = self.sessions.lock().unwrap();
        if let Some(conns) = sessions.get_mut(&user) {
            conns.remove(&conn);
            if conns.is_empty() {
                sessions.remove(&user);
            }
        }
    }

    /// Closes `user`'s connections with 4001 on every instance: all of them, or
    /// only those opened in `session`.
    pub async fn end_sessions(&self, user: uuid::Uuid, session: Option<uuid::Uuid>) {
        self.local_end_sessions(user, session);
        let event = BrokerEvent::SessionsEnded(user, session);
        if let Err(e) = self.broker.publish(crate::broker::ALL_ROOMS, event).await {
            tracing::warn!(error = %e, "session end publish failed");
        }
    }

    fn local_end_sessions(&self, user: uuid::Uuid, session: Option<uuid::Uuid>) {
        let sessions = self.sessions.lock().unwrap();
        for (opened_in, outbox) in sessions.get(&user).into_iter().flat_map(|c| c.values()) {
            if session.is_none_or(|s| s == *opened_in) {
                outbox.close_with(app::protocol::close_code::TOKEN_EXPIRED);
            }
        }
    }

    /// Whether `conn` is subscribed to `room` here.
    pub async fn is_subscribed(&self, conn: ConnId, room: &str) -> bool {
        match self.existing_room(room) {
            Some(local) => local.lock().await.subscribers.contains_key(&conn),
            None => false,
        }
    }

    /// Tells the room, here and on other instances, that `user` is typing.
    pub async fn typing(&self, room: &str, user: &UserRef) {
        self.local_typing(room, user).await;
        if let Err(e) = self
            .broker
            .publish(room, BrokerEvent::Typing(user.clone()))
            .await
        {
            tracing::debug!(room, error = %e, "typing publish failed");
        }
    }

    async fn local_typing(&self, room: &str, user: &UserRef) {
        if let Some(local) = self.existing_room(room) {
            let typing = frame(&ServerFrame::Typing {
                room: room.to_string(),
                user: user.clone(),
            });
            local.lock().await.broadcast(typing, Some(user.id));
        }
    }

    async fn local_presence(&self, room: &str, user: &UserRef, status: PresenceStatus) {
        if let Some(local) = self.existing_room(room) {
            let presence = frame(&ServerFrame::Presence {
                room: room.to_string(),
                user: user.clone(),
                status,
            });
            local.lock().await.broadcast(presence, Some(user.id));
        }
    }
}

#[cfg(test)]
mod tests;
