//! Running a room: renaming it, archiving and unarchiving it (entries of its
//! log, so every member sees them in order and every instance refuses writes
//! to an archived room from the same transaction on), and setting a
//! member's role. Owners and admins only (`access`).

use protocol::{valid_room_name, RoomKind, RoomRole, Seq, ServerFrame};
use serde_json::json;

use super::{
    access, audit, members::find_user, submit_and_wait, Caller, DomainError, DomainResult,
};
use crate::state::AppState;
use crate::store::{NewEntry, RoomRecord, StoreError};

/// The public or private room `room`, if the caller owns it (or is an admin).
async fn owned_room(
    state: &AppState,
    caller: &Caller,
    room: &str,
    doing: &str,
) -> DomainResult<RoomRecord> {
    access::require_write(caller, Some(room))?;
    let record = access::readable_room(state, room, caller.user.id).await?;
    if record.kind == RoomKind::Direct {
        return Err(DomainError::Forbidden(format!(
            "a direct room has no owner: nobody can {doing}"
        )));
    }
    access::require_standing(state, caller, &record, RoomRole::Owner, doing).await?;
    Ok(record)
}

/// Gives the room a new name (the rules of a new room's; its id stays).
pub async fn rename(
    state: &AppState,
    caller: &Caller,
    room: &str,
    name: &str,
) -> DomainResult<Seq> {
    if !valid_room_name(name) {
        return Err(DomainError::Invalid(
            "room name must be 1-32 characters of a-z, 0-9, '_', '-', starting with a letter or digit".into(),
        ));
    }
    let record = owned_room(state, caller, room, "rename it").await?;
    let entry = NewEntry::RoomChange {
        room: room.to_string(),
        name: Some(name.to_string()),
        archived: None,
        by: caller.user.clone(),
    };
    let outcome = submit_and_wait(state, entry).await?;
    if outcome.is_fresh() {
        let detail = json!({"from": record.name, "to": name});
        audit::record(state, Some(&caller.user), "room.rename", room, detail).await;
    }
    super::done_seq(Ok(outcome))
}

/// Archives the room (read-only for everyone, out of the directory) or
/// unarchives it.
pub async fn set_archived(
    state: &AppState,
    caller: &Caller,
    room: &str,
    archived: bool,
) -> DomainResult<Seq> {
    let doing = if archived {
        "archive it"
    } else {
        "unarchive it"
    };
    owned_room(state, caller, room, doing).await?;
    let entry = NewEntry::RoomChange {
        room: room.to_string(),
        name: None,
        archived: Some(archived),
        by: caller.user.clone(),
    };
    let outcome = submit_and_wait(state, entry).await?;
    if outcome.is_fresh() {
        let action = if archived {
            "room.archive"
        } else {
            "room.unarchive"
        };
        audit::record(state, Some(&caller.user), action, room, json!({})).await;
    }
    super::done_seq(Ok(outcome))
}

/// Gives member `user` of `room` the role `role`. The room keeps at least
/// one owner. Everyone joined to the room hears `role_changed`, and so do
/// the member and the caller on every connection, on every instance.
pub async fn set_role(
    state: &AppState,
    caller: &Caller,
    room: &str,
    user: &str,
    role: RoomRole,
) -> DomainResult<()> {
    owned_room(state, caller, room, "set roles").await?;
    let target = find_user(state, user).await?.user;
    let before = state
        .store
        .role_of(room, target.id)
        .await?
        .ok_or_else(|| DomainError::NotFound("not a member of this room".into()))?;
    if before == role {
        return Ok(());
    }
    match state.store.set_role(room, target.id, role).await {
        Ok(true) => {}
        Ok(false) => return Err(DomainError::NotFound("not a member of this room".into())),
        Err(StoreError::Conflict) => {
            return Err(DomainError::Conflict(
                "a room keeps at least one owner: make someone else an owner first".into(),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    let detail = json!({"room": room, "from": before.as_str(), "to": role.as_str()});
    audit::record(
        state,
        Some(&caller.user),
        "member.role",
        &target.name,
        detail,
    )
    .await;
    let frame = ServerFrame::RoleChanged {
        room: room.to_string(),
        user: target.clone(),
        role,
        by: caller.user.clone(),
    };
    state.node.tell_room(room, frame.clone()).await;
    if target.id != caller.user.id {
        state
            .node
            .tell_user(caller.user.id, frame.clone(), None)
            .await;
    }
    state.node.tell_user(target.id, frame, None).await;
    Ok(())
}
