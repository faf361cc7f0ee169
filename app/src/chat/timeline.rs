//! One room's log as the browser holds it: its messages keyed by `seq` (so a
//! duplicate is a no-op and a late arrival lands in its place), the changes
//! that later entries made to them, and the messages this user sent that are
//! not confirmed yet.
//!
//! Every entry takes a `seq`, so gaps are found across all of them. A message
//! held here carries the state of one moment (`as_of`): its own `seq` when it
//! was delivered, the page's `seq` when it came from `history`. An entry about
//! it (an edit, a deletion, a reaction, a reply) changes it only if it is newer
//! than that moment and was not applied before, so counts are never doubled
//! however frames and pages interleave.
//!
//! The socket client feeds it frames; the UI renders it. It is plain data with
//! no browser in it, so its rules are unit-tested natively.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use crate::protocol::{Entry, Message, ReactionCount, RoomId, Seq, Since};

/// A message this user sent that is not stored yet (no `ack`, no echo).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub client_msg_id: Uuid,
    pub body: String,
}

/// What the timeline needs the client to ask the server for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRequest {
    pub before: Option<Seq>,
    pub limit: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    pub room: RoomId,
    /// Who is reading (reactions of theirs are "me").
    pub me: Uuid,
    /// The epoch the entries belong to; a new epoch clears them.
    pub epoch: Option<String>,
    pub messages: BTreeMap<Seq, Message>,
    /// Held messages by id: their `seq` and the moment their state is of.
    index: HashMap<Uuid, (Seq, Seq)>,
    /// Every entry `seq` seen, of any kind.
    seen: BTreeSet<Seq>,
    pub pending: Vec<Pending>,
    /// False once the server said there is nothing older.
    pub has_older: bool,
    /// A request for older entries is in flight.
    pub loading_older: bool,
}

/// Entries per page when loading history.
pub const PAGE: u32 = 50;

impl Timeline {
    pub fn new(room: RoomId, me: Uuid) -> Self {
        Timeline {
            room,
            me,
            has_older: true,
            ..Default::default()
        }
    }

    /// The newest `seq` seen.
    pub fn last_seq(&self) -> Option<Seq> {
        self.seen.last().copied()
    }

    /// The oldest `seq` seen.
    pub fn first_seq(&self) -> Option<Seq> {
        self.seen.first().copied()
    }

    /// What to put in `join`'s `since`, if anything is held.
    pub fn since(&self) -> Option<Since> {
        Some(Since {
            epoch: self.epoch.clone()?,
            seq: self.last_seq()?,
        })
    }

    /// The message `id`, if held.
    pub fn message(&self, id: Uuid) -> Option<&Message> {
        let (seq, _) = self.index.get(&id)?;
        self.messages.get(seq)
    }

    /// The server answered `join`. Unless it recovered the gap itself, the view is
    /// reloaded: returns the history page to ask for.
    pub fn joined(&mut self, epoch: &str, recovered: bool) -> Option<HistoryRequest> {
        if recovered && self.epoch.as_deref() == Some(epoch) {
            return None;
        }
        self.epoch = Some(epoch.to_string());
        self.messages.clear();
        self.index.clear();
        self.seen.clear();
        self.has_older = true;
        self.loading_older = true;
        Some(HistoryRequest {
            before: None,
            limit: PAGE,
        })
    }

    /// A live or replayed entry. Returns a history request if it revealed a gap.
    pub fn entry(&mut self, entry: Entry) -> Option<HistoryRequest> {
        if self.epoch.as_deref() != Some(entry.epoch()) {
            // Only `joined` changes the epoch; a stray frame is ignored.
            return None;
        }
        let seq = entry.seq();
        let gap = match self.last_seq() {
            Some(last) if seq > last + 1 => Some(HistoryRequest {
                before: Some(seq),
                limit: ((seq - last - 1) as u32).min(crate::protocol::MAX_HISTORY_LIMIT),
            }),
            _ => None,
        };
        self.apply(entry, seq);
        gap
    }

    /// A `history` answer, read when the room's log was at `as_of`: merged in
    /// place. `requested` says it was a scroll-back page of that size, whose
    /// shortness means the start of the room was reached.
    pub fn history(&mut self, entries: Vec<Entry>, as_of: Seq, requested: Option<u32>) {
        if let Some(limit) = requested {
            if (entries.len() as u32) < limit {
                self.has_older = false;
            }
            self.loading_older = false;
        }
        for entry in entries {
            if self.epoch.as_deref() == Some(entry.epoch()) {
                self.apply(entry, as_of);
            }
        }
    }

    /// Applies one entry whose state is of the moment `as_of` (for a message).
    fn apply(&mut self, entry: Entry, as_of: Seq) {
        let seq = entry.seq();
        if !self.seen.insert(seq) {
            return;
        }
        match entry {
            Entry::Message(message) => self.add_message(message, as_of),
            Entry::Edited(edit) => {
                if let Some(m) = self.target(edit.id, seq) {
                    m.body = edit.body;
                    m.mentions = edit.mentions;
                    m.edited_ts = Some(edit.ts);
                }
            }
            Entry::Deleted(deleted) => {
                let thread = self.target(deleted.id, seq).map(|m| {
                    m.deleted = true;
                    m.body.clear();
                    m.mentions.clear();
                    m.reactions.clear();
                    m.thread
                });
                if let Some(root) = thread.flatten() {
                    if let Some(root) = self.target(root, seq) {
                        root.reply_count = root.reply_count.saturating_sub(1);
                    }
                }
            }
            Entry::Reaction(reaction) => {
                let me = reaction.user.id == self.me;
                if let Some(m) = self.target(reaction.id, seq) {
                    react(&mut m.reactions, &reaction.emoji, reaction.on, me);
                }
            }
            // Shown in the room's header (from the room list); here it
            // only takes its place in the sequence.
            Entry::Topic(_) => {}
        }
    }

    fn add_message(&mut self, message: Message, as_of: Seq) {
        self.pending
            .retain(|p| p.client_msg_id != message.client_msg_id);
        if self.index.contains_key(&message.id) {
            return;
        }
        let (seq, ts, thread) = (message.seq, message.ts, message.thread);
        self.index.insert(message.id, (seq, as_of.max(seq)));
        self.messages.insert(seq, message);
        if let Some(root) = thread {
            if let Some(root) = self.target(root, seq) {
                root.reply_count += 1;
                root.last_reply_ts = Some(root.last_reply_ts.map_or(ts, |t| t.max(ts)));
            }
        }
    }

    /// The held message `id`, if an entry at `seq` is news to its state.
    fn target(&mut self, id: Uuid, seq: Seq) -> Option<&mut Message> {
        match self.index.get(&id) {
            Some(&(at, as_of)) if seq > as_of => self.messages.get_mut(&at),
            _ => None,
        }
    }

    /// The page before the oldest entry held, unless one is loading or there is
    /// nothing older.
    pub fn older_page(&mut self) -> Option<HistoryRequest> {
        if self.loading_older || !self.has_older || self.epoch.is_none() {
            return None;
        }
        let first = self.first_seq()?;
        if first <= 1 {
            self.has_older = false;
            return None;
        }
        self.loading_older = true;
        Some(HistoryRequest {
            before: Some(first),
            limit: PAGE,
        })
    }

    /// Queues a message typed by this user.
    pub fn add_pending(&mut self, client_msg_id: Uuid, body: String) {
        self.pending.push(Pending {
            client_msg_id,
            body,
        });
    }
}

/// Counts one reaction change into a message's reactions.
fn react(reactions: &mut Vec<ReactionCount>, emoji: &str, on: bool, me: bool) {
    let found = reactions.iter().position(|r| r.emoji == emoji);
    match (found, on) {
        (Some(i), true) => {
            reactions[i].count += 1;
            reactions[i].me |= me;
        }
        (None, true) => reactions.push(ReactionCount {
            emoji: emoji.to_string(),
            count: 1,
            me,
        }),
        (Some(i), false) => {
            let r = &mut reactions[i];
            r.count = r.count.saturating_sub(1);
            if me {
                r.me = false;
            }
            if r.count == 0 {
                reactions.remove(i);
            }
        }
        (None, false) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Deleted, Edited, Reaction, UserRef};

    const ME: Uuid = Uuid::from_u128(9);

    fn message(seq: Seq, cmid: u128) -> Message {
        Message {
            room: "general".into(),
            seq,
            epoch: "e".into(),
            id: Uuid::from_u128(1000 + seq as u128),
            client_msg_id: Uuid::from_u128(cmid),
            author: UserRef {
                id: Uuid::from_u128(1),
                name: "a".into(),
            },
            body: format!("m{seq}"),
            ts: time::OffsetDateTime::UNIX_EPOCH,
            ..Default::default()
        }
    }

    fn msg(seq: Seq, cmid: u128) -> Entry {
        Entry::Message(message(seq, cmid))
    }

    fn seqs(t: &Timeline) -> Vec<Seq> {
        t.messages.keys().copied().collect()
    }

    #[test]
    fn first_join_loads_the_latest_page() {
        let mut t = Timeline::new("general".into(), ME);
        assert_eq!(t.since(), None);
        assert_eq!(
            t.joined("e", false),
            Some(HistoryRequest {
                before: None,
                limit: PAGE
            })
        );
        t.history(vec![msg(1, 1), msg(2, 2)], 0, Some(PAGE));
        assert_eq!(seqs(&t), vec![1, 2]);
        assert!(!t.has_older, "a short page means the start was reached");
        assert_eq!(
            t.since(),
            Some(Since {
                epoch: "e".into(),
                seq: 2
            })
        );
    }

    #[test]
    fn duplicates_and_late_arrivals_land_once_in_order() {
        let mut t = Timeline::new("general".into(), ME);
        t.joined("e", false);
        t.history(vec![msg(1, 1)], 0, Some(PAGE));
        assert_eq!(t.entry(msg(2, 2)), None);
        assert_eq!(t.entry(msg(2, 2)), None, "duplicate ignored");
        assert_eq!(
            t.entry(msg(5, 5)),
            Some(HistoryRequest {
                before: Some(5),
                limit: 2
            }),
            "gap 3..4 is asked for"
        );
        t.history(vec![msg(3, 3), msg(4, 4)], 0, None);
        assert_eq!(seqs(&t), vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn recovered_join_keeps_the_view_and_a_new_epoch_clears_it() {
        let mut t = Timeline::new("general".into(), ME);
        t.joined("e", false);
        t.history(vec![msg(1, 1), msg(2, 2)], 0, Some(PAGE));
        assert_eq!(t.joined("e", true), None);
        assert_eq!(seqs(&t), vec![1, 2]);
        assert!(t.joined("e2", true).is_some(), "another epoch reloads");
        assert!(t.messages.is_empty());
    }

    #[test]
    fn pending_messages_clear_when_their_echo_arrives() {
        let mut t = Timeline::new("general".into(), ME);
        t.joined("e", false);
        t.add_pending(Uuid::from_u128(77), "hello".into());
        t.add_pending(Uuid::from_u128(78), "again".into());
        t.entry(msg(1, 77));
        assert_eq!(t.pending.len(), 1);
        assert_eq!(t.pending[0].body, "again");
    }

    #[test]
    fn older_pages_stop_at_the_start() {
        let mut t = Timeline::new("general".into(), ME);
        t.joined("e", false);
        let page: Vec<Entry> = (51..=100).map(|s| msg(s, s as u128)).collect();
        t.history(page, 0, Some(PAGE));
        assert!(t.has_older);
        assert_eq!(
            t.older_page(),
            Some(HistoryRequest {
                before: Some(51),
                limit: PAGE
            })
        );
        assert_eq!(t.older_page(), None, "one request at a time");
        t.history((1..=50).map(|s| msg(s, s as u128)).collect(), 0, Some(PAGE));
        assert_eq!(t.older_page(), None, "seq 1 is held");
        assert_eq!(t.messages.len(), 100);
    }

    fn user(n: u128) -> UserRef {
        UserRef {
            id: Uuid::from_u128(n),
            name: format!("u{n}"),
        }
    }

    fn reaction(seq: Seq, on_seq: Seq, who: u128, on: bool) -> Entry {
        Entry::Reaction(Reaction {
            room: "general".into(),
            seq,
            epoch: "e".into(),
            ts: time::OffsetDateTime::UNIX_EPOCH,
            id: Uuid::from_u128(1000 + on_seq as u128),
            emoji: "👍".into(),
            user: user(who),
            on,
        })
    }

    #[test]
    fn edits_and_deletions_change_the_message_and_count_as_seqs() {
        let mut t = Timeline::new("general".into(), ME);
        t.joined("e", false);
        t.history(vec![msg(1, 1)], 1, Some(PAGE));
        let edit = Entry::Edited(Edited {
            room: "general".into(),
            seq: 2,
            epoch: "e".into(),
            ts: time::OffsetDateTime::UNIX_EPOCH,
            id: Uuid::from_u128(1001),
            body: "fixed".into(),
            by: user(1),
            mentions: vec![ME],
        });
        assert_eq!(t.entry(edit), None);
        let m = t.message(Uuid::from_u128(1001)).unwrap();
        assert_eq!((m.body.as_str(), m.edited_ts.is_some()), ("fixed", true));
        assert_eq!(m.mentions, vec![ME]);
        let delete = Entry::Deleted(Deleted {
            room: "general".into(),
            seq: 4,
            epoch: "e".into(),
            ts: time::OffsetDateTime::UNIX_EPOCH,
            id: Uuid::from_u128(1001),
            by: user(1),
        });
        assert_eq!(
            t.entry(delete),
            Some(HistoryRequest {
                before: Some(4),
                limit: 1
            }),
            "seq 3 is missing, whatever kind of entry it is"
        );
        let m = t.message(Uuid::from_u128(1001)).unwrap();
        assert!(m.deleted && m.body.is_empty());
        assert_eq!(t.last_seq(), Some(4));
    }

    #[test]
    fn reactions_count_once_whichever_way_they_arrive() {
        let mut t = Timeline::new("general".into(), ME);
        t.joined("e", false);
        // Seq 1 is delivered live: its reactions come as entries.
        t.entry(msg(1, 1));
        t.entry(reaction(2, 1, 5, true));
        t.entry(reaction(2, 1, 5, true)); // a duplicate
        t.entry(reaction(3, 1, 9, true)); // mine
        let r = &t.message(Uuid::from_u128(1001)).unwrap().reactions;
        assert_eq!((r[0].count, r[0].me), (2, true));
        t.entry(reaction(4, 1, 9, false));
        let r = &t.message(Uuid::from_u128(1001)).unwrap().reactions;
        assert_eq!((r[0].count, r[0].me), (1, false));

        // Seq 10 comes in a page read at seq 12 whose state counts 11 already;
        // the entries 11 and 12 arriving live after it change nothing more.
        let mut snapshot = message(10, 10);
        snapshot.reactions = vec![ReactionCount {
            emoji: "👍".into(),
            count: 1,
            me: false,
        }];
        t.history(
            vec![Entry::Message(snapshot), reaction(11, 10, 5, true)],
            12,
            None,
        );
        t.entry(reaction(12, 10, 6, true));
        let r = &t.message(Uuid::from_u128(1010)).unwrap().reactions;
        assert_eq!(r[0].count, 1, "both were in the page's state");
        t.entry(reaction(13, 10, 7, true));
        let r = &t.message(Uuid::from_u128(1010)).unwrap().reactions;
        assert_eq!(r[0].count, 2, "a later one counts");
    }

    #[test]
    fn replies_count_on_their_root() {
        let mut t = Timeline::new("general".into(), ME);
        t.joined("e", false);
        t.entry(msg(1, 1));
        let mut reply = message(2, 2);
        reply.thread = Some(Uuid::from_u128(1001));
        t.entry(Entry::Message(reply.clone()));
        t.entry(Entry::Message(reply));
        let root = t.message(Uuid::from_u128(1001)).unwrap();
        assert_eq!(root.reply_count, 1);
        t.entry(Entry::Deleted(Deleted {
            room: "general".into(),
            seq: 3,
            epoch: "e".into(),
            ts: time::OffsetDateTime::UNIX_EPOCH,
            id: Uuid::from_u128(1002),
            by: user(1),
        }));
        assert_eq!(t.message(Uuid::from_u128(1001)).unwrap().reply_count, 0);
    }
}
