//! v2: the room log. Every change to what a room shows is an [`Entry`] that takes
//! the room's next `seq`: a new message, an edit, a deletion, a reaction change.
//! Each is delivered as its own frame (tagged by `"type"`), replayed by `join`
//! with `since`, and returned by `history`, so ordering, recovery and gap
//! detection hold for all of them alike (`docs/PROTOCOL.md`, *The room log*).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Message, Pinned, RoomChanged, RoomId, Seq, ServerFrame, Unfurled, UserRef};

/// Longest reaction, in characters (an emoji with its modifiers).
pub const MAX_EMOJI_CHARS: usize = 32;
/// Most different reactions one message can carry.
pub const MAX_REACTIONS_PER_MESSAGE: usize = 50;
/// Most users one message can mention.
pub const MAX_MENTIONS: usize = 50;

/// A message's body was replaced by its author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Edited {
    pub room: RoomId,
    pub seq: Seq,
    pub epoch: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    /// The message edited.
    pub id: Uuid,
    /// Its new body (empty when the message has been deleted since).
    pub body: String,
    pub by: UserRef,
    /// The users the new body mentions (a Confab addition).
    #[serde(default)]
    pub mentions: Vec<Uuid>,
    /// The new body mentions every member (`@channel`, `@all`; v3).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub everyone: bool,
}

/// A message was deleted; its body is gone from the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deleted {
    pub room: RoomId,
    pub seq: Seq,
    pub epoch: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    pub id: Uuid,
    pub by: UserRef,
}

/// A user added (`on`) or removed a reaction to a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reaction {
    pub room: RoomId,
    pub seq: Seq,
    pub epoch: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    pub id: Uuid,
    pub emoji: String,
    pub user: UserRef,
    pub on: bool,
}

/// The room's topic was set (a room log entry; a Confab addition). An empty
/// `topic` clears it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Topic {
    pub room: RoomId,
    pub seq: Seq,
    pub epoch: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    pub topic: String,
    pub by: UserRef,
}

/// Longest topic, in characters.
pub const MAX_TOPIC_CHARS: usize = 250;

/// One reaction on a message, as `history` shows it to the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReactionCount {
    pub emoji: String,
    pub count: u32,
    /// Whether the caller is one of them.
    pub me: bool,
}

/// One entry of a room's log, tagged by `"type"` exactly as its frame is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    Message(Message),
    Edited(Edited),
    Deleted(Deleted),
    Reaction(Reaction),
    Topic(Topic),
    RoomChanged(RoomChanged),
    Pinned(Pinned),
    Unfurled(Unfurled),
}

impl Entry {
    pub fn seq(&self) -> Seq {
        match self {
            Entry::Message(m) => m.seq,
            Entry::Edited(e) => e.seq,
            Entry::Deleted(d) => d.seq,
            Entry::Reaction(r) => r.seq,
            Entry::Topic(t) => t.seq,
            Entry::RoomChanged(c) => c.seq,
            Entry::Pinned(p) => p.seq,
            Entry::Unfurled(u) => u.seq,
        }
    }

    pub fn epoch(&self) -> &str {
        match self {
            Entry::Message(m) => &m.epoch,
            Entry::Edited(e) => &e.epoch,
            Entry::Deleted(d) => &d.epoch,
            Entry::Reaction(r) => &r.epoch,
            Entry::Topic(t) => &t.epoch,
            Entry::RoomChanged(c) => &c.epoch,
            Entry::Pinned(p) => &p.epoch,
            Entry::Unfurled(u) => &u.epoch,
        }
    }

    pub fn room(&self) -> &str {
        match self {
            Entry::Message(m) => &m.room,
            Entry::Edited(e) => &e.room,
            Entry::Deleted(d) => &d.room,
            Entry::Reaction(r) => &r.room,
            Entry::Topic(t) => &t.room,
            Entry::RoomChanged(c) => &c.room,
            Entry::Pinned(p) => &p.room,
            Entry::Unfurled(u) => &u.room,
        }
    }

    pub fn ts(&self) -> OffsetDateTime {
        match self {
            Entry::Message(m) => m.ts,
            Entry::Edited(e) => e.ts,
            Entry::Deleted(d) => d.ts,
            Entry::Reaction(r) => r.ts,
            Entry::Topic(t) => t.ts,
            Entry::RoomChanged(c) => c.ts,
            Entry::Pinned(p) => p.ts,
            Entry::Unfurled(u) => u.ts,
        }
    }

    /// The message this entry is, or is about (nil for a topic or a room
    /// change).
    pub fn message_id(&self) -> Uuid {
        match self {
            Entry::Topic(_) | Entry::RoomChanged(_) => Uuid::nil(),
            Entry::Message(m) => m.id,
            Entry::Edited(e) => e.id,
            Entry::Deleted(d) => d.id,
            Entry::Reaction(r) => r.id,
            Entry::Pinned(p) => p.id,
            Entry::Unfurled(u) => u.id,
        }
    }
}

impl From<Entry> for ServerFrame {
    fn from(entry: Entry) -> Self {
        match entry {
            Entry::Message(m) => ServerFrame::Message(m),
            Entry::Edited(e) => ServerFrame::Edited(e),
            Entry::Deleted(d) => ServerFrame::Deleted(d),
            Entry::Reaction(r) => ServerFrame::Reaction(r),
            Entry::Topic(t) => ServerFrame::Topic(t),
            Entry::RoomChanged(c) => ServerFrame::RoomChanged(c),
            Entry::Pinned(p) => ServerFrame::Pinned(p),
            Entry::Unfurled(u) => ServerFrame::Unfurled(u),
        }
    }
}

/// Answer to `GET /api/rooms/{id}/threads/{root}`: the root and its replies,
/// oldest first, each in its current state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadPage {
    pub root: Message,
    pub replies: Vec<Message>,
    /// The room's latest `seq` when the page was read: the state shown
    /// includes every entry up to it (a Confab addition).
    #[serde(default)]
    pub seq: Seq,
}

/// Checks a reaction: 1–32 characters, none of them a control character or
/// white space.
pub fn valid_emoji(emoji: &str) -> bool {
    let n = emoji.chars().count();
    (1..=MAX_EMOJI_CHARS).contains(&n)
        && !emoji.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The names a body mentions: each `@name` that starts the body or follows a
/// character that could not be part of a name (so `bob@example.com` mentions
/// nobody), lower-cased, each once, in order of first mention.
pub fn mentioned_names(body: &str) -> Vec<String> {
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let mut names: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in body.char_indices() {
        if c == '@' && !prev.is_some_and(name_char) {
            let rest = &body[i + 1..];
            let end = rest.find(|c: char| !name_char(c)).unwrap_or(rest.len());
            // A name never ends in '.' ("thanks @bob." mentions bob).
            let name = rest[..end].trim_end_matches('.');
            if super::valid_username(name) {
                let name = name.to_ascii_lowercase();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        prev = Some(c);
    }
    names.truncate(MAX_MENTIONS);
    names
}
