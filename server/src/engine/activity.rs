//! What a user hears of all their rooms, joined or not: `activity` for a new
//! message in a member room the connection has not joined, and frames meant
//! for the user wherever they are connected (`read`, `room_added`,
//! `room_removed`, `notifications`, `dnd`, …).
//!
//! Each instance keeps an index of its connected users (`watchers`). A
//! stored message costs one small broker event (published once for all
//! instances on the all-instances channel; a reply carries its thread's
//! followers, read once by the instance that stored it, off the commit path)
//! and, on each instance, one lookup of the room's connected members here.
//! Frames meant for a user go to their connections here and, through the
//! broker, on every other instance.

use std::sync::Arc;

use protocol::{Entry, RoomId, Seq, ServerFrame, UserRef};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::activity_batch;
use super::outbox::{frame, ConnId, Outbox};
use super::quiet::QuietRule;
use super::Node;
use crate::broker::{BrokerEvent, ALL_ROOMS};

/// Most member rooms remembered per connected user; a user in more hears
/// `activity` for the first this many the store lists.
pub const MAX_WATCHED_ROOMS: u32 = 5_000;

/// A stored message, as far as activity needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Noted {
    pub room: RoomId,
    pub seq: Seq,
    pub author: Uuid,
    #[serde(default)]
    pub mentions: Vec<Uuid>,
    /// It mentions every member (`@channel`, `@all`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub everyone: bool,
    /// The thread it replies in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
    /// Who follows that thread (filled by [`Node::note_activity`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub followers: Vec<Uuid>,
}

impl Noted {
    /// The messages among `entries` (other entries raise no activity).
    pub fn messages(entries: &[Entry]) -> Vec<Noted> {
        entries
            .iter()
            .filter_map(|entry| match entry {
                Entry::Message(m) => Some(Noted {
                    room: m.room.clone(),
                    seq: m.seq,
                    author: m.author.id,
                    mentions: m.mentions.clone(),
                    everyone: m.everyone,
                    thread: m.thread,
                    followers: Vec::new(),
                }),
                _ => None,
            })
            .collect()
    }
}

impl Node {
    /// Starts telling this connection about all of `user`'s rooms. Their
    /// rooms are read from the store for the user's first connection here.
    pub async fn watch(&self, user: &UserRef, conn: ConnId, outbox: &Outbox) {
        if !self.watchers.add(user.id, conn, outbox) {
            return;
        }
        let (rooms, quiet) = match self.store.watch_needs(user.id, MAX_WATCHED_ROOMS).await {
            Ok((rooms, dnd)) => (rooms, QuietRule::from(dnd)),
            Err(e) => {
                tracing::warn!(error = %e, "rooms unavailable: no activity for this connection");
                (Vec::new(), QuietRule::default())
            }
        };
        self.watchers.loaded(user.id, rooms, quiet);
    }

    /// Stops telling this connection (it closed).
    pub fn unwatch(&self, user: Uuid, conn: ConnId) {
        self.watchers.remove(user, conn);
    }

    /// Tells `user`'s connections on every instance (but `except`, the
    /// connection the news came from) `frame`.
    pub async fn tell_user(&self, user: Uuid, server_frame: ServerFrame, except: Option<ConnId>) {
        self.watchers.tell(user, &server_frame, except);
        let event = BrokerEvent::ForUser(user, Box::new(server_frame));
        if let Err(e) = self.broker.publish(ALL_ROOMS, event).await {
            tracing::warn!(error = %e, "publish to a user failed");
        }
    }

    /// Tells every signed-in connection on every instance `frame` (a
    /// profile changed: anyone may look anyone up in the directory).
    pub async fn tell_everyone(&self, server_frame: ServerFrame) {
        self.watchers.tell_all(&server_frame);
        let event = BrokerEvent::ForEveryone(Box::new(server_frame));
        if let Err(e) = self.broker.publish(ALL_ROOMS, event).await {
            tracing::warn!(error = %e, "publish to everyone failed");
        }
    }

    /// Tells every connection joined to `room`, on every instance, `frame`
    /// (a member's role changed). Not a log entry: not replayed.
    pub async fn tell_room(&self, room: &str, server_frame: ServerFrame) {
        self.told_room_here(room, &server_frame).await;
        let event = BrokerEvent::ForRoom(Box::new(server_frame));
        if let Err(e) = self.broker.publish(room, event).await {
            tracing::debug!(room, error = %e, "publish to a room failed");
        }
    }

    /// A frame for this instance's subscribers of `room`.
    pub(super) async fn told_room_here(&self, room: &str, server_frame: &ServerFrame) {
        if let Some(local) = self.existing_room(room) {
            local.lock().await.tell_all(frame(server_frame));
        }
    }

    /// A frame for everyone from another instance.
    pub(super) fn told_everyone_elsewhere(&self, server_frame: &ServerFrame) {
        self.watchers.tell_all(server_frame);
    }

    /// A frame for `user` from another instance.
    pub(super) fn told_elsewhere(&self, user: Uuid, server_frame: &ServerFrame) {
        self.watchers.tell(user, server_frame, None);
    }

    /// Raises `activity` for stored messages here and on every instance.
    /// Activity is a hint, so a batch with replies, whose thread followers
    /// take a store read, is noted by a task of its own: the commit loop
    /// (and so the senders' acks) never waits on that read.
    pub(super) async fn note_activity(self: &Arc<Self>, entries: &[Entry]) {
        let noted = Noted::messages(entries);
        if noted.iter().any(|message| message.thread.is_some()) {
            let node = self.clone();
            // Tracked with the commits: shutdown waits for it too.
            self.commits.spawn(async move { node.note(noted).await });
        } else {
            self.note(noted).await;
        }
    }

    /// Fills in replies' followers, then tells the watchers here and the
    /// other instances.
    async fn note(&self, mut noted: Vec<Noted>) {
        for message in &mut noted {
            if let Some(root) = message.thread {
                match self.store.followers(&message.room, root).await {
                    Ok(followers) => message.followers = followers,
                    Err(e) => tracing::warn!(error = %e, "a thread's followers unavailable"),
                }
            }
        }
        if noted.is_empty() {
            return;
        }
        self.hear_activity(&noted);
        if let Err(e) = self
            .broker
            .publish(ALL_ROOMS, BrokerEvent::Activity(noted))
            .await
        {
            tracing::warn!(error = %e, "activity publish failed");
        }
    }

    /// Activity stored here or on another instance: held a moment for each
    /// connection it goes to, then sent together ([`activity_batch`]).
    pub(super) fn hear_activity(&self, noted: &[Noted]) {
        if self.watchers.note(noted) {
            let watchers = self.watchers.clone();
            tokio::spawn(async move {
                tokio::time::sleep(activity_batch::ACTIVITY_GATHER).await;
                activity_batch::send_all(watchers.take_activity());
            });
        }
    }
}
