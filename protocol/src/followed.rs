//! v3 attention: what a user keeps an eye on. Threads they follow (replying
//! or being mentioned in one follows it; `PUT
//! /api/rooms/{id}/threads/{root}/follow`), listed newest activity first with
//! their unread replies (`GET /api/threads`), and messages they saved for
//! later (`PUT`/`DELETE /api/saved/{message}`, `GET /api/saved`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Message, RoomId, Seq};

/// Most threads `GET /api/threads` lists.
pub const MAX_THREADS_LISTED: usize = 100;
/// Most messages one user keeps saved; past it, saving another is refused.
pub const MAX_SAVED_PER_USER: usize = 1_000;

/// Body of `PUT /api/rooms/{id}/threads/{root}/follow`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowRequest {
    pub on: bool,
}

/// Body of `PUT /api/rooms/{id}/threads/{root}/read` (a Confab addition):
/// the caller read the thread's replies up to `seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ThreadReadRequest {
    #[serde(deserialize_with = "crate::integral::seq")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub seq: Seq,
}

/// A thread the caller follows, as `GET /api/threads` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowedThread {
    pub room: RoomId,
    /// The root, in its current state (with `reply_count`, `last_reply_ts`).
    pub root: Message,
    /// Replies by others the caller has not read.
    pub unread: u32,
    /// The `seq` of the last reply the caller read.
    #[serde(default)]
    pub read_seq: Seq,
}

/// Answer to `GET /api/threads`: newest activity first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadList {
    pub threads: Vec<FollowedThread>,
}

/// The `thread` frame: the caller's following of a thread or their place in
/// it changed (on another connection, or by replying).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadState {
    pub room: RoomId,
    pub root: Uuid,
    pub following: bool,
    pub read_seq: Seq,
}

/// A message the caller saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedItem {
    pub message: Message,
    #[serde(with = "time::serde::rfc3339")]
    pub saved_ts: OffsetDateTime,
}

/// Answer to `GET /api/saved`: the most recently saved first (messages in
/// rooms the caller can no longer read are left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedList {
    pub saved: Vec<SavedItem>,
}
