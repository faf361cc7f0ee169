//! A room's timeline as this device keeps it for reading offline (see
//! `browser/offline.rs`): the epoch, the newest entry seen and the newest
//! messages as they were, bounded in number and in bytes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Timeline;
use crate::protocol::{Message, RoomId, Seq};

/// Messages kept per room.
pub const SAVED_MESSAGES: usize = 50;
/// Most bytes one room's copy takes, as JSON: the oldest messages are left
/// out to stay under it.
pub const SAVED_ROOM_BYTES: usize = 256 * 1024;

/// What is kept of one room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedRoom {
    pub room: RoomId,
    pub epoch: String,
    /// The newest entry seen (of any kind): joining again asks for what
    /// came after it.
    pub last_seq: Seq,
    /// The newest messages, oldest first, in the state they were in at
    /// `last_seq`.
    pub messages: Vec<Message>,
}

impl Timeline {
    /// This timeline's copy to keep, as JSON, when it holds the room's
    /// newest messages (not while a jump left newer ones unloaded).
    pub fn saved(&self) -> Option<String> {
        if self.has_newer || self.jump.is_some() {
            return None;
        }
        let mut saved = SavedRoom {
            room: self.room.clone(),
            epoch: self.epoch.clone()?,
            last_seq: self.last_seq()?,
            messages: self
                .messages
                .values()
                .rev()
                .take(SAVED_MESSAGES)
                .rev()
                .cloned()
                .collect(),
        };
        loop {
            let json = serde_json::to_string(&saved).ok()?;
            if json.len() <= SAVED_ROOM_BYTES || saved.messages.is_empty() {
                return Some(json);
            }
            let over = saved.messages.len().div_ceil(4);
            saved.messages.drain(..over);
        }
    }

    /// A timeline from a kept copy: its messages as they were (their reply
    /// counts and reactions included, so nothing is counted twice), joined
    /// again from where the copy ends.
    pub fn restored(saved: SavedRoom, me: Uuid) -> Timeline {
        let mut timeline = Timeline::new(saved.room, me);
        timeline.epoch = Some(saved.epoch);
        timeline.seen.insert(saved.last_seq);
        for message in saved.messages {
            if message.seq > saved.last_seq {
                continue;
            }
            timeline.seen.insert(message.seq);
            timeline
                .index
                .insert(message.id, (message.seq, saved.last_seq));
            timeline.messages.insert(message.seq, message);
        }
        timeline
    }
}
