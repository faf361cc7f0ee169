//! v3 attention: what the server holds for later. A scheduled message is
//! sent at its time in the user's name (`POST /api/scheduled`); a reminder
//! (`POST /api/reminders`) is told to the user at its time, about a message
//! or a note of theirs. Both are kept in the store and handled once, by
//! whichever instance is up when they are due.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::RoomId;

/// Most scheduled messages and reminders one user keeps waiting.
pub const MAX_LATER_PER_USER: usize = 100;
/// How far ahead something may be scheduled, in days.
pub const MAX_LATER_DAYS: i64 = 366;

/// Body of `POST /api/scheduled`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScheduleMessage {
    pub room: RoomId,
    pub body: String,
    /// The thread to reply in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
    /// When to send it (in the future, at most a year ahead).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A message waiting to be sent (or that could not be: `failed`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduledMessage {
    /// Also the `client_msg_id` it is sent with.
    pub id: Uuid,
    pub room: RoomId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Why it was not sent, when its time came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// Answer to `GET /api/scheduled`: the soonest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduledList {
    pub scheduled: Vec<ScheduledMessage>,
}

/// Body of `POST /api/reminders`: about `message` of `room`, or a note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RemindRequest {
    pub room: RoomId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Uuid>,
    #[serde(default)]
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A reminder; as the `reminder` frame, one whose time came (`fired`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reminder {
    pub id: Uuid,
    pub room: RoomId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Uuid>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(default)]
    pub fired: bool,
}

/// Answer to `GET /api/reminders`: waiting and fired ones not dismissed,
/// the soonest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReminderList {
    pub reminders: Vec<Reminder>,
}
