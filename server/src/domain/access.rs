//! Who may do what in a room: the one place that decides it, for the socket and
//! the HTTP API alike.
//!
//! - **Read** (history, threads, reacting, sending, typing): any public room;
//!   private and direct rooms only to their members.
//! - **Join**: whoever may read; joining a public room makes one a member.
//! - **Roles** ([`standing`]): each member of a public or private room is
//!   its `owner`, a `moderator` or a `member`; an admin of the instance
//!   stands as an owner in every room. Direct rooms have members only.
//! - **Moderate a room** ([`require_standing`] with `Moderator`: add others
//!   to it, remove members, delete others' messages and webhooks): its
//!   moderators and owners, and admins. A moderator removes members only;
//!   an owner (or admin) anyone but the room's last owner.
//! - **Own a room** (`Owner`: rename, archive, unarchive, set roles): its
//!   owners and admins.
//! - **An archived room** is read-only for everyone: the log refuses every
//!   entry but the one that unarchives it (in its transaction, so every
//!   instance agrees at once), and uploads, webhooks and new members are
//!   refused here ([`require_not_archived`]). Its members still read it.
//! - **Mention everyone** (`@here`, `@channel`, `@all`;
//!   [`require_broad_mention`]): anyone who may write in a room of at most
//!   `BROAD_MENTION_MEMBERS` members; in a bigger one, whoever moderates it.
//! - **Delete a message**: its author, or whoever moderates the room.
//! - **Edit a message**: its author only.
//! - **A personal access token's scope** narrows all of these: a read-only
//!   token changes nothing others see ([`require_write`]: no messages, edits,
//!   deletions, reactions, typing, topics, rooms, members or files; joining
//!   a public room does not make it a member), and a one-room token reaches
//!   that room only ([`require_scope`]). Managing tokens and bots takes a
//!   sign-in ([`require_sign_in`]). A read-only token may still move its
//!   user's read markers and mute rooms: that state is the user's own.
//!
//! Reads that filter many rooms or readers in one query (search, mentions)
//! apply the read rule in SQL, written once as
//! `store::sql_rows::readable`: the same rule, kept beside this one.
//!
//! A connection subscribed to a room passed the join check, and removing a
//! member unsubscribes all of their connections at once (`Node::evict`), so
//! a subscribed connection is not asked again. Public memberships are
//! remembered ([`PublicMembers`]): joining a public room makes one a member and
//! a public room is open to all, so that only spares asking again. Private and
//! direct rooms are always asked of the store.

use std::collections::HashSet;
use std::sync::Mutex;

use protocol::{RoomId, RoomKind, RoomRole, ServerFrame};
use uuid::Uuid;

use super::{Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{MessageRecord, RoomRecord};

/// Most (room, user) pairs [`PublicMembers`] holds; past it, it starts over.
const MAX_REMEMBERED: usize = 100_000;

/// How many locks [`PublicMembers::admitting`] spreads admissions over.
const ADMISSION_STRIPES: usize = 64;

/// (public room, user) pairs known to be members, on this instance.
pub struct PublicMembers {
    known: Mutex<HashSet<(RoomId, Uuid)>>,
    /// Admissions not yet remembered go one at a time per stripe of (room,
    /// user): a user's many connections opening at once (their tabs, or
    /// everyone reconnecting after a deploy) ask the store once between
    /// them, not once each; the others find the answer remembered.
    admitting: Vec<tokio::sync::Mutex<()>>,
}

impl Default for PublicMembers {
    fn default() -> Self {
        PublicMembers {
            known: Mutex::default(),
            admitting: (0..ADMISSION_STRIPES).map(|_| Default::default()).collect(),
        }
    }
}

impl PublicMembers {
    fn known(&self, room: &str, user: Uuid) -> bool {
        self.known
            .lock()
            .unwrap()
            .contains(&(room.to_string(), user))
    }

    /// Forgets a member who left.
    pub fn forget(&self, room: &str, user: Uuid) {
        self.known.lock().unwrap().remove(&(room.to_string(), user));
    }

    /// The lock an admission of `user` to `room` takes while it asks the store.
    fn admitting(&self, room: &str, user: Uuid) -> &tokio::sync::Mutex<()> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        // Fixed keys: the same pair must find the same lock every time.
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one((room, user));
        &self.admitting[hash as usize % self.admitting.len()]
    }

    fn remember(&self, room: &str, user: Uuid) {
        let mut members = self.known.lock().unwrap();
        if members.len() >= MAX_REMEMBERED {
            members.clear();
        }
        members.insert((room.to_string(), user));
    }
}

/// The answer for a room that does not exist.
fn no_room(room: &str) -> DomainError {
    DomainError::NotFound(format!("no room {room:?}"))
}

/// The answer for someone who is not a member of `room` (of `kind`):
/// `forbidden`, but for a direct room exactly the answer for a missing one,
/// so that nobody learns who talks privately with whom by asking for
/// `dm:<a>:<b>`.
pub fn not_member(room: &str, kind: RoomKind) -> DomainError {
    match kind {
        RoomKind::Direct => no_room(room),
        _ => DomainError::Forbidden(format!("not a member of {room:?}")),
    }
}

/// The room, if `user` may read it.
pub async fn readable_room(state: &AppState, room: &str, user: Uuid) -> DomainResult<RoomRecord> {
    let record = state.store.room(room).await?.ok_or_else(|| no_room(room))?;
    if record.kind == RoomKind::Public {
        return Ok(record);
    }
    if state.store.is_member(room, user).await? {
        Ok(record)
    } else {
        Err(not_member(room, record.kind))
    }
}

/// Checks that the caller's credential reaches `room`: a one-room token
/// reaches only its room.
pub fn require_scope(caller: &Caller, room: &str) -> DomainResult<()> {
    match &caller.scope.room {
        Some(only) if only != room => Err(DomainError::Forbidden(format!(
            "this token is for room {only:?} only"
        ))),
        _ => Ok(()),
    }
}

/// Whether the caller's connection hears of the user's rooms beyond the one
/// it is in (`activity`, `read`, `room_added`, `room_removed`): every
/// credential but a one-room token's.
pub fn hears_all_rooms(caller: &Caller) -> bool {
    caller.scope.room.is_none()
}

/// Checks that the caller's credential may change what others see: in
/// `room`, or (`None`) beyond any one room (creating rooms, opening direct
/// rooms, admin work), which a one-room token may not.
pub fn require_write(caller: &Caller, room: Option<&str>) -> DomainResult<()> {
    if caller.scope.read_only {
        return Err(DomainError::Forbidden("this token is read-only".into()));
    }
    match (room, &caller.scope.room) {
        (Some(room), _) => require_scope(caller, room),
        (None, Some(only)) => Err(DomainError::Forbidden(format!(
            "this token is for room {only:?} only"
        ))),
        (None, None) => Ok(()),
    }
}

/// Checks that the caller signed in (a session's token or cookie), not a
/// personal access token: tokens do not make or revoke tokens or bots.
pub fn require_sign_in(caller: &Caller) -> DomainResult<()> {
    match caller.scope.token {
        Some(_) => Err(DomainError::Forbidden(
            "tokens and bots are managed from a signed-in session, not with a token".into(),
        )),
        None => Ok(()),
    }
}

/// Checks that the caller may read (and so write in) `room`, as cheaply as
/// what is known allows.
pub async fn require_readable(state: &AppState, caller: &Caller, room: &str) -> DomainResult<()> {
    require_scope(caller, room)?;
    if let Some(conn) = caller.conn {
        if state.node.is_subscribed(conn, room).await {
            return Ok(());
        }
    }
    if state.public_members.known(room, caller.user.id) {
        return Ok(());
    }
    readable_room(state, room, caller.user.id).await.map(|_| ())
}

/// Checks that the caller is a member of `room` (a connection that joined it
/// is one: joining makes one a member, and removal unsubscribes).
pub async fn require_member(state: &AppState, caller: &Caller, room: &str) -> DomainResult<()> {
    require_scope(caller, room)?;
    if let Some(conn) = caller.conn {
        if state.node.is_subscribed(conn, room).await {
            return Ok(());
        }
    }
    if state.store.is_member(room, caller.user.id).await? {
        return Ok(());
    }
    let record = state.store.room(room).await?.ok_or_else(|| no_room(room))?;
    Err(not_member(room, record.kind))
}

/// Checks that the caller may join `room`; a public room makes them a member
/// (unless the caller's token is read-only). Answers the room's kind when it
/// is not public: then membership is asked again under the room's lock
/// (`Node::join`), since a removal may come between this check and the
/// subscription.
pub async fn admit(
    state: &AppState,
    caller: &Caller,
    room: &str,
) -> DomainResult<Option<RoomKind>> {
    require_scope(caller, room)?;
    let user = caller.user.id;
    if state.public_members.known(room, user) {
        return Ok(None);
    }
    let _admitting = state.public_members.admitting(room, user).lock().await;
    if state.public_members.known(room, user) {
        return Ok(None);
    }
    let record = readable_room(state, room, user).await?;
    if record.kind != RoomKind::Public {
        return Ok(Some(record.kind));
    }
    if !caller.scope.read_only {
        if state.store.add_member(room, user).await? {
            let detail = serde_json::json!({"room": room});
            let me = &caller.user;
            super::audit::record(state, Some(me), "member.join", &me.name, detail).await;
            // The user's other connections learn of their new room.
            let added = ServerFrame::RoomAdded {
                room: super::rooms::joined_info(&record, RoomRole::Member),
            };
            state.node.tell_user(user, added, caller.conn).await;
        }
        state.public_members.remember(room, user);
    }
    Ok(None)
}

/// The message `id` of `room`, if it exists and is not deleted.
pub async fn live_message(state: &AppState, room: &str, id: Uuid) -> DomainResult<MessageRecord> {
    match state.store.message_record(room, id).await? {
        Some(record) if !record.deleted => Ok(record),
        _ => Err(DomainError::NotFound(format!(
            "no message {id} in {room:?}"
        ))),
    }
}

/// Whether `user` is an admin of the instance.
pub async fn is_admin(state: &AppState, user: Uuid) -> DomainResult<bool> {
    Ok(state
        .store
        .user_by_id(user)
        .await?
        .is_some_and(|u| u.is_admin))
}

/// The user's standing in `record`: their role there (a member of a direct
/// room is a member), or `Owner` for an admin of the instance; `None` for
/// someone who is neither a member nor an admin.
pub async fn standing(
    state: &AppState,
    user: Uuid,
    record: &RoomRecord,
) -> DomainResult<Option<RoomRole>> {
    let role = state.store.role_of(&record.id, user).await?;
    if role == Some(RoomRole::Owner) {
        return Ok(role);
    }
    if is_admin(state, user).await? {
        return Ok(Some(RoomRole::Owner));
    }
    Ok(match record.kind {
        RoomKind::Direct => role.map(|_| RoomRole::Member),
        _ => role,
    })
}

/// Checks that the caller stands at least `at_least` in `record` (what
/// the module's header lists); `doing` says what was refused.
pub async fn require_standing(
    state: &AppState,
    caller: &Caller,
    record: &RoomRecord,
    at_least: RoomRole,
    doing: &str,
) -> DomainResult<RoomRole> {
    match standing(state, caller.user.id, record).await? {
        Some(role) if role >= at_least => Ok(role),
        _ => Err(DomainError::Forbidden(match at_least {
            RoomRole::Owner => format!("only the room's owners or an admin {doing}"),
            _ => format!("only the room's moderators, owners or an admin {doing}"),
        })),
    }
}

/// Checks that the caller may mention every member of `room` at once (the
/// module's header): `forbidden` in a big room for a plain member.
pub async fn require_broad_mention(
    state: &AppState,
    caller: &Caller,
    room: &str,
) -> DomainResult<()> {
    if state.store.member_count(room).await? <= protocol::BROAD_MENTION_MEMBERS {
        return Ok(());
    }
    let record = readable_room(state, room, caller.user.id).await?;
    require_standing(
        state,
        caller,
        &record,
        RoomRole::Moderator,
        &format!(
            "mention everyone in a room of more than {} members",
            protocol::BROAD_MENTION_MEMBERS
        ),
    )
    .await
    .map(|_| ())
}

/// Refuses a change to an archived room: it is read-only until unarchived.
pub fn require_not_archived(record: &RoomRecord) -> DomainResult<()> {
    if record.archived {
        Err(DomainError::Forbidden(
            "this room is archived: it is read-only".into(),
        ))
    } else {
        Ok(())
    }
}

/// Checks that the caller may delete `message` of `room`: its author, or
/// whoever moderates the room.
pub async fn may_delete(
    state: &AppState,
    caller: &Caller,
    room: &str,
    message: &MessageRecord,
) -> DomainResult<()> {
    if message.author == caller.user.id {
        return Ok(());
    }
    let record = readable_room(state, room, caller.user.id).await?;
    require_standing(
        state,
        caller,
        &record,
        RoomRole::Moderator,
        "delete others' messages",
    )
    .await
    .map(|_| ())
}
