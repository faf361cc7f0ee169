//! The socket's frames: what a client may ask ([`ClientFrame`], in its
//! [`ClientEnvelope`] with an optional `ref`) and what the server sends
//! ([`ServerFrame`]), with the error codes and presence states they carry.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::*;

/// Whether a user is connected to a room (see the `presence` frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatus {
    Online,
    Offline,
}

/// The `code` of an `error` frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Unparseable or unknown frame, or a bad field.
    Invalid,
    /// A field (such as `body`) longer than its limit.
    TooLarge,
    /// Not allowed in that room.
    Forbidden,
    /// No such room.
    NotFound,
    /// Too many frames too fast: slow down.
    RateLimited,
    /// The engine is down: retry later, nothing was stored.
    Unavailable,
}

impl ErrorCode {
    /// The code as it appears on the wire, e.g. for metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "invalid",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

/// What a client may ask over the socket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Subscribe to a room; with `since`, also recover what was missed.
    Join {
        room: RoomId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Since>,
    },
    /// Unsubscribe from a room.
    Leave { room: RoomId },
    /// Publish a message. Resending the same `client_msg_id` stores it once.
    Send {
        room: RoomId,
        client_msg_id: Uuid,
        body: String,
        /// Reply in the thread of this top-level message of the room.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread: Option<Uuid>,
        /// Files uploaded to the room for this message (their ids).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<Uuid>,
    },
    /// Replace the body of one's own message.
    Edit {
        room: RoomId,
        id: Uuid,
        body: String,
    },
    /// Delete a message: one's own, or any as the room's owner or an admin.
    Delete { room: RoomId, id: Uuid },
    /// Add (`on`, the default) or remove a reaction.
    React {
        room: RoomId,
        id: Uuid,
        emoji: String,
        #[serde(default = "yes")]
        on: bool,
    },
    /// Ask for a page of the log: the newest entries before `before` (or the
    /// newest of all); with `after`, the oldest entries after it; with
    /// `around`, the entries around it, itself included (Confab additions,
    /// for opening a room at a message); at most `limit`. One of the three.
    History {
        room: RoomId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<Seq>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Seq>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        around: Option<Seq>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
    /// Tell the room this user is typing.
    Typing { room: RoomId },
    /// Set the room's topic (empty clears it); answered by `done`.
    Topic { room: RoomId, topic: String },
    /// Move this user's read marker in `room` forward to `seq` (never back).
    Read { room: RoomId, seq: Seq },
    /// Ask for a `pong`.
    Ping,
    /// Whether the user can see this connection's page (its tab is in
    /// front). A connection counts as visible until it says otherwise; a
    /// user with no visible connection gets pushes (`docs/PROTOCOL.md`,
    /// *Web Push*). No answer.
    Visible { visible: bool },
    /// Whose presence this connection wants (a Confab addition, v3): from
    /// now on, in every room it has joined, `presence` frames only about
    /// these users (at most [`MAX_PRESENCE_INTEREST`]; the list replaces any
    /// earlier one), and an `online_count` whenever the room's count changes.
    /// Answered by one `online` frame per joined room naming which of them
    /// are online there.
    PresenceInterest {
        #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
        users: Vec<Uuid>,
    },
}

fn yes() -> bool {
    true
}

/// A client frame with its optional `ref`, which the server's reply repeats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientEnvelope {
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(flatten)]
    pub frame: ClientFrame,
}

/// Longest `ref` a client frame may carry, in bytes: the server repeats it in
/// its reply, so it must stay small.
pub const MAX_REF_BYTES: usize = 128;

impl ClientEnvelope {
    /// Parses one text frame. On failure the error says what is wrong in words a
    /// client developer can act on, and carries the frame's `ref` when it had one
    /// (and it was not over [`MAX_REF_BYTES`]).
    pub fn parse(text: &str) -> Result<Self, FrameError> {
        let envelope = Self::parse_any_ref(text).map_err(|mut e| {
            e.reference = e.reference.filter(|r| r.len() <= MAX_REF_BYTES);
            e
        })?;
        if envelope
            .reference
            .as_ref()
            .is_some_and(|r| r.len() > MAX_REF_BYTES)
        {
            return Err(FrameError {
                reference: None,
                message: format!("ref is longer than {MAX_REF_BYTES} bytes"),
            });
        }
        Ok(envelope)
    }

    fn parse_any_ref(text: &str) -> Result<Self, FrameError> {
        serde_json::from_str(text).map_err(|e| {
            #[derive(Deserialize)]
            struct RefOnly {
                #[serde(rename = "ref")]
                reference: Option<String>,
            }
            let reference = serde_json::from_str::<RefOnly>(text)
                .ok()
                .and_then(|r| r.reference);
            let message = if e.is_syntax() || e.is_eof() {
                format!("not a JSON object: {e}")
            } else {
                format!("bad frame: {e}")
            };
            FrameError { reference, message }
        })
    }
}

/// Why a client frame could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FrameError {
    /// The frame's `ref`, if it could still be read.
    pub reference: Option<String>,
    pub message: String,
}

/// Most users an `online` frame names.
pub const MAX_ONLINE_LISTED: usize = 1000;

/// Most users one `presence_interest` frame may name.
pub const MAX_PRESENCE_INTEREST: usize = 1000;

/// What the server sends over the socket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The answer to `join`: the room's `epoch`, its latest `seq`, and whether the
    /// messages after `since` follow (`recovered: true`) or the client must reload.
    Joined {
        room: RoomId,
        epoch: String,
        seq: Seq,
        recovered: bool,
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// A message in a room the connection has joined.
    Message(Message),
    /// A message's body was edited (a room log entry).
    Edited(Edited),
    /// A message was deleted (a room log entry).
    Deleted(Deleted),
    /// A reaction was added or removed (a room log entry).
    Reaction(Reaction),
    /// The room's topic was set (a room log entry).
    Topic(Topic),
    /// The room was renamed, archived or unarchived (a room log entry).
    RoomChanged(RoomChanged),
    /// A message was pinned or unpinned (a room log entry).
    Pinned(Pinned),
    Unfurled(crate::Unfurled),
    /// The answer to `edit`, `delete` and `react`, once stored: the entry's
    /// `seq` (or the room's latest, when there was nothing to change).
    Done {
        room: RoomId,
        seq: Seq,
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// The message with this `client_msg_id` is stored as `seq`.
    Ack {
        room: RoomId,
        client_msg_id: Uuid,
        seq: Seq,
        #[serde(with = "time::serde::rfc3339")]
        ts: OffsetDateTime,
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// The answer to `history`: the room's entries oldest first, messages in
    /// their current state.
    History {
        room: RoomId,
        messages: Vec<Entry>,
        /// The room's latest `seq` when the page was read: the state shown
        /// includes every entry up to it (a Confab addition).
        #[serde(default)]
        seq: Seq,
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// Someone in the room is typing.
    Typing {
        room: RoomId,
        user: UserRef,
    },
    /// Someone's first connection to the room opened, or their last one closed.
    Presence {
        room: RoomId,
        user: UserRef,
        status: PresenceStatus,
    },
    /// Who is online in the room, sent once after `joined` and its replay (a
    /// Confab addition: one frame however many are online, instead of a
    /// `presence` frame each). `users` names at most [`MAX_ONLINE_LISTED`] of
    /// them; `count` is how many there are.
    Online {
        room: RoomId,
        users: Vec<UserRef>,
        count: u32,
    },
    /// How many users are online in the room now, sent (gathered, like
    /// presence) whenever it changed, to connections that said whose
    /// presence they want (a Confab addition, v3).
    OnlineCount {
        room: RoomId,
        count: u32,
    },
    /// The user's read marker in `room` moved to `seq` (from another of
    /// their connections, on any instance).
    Read {
        room: RoomId,
        seq: Seq,
    },
    /// A new message in a room the user belongs to but this connection has
    /// not joined; `mention`: it mentions this user. v3: `thread`, the
    /// thread's root when it is a reply in a thread the user follows;
    /// `notify`, whether it should raise a notification
    /// ([`crate::notifies`]: the room's level, muting, do-not-disturb).
    Activity {
        room: RoomId,
        seq: Seq,
        mention: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread: Option<Uuid>,
        #[serde(default)]
        notify: bool,
    },
    /// A room's notification level or muting changed for the user (v3).
    Notifications(crate::RoomNotifications),
    /// The user's do-not-disturb changed (v3).
    Dnd(crate::Dnd),
    /// The user's following of a thread, or their place in it, changed (v3).
    Thread(crate::ThreadState),
    /// One of the user's reminders came due (v3).
    Reminder(crate::Reminder),
    /// The user was added to a room (or a direct room with them was opened).
    RoomAdded {
        room: RoomInfo,
    },
    /// The user left or was removed from a room: nothing more of it arrives.
    RoomRemoved {
        room: RoomId,
    },
    /// Something changed about the user's account that they should know of
    /// at once, on every connection (a Confab addition): a way to sign in was
    /// linked or unlinked. Clients show `message`; one that does not know
    /// the frame ignores it.
    AccountNotice {
        message: String,
    },
    /// Someone's profile changed (name, title, time zone, status, avatar,
    /// deactivation): sent to every signed-in connection on every instance.
    UserUpdated {
        user: Profile,
    },
    /// A draft of the user's was saved or cleared on another connection.
    Draft(Draft),
    /// A member's role in a room changed: sent to that member's connections
    /// and to everyone who joined the room, on every instance.
    RoleChanged {
        room: RoomId,
        user: UserRef,
        role: RoomRole,
        by: UserRef,
    },
    /// A frame was refused; the connection stays open unless a close follows.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// The answer to `ping`.
    Pong {
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
}

impl ServerFrame {
    /// The frame as the JSON text that goes on the wire.
    pub fn to_json(&self) -> String {
        // Serializing these types cannot fail: every map key is a string.
        serde_json::to_string(self).expect("server frames always serialize")
    }

    /// Parses one text frame from the server (used by the UI and by test clients).
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}
