//! Removing a message's link previews: whoever may delete the message (its
//! author, or whoever moderates the room) removes them with an `unfurled`
//! entry that has none. Fetching them is `crate::unfurl`'s.

use protocol::RoomId;
use uuid::Uuid;

use super::{access, take_allowance, Caller, DomainResult};
use crate::state::AppState;
use crate::store::NewEntry;

/// Checks the removal and makes the entry to submit.
pub async fn prepare_removal(
    state: &AppState,
    caller: &Caller,
    room: RoomId,
    id: Uuid,
) -> DomainResult<NewEntry> {
    access::require_write(caller, Some(&room))?;
    take_allowance(state, caller).await?;
    access::require_readable(state, caller, &room).await?;
    let message = access::live_message(state, &room, id).await?;
    access::may_delete(state, caller, &room, &message).await?;
    Ok(NewEntry::Unfurl {
        room,
        id,
        previews: Vec::new(),
        by: caller.user.clone(),
    })
}
