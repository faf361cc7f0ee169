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
    access::require_write(caller, Some(&room))?;
    take_allowance(state, caller).await?;
    access::require_readable(state, caller, &room).await?;
    let message = match state.store.message_record(&room, id).await? {
        Some(message) => message,
        None => {
            return Err(DomainError::NotFound(format!(
                "no message {id} in {room:?}"
            )))
        }
    };
    access::may_delete(state, caller, &room, &message).await?;
    Ok(NewEntry::Delete {
        room,
        id,
        by: caller.user.clone(),
    })
}
