//! `edit`: the author replaces their message's body. Same limits as `send`;
//! mentions are resolved again.

use protocol::RoomId;
use uuid::Uuid;

use super::{access, check_body, mentions, take_allowance, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::NewEntry;

/// Checks an edit and makes the entry to submit.
pub async fn prepare(
    state: &AppState,
    caller: &Caller,
    room: RoomId,
    id: Uuid,
    body: String,
) -> DomainResult<NewEntry> {
    check_body(state, &body)?;
    access::require_write(caller, Some(&room))?;
    take_allowance(state, caller).await?;
    access::require_readable(state, caller, &room).await?;
    let message = access::live_message(state, &room, id).await?;
    if message.author != caller.user.id {
        return Err(DomainError::Forbidden(
            "only its author edits a message".into(),
        ));
    }
    let mentions = mentions::resolve(state, caller, &room, &body).await?;
    Ok(NewEntry::Edit {
        room,
        id,
        body,
        mentions: mentions.users,
        everyone: mentions.everyone,
        by: caller.user.clone(),
    })
}
