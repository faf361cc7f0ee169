//! `topic`: sets what a room is about. Setting it is an entry of the room's
//! log (delivered, replayed and paged like an edit); the room keeps its
//! current topic for the room list. Any member may set it; it counts against
//! the user's allowance.

use protocol::MAX_TOPIC_CHARS;

use super::{access, take_allowance, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::NewEntry;

/// Checks a new topic for `room`: at most 250 characters of one line
/// (trimmed; empty clears it), from a member.
pub async fn prepare(
    state: &AppState,
    caller: &Caller,
    room: String,
    topic: String,
) -> DomainResult<NewEntry> {
    let topic = topic.trim().to_string();
    if topic.chars().count() > MAX_TOPIC_CHARS {
        return Err(DomainError::TooLarge(format!(
            "a topic is at most {MAX_TOPIC_CHARS} characters"
        )));
    }
    if topic.chars().any(char::is_control) {
        return Err(DomainError::Invalid("a topic is one line of text".into()));
    }
    access::require_write(caller, Some(&room))?;
    access::require_member(state, caller, &room).await?;
    take_allowance(state, caller).await?;
    Ok(NewEntry::Topic {
        room,
        topic,
        by: caller.user.clone(),
    })
}
