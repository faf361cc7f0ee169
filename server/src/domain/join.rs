//! `join` and `leave`: subscribing a connection to a room's log. Joining needs
//! the right to read the room (and makes one a member of a public room); with
//! `since`, what was missed is replayed before anything live.

use protocol::Since;

use super::{access, Caller, DomainError, DomainResult};
use crate::engine::outbox::Outbox;
use crate::engine::Joined;
use crate::state::AppState;
use crate::store::StoreError;

/// Subscribes the caller's connection (whose queue is `outbox`) to `room`.
pub async fn join(
    state: &AppState,
    caller: &Caller,
    outbox: &Outbox,
    room: &str,
    since: Option<Since>,
    reference: Option<String>,
) -> DomainResult<Joined> {
    let Some(conn) = caller.conn else {
        return Err(DomainError::Invalid(
            "only a connection joins a room".into(),
        ));
    };
    let members_only = access::admit(state, caller, room).await?;
    if cfg!(debug_assertions) && state.config.debug_join_pause_ms > 0 {
        let pause = std::time::Duration::from_millis(state.config.debug_join_pause_ms);
        tokio::time::sleep(pause).await;
    }
    match state
        .node
        .join(
            conn,
            &caller.user,
            outbox,
            room,
            since,
            reference,
            members_only.is_some(),
        )
        .await
    {
        Ok(Some(joined)) => Ok(joined),
        // Removed between the check and the subscription.
        Ok(None) => Err(access::not_member(
            room,
            members_only.unwrap_or(protocol::RoomKind::Private),
        )),
        Err(StoreError::NotFound) => Err(DomainError::NotFound(format!("no room {room:?}"))),
        Err(e) => {
            tracing::warn!(room, error = %e, "join failed");
            Err(DomainError::Unavailable)
        }
    }
}

/// Unsubscribes the caller's connection from `room`.
pub async fn leave(state: &AppState, caller: &Caller, room: &str) {
    if let Some(conn) = caller.conn {
        state.node.leave(conn, room).await;
    }
}
