//! `presence_interest`: whose presence a connection wants to hear of
//! (docs/PROTOCOL.md, *Presence by interest*). It reveals nothing new: the
//! connection hears only of rooms it has joined, where it may see everyone
//! online anyway; it only narrows what it is sent.

use std::collections::HashSet;

use protocol::{RoomId, MAX_PRESENCE_INTEREST};
use uuid::Uuid;

use super::{Caller, DomainError, DomainResult};
use crate::engine::outbox::Outbox;
use crate::state::AppState;

/// Replaces the caller's connection's interest with `users`; each of its
/// joined `rooms` answers with an `online` frame naming those of them online.
pub async fn declare(
    state: &AppState,
    caller: &Caller,
    users: &[Uuid],
    rooms: &HashSet<RoomId>,
    outbox: &Outbox,
) -> DomainResult<()> {
    if users.len() > MAX_PRESENCE_INTEREST {
        return Err(DomainError::TooLarge(format!(
            "presence_interest names {} users; at most {MAX_PRESENCE_INTEREST}",
            users.len()
        )));
    }
    let Some(conn) = caller.conn else {
        return Err(DomainError::Invalid(
            "presence_interest is a socket frame".into(),
        ));
    };
    let rooms = rooms.iter().map(String::as_str);
    state
        .node
        .presence_interest(conn, users, rooms, outbox)
        .await;
    Ok(())
}
