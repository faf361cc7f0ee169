//! Read state: `read` moves the caller's read marker in a room forward (never
//! back, never past the room's latest `seq`) and echoes the new marker to the
//! caller's other connections on every instance (muting is with the other
//! notification settings: `notifications`). Only members have read state: the membership row is the access
//! rule here, so nothing else is asked of the store.

use protocol::{Seq, ServerFrame};

use super::{Caller, DomainError, DomainResult};
use crate::state::AppState;

/// Moves the caller's marker in `room` to `seq`; the new marker if it moved.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    room: &str,
    seq: Seq,
) -> DomainResult<Option<Seq>> {
    super::access::require_scope(caller, room)?;
    let moved = state.store.mark_read(room, caller.user.id, seq).await?;
    if let Some(seq) = moved {
        let echo = ServerFrame::Read {
            room: room.to_string(),
            seq,
        };
        state
            .node
            .tell_user(caller.user.id, echo, caller.conn)
            .await;
    }
    Ok(moved)
}

/// `read` over HTTP: as the frame, but a caller who is not a member of the
/// room is told so.
pub async fn read_checked(
    state: &AppState,
    caller: &Caller,
    room: &str,
    seq: Seq,
) -> DomainResult<()> {
    if read(state, caller, room, seq).await?.is_none()
        && !state.store.is_member(room, caller.user.id).await?
    {
        return Err(not_a_member(room));
    }
    Ok(())
}

fn not_a_member(room: &str) -> DomainError {
    DomainError::NotFound(format!("you are not a member of {room:?}"))
}
