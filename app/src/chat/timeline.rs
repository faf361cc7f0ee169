//! One room's messages as the browser holds them: stored messages keyed by `seq`
//! (so a duplicate is a no-op and a late arrival lands in its place), plus the
//! messages this user sent that are not confirmed yet.
//!
//! The socket client feeds it frames; the UI renders it. It is plain data with no
//! browser in it, so its rules are unit-tested natively.

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::protocol::{Message, RoomId, Seq, Since};

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
    /// The epoch the messages belong to; a new epoch clears them.
    pub epoch: Option<String>,
    pub messages: BTreeMap<Seq, Message>,
    pub pending: Vec<Pending>,
    /// False once the server said there is nothing older.
    pub has_older: bool,
    /// A request for older messages is in flight.
    pub loading_older: bool,
}

/// Messages per page when loading history.
pub const PAGE: u32 = 50;

impl Timeline {
    pub fn new(room: RoomId) -> Self {
        Timeline {
            room,
            has_older: true,
            ..Default::default()
        }
    }

    /// The newest stored `seq` held.
    pub fn last_seq(&self) -> Option<Seq> {
        self.messages.keys().next_back().copied()
    }

    /// The oldest stored `seq` held.
    pub fn first_seq(&self) -> Option<Seq> {
        self.messages.keys().next().copied()
    }

    /// What to put in `join`'s `since`, if anything is held.
    pub fn since(&self) -> Option<Since> {
        Some(Since {
            epoch: self.epoch.clone()?,
            seq: self.last_seq()?,
        })
    }

    /// The server answered `join`. Unless it recovered the gap itself, the view is
    /// reloaded: returns the history page to ask for.
    pub fn joined(&mut self, epoch: &str, recovered: bool) -> Option<HistoryRequest> {
        if recovered && self.epoch.as_deref() == Some(epoch) {
            return None;
        }
        self.epoch = Some(epoch.to_string());
        self.messages.clear();
        self.has_older = true;
        self.loading_older = true;
        Some(HistoryRequest {
            before: None,
            limit: PAGE,
        })
    }

    /// A live or replayed message. Returns a history request if it revealed a gap.
    pub fn message(&mut self, message: Message) -> Option<HistoryRequest> {
        if self.epoch.as_deref() != Some(message.epoch.as_str()) {
            // Only `joined` changes the epoch; a stray frame is ignored.
            return None;
        }
        self.pending
            .retain(|p| p.client_msg_id != message.client_msg_id);
        let gap = match self.last_seq() {
            Some(last) if message.seq > last + 1 => Some(HistoryRequest {
                before: Some(message.seq),
                limit: ((message.seq - last - 1) as u32).min(crate::protocol::MAX_HISTORY_LIMIT),
            }),
            _ => None,
        };
        self.messages.entry(message.seq).or_insert(message);
        gap
    }

    /// A `history` answer: merged in place. `older` says it was a scroll-back page
    /// of `limit`, whose shortness means the start of the room was reached.
    pub fn history(&mut self, messages: Vec<Message>, requested: Option<u32>) {
        if let Some(limit) = requested {
            if (messages.len() as u32) < limit {
                self.has_older = false;
            }
            self.loading_older = false;
        }
        for message in messages {
            if self.epoch.as_deref() == Some(message.epoch.as_str()) {
                self.pending
                    .retain(|p| p.client_msg_id != message.client_msg_id);
                self.messages.entry(message.seq).or_insert(message);
            }
        }
    }

    /// The page before the oldest message held, unless one is loading or there is
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::UserRef;

    fn msg(seq: Seq, cmid: u128) -> Message {
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
        }
    }

    fn seqs(t: &Timeline) -> Vec<Seq> {
        t.messages.keys().copied().collect()
    }

    #[test]
    fn first_join_loads_the_latest_page() {
        let mut t = Timeline::new("general".into());
        assert_eq!(t.since(), None);
        assert_eq!(
            t.joined("e", false),
            Some(HistoryRequest {
                before: None,
                limit: PAGE
            })
        );
        t.history(vec![msg(1, 1), msg(2, 2)], Some(PAGE));
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
        let mut t = Timeline::new("general".into());
        t.joined("e", false);
        t.history(vec![msg(1, 1)], Some(PAGE));
        assert_eq!(t.message(msg(2, 2)), None);
        assert_eq!(t.message(msg(2, 2)), None, "duplicate ignored");
        assert_eq!(
            t.message(msg(5, 5)),
            Some(HistoryRequest {
                before: Some(5),
                limit: 2
            }),
            "gap 3..4 is asked for"
        );
        t.history(vec![msg(3, 3), msg(4, 4)], None);
        assert_eq!(seqs(&t), vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn recovered_join_keeps_the_view_and_a_new_epoch_clears_it() {
        let mut t = Timeline::new("general".into());
        t.joined("e", false);
        t.history(vec![msg(1, 1), msg(2, 2)], Some(PAGE));
        assert_eq!(t.joined("e", true), None);
        assert_eq!(seqs(&t), vec![1, 2]);
        assert!(t.joined("e2", true).is_some(), "another epoch reloads");
        assert!(t.messages.is_empty());
    }

    #[test]
    fn pending_messages_clear_when_their_echo_arrives() {
        let mut t = Timeline::new("general".into());
        t.joined("e", false);
        t.add_pending(Uuid::from_u128(77), "hello".into());
        t.add_pending(Uuid::from_u128(78), "again".into());
        t.message(msg(1, 77));
        assert_eq!(t.pending.len(), 1);
        assert_eq!(t.pending[0].body, "again");
    }

    #[test]
    fn older_pages_stop_at_the_start() {
        let mut t = Timeline::new("general".into());
        t.joined("e", false);
        let page: Vec<Message> = (51..=100).map(|s| msg(s, s as u128)).collect();
        t.history(page, Some(PAGE));
        assert!(t.has_older);
        assert_eq!(
            t.older_page(),
            Some(HistoryRequest {
                before: Some(51),
                limit: PAGE
            })
        );
        assert_eq!(t.older_page(), None, "one request at a time");
        t.history((1..=50).map(|s| msg(s, s as u128)).collect(), Some(PAGE));
        assert_eq!(t.older_page(), None, "seq 1 is held");
        assert_eq!(t.messages.len(), 100);
    }
}
