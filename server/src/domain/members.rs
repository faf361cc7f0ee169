//! A room's members: listing them with their roles and who is online,
//! adding one (oneself to a public room; anyone else, the room's moderators,
//! owners or an admin) and removing one (a moderator removes members, an
//! owner or admin anyone; anyone leaves a room they are in; never the last
//! owner), which stops delivery to all of their connections at once, on
//! every instance. The member hears `room_added` / `room_removed` on every
//! connection. The rules are `access`'s.

use std::collections::HashSet;

use protocol::{Member, RoomKind, RoomRole, ServerFrame, UserRef};
use uuid::Uuid;

use super::{access, rooms::joined_info, Caller, DomainError, DomainResult};
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
    access::require_write(caller, Some(room))?;
    let record = access::readable_room(state, room, caller.user.id).await?;
    if record.kind == RoomKind::Direct {
        return Err(DomainError::Forbidden(
            "direct rooms keep the members they were opened with".into(),
        ));
    }
    let target = find_user(state, user).await?;
    // Joining a public room oneself is anyone's; putting someone else in a
    // room (and so in reach of its mentions) is for whoever manages it.
    let joining = record.kind == RoomKind::Public && target.user.id == caller.user.id;
    if !joining {
        let doing = "add others to it";
        access::require_standing(state, caller, &record, RoomRole::Moderator, doing).await?;
        access::require_not_archived(&record)?;
    }
    let added = state.store.add_member(room, target.user.id).await?;
    if added {
        let action = if joining { "member.join" } else { "member.add" };
        let detail = serde_json::json!({"room": room});
        super::audit::record(state, Some(&caller.user), action, &target.user.name, detail).await;
        let frame = ServerFrame::RoomAdded {
            room: joined_info(&record, RoomRole::Member),
        };
        state.node.tell_user(target.user.id, frame, None).await;
    }
    Ok((target.user, added))
}

/// Most members `GET /api/rooms/{id}/members` lists (the first by name).
pub const MAX_MEMBERS_LISTED: u32 = 1000;

/// A room's members, sorted by name, each with whether they are online in
/// it; for whoever may read the room.
pub async fn list(state: &AppState, caller: &Caller, room: &str) -> DomainResult<Vec<Member>> {
    access::require_scope(caller, room)?;
    access::readable_room(state, room, caller.user.id).await?;
    let members = state.store.members(room, MAX_MEMBERS_LISTED).await?;
    let online: HashSet<Uuid> = match state.broker.presence_list(room).await {
        Ok(users) => users.into_iter().map(|u| u.id).collect(),
        Err(e) => {
            tracing::warn!(room, error = %e, "presence unavailable for the member list");
            HashSet::new()
        }
    };
    Ok(members
        .into_iter()
        .map(|(u, role)| Member {
            online: online.contains(&u.id),
            id: u.id,
            name: u.name,
            role,
        })
        .collect())
}

/// Removes `user` from `room`: anyone leaves a public or private room by
/// naming themself; a moderator removes members, an owner or admin anyone.
/// The last owner stays (another is appointed first). Direct rooms keep
/// their members.
pub async fn remove(state: &AppState, caller: &Caller, room: &str, user: &str) -> DomainResult<()> {
    access::require_write(caller, Some(room))?;
    let record = access::readable_room(state, room, caller.user.id).await?;
    if record.kind == RoomKind::Direct {
        return Err(DomainError::Invalid(
            "direct rooms keep their members".into(),
        ));
    }
    let target = find_user(state, user).await?;
    let leaving = target.user.id == caller.user.id;
    let Some(role) = state.store.role_of(room, target.user.id).await? else {
        return Err(DomainError::NotFound("not a member of this room".into()));
    };
    if !leaving {
        // Removing a moderator or an owner takes an owner.
        let needed = match role {
            RoomRole::Member => RoomRole::Moderator,
            _ => RoomRole::Owner,
        };
        let doing = if needed == RoomRole::Owner {
            "remove a moderator or an owner"
        } else {
            "remove members"
        };
        access::require_standing(state, caller, &record, needed, doing).await?;
    }
    if role == RoomRole::Owner && state.store.owner_count(room).await? <= 1 {
        return Err(DomainError::Invalid(
            "the room's last owner stays: make someone else an owner first".into(),
        ));
    }
    if !state.store.remove_member(room, target.user.id).await? {
        return Err(DomainError::NotFound("not a member of this room".into()));
    }
    state.public_members.forget(room, target.user.id);
    state.node.evict(room, target.user.id, leaving).await;
    let removed = ServerFrame::RoomRemoved {
        room: room.to_string(),
    };
    state.node.tell_user(target.user.id, removed, None).await;
    tracing::info!(room, user = %target.user.name, leaving, "member removed");
    let action = if leaving {
        "member.leave"
    } else {
        "member.remove"
    };
    let detail = serde_json::json!({"room": room});
    super::audit::record(state, Some(&caller.user), action, &target.user.name, detail).await;
    Ok(())
}
