//! `pin`: any member pins a message of the room, or unpins one; a room keeps
//! at most `MAX_PINS_PER_ROOM`. Pinning is an entry of the room's log, so
//! every member sees it in order, and one who was away has it replayed.
//! It counts against the user's allowance; an archived room refuses it.

use protocol::Message;
use uuid::Uuid;

use super::{access, take_allowance, Caller, DomainResult};
use crate::state::AppState;
use crate::store::NewEntry;

/// Checks a pin (`on`) or unpin of message `id` and makes the entry to
/// submit. Whether the message exists is checked when it is stored.
pub async fn prepare(
    state: &AppState,
    caller: &Caller,
    room: String,
    id: Uuid,
    on: bool,
) -> DomainResult<NewEntry> {
    access::require_write(caller, Some(&room))?;
    access::require_member(state, caller, &room).await?;
    take_allowance(state, caller).await?;
    Ok(NewEntry::Pin {
        room,
        id,
        on,
        by: caller.user.clone(),
    })
}

/// The room's pinned messages, for whoever may read it.
pub async fn list(state: &AppState, caller: &Caller, room: &str) -> DomainResult<Vec<Message>> {
    access::require_scope(caller, room)?;
    access::readable_room(state, room, caller.user.id).await?;
    Ok(state.store.pins(room).await?)
}
