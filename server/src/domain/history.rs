//! `history` (and `GET /api/rooms/{id}/messages`): a page of the room's log
//! for whoever can read the room, messages in their current state.

use protocol::{Seq, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT, MAX_SEQ};

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

/// Checks a `seq` a client names: at most [`MAX_SEQ`].
pub fn seq(seq: Option<Seq>) -> DomainResult<Option<Seq>> {
    match seq {
        Some(n) if n > MAX_SEQ => Err(DomainError::Invalid(format!("a seq is at most {MAX_SEQ}"))),
        _ => Ok(seq),
    }
}

/// Which page a request names: `before` (or none: the newest), `after` or
/// `around` a `seq`; more than one is refused.
pub fn at(before: Option<Seq>, after: Option<Seq>, around: Option<Seq>) -> DomainResult<PageAt> {
    match (seq(before)?, seq(after)?, seq(around)?) {
        (before, None, None) => Ok(PageAt::Before(before)),
        (None, Some(after), None) => Ok(PageAt::After(after)),
        (None, None, Some(around)) => Ok(PageAt::Around(around)),
        _ => Err(DomainError::Invalid(
            "ask for entries before, after or around a seq: one of them".into(),
        )),
    }
}

/// A page of `room`'s log (see [`at`]), at most `limit` entries.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    room: &str,
    at: DomainResult<PageAt>,
    limit: Option<u32>,
) -> DomainResult<LogPage> {
    let limit = self::limit(limit)?;
    let at = at?;
    access::require_readable(state, caller, room).await?;
    Ok(state.store.history(room, at, limit, caller.user.id).await?)
}
