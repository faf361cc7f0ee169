//! What a user hears of all their rooms, joined or not: `activity` for a new
//! message in a member room the connection has not joined, and frames meant
//! for the user wherever they are connected (`read`, `room_added`,
//! `room_removed`).
//!
//! Each instance keeps an index of its connected users: the rooms each belongs
//! to (read from the store once, when the user's first connection here opens,
//! then kept by `room_added`/`room_removed`), and which of those each
//! connection has joined. A stored message costs one small broker event
//! (published once for all instances on the all-instances channel) and, on each
//! instance, one lookup of the room's connected members here: never a store
//! read per recipient. Frames meant for a user go to their connections here
//! and, through the broker, on every other instance.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use protocol::{Entry, RoomId, Seq, ServerFrame, UserRef};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::outbox::{frame, ConnId, Frame, Outbox};
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
                }),
                _ => None,
            })
            .collect()
    }
}

/// One connected user's connections here and the rooms they belong to.
#[derive(Default)]
struct Watcher {
    rooms: HashSet<RoomId>,
    conns: HashMap<ConnId, Watching>,
    /// While their rooms are read from the store (their first connection
    /// here): the rooms they left meanwhile, which that read may still list.
    removed_while_loading: Option<HashSet<RoomId>>,
}

/// One connection: its queue, and the rooms it has joined (which get the
/// messages themselves, not `activity`).
struct Watching {
    outbox: Outbox,
    joined: HashSet<RoomId>,
}

/// The index of connected users' rooms on this instance.
#[derive(Default)]
pub struct Watchers {
    inner: Mutex<Index>,
}

#[derive(Default)]
struct Index {
    users: HashMap<Uuid, Watcher>,
    /// room → connected users here who belong to it.
    rooms: HashMap<RoomId, HashSet<Uuid>>,
}

impl Index {
    fn add_room(&mut self, user: Uuid, room: &str) {
        if let Some(watcher) = self.users.get_mut(&user) {
            watcher.rooms.insert(room.to_string());
            self.rooms.entry(room.to_string()).or_default().insert(user);
        }
    }

    fn remove_room(&mut self, user: Uuid, room: &str) {
        if let Some(watcher) = self.users.get_mut(&user) {
            watcher.rooms.remove(room);
            if let Some(removed) = &mut watcher.removed_while_loading {
                removed.insert(room.to_string());
            }
        }
        if let Some(users) = self.rooms.get_mut(room) {
            users.remove(&user);
            if users.is_empty() {
                self.rooms.remove(room);
            }
        }
    }
}

impl Watchers {
    /// Registers a connection; true if it is the user's first here, whose
    /// rooms the caller reads and hands to [`Watchers::loaded`]. Rooms added
    /// or removed meanwhile (`room_added`, `room_removed`) count already.
    fn add(&self, user: Uuid, conn: ConnId, outbox: &Outbox) -> bool {
        let mut index = self.inner.lock().unwrap();
        let first = !index.users.contains_key(&user);
        let watcher = index.users.entry(user).or_default();
        watcher.conns.insert(
            conn,
            Watching {
                outbox: outbox.clone(),
                joined: HashSet::new(),
            },
        );
        if first {
            watcher.removed_while_loading = Some(HashSet::new());
        }
        first
    }

    /// The rooms the store listed for `user`, but those they left meanwhile.
    fn loaded(&self, user: Uuid, rooms: Vec<RoomId>) {
        let mut index = self.inner.lock().unwrap();
        let Some(watcher) = index.users.get_mut(&user) else {
            return; // gone before the read came back
        };
        let removed = watcher.removed_while_loading.take().unwrap_or_default();
        for room in rooms.iter().filter(|r| !removed.contains(*r)) {
            index.add_room(user, room);
        }
    }

    fn remove(&self, user: Uuid, conn: ConnId) {
        let mut index = self.inner.lock().unwrap();
        let Some(watcher) = index.users.get_mut(&user) else {
            return;
        };
        watcher.conns.remove(&conn);
        if watcher.conns.is_empty() {
            let rooms = index.users.remove(&user).map(|w| w.rooms);
            for room in rooms.into_iter().flatten() {
                index.remove_room(user, &room);
            }
        }
    }

    /// Records that `conn` of `user` joined (or left) `room`.
    pub fn set_joined(&self, user: Uuid, conn: ConnId, room: &str, joined: bool) {
        let mut index = self.inner.lock().unwrap();
        let Some(watching) = index
            .users
            .get_mut(&user)
            .and_then(|w| w.conns.get_mut(&conn))
        else {
            return;
        };
        if joined {
            watching.joined.insert(room.to_string());
        } else {
            watching.joined.remove(room);
        }
    }

    /// Queues `activity` for each message with every connection here of the
    /// room's members, but the author's and those that joined the room. Each
    /// frame is serialized at most once (twice when it mentions someone).
    fn note(&self, noted: &[Noted]) {
        let index = self.inner.lock().unwrap();
        for message in noted {
            let Some(users) = index.rooms.get(&message.room) else {
                continue;
            };
            // Serialized on first use only: in a room whose members here
            // have all joined it (the busy case), never.
            let mut frames: [Option<Frame>; 2] = [None, None];
            for user in users.iter().filter(|u| **u != message.author) {
                let Some(watcher) = index.users.get(user) else {
                    continue;
                };
                let mut waiting = watcher
                    .conns
                    .values()
                    .filter(|w| !w.joined.contains(&message.room))
                    .peekable();
                if waiting.peek().is_none() {
                    continue;
                }
                let mention = message.mentions.contains(user);
                let activity = frames[usize::from(mention)].get_or_insert_with(|| {
                    frame(&ServerFrame::Activity {
                        room: message.room.clone(),
                        seq: message.seq,
                        mention,
                    })
                });
                for watching in waiting {
                    watching.outbox.push(activity.clone());
                }
            }
        }
    }

    /// Queues `frame` for every connection here, serialized once.
    fn tell_all(&self, server_frame: &ServerFrame) {
        let index = self.inner.lock().unwrap();
        let frame: Frame = frame(server_frame);
        for watching in index.users.values().flat_map(|w| w.conns.values()) {
            watching.outbox.push(frame.clone());
        }
    }

    /// Queues `frame` for `user`'s connections here but `except`, keeping
    /// the index up to date with the rooms it adds or removes.
    fn tell(&self, user: Uuid, server_frame: &ServerFrame, except: Option<ConnId>) {
        let mut index = self.inner.lock().unwrap();
        match server_frame {
            ServerFrame::RoomAdded { room } => index.add_room(user, &room.id),
            ServerFrame::RoomRemoved { room } => index.remove_room(user, room),
            _ => {}
        }
        let Some(watcher) = index.users.get(&user) else {
            return;
        };
        let frame: Frame = frame(server_frame);
        for (conn, watching) in &watcher.conns {
            if Some(*conn) != except {
                watching.outbox.push(frame.clone());
            }
        }
    }
}

impl Node {
    /// Starts telling this connection about all of `user`'s rooms. Their
    /// rooms are read from the store for the user's first connection here.
    pub async fn watch(&self, user: &UserRef, conn: ConnId, outbox: &Outbox) {
        if !self.watchers.add(user.id, conn, outbox) {
            return;
        }
        let rooms = match self.store.member_rooms(user.id, MAX_WATCHED_ROOMS).await {
            Ok(rooms) => rooms,
            Err(e) => {
                tracing::warn!(error = %e, "rooms unavailable: no activity for this connection");
                Vec::new()
            }
        };
        self.watchers.loaded(user.id, rooms);
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
    pub(super) async fn note_activity(&self, entries: &[Entry]) {
        let noted = Noted::messages(entries);
        if noted.is_empty() {
            return;
        }
        self.watchers.note(&noted);
        if let Err(e) = self
            .broker
            .publish(ALL_ROOMS, BrokerEvent::Activity(noted))
            .await
        {
            tracing::warn!(error = %e, "activity publish failed");
        }
    }

    /// Activity another instance stored.
    pub(super) fn noted_elsewhere(&self, noted: &[Noted]) {
        self.watchers.note(noted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::outbox::Outbox;

    fn noted(room: &str, author: Uuid, mentions: Vec<Uuid>) -> Noted {
        Noted {
            room: room.into(),
            seq: 1,
            author,
            mentions,
        }
    }

    #[test]
    fn members_not_joined_hear_activity_and_the_author_does_not() {
        let watchers = Watchers::default();
        let (ann, bob) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let (ann_box, mut ann_q) = Outbox::new(8);
        let (bob_box, mut bob_q) = Outbox::new(8);
        let (bob_joined_box, mut bob_joined_q) = Outbox::new(8);
        assert!(watchers.add(ann, 1, &ann_box));
        watchers.loaded(ann, vec!["ops".into()]);
        assert!(watchers.add(bob, 2, &bob_box));
        watchers.loaded(bob, vec!["ops".into()]);
        assert!(!watchers.add(bob, 3, &bob_joined_box), "known already");
        watchers.set_joined(bob, 3, "ops", true);
        watchers.note(&[noted("ops", ann, vec![bob])]);
        assert!(ann_q.try_recv().is_err());
        assert_eq!(
            bob_q.try_recv().unwrap().as_str(),
            r#"{"type":"activity","room":"ops","seq":1,"mention":true}"#
        );
        assert!(bob_joined_q.try_recv().is_err());
    }

    #[test]
    fn a_removed_room_is_heard_no_more_and_the_last_connection_forgets_the_user() {
        let watchers = Watchers::default();
        let (ann, bob) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let (bob_box, mut bob_q) = Outbox::new(8);
        watchers.add(bob, 2, &bob_box);
        watchers.loaded(bob, vec!["ops".into()]);
        watchers.tell(bob, &ServerFrame::RoomRemoved { room: "ops".into() }, None);
        assert!(bob_q.try_recv().is_ok()); // the room_removed frame itself
        watchers.note(&[noted("ops", ann, vec![])]);
        assert!(bob_q.try_recv().is_err());
        watchers.remove(bob, 2);
        assert!(watchers.inner.lock().unwrap().rooms.is_empty());
        assert!(watchers.inner.lock().unwrap().users.is_empty());
    }

    #[test]
    fn rooms_added_or_removed_while_the_store_is_read_are_not_lost() {
        let watchers = Watchers::default();
        let bob = Uuid::from_u128(2);
        let (bob_box, _bob_q) = Outbox::new(8);
        assert!(watchers.add(bob, 2, &bob_box));
        let added = ServerFrame::RoomAdded {
            room: protocol::RoomInfo {
                id: "new".into(),
                ..Default::default()
            },
        };
        watchers.tell(bob, &added, None);
        watchers.tell(bob, &ServerFrame::RoomRemoved { room: "old".into() }, None);
        // The read started before both: it lists the old room, not the new.
        watchers.loaded(bob, vec!["old".into(), "ops".into()]);
        let index = watchers.inner.lock().unwrap();
        let mut rooms: Vec<&String> = index.users[&bob].rooms.iter().collect();
        rooms.sort();
        assert_eq!(rooms, ["new", "ops"]);
    }
}
