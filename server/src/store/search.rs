//! Searching messages. Implemented in SQL by `sql_search` (SQLite's FTS5,
//! PostgreSQL's `tsvector`).

use async_trait::async_trait;
use protocol::{Message, RoomId};
use uuid::Uuid;

use super::StoreResult;

/// A search, checked by `domain::search`.
#[derive(Clone, Debug)]
pub struct SearchQuery {
    /// Who searches: only rooms they can read now are searched.
    pub viewer: Uuid,
    /// Words (letters and digits, lower-case), all of which must occur.
    pub words: Vec<String>,
    /// Only this room.
    pub room: Option<RoomId>,
    /// Only messages stored before this one (the last of the previous page).
    pub before: Option<Uuid>,
    pub limit: u32,
    /// The filters of the search text (`from:`, `has:` …), `in:` being `room`.
    pub filters: Filters,
}

/// What narrows a search besides its words.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    /// Written by this user (a name, any case).
    pub from: Option<String>,
    pub has_file: bool,
    /// Holds `http://` or `https://`.
    pub has_link: bool,
    /// Replies only.
    pub is_thread: bool,
    /// Stored before this time (ms since the epoch).
    pub before_ms: Option<i64>,
    /// Stored at or after this time.
    pub after_ms: Option<i64>,
}

/// Full-text search over the rooms a viewer can read.
#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Messages matching `query` (every word, whole and case-blind, in the
    /// body or a file's name; no words: every message its filters let
    /// through) in rooms its viewer can read now, newest first, none
    /// deleted; each in its current state without reactions.
    async fn search(&self, query: &SearchQuery) -> StoreResult<Vec<Message>>;
}
