//! Handing a checked entry to the engine: the group commit stores it (taking
//! the room's next `seq`), delivers it here and publishes it, then tells the
//! caller's callback how it went. The caller does not wait meanwhile.

use crate::engine::OnStored;
use crate::state::AppState;
use crate::store::{NewEntry, Outcome, Refusal, StoreError};

use super::{DomainError, DomainResult};

/// Queues `entry` for its room's next commit; `done` gets the outcome, or why
/// nothing was stored.
pub fn submit(
    state: &AppState,
    entry: NewEntry,
    done: impl FnOnce(DomainResult<Outcome>) + Send + 'static,
) {
    let room = entry.room().to_string();
    let here = state.clone();
    let callback: OnStored = Box::new(move |stored| {
        // A new message's links get previews, in the background.
        if let Ok(Outcome::Stored {
            entry: protocol::Entry::Message(message),
            fresh: true,
        }) = &stored
        {
            crate::unfurl::consider(&here, message);
            crate::push::consider(&here, message);
        }
        done(match stored {
            Ok(Outcome::Refused(refusal)) => Err(refused(refusal)),
            Ok(outcome) => Ok(outcome),
            Err(StoreError::NotFound) => Err(DomainError::NotFound(format!("no room {room:?}"))),
            Err(e) => {
                tracing::warn!(room, error = %e, "commit failed");
                Err(DomainError::Unavailable)
            }
        })
    });
    state.node.submit(entry, callback);
}

/// As [`submit`], for a caller that waits for the outcome (the HTTP API).
pub async fn submit_and_wait(state: &AppState, entry: NewEntry) -> DomainResult<Outcome> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    submit(state, entry, move |outcome| {
        let _ = tx.send(outcome);
    });
    rx.await.unwrap_or(Err(DomainError::Unavailable))
}

/// The answer to an edit, deletion or reaction: the `seq` that stored it, or
/// the room's latest when there was nothing to change.
pub fn done_seq(outcome: DomainResult<Outcome>) -> DomainResult<protocol::Seq> {
    outcome?
        .seq()
        .ok_or_else(|| DomainError::Invalid("nothing was stored".into()))
}

fn refused(refusal: Refusal) -> DomainError {
    match refusal {
        Refusal::NoSuchMessage => DomainError::NotFound("no such message in this room".into()),
        Refusal::NotTopLevel => {
            DomainError::Invalid("a reply's root must be a top-level message of the room".into())
        }
        Refusal::TooManyReactions => DomainError::Invalid(format!(
            "a message carries at most {} different reactions",
            protocol::MAX_REACTIONS_PER_MESSAGE
        )),
        Refusal::Archived => {
            DomainError::Forbidden("this room is archived: it is read-only".into())
        }
        Refusal::NameTaken => DomainError::Conflict("room name is taken".into()),
        Refusal::TooManyPins => DomainError::Invalid(format!(
            "a room keeps at most {} pinned messages: unpin one first",
            protocol::MAX_PINS_PER_ROOM
        )),
    }
}
