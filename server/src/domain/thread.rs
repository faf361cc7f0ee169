//! `GET /api/rooms/{id}/threads/{root}`: a thread's root and its replies, for
//! whoever can read the room.

use protocol::{Seq, ThreadPage};
use uuid::Uuid;

use super::{access, history, Caller, DomainError, DomainResult};
use crate::state::AppState;

/// The thread of `root`: its newest `limit` replies before `before`, oldest first.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    room: &str,
    root: Uuid,
    before: Option<Seq>,
    limit: Option<u32>,
) -> DomainResult<ThreadPage> {
    let limit = history::limit(limit)?;
    let before = history::seq(before)?;
    access::require_readable(state, caller, room).await?;
    state
        .store
        .thread(room, root, before, limit, caller.user.id)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("no thread {root} in {room:?}")))
}
