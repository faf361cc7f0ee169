//! `history` (and `GET /api/rooms/{id}/messages`): a page of the room's log
//! for whoever can read the room, messages in their current state.

use app::protocol::{Seq, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT};

use super::{access, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{LogPage, PageAt};

/// Checks a page size against the contract (1–200, default 50).
pub fn limit(limit: Option<u32>) -> DomainResult<u32> {
    match limit.unwrap_or(DEFAULT_HISTORY_LIMIT) {
        0 => Err(DomainError::Invalid("limit must be at least 1".into())),
        n if n > MAX_HISTORY_LIMIT => Err(DomainError::Invalid(format!(
            "limit must be at most {MAX_HISTORY_LIMIT}"
        ))),
        n => Ok(n),
    }
}

/// The newest `limit` entries before `before` (or the newest of all), or
/// with `after` the oldest `limit` entries after it; not both.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    room: &str,
    before: Option<Seq>,
    after: Option<Seq>,
    limit: Option<u32>,
) -> DomainResult<LogPage> {
    let limit = self::limit(limit)?;
    let at = match (before, after) {
        (Some(_), Some(_)) => {
            return Err(DomainError::Invalid(
                "ask for entries before or after a seq, not both".into(),
            ))
        }
        (before, None) => PageAt::Before(before),
        (None, Some(after)) => PageAt::After(after),
    };
    access::require_readable(state, caller, room).await?;
    Ok(state.store.history(room, at, limit, caller.user.id).await?)
}
