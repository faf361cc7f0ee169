//! Rooms: listing what a user can see, creating a room, opening a direct room.

use app::protocol::{valid_room_name, RoomInfo, RoomKind};
use uuid::Uuid;

use super::{members::find_user, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::StoreError;

/// Every public room, and the others the caller belongs to; a direct room is
/// named after the other user.
pub async fn list(state: &AppState, caller: &Caller) -> DomainResult<Vec<RoomInfo>> {
    let mut rooms = state.store.rooms_for(caller.user.id).await?;
    for room in rooms.iter_mut().filter(|r| r.kind == RoomKind::Direct) {
        room.name = direct_room_name(state, &room.id, caller.user.id).await?;
    }
    Ok(rooms)
}

/// A direct room is named, for each of its two users, after the other one.
async fn direct_room_name(state: &AppState, room: &str, caller: Uuid) -> DomainResult<String> {
    let other = match crate::store::direct_room_users(room) {
        Some((a, b)) if a == caller => b,
        Some((a, _)) => a,
        None => return Ok(room.to_string()),
    };
    Ok(state
        .store
        .user_by_id(other)
        .await?
        .map(|u| u.user.name)
        .unwrap_or_else(|| "deleted user".into()))
}

/// Creates a public or private room owned by the caller, within
/// `--max-rooms-per-user`.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    name: &str,
    kind: RoomKind,
) -> DomainResult<RoomInfo> {
    if !valid_room_name(name) {
        return Err(DomainError::Invalid(
            "room name must be 1-32 characters of a-z, 0-9, '_', '-', starting with a letter or digit".into(),
        ));
    }
    if kind == RoomKind::Direct {
        return Err(DomainError::Invalid(
            "direct rooms are not created by name".into(),
        ));
    }
    let max = state.config.max_rooms_per_user;
    if state.store.rooms_owned(caller.user.id).await? >= max as u64 {
        return Err(DomainError::Forbidden(format!(
            "you own {max} rooms, the most allowed"
        )));
    }
    let room = match state.store.create_room(name, kind, caller.user.id).await {
        Err(StoreError::Conflict) => {
            return Err(DomainError::Conflict("room name is taken".into()))
        }
        other => other?,
    };
    tracing::info!(room = %room.id, kind = room.kind.as_str(), "room created");
    Ok(RoomInfo {
        id: room.id,
        name: room.name,
        kind: room.kind,
        member: true,
    })
}

/// The direct room of the caller and `other` (a name or id), created on first
/// use; only the two of them can see or join it.
pub async fn direct(state: &AppState, caller: &Caller, other: &str) -> DomainResult<RoomInfo> {
    let other = find_user(state, other).await?;
    if other.user.id == caller.user.id {
        return Err(DomainError::Invalid(
            "a direct room needs another user".into(),
        ));
    }
    let room = state
        .store
        .direct_room(caller.user.id, other.user.id)
        .await?;
    Ok(RoomInfo {
        id: room.id,
        name: other.user.name,
        kind: RoomKind::Direct,
        member: true,
    })
}
