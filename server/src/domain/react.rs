//! `react`: any member who can read the room adds or removes a reaction. An
//! emoji is 1–32 characters; a message carries at most 50 different ones.
//! Setting a reaction one has (or removing one one lacks) stores nothing.

use protocol::{valid_emoji, RoomId, MAX_EMOJI_CHARS};
use uuid::Uuid;

use super::{access, take_allowance, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::NewEntry;

/// Checks a reaction and makes the entry to submit.
pub async fn prepare(
    state: &AppState,
    caller: &Caller,
    room: RoomId,
    id: Uuid,
    emoji: String,
    on: bool,
) -> DomainResult<NewEntry> {
    if !valid_emoji(&emoji) {
        return Err(DomainError::Invalid(format!(
            "emoji must be 1-{MAX_EMOJI_CHARS} characters, without spaces or control characters"
        )));
    }
    access::require_write(caller, Some(&room))?;
    take_allowance(state, caller).await?;
    access::require_readable(state, caller, &room).await?;
    access::live_message(state, &room, id).await?;
    Ok(NewEntry::React {
        room,
        id,
        emoji,
        on,
        user: caller.user.clone(),
    })
}
