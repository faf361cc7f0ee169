//! Rooms: listing the user's own rooms (with their read state), the rooms
//! directory, creating a room, opening a direct room with one person or a
//! group.

use std::collections::HashSet;

use protocol::{
    search_key, valid_room_name, DirectoryRoom, RoomInfo, RoomKind, RoomRole, ServerFrame,
    DEFAULT_ROOM_DIRECTORY_LIMIT, MAX_GROUP_MEMBERS, MAX_ROOM_DIRECTORY_LIMIT,
    MAX_ROOM_DIRECTORY_QUERY_CHARS,
};
use uuid::Uuid;

use super::{members::find_user, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{RoomRecord, StoreError};

/// The rooms the caller belongs to, each with the caller's unread and
/// mention counts (public rooms they are not in are in the [`directory`]); a direct room is named after its other
/// members. Two queries however many rooms: the rooms with their counts, then
/// the names in the caller's direct rooms.
pub async fn list(state: &AppState, caller: &Caller) -> DomainResult<Vec<RoomInfo>> {
    let mut rooms = state.store.rooms_for(caller.user.id).await?;
    if let Some(only) = &caller.scope.room {
        rooms.retain(|room| &room.id == only);
    }
    if !rooms.iter().any(|r| r.kind == RoomKind::Direct) {
        return Ok(rooms);
    }
    let names = state.store.direct_names(caller.user.id).await?;
    for room in rooms.iter_mut().filter(|r| r.kind == RoomKind::Direct) {
        room.name = direct_name(names.get(&room.id).map(Vec::as_slice));
    }
    Ok(rooms)
}

/// The rooms directory: public rooms whose name or topic contains `q`
/// (case-blind), by name, with member counts and whether the caller is in
/// each; anyone signed in may browse it.
pub async fn directory(
    state: &AppState,
    caller: &Caller,
    q: &str,
    limit: Option<u32>,
) -> DomainResult<Vec<DirectoryRoom>> {
    if q.chars().count() > MAX_ROOM_DIRECTORY_QUERY_CHARS {
        return Err(DomainError::Invalid(format!(
            "a search is at most {MAX_ROOM_DIRECTORY_QUERY_CHARS} characters"
        )));
    }
    let limit = limit.unwrap_or(DEFAULT_ROOM_DIRECTORY_LIMIT);
    if !(1..=MAX_ROOM_DIRECTORY_LIMIT).contains(&limit) {
        return Err(DomainError::Invalid(format!(
            "limit is 1 to {MAX_ROOM_DIRECTORY_LIMIT}"
        )));
    }
    let text = search_key(q.strip_prefix('#').unwrap_or(q));
    Ok(state
        .store
        .room_directory(&text, limit, caller.user.id)
        .await?)
}

/// A direct room's name for one of its members: the others' names.
fn direct_name(others: Option<&[String]>) -> String {
    match others {
        Some(names) if !names.is_empty() => names.join(", "),
        _ => "deleted user".into(),
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
    super::access::require_write(caller, None)?;
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
    let info = joined_info(&room, RoomRole::Owner);
    let added = ServerFrame::RoomAdded { room: info.clone() };
    state
        .node
        .tell_user(caller.user.id, added, caller.conn)
        .await;
    Ok(info)
}

/// The direct room of the caller and `others` (names or ids: one person, or
/// 2 to 8 for a group), created on first use with all of them as members;
/// only they can see or join it. A new room is announced (`room_added`) to
/// everyone in it, on every instance.
pub async fn direct(
    state: &AppState,
    caller: &Caller,
    others: &[String],
) -> DomainResult<RoomInfo> {
    super::access::require_write(caller, None)?;
    if others.is_empty() || others.len() > MAX_GROUP_MEMBERS - 1 {
        return Err(DomainError::Invalid(format!(
            "a direct room is with 1 to {} other people",
            MAX_GROUP_MEMBERS - 1
        )));
    }
    let mut people = vec![caller.user.clone()];
    let mut seen = HashSet::from([caller.user.id]);
    for other in others {
        let user = find_user(state, other).await?.user;
        if seen.insert(user.id) {
            people.push(user);
        }
    }
    if people.len() < 2 {
        return Err(DomainError::Invalid(
            "a direct room needs another user".into(),
        ));
    }
    let ids: Vec<Uuid> = people.iter().map(|u| u.id).collect();
    let (record, created) = state.store.direct_room(&ids).await?;
    if created {
        tracing::info!(room = %record.id, members = people.len(), "direct room opened");
        for user in &people {
            let seen_by = direct_info(&record, &people, user.id);
            let except = (user.id == caller.user.id).then_some(caller.conn).flatten();
            state
                .node
                .tell_user(user.id, ServerFrame::RoomAdded { room: seen_by }, except)
                .await;
        }
    }
    Ok(direct_info(&record, &people, caller.user.id))
}

/// A direct room as `viewer` sees it: named after the others, sorted.
fn direct_info(record: &RoomRecord, people: &[protocol::UserRef], viewer: Uuid) -> RoomInfo {
    let mut others: Vec<String> = people
        .iter()
        .filter(|u| u.id != viewer)
        .map(|u| u.name.clone())
        .collect();
    others.sort();
    RoomInfo {
        id: record.id.clone(),
        name: direct_name(Some(&others)),
        kind: RoomKind::Direct,
        member: true,
        latest_seq: record.last_seq,
        last_read_seq: record.last_seq,
        notifications: protocol::NotificationLevel::All,
        ..RoomInfo::default()
    }
}

/// A public or private room as a new member (with `role`) sees it.
pub fn joined_info(record: &RoomRecord, role: RoomRole) -> RoomInfo {
    RoomInfo {
        id: record.id.clone(),
        name: record.name.clone(),
        kind: record.kind,
        member: true,
        topic: record.topic.clone(),
        latest_seq: record.last_seq,
        last_read_seq: record.last_seq,
        archived: record.archived,
        role: Some(role),
        notifications: protocol::NotificationLevel::default_for(record.kind),
        ..RoomInfo::default()
    }
}
