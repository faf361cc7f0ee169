//! A room's members: adding one (anyone to a public room, the owner to a
//! private one) and removing one from a private room (the owner removes
//! anyone, a member themself), which stops delivery to all of their
//! connections at once, on every instance.

use app::protocol::{RoomKind, UserRef};
use uuid::Uuid;

use super::{access, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::UserRecord;

/// A user named by id or by username.
pub async fn find_user(state: &AppState, user: &str) -> DomainResult<UserRecord> {
    match Uuid::parse_str(user) {
        Ok(id) => state.store.user_by_id(id).await?,
        Err(_) => state.store.user_by_name(user).await?,
    }
    .ok_or_else(|| DomainError::NotFound("no such user".into()))
}

/// Adds `user` to `room`; answers the user and whether they were new to it.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    room: &str,
    user: &str,
) -> DomainResult<(UserRef, bool)> {
    let record = access::readable_room(state, room, caller.user.id).await?;
    match record.kind {
        RoomKind::Public => {}
        RoomKind::Private if record.owner == Some(caller.user.id) => {}
        RoomKind::Private => {
            return Err(DomainError::Forbidden(
                "only the room's owner adds members".into(),
            ))
        }
        RoomKind::Direct => {
            return Err(DomainError::Forbidden(
                "direct rooms have exactly two members".into(),
            ))
        }
    }
    let target = find_user(state, user).await?;
    let added = state.store.add_member(room, target.user.id).await?;
    Ok((target.user, added))
}

/// Removes `user` from the private room `room`.
pub async fn remove(state: &AppState, caller: &Caller, room: &str, user: &str) -> DomainResult<()> {
    let record = access::readable_room(state, room, caller.user.id).await?;
    let target = find_user(state, user).await?;
    let own_room = record.owner == Some(caller.user.id);
    match record.kind {
        RoomKind::Private if own_room || target.user.id == caller.user.id => {}
        RoomKind::Private => {
            return Err(DomainError::Forbidden(
                "only the room's owner removes members".into(),
            ))
        }
        _ => {
            return Err(DomainError::Invalid(
                "only private rooms have members to remove".into(),
            ))
        }
    }
    if record.owner == Some(target.user.id) {
        return Err(DomainError::Invalid("the owner cannot be removed".into()));
    }
    if !state.store.remove_member(room, target.user.id).await? {
        return Err(DomainError::NotFound("not a member of this room".into()));
    }
    state.node.evict(room, target.user.id).await;
    tracing::info!(room, user = %target.user.name, "member removed");
    Ok(())
}
