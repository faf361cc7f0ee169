//! Stored messages considered together: what the queue held when the task
//! came to it (up to `BATCH`), by room, so pushes and e-mail ask the store
//! once per room and batch, not once per message. Under load the batches
//! grow and the queue keeps up; a quiet server considers each message
//! alone, at once.

use std::collections::BTreeMap;

use protocol::{Message, Seq};
use uuid::Uuid;

use super::Pushed;

/// Most messages taken from the queue at once.
pub(crate) const BATCH: usize = 256;

/// One room's messages of a batch, in the order they were stored.
pub(crate) struct RoomBatch<'a> {
    pub room: &'a str,
    pub messages: Vec<&'a Message>,
}

impl<'a> RoomBatch<'a> {
    /// `batch` by room.
    pub fn by_room(batch: &'a [Pushed]) -> Vec<RoomBatch<'a>> {
        let mut rooms: BTreeMap<&str, Vec<&Message>> = BTreeMap::new();
        for pushed in batch {
            let message = &pushed.message;
            rooms.entry(&message.room).or_default().push(message);
        }
        rooms
            .into_iter()
            .map(|(room, mut messages)| {
                messages.sort_by_key(|m| m.seq);
                RoomBatch { room, messages }
            })
            .collect()
    }

    /// Whom the store may leave out: the author, when every message is
    /// theirs (else nobody; each message still leaves out its own author).
    pub fn author(&self) -> Uuid {
        let first = self.messages.first().map(|m| m.author.id);
        match first {
            Some(author) if self.messages.iter().all(|m| m.author.id == author) => author,
            _ => Uuid::nil(),
        }
    }

    /// Whether any message mentions everyone.
    pub fn everyone(&self) -> bool {
        self.messages.iter().any(|m| m.everyone)
    }

    /// Everyone any message mentions, and `more`, once each.
    pub fn named(&self, more: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
        let mut named: Vec<Uuid> = self
            .messages
            .iter()
            .flat_map(|m| m.mentions.iter().copied())
            .chain(more)
            .collect();
        named.sort();
        named.dedup();
        named
    }

    /// The newest message's `seq`.
    pub fn newest(&self) -> Seq {
        self.messages.last().map_or(0, |m| m.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::UserRef;

    fn pushed(room: &str, seq: Seq, author: u128, mentions: &[u128]) -> Pushed {
        Pushed {
            message: Message {
                room: room.into(),
                seq,
                author: UserRef {
                    id: Uuid::from_u128(author),
                    name: format!("u{author}"),
                },
                mentions: mentions.iter().map(|m| Uuid::from_u128(*m)).collect(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_batch_is_grouped_by_room_in_order_with_what_its_query_needs() {
        let batch = vec![
            pushed("b", 7, 1, &[3]),
            pushed("a", 2, 1, &[]),
            pushed("b", 5, 2, &[4, 3]),
        ];
        let rooms = RoomBatch::by_room(&batch);
        assert_eq!(rooms.len(), 2);
        let (a, b) = (&rooms[0], &rooms[1]);
        assert_eq!(
            (a.room, a.author(), a.newest()),
            ("a", Uuid::from_u128(1), 2)
        );
        assert_eq!(b.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [5, 7]);
        assert_eq!(b.author(), Uuid::nil(), "two authors: nobody left out");
        assert_eq!(b.newest(), 7);
        assert_eq!(
            b.named([Uuid::from_u128(9)]),
            [3, 4, 9].map(Uuid::from_u128).to_vec()
        );
        assert!(!b.everyone());
    }
}
