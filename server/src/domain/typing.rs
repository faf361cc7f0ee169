//! `typing`: tells a room's other connections this user is typing. Only on a
//! connection that joined the room; counts against the user's allowance.

use super::{take_allowance, Caller, DomainError, DomainResult};
use crate::state::AppState;

pub async fn typing(state: &AppState, caller: &Caller, room: &str) -> DomainResult<()> {
    let joined = match caller.conn {
        Some(conn) => state.node.is_subscribed(conn, room).await,
        None => false,
    };
    super::access::require_write(caller, Some(room))?;
    if !joined {
        return Err(DomainError::Forbidden("join the room first".into()));
    }
    take_allowance(state, caller).await?;
    state.node.typing(room, &caller.user).await;
    Ok(())
}
