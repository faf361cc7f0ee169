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
    /// The files it carries (their ids), sent again with it.
    pub attachments: Vec<Uuid>,
}

/// What the timeline needs the client to ask the server for: entries
/// `before` a seq (or the newest), `after` one, or `around` one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryRequest {
    pub before: Option<Seq>,
    pub after: Option<Seq>,
    pub around: Option<Seq>,
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
    /// A jump (a search result opened) left newer entries unloaded: live
    /// entries wait until pages reach them (see [`Timeline::newer`]).
    pub has_newer: bool,
    /// A request for newer entries is in flight.
    pub loading_newer: bool,
    /// While `has_newer`: the newest live entry not applied.
    live_beyond: Option<Seq>,
    /// The message to bring into view and mark (a search result opened).
    pub focus: Option<Uuid>,
    /// A jump asked for whose page has not come yet.
    jump: Option<Seq>,
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
        self.clear();
        if let Some(seq) = self.jump {
            return Some(HistoryRequest {
                around: Some(seq),
                limit: PAGE,
                ..Default::default()
            });
        }
        Some(self.newest_page())
    }

    /// Asks for the newest page, into an emptied view.
    fn newest_page(&mut self) -> HistoryRequest {
        self.has_older = true;
        self.loading_older = true;
        HistoryRequest {
            before: None,
            limit: PAGE,
            ..Default::default()
        }
    }

    fn clear(&mut self) {
        self.messages.clear();
        self.index.clear();
        self.seen.clear();
        self.has_newer = false;
        self.loading_newer = false;
        self.live_beyond = None;
    }

    /// Opens the room at message `id` (at `seq`): brings it into view if it
    /// is held, or asks for the page around it (now, or once joined).
    pub fn jump_to(&mut self, seq: Seq, id: Uuid) -> Option<HistoryRequest> {
        self.focus = Some(id);
        if self.index.contains_key(&id) || self.epoch.is_none() {
            self.jump = self.epoch.is_none().then_some(seq);
            return None;
        }
        self.jump = Some(seq);
        Some(HistoryRequest {
            around: Some(seq),
            limit: PAGE,
            ..Default::default()
        })
    }

    /// The page around a jump's message, read when the log was at `as_of`:
    /// replaces what was held.
    pub fn jumped(&mut self, entries: Vec<Entry>, as_of: Seq) {
        self.jump = None;
        let beyond = self.live_beyond;
        self.clear();
        self.live_beyond = beyond;
        self.loading_older = false;
        for entry in entries {
            if self.epoch.as_deref() == Some(entry.epoch()) {
                self.apply(entry, as_of);
            }
        }
        self.has_older = self.first_seq().is_some_and(|first| first > 1);
        self.newer(Vec::new(), as_of);
    }

    /// The page after the newest entry held, while a jump left newer ones.
    pub fn newer_page(&mut self) -> Option<HistoryRequest> {
        if !self.has_newer || self.loading_newer || self.jump.is_some() {
            return None;
        }
        self.loading_newer = true;
        Some(HistoryRequest {
            after: Some(self.last_seq()?),
            limit: PAGE,
            ..Default::default()
        })
    }

    /// A page of newer entries, read when the log was at `as_of`. Once the
    /// held entries reach the newest (and every live one set aside), live
    /// entries apply again.
    pub fn newer(&mut self, entries: Vec<Entry>, as_of: Seq) {
        self.loading_newer = false;
        for entry in entries {
            if self.epoch.as_deref() == Some(entry.epoch()) {
                self.apply(entry, as_of);
            }
        }
        let newest = as_of.max(self.live_beyond.unwrap_or(0));
        self.has_newer = self.last_seq().unwrap_or(0) < newest;
        if !self.has_newer {
            self.live_beyond = None;
        }
    }

    /// Leaves a jump's page for the newest entries: asks for them.
    pub fn latest(&mut self) -> Option<HistoryRequest> {
        self.epoch.as_ref()?;
        self.focus = None;
        self.clear();
        Some(self.newest_page())
    }

    /// A live or replayed entry. Returns a history request if it revealed a gap.
    pub fn entry(&mut self, entry: Entry) -> Option<HistoryRequest> {
        if self.epoch.as_deref() != Some(entry.epoch()) {
            // Only `joined` changes the epoch; a stray frame is ignored.
            return None;
        }
        let seq = entry.seq();
        if self.has_newer || self.jump.is_some() {
            // Pages will reach it; applying it now would leave a hole.
            self.live_beyond = Some(self.live_beyond.unwrap_or(0).max(seq));
            return None;
        }
        let gap = match self.last_seq() {
            Some(last) if seq > last + 1 => Some(HistoryRequest {
                before: Some(seq),
                limit: ((seq - last - 1) as u32).min(crate::protocol::MAX_HISTORY_LIMIT),
                ..Default::default()
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
                    m.everyone = edit.everyone;
                    m.edited_ts = Some(edit.ts);
                }
            }
            Entry::Deleted(deleted) => {
                let thread = self.target(deleted.id, seq).map(|m| {
                    m.deleted = true;
                    m.pinned = false;
                    m.deleted_by = (deleted.by.id != m.author.id).then_some(deleted.by.id);
                    m.body.clear();
                    m.mentions.clear();
                    m.everyone = false;
                    m.previews.clear();
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
            // Shown in the room's header and the sidebar (from the room
            // list); here they only take their place in the sequence.
            Entry::Pinned(pin) => {
                if let Some(m) = self.target(pin.id, seq) {
                    m.pinned = pin.on;
                }
            }
            Entry::Unfurled(unfurled) => {
                if let Some(m) = self.target(unfurled.id, seq) {
                    m.previews = unfurled.previews;
                }
            }
            Entry::Topic(_) | Entry::RoomChanged(_) => {}
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
            ..Default::default()
        })
    }

    /// Queues a message typed by this user.
    pub fn add_pending(&mut self, client_msg_id: Uuid, body: String, attachments: Vec<Uuid>) {
        self.pending.push(Pending {
            client_msg_id,
            body,
            attachments,
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

mod saved;
pub use saved::{SavedRoom, SAVED_MESSAGES, SAVED_ROOM_BYTES};

#[cfg(test)]
mod tests;
