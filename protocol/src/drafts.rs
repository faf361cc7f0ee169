//! v3 attention: drafts kept by the server, one per (room, thread), so a
//! half-written message survives a reload and follows the user to their
//! other devices (`PUT /api/rooms/{id}/draft`, `GET /api/drafts`, the
//! `draft` frame).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::RoomId;

/// Most drafts one user keeps; past it, saving another is refused.
pub const MAX_DRAFTS_PER_USER: usize = 500;

/// Body of `PUT /api/rooms/{id}/draft`: the text (empty clears the draft)
/// and the thread it is a reply in (absent: the room itself).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
}

/// A draft: what the user has typed in a room (or a thread of it) and not
/// sent. As a frame (`draft`), an empty `body` says it was cleared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Draft {
    pub room: RoomId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
    pub body: String,
}

/// Answer to `GET /api/drafts`: the user's drafts, the newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftList {
    pub drafts: Vec<Draft>,
}
