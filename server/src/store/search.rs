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
}

/// Full-text search over the rooms a viewer can read.
#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Messages matching `query` (every word, whole and case-blind) in rooms
    /// its viewer can read now, newest first, none deleted; each in its
    /// current state without reactions.
    async fn search(&self, query: &SearchQuery) -> StoreResult<Vec<Message>>;
}
