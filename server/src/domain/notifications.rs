//! What notifies the caller: a room's notification level (all, mentions,
//! none), muting, and do-not-disturb (a pause and daily quiet hours). Each
//! change is told to all of the user's connections on every instance
//! (`notifications`, `dnd`), whose index decides the `notify` of each
//! `activity` (`engine::watchers`); the rule itself is `protocol::notifies`.
//! These are the user's own: a read-only token may change them too.

use protocol::{Dnd, DndRequest, NotificationLevel, RoomNotifications, ServerFrame};
use time::OffsetDateTime;

use super::{access, Caller, DomainError, DomainResult};
use crate::engine::quiet::QuietRule;
use crate::state::AppState;
use crate::store::RoomNotice;

/// Longest pause: a year.
const MAX_PAUSE: time::Duration = time::Duration::days(366);

/// Sets the caller's level in `room` (a member's).
pub async fn set_level(
    state: &AppState,
    caller: &Caller,
    room: &str,
    level: NotificationLevel,
) -> DomainResult<RoomNotifications> {
    access::require_scope(caller, room)?;
    let notice = state.store.set_level(room, caller.user.id, level).await?;
    tell(state, caller, notice.ok_or_else(|| not_a_member(room))?).await
}

/// Mutes (or unmutes) `room` for the caller.
pub async fn set_muted(
    state: &AppState,
    caller: &Caller,
    room: &str,
    muted: bool,
) -> DomainResult<()> {
    access::require_scope(caller, room)?;
    if !state.store.set_muted(room, caller.user.id, muted).await? {
        return Err(not_a_member(room));
    }
    let notice = state.store.notice(room, caller.user.id).await?;
    tell(state, caller, notice.ok_or_else(|| not_a_member(room))?).await?;
    Ok(())
}

async fn tell(
    state: &AppState,
    caller: &Caller,
    notice: RoomNotice,
) -> DomainResult<RoomNotifications> {
    let changed = RoomNotifications {
        room: notice.room,
        level: notice.level,
        muted: notice.muted,
    };
    let frame = ServerFrame::Notifications(changed.clone());
    state.node.tell_user(caller.user.id, frame, None).await;
    Ok(changed)
}

fn not_a_member(room: &str) -> DomainError {
    DomainError::NotFound(format!("you are not a member of {room:?}"))
}

/// The caller's do-not-disturb, with its current or next quiet stretch.
pub async fn dnd(state: &AppState, caller: &Caller) -> DomainResult<Dnd> {
    let rule = QuietRule::from(state.store.dnd(caller.user.id).await?);
    Ok(rule.to_wire(OffsetDateTime::now_utc()))
}

/// Changes the caller's do-not-disturb; answers it.
pub async fn set_dnd(state: &AppState, caller: &Caller, request: DndRequest) -> DomainResult<Dnd> {
    let now = OffsetDateTime::now_utc();
    let requested = request.until_time().map_err(DomainError::Invalid)?;
    if let Some(Some(until)) = requested {
        if until > now + MAX_PAUSE {
            return Err(DomainError::Invalid("a pause lasts at most a year".into()));
        }
    }
    let schedule = match request.schedule {
        Some(Some(schedule)) => Some(Some(schedule.minutes().ok_or_else(|| {
            DomainError::Invalid(
                "quiet hours are a start and an end, HH:MM (00:00 to 23:59), that differ".into(),
            )
        })?)),
        Some(None) => Some(None),
        None => None,
    };
    // A pause that has ended is no pause.
    let until = requested.map(|until| until.filter(|u| *u > now));
    state.store.set_dnd(caller.user.id, until, schedule).await?;
    announce_dnd(state, caller).await
}

/// Tells all of the caller's connections their do-not-disturb (it changed,
/// or the time zone it is reckoned in did).
pub async fn announce_dnd(state: &AppState, caller: &Caller) -> DomainResult<Dnd> {
    let dnd = dnd(state, caller).await?;
    let frame = ServerFrame::Dnd(dnd.clone());
    state.node.tell_user(caller.user.id, frame, None).await;
    Ok(dnd)
}
