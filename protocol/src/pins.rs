//! v3 attention: pins. Pinning a message is an entry of the room's log
//! ([`Pinned`]: ordered, replayed and counted like every entry); a room
//! lists its pinned messages (`GET /api/rooms/{id}/pins`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Message, RoomId, Seq, UserRef};

/// Most messages one room keeps pinned.
pub const MAX_PINS_PER_ROOM: usize = 50;

/// A message was pinned (`on`) or unpinned (a room log entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pinned {
    pub room: RoomId,
    pub seq: Seq,
    pub epoch: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    /// The message.
    pub id: Uuid,
    pub on: bool,
    pub by: UserRef,
}

/// Answer to `GET /api/rooms/{id}/pins`: the pinned messages, the most
/// recently pinned first, each in its current state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PinList {
    pub pins: Vec<Message>,
}
