//! What a room's log is asked to store, and what storing it did: the
//! entries the domain hands to the store (`LogStore::append_batch`).

use protocol::{Entry, RoomId, Seq, UserRef};
use uuid::Uuid;

/// A message about to be stored.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub room: RoomId,
    pub author: UserRef,
    pub client_msg_id: Uuid,
    pub body: String,
    /// The thread's root, for a reply: a top-level message of the same room.
    pub thread: Option<Uuid>,
    /// The users the body mentions (resolved by the caller).
    pub mentions: Vec<Uuid>,
    /// It mentions every member of the room (`@channel`, `@all`).
    pub everyone: bool,
    /// Its files, claimed for it already ([`super::FileStore::claim_files`]).
    pub attachments: Vec<protocol::Attachment>,
    /// Its cards (a Slack-shaped post's blocks and attachments).
    pub cards: Vec<protocol::Card>,
    /// A message of the past, brought in by an import: its own id and
    /// times (else it gets a new id and is stored now).
    pub imported: Option<Imported>,
}

/// What an imported message keeps of where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imported {
    /// Made from the source's own key, so importing again finds it.
    pub id: Uuid,
    pub created_ms: i64,
    pub edited_ms: Option<i64>,
}

/// An entry about to be stored in a room's log: the change an operation
/// asks for, already checked against the caller's rights (`domain`). What
/// can only be checked in the transaction (the message still exists, the
/// reaction is not set already) is checked there.
#[derive(Clone, Debug)]
pub enum NewEntry {
    Message(NewMessage),
    Edit {
        room: RoomId,
        id: Uuid,
        body: String,
        mentions: Vec<Uuid>,
        everyone: bool,
        by: UserRef,
    },
    Delete {
        room: RoomId,
        id: Uuid,
        by: UserRef,
    },
    React {
        room: RoomId,
        id: Uuid,
        emoji: String,
        on: bool,
        user: UserRef,
    },
    /// Sets the room's topic (empty clears it).
    Topic {
        room: RoomId,
        topic: String,
        by: UserRef,
    },
    /// Pins (`on`) or unpins a message.
    Pin {
        room: RoomId,
        id: Uuid,
        on: bool,
        by: UserRef,
    },
    /// Sets a message's link previews (empty removes them).
    Unfurl {
        room: RoomId,
        id: Uuid,
        previews: Vec<protocol::LinkPreview>,
        by: UserRef,
    },
    /// Renames the room (`name`) or archives or unarchives it (`archived`).
    RoomChange {
        room: RoomId,
        name: Option<String>,
        archived: Option<bool>,
        by: UserRef,
    },
}

impl NewEntry {
    pub fn room(&self) -> &str {
        match self {
            NewEntry::Message(m) => &m.room,
            NewEntry::Edit { room, .. }
            | NewEntry::Delete { room, .. }
            | NewEntry::React { room, .. }
            | NewEntry::Topic { room, .. }
            | NewEntry::Pin { room, .. }
            | NewEntry::Unfurl { room, .. }
            | NewEntry::RoomChange { room, .. } => room,
        }
    }

    /// Whether the entry may be stored in an archived room: only the one
    /// that unarchives it.
    pub fn allowed_when_archived(&self) -> bool {
        matches!(
            self,
            NewEntry::RoomChange {
                archived: Some(false),
                ..
            }
        )
    }
}

impl From<NewMessage> for NewEntry {
    fn from(message: NewMessage) -> Self {
        NewEntry::Message(message)
    }
}

/// What storing one [`NewEntry`] did.
// Nearly every outcome is `Stored` (the large variant), and each lives only
// until its sender is answered: boxing the entry would cost an allocation per
// stored entry to shrink the rare small ones.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The entry is in the log: stored now (`fresh`), or, for a resent
    /// message, the copy stored first.
    Stored { entry: Entry, fresh: bool },
    /// Nothing needed storing (the reaction was set already, the message
    /// deleted already): `seq` is the room's latest.
    Unchanged { seq: Seq },
    /// The entry cannot apply; nothing was stored.
    Refused(Refusal),
}

impl Outcome {
    /// The entry in the log, if there is one.
    pub fn entry(&self) -> Option<&Entry> {
        match self {
            Outcome::Stored { entry, .. } => Some(entry),
            _ => None,
        }
    }

    /// Whether this call stored something new.
    pub fn is_fresh(&self) -> bool {
        matches!(self, Outcome::Stored { fresh: true, .. })
    }

    /// The `seq` that answers the caller: the entry's, or the room's latest.
    pub fn seq(&self) -> Option<Seq> {
        match self {
            Outcome::Stored { entry, .. } => Some(entry.seq()),
            Outcome::Unchanged { seq } => Some(*seq),
            Outcome::Refused(_) => None,
        }
    }
}

/// Why an entry could not apply, found inside its transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The message is not in the room, or was deleted.
    NoSuchMessage,
    /// A reply's root is itself a reply.
    NotTopLevel,
    /// The message carries the most different reactions allowed.
    TooManyReactions,
    /// The room is archived: read-only until unarchived.
    Archived,
    /// Another room has the name asked for.
    NameTaken,
    /// The room has the most pinned messages allowed.
    TooManyPins,
}
