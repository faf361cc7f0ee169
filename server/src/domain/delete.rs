//! `delete`: a message's author, the room's owner or an admin deletes
//! it; its body is gone from the store. Deleting a deleted message changes
//! nothing (and answers with the room's latest `seq`).

use protocol::RoomId;
use uuid::Uuid;

use super::{access, take_allowance, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::NewEntry;

/// Checks a deletion and makes the entry to submit.
pub async fn prepare(
    state: &AppState,
    caller: &Caller,
    room: RoomId,
    id: Uuid,
) -> DomainResult<NewEntry> {
    may_take_down(state, caller, &room, id, false).await?;
    Ok(NewEntry::Delete {
        room,
        id,
        by: caller.user.clone(),
    })
}

/// The checks of taking something of message `id` down (the message
/// itself, or its previews: `live`, then it must not be deleted): a
/// credential that may write there, the caller's allowance, a room they
/// read, and the message's author or whoever moderates the room.
pub(super) async fn may_take_down(
    state: &AppState,
    caller: &Caller,
    room: &str,
    id: Uuid,
    live: bool,
) -> DomainResult<()> {
    access::require_write(caller, Some(room))?;
    take_allowance(state, caller).await?;
    access::require_readable(state, caller, room).await?;
    let message = state
        .store
        .message_record(room, id)
        .await?
        .filter(|m| !(live && m.deleted))
        .ok_or_else(|| DomainError::NotFound(format!("no message {id} in {room:?}")))?;
    access::may_delete(state, caller, room, &message).await
}
