//! The index of this instance's connected users: the rooms each belongs to
//! (read from the store once, when the user's first connection here opens,
//! then kept by the frames the user is told: `room_added`, `room_removed`,
//! `notifications`, `dnd`), how each room notifies them, their
//! do-not-disturb, and which rooms each connection has joined. A stored
//! message costs one lookup of the room's connected members here: never a
//! store read per recipient.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use protocol::{notifies, NotificationLevel, RoomId, ServerFrame};
use time::OffsetDateTime;
use uuid::Uuid;

use super::activity::Noted;
use super::activity_batch::ActivityBatch;
use super::outbox::{frame, ConnId, Frame, Outbox};
use super::quiet::QuietRule;
use crate::store::RoomNotice;

/// How a room notifies one member.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Notice {
    pub level: NotificationLevel,
    pub muted: bool,
}

/// A user's do-not-disturb, with its current or next quiet stretch
/// reckoned once (again only after it ends).
#[derive(Default)]
struct Quiet {
    rule: QuietRule,
    window: Option<(OffsetDateTime, OffsetDateTime)>,
}

impl Quiet {
    fn new(rule: QuietRule) -> Self {
        let window = rule.window(OffsetDateTime::now_utc());
        Quiet { rule, window }
    }

    fn at(&mut self, now: OffsetDateTime) -> bool {
        if self.window.is_some_and(|(_, until)| until <= now) {
            self.window = self.rule.window(now);
        }
        self.window
            .is_some_and(|(from, until)| from <= now && now < until)
    }
}

/// One connected user's connections here and the rooms they belong to.
#[derive(Default)]
struct Watcher {
    rooms: HashMap<RoomId, Notice>,
    quiet: Quiet,
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
    /// `activity` frames waiting to go out together.
    activity: ActivityBatch,
}

impl Index {
    fn add_room(&mut self, user: Uuid, room: &str, notice: Notice) {
        if let Some(watcher) = self.users.get_mut(&user) {
            watcher.rooms.insert(room.to_string(), notice);
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

    /// Keeps the index up to date with what `user` is told.
    fn hear(&mut self, user: Uuid, server_frame: &ServerFrame) {
        match server_frame {
            ServerFrame::RoomAdded { room } => {
                let notice = Notice {
                    level: room.notifications,
                    muted: room.muted,
                };
                self.add_room(user, &room.id, notice)
            }
            ServerFrame::RoomRemoved { room } => self.remove_room(user, room),
            ServerFrame::Notifications(changed) => {
                let notice = self
                    .users
                    .get_mut(&user)
                    .and_then(|w| w.rooms.get_mut(&changed.room));
                if let Some(notice) = notice {
                    *notice = Notice {
                        level: changed.level,
                        muted: changed.muted,
                    };
                }
            }
            ServerFrame::Dnd(dnd) => {
                if let Some(watcher) = self.users.get_mut(&user) {
                    watcher.quiet = Quiet::new(QuietRule::from_wire(dnd));
                }
            }
            _ => {}
        }
    }
}

impl Watchers {
    /// Registers a connection; true if it is the user's first here, whose
    /// rooms the caller reads and hands to [`Watchers::loaded`]. Rooms added
    /// or removed meanwhile (`room_added`, `room_removed`) count already.
    pub(super) fn add(&self, user: Uuid, conn: ConnId, outbox: &Outbox) -> bool {
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

    /// The rooms the store listed for `user`, but those they left
    /// meanwhile, and their do-not-disturb.
    pub(super) fn loaded(&self, user: Uuid, rooms: Vec<RoomNotice>, quiet: QuietRule) {
        let mut index = self.inner.lock().unwrap();
        let Some(watcher) = index.users.get_mut(&user) else {
            return; // gone before the read came back
        };
        watcher.quiet = Quiet::new(quiet);
        let removed = watcher.removed_while_loading.take().unwrap_or_default();
        for room in rooms.iter().filter(|r| !removed.contains(&r.room)) {
            let notice = Notice {
                level: room.level,
                muted: room.muted,
            };
            index.add_room(user, &room.room, notice);
        }
    }

    pub(super) fn remove(&self, user: Uuid, conn: ConnId) {
        let mut index = self.inner.lock().unwrap();
        let Some(watcher) = index.users.get_mut(&user) else {
            return;
        };
        watcher.conns.remove(&conn);
        if watcher.conns.is_empty() {
            let rooms = index.users.remove(&user).map(|w| w.rooms);
            for room in rooms.into_iter().flatten() {
                index.remove_room(user, &room.0);
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
    /// room's members, but the author's and those that joined the room,
    /// saying whether it mentions them, whether it is a reply in a thread
    /// they follow, and whether it notifies them (`protocol::notifies`).
    /// Each of those few frames is serialized at most once per message.
    /// They wait in the index's activity batch; true if they are the first
    /// there (the caller schedules its sending: `activity_batch`).
    pub(super) fn note(&self, noted: &[Noted]) -> bool {
        let mut index = self.inner.lock().unwrap();
        let index = &mut *index;
        let now = OffsetDateTime::now_utc();
        let mut first = false;
        for message in noted {
            let Some(users) = index.rooms.get(&message.room) else {
                continue;
            };
            // Serialized on first use only: in a room whose members here
            // have all joined it (the busy case), never.
            let mut frames: [Option<Frame>; 8] = Default::default();
            for user in users.iter().filter(|u| **u != message.author) {
                let Some(watcher) = index.users.get_mut(user) else {
                    continue;
                };
                if watcher
                    .conns
                    .values()
                    .all(|w| w.joined.contains(&message.room))
                {
                    continue;
                }
                let mention = message.everyone || message.mentions.contains(user);
                let followed = message.thread.is_some() && message.followers.contains(user);
                let notice = watcher
                    .rooms
                    .get(&message.room)
                    .copied()
                    .unwrap_or_default();
                let quiet = watcher.quiet.at(now);
                let notify = notifies(notice.level, notice.muted, quiet, mention, followed);
                let slot =
                    usize::from(mention) | usize::from(followed) << 1 | usize::from(notify) << 2;
                let activity = frames[slot].get_or_insert_with(|| {
                    frame(&ServerFrame::Activity {
                        room: message.room.clone(),
                        seq: message.seq,
                        mention,
                        thread: message.thread.filter(|_| followed),
                        notify,
                    })
                });
                for (conn, watching) in &watcher.conns {
                    if !watching.joined.contains(&message.room) {
                        first |= index
                            .activity
                            .hold(*conn, &watching.outbox, activity.clone());
                    }
                }
            }
        }
        first
    }

    /// The `activity` frames waiting, for `activity_batch::send_all`.
    pub(super) fn take_activity(&self) -> Vec<(Outbox, Vec<Frame>)> {
        self.inner.lock().unwrap().activity.take()
    }

    /// Queues `frame` for every connection here, serialized once.
    pub(super) fn tell_all(&self, server_frame: &ServerFrame) {
        let index = self.inner.lock().unwrap();
        let frame: Frame = frame(server_frame);
        for watching in index.users.values().flat_map(|w| w.conns.values()) {
            watching.outbox.push(frame.clone());
        }
    }

    /// Queues `frame` for `user`'s connections here but `except`, keeping
    /// the index up to date with what it changes.
    pub(super) fn tell(&self, user: Uuid, server_frame: &ServerFrame, except: Option<ConnId>) {
        let mut index = self.inner.lock().unwrap();
        index.hear(user, server_frame);
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

#[cfg(test)]
#[path = "watchers_tests.rs"]
mod tests;
