//! One room as this instance sees it: who is subscribed here, and how far delivery
//! has got.

use std::collections::{BTreeMap, HashMap};

use protocol::{Entry, Seq, ServerFrame, UserRef};
use tokio::sync::watch;

use super::interest::Declared;
use super::online::Online;
use super::outbox::{frame, ConnId, Frame, Outbox};

/// A connection subscribed to a room.
pub struct Subscriber {
    pub user: UserRef,
    pub outbox: Outbox,
}

/// The state behind a room's lock. Everything that delivers to the room's
/// subscribers, and every join, happens while holding it, so each subscriber's
/// queue gets the room's messages in `seq` order, each once.
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
    /// Entries waiting for their predecessors (see `delivery`).
    pub held: BTreeMap<Seq, Entry>,
    /// Whether a fill of the held messages' gap is scheduled.
    pub fill_scheduled: bool,
    /// `last_delivered`, for whoever waits for a message to go out.
    pub progress: watch::Sender<Seq>,
    /// Presence and typing frames gathering to go out together.
    pub soon: Vec<Gathered>,
    /// Subscribers dropped because their queue was full: their connection is
    /// closing (1008), and its `leave` finishes the job as for any leave
    /// (presence, the room's own end when it was the last).
    pub cut_off: HashMap<ConnId, UserRef>,
    /// Who is online in the room, mirrored from the broker.
    pub online: Online,
    /// Presence changes went by that not everyone heard (the room was big):
    /// everyone gets a fresh `online` list once it is small again.
    pub missed: bool,
    /// The count last told by `online_count`.
    pub count_told: Option<u32>,
}

/// A presence or typing frame waiting in [`RoomState::soon`].
pub struct Gathered {
    /// The user it is about, who does not get it.
    pub about: uuid::Uuid,
    pub frame: Frame,
    pub typing: bool,
}

impl Default for RoomState {
    fn default() -> Self {
        RoomState {
            ready: false,
            closed: false,
            epoch: String::new(),
            last_delivered: 0,
            subscribers: HashMap::new(),
            held: BTreeMap::new(),
            fill_scheduled: false,
            progress: watch::Sender::new(0),
            soon: Vec::new(),
            cut_off: HashMap::new(),
            online: Online::default(),
            missed: false,
            count_told: None,
        }
    }
}

impl RoomState {
    /// Queues consecutive entries (the next after `last_delivered`) for every
    /// subscriber, each serialized once: all of them to one subscriber, then
    /// the next, so a connection woken by the first finds the rest already
    /// queued and writes them together. Subscribers whose queue is full are
    /// dropped here (their connection closes with 1008).
    pub fn fan_out(&mut self, entries: Vec<Entry>) {
        let Some(newest) = entries.last().map(Entry::seq) else {
            return;
        };
        let frames: Vec<Frame> = entries
            .into_iter()
            .map(|e| frame(&ServerFrame::from(e)))
            .collect();
        self.push_to_each(|_, sub| frames.iter().all(|f| sub.outbox.push(f.clone())));
        self.last_delivered = newest;
        self.progress.send_replace(newest);
    }

    /// Delivers the held entries that are next in line, and forgets those
    /// delivered already.
    pub fn release_held(&mut self) {
        let mut next = Vec::new();
        while let Some(entry) = self.held.first_entry() {
            let seq = *entry.key();
            let expected = self.last_delivered + 1 + next.len() as Seq;
            if seq < expected {
                entry.remove();
            } else if seq == expected {
                next.push(entry.remove());
            } else {
                break;
            }
        }
        self.fan_out(next);
    }

    /// Queues what gathered in `soon` for every subscriber it is for, all of
    /// it to one subscriber before the next: one write each, however many
    /// users came, went or typed meanwhile. Typing goes to everyone. While at
    /// most `for_all` are online, so does presence; in a bigger room only to
    /// the connections that asked about the user ([`super::interest`]), and
    /// once the room is small again after changes some did not hear, everyone
    /// gets a fresh `online` list in their place. A changed count goes to
    /// every connection that said whose presence it wants.
    pub fn flush_soon(&mut self, room: &str, interests: &Declared, for_all: u32) {
        let gathered = std::mem::take(&mut self.soon);
        let count = self.online.count();
        let small = count <= for_all;
        let presence_went = gathered.iter().any(|g| !g.typing);
        let relist = (small && self.missed).then(|| {
            let (users, count) = self.online.listing();
            frame(&ServerFrame::Online {
                room: room.to_string(),
                users,
                count,
            })
        });
        if presence_went || relist.is_some() {
            self.missed = !small;
        }
        let mut asked: HashMap<ConnId, Vec<&Frame>> = HashMap::new();
        for g in gathered.iter().filter(|g| !small && !g.typing) {
            for conn in interests.listeners(g.about) {
                if self
                    .subscribers
                    .get(&conn)
                    .is_some_and(|s| s.user.id != g.about)
                {
                    asked.entry(conn).or_default().push(&g.frame);
                }
            }
        }
        let recount = (self.count_told != Some(count)).then(|| {
            frame(&ServerFrame::OnlineCount {
                room: room.to_string(),
                count,
            })
        });
        self.count_told = Some(count);
        let each_change = small && relist.is_none();
        self.push_to_each(|conn, sub| {
            let theirs = |g: &&Gathered| g.about != sub.user.id && (g.typing || each_change);
            let asked = asked.get(&conn).into_iter().flatten().copied();
            let recount = recount.as_ref().filter(|_| interests.declared(conn));
            gathered
                .iter()
                .filter(theirs)
                .map(|g| &g.frame)
                .chain(&relist)
                .chain(asked)
                .chain(recount)
                .all(|f| sub.outbox.push(f.clone()))
        });
    }

    /// Queues `frame` for every subscriber.
    pub fn tell_all(&mut self, frame: Frame) {
        self.push_to_each(|_, sub| sub.outbox.push(frame.clone()));
    }

    /// Runs `push` for every subscriber; one whose queue is full (`push`
    /// answers false) is dropped here and remembered in `cut_off`.
    fn push_to_each(&mut self, push: impl Fn(ConnId, &Subscriber) -> bool) {
        let cut_off = &mut self.cut_off;
        self.subscribers.retain(|conn, sub| {
            let kept = push(*conn, sub);
            if !kept {
                cut_off.insert(*conn, sub.user.clone());
            }
            kept
        });
    }
}
