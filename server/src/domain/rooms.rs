//! Rooms: listing what a user can see, creating a room, opening a direct room.

use app::protocol::{valid_room_name, RoomInfo, RoomKind};
use uuid::Uuid;

use super::{members::find_user, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::StoreError;

/// Every public room, and the others the caller belongs to; a direct room is
/// named after the other user. Two queries however many rooms: the rooms,
/// then the names of everyone the caller has a direct room with.
pub async fn list(state: &AppState, caller: &Caller) -> DomainResult<Vec<RoomInfo>> {
    let mut rooms = state.store.rooms_for(caller.user.id).await?;
    let others: Vec<Uuid> = rooms
        .iter()
        .filter(|r| r.kind == RoomKind::Direct)
        .filter_map(|r| other_user(&r.id, caller.user.id))
        .collect();
    if others.is_empty() {
        return Ok(rooms);
    }
    let names = state.store.user_names(&others).await?;
    for room in rooms.iter_mut().filter(|r| r.kind == RoomKind::Direct) {
        if let Some(other) = other_user(&room.id, caller.user.id) {
            room.name = names
                .get(&other)
                .cloned()
                .unwrap_or_else(|| "deleted user".into());
        }
    }
    Ok(rooms)
}

/// The user a direct room is with, for one of its two users.
fn other_user(room: &str, caller: Uuid) -> Option<Uuid> {
    match crate::store::direct_room_users(room)? {
        (a, b) if a == caller => Some(b),
        (a, _) => Some(a),
    }
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
