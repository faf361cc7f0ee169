//! Removing a message's link previews: whoever may delete the message (its
//! author, or whoever moderates the room) removes them with an `unfurled`
//! entry that has none. Fetching them is `crate::unfurl`'s.

use protocol::RoomId;
use uuid::Uuid;

use super::{Caller, DomainResult};
use crate::state::AppState;
use crate::store::NewEntry;

/// Checks the removal and makes the entry to submit.
pub async fn prepare_removal(
    state: &AppState,
    caller: &Caller,
    room: RoomId,
    id: Uuid,
) -> DomainResult<NewEntry> {
    super::delete::may_take_down(state, caller, &room, id, true).await?;
    Ok(NewEntry::Unfurl {
        room,
        id,
        previews: Vec::new(),
        by: caller.user.clone(),
    })
}
