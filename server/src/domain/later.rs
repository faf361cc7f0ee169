//! What the server holds for later: scheduled messages (sent at their time
//! in their author's name, as if sent then: the room's rules are checked
//! again) and reminders (told to the user at their time, on every
//! connection, and listed until dismissed). Every instance looks for due
//! items each second and claims them for a while; an instance that dies
//! with a claim leaves it to run out, and a message sent twice is stored
//! once (its id is its `client_msg_id`), so each is delivered once.

use std::time::Duration;

use protocol::{
    RemindRequest, Reminder, ScheduleMessage, ScheduledMessage, ServerFrame, MAX_LATER_DAYS,
    MAX_LATER_PER_USER,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::send::{send_and_wait, SendRequest};
use super::{access, check_body, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::LaterItem;

/// How often each instance looks for due items.
const EVERY: Duration = Duration::from_secs(1);
/// How long a claim holds before another instance may take the item.
const CLAIM: time::Duration = time::Duration::seconds(30);
/// Items claimed at once.
const BATCH: u32 = 50;

fn check_time(at: OffsetDateTime) -> DomainResult<()> {
    let now = OffsetDateTime::now_utc();
    if at <= now {
        return Err(DomainError::Invalid("that time has passed".into()));
    }
    if at > now + time::Duration::days(MAX_LATER_DAYS) {
        return Err(DomainError::Invalid(format!(
            "at most {MAX_LATER_DAYS} days ahead"
        )));
    }
    Ok(())
}

async fn hold(state: &AppState, item: LaterItem) -> DomainResult<()> {
    if state.store.hold(&item, MAX_LATER_PER_USER as u32).await? {
        Ok(())
    } else {
        Err(DomainError::Invalid(format!(
            "you have {MAX_LATER_PER_USER} waiting already, the most allowed"
        )))
    }
}

/// Schedules a message of the caller's.
pub async fn schedule(
    state: &AppState,
    caller: &Caller,
    request: ScheduleMessage,
) -> DomainResult<ScheduledMessage> {
    access::require_write(caller, Some(&request.room))?;
    check_body(state, &request.body)?;
    check_time(request.at)?;
    access::require_readable(state, caller, &request.room).await?;
    let item = LaterItem {
        id: Uuid::now_v7(),
        reminder: false,
        user: caller.user.id,
        room: request.room,
        thread: request.thread,
        message: None,
        body: request.body,
        due: request.at,
        done: false,
        failed: None,
    };
    hold(state, item.clone()).await?;
    Ok(as_scheduled(item))
}

/// Sets a reminder for the caller.
pub async fn remind(
    state: &AppState,
    caller: &Caller,
    request: RemindRequest,
) -> DomainResult<Reminder> {
    access::require_scope(caller, &request.room)?;
    check_time(request.at)?;
    if !protocol::valid_short_text(&request.note, protocol::MAX_STATUS_TEXT_CHARS) {
        return Err(DomainError::Invalid(format!(
            "a reminder's note is at most {} characters",
            protocol::MAX_STATUS_TEXT_CHARS
        )));
    }
    access::require_readable(state, caller, &request.room).await?;
    if let Some(message) = request.message {
        access::live_message(state, &request.room, message).await?;
    }
    let item = LaterItem {
        id: Uuid::now_v7(),
        reminder: true,
        user: caller.user.id,
        room: request.room,
        thread: None,
        message: request.message,
        body: request.note,
        due: request.at,
        done: false,
        failed: None,
    };
    hold(state, item.clone()).await?;
    Ok(as_reminder(item))
}

/// The caller's scheduled messages (waiting, or failed).
pub async fn scheduled(state: &AppState, caller: &Caller) -> DomainResult<Vec<ScheduledMessage>> {
    let held = state.store.held(caller.user.id, false).await?;
    Ok(held.into_iter().map(as_scheduled).collect())
}

/// The caller's reminders (waiting, or fired and not dismissed).
pub async fn reminders(state: &AppState, caller: &Caller) -> DomainResult<Vec<Reminder>> {
    let held = state.store.held(caller.user.id, true).await?;
    Ok(held.into_iter().map(as_reminder).collect())
}

/// Cancels a scheduled message or a reminder, or dismisses a fired one.
pub async fn cancel(state: &AppState, caller: &Caller, id: &str) -> DomainResult<()> {
    let none = || DomainError::NotFound("nothing of yours by that id".into());
    let id = Uuid::parse_str(id).map_err(|_| none())?;
    if state.store.drop_held(caller.user.id, id).await? {
        Ok(())
    } else {
        Err(none())
    }
}

fn as_scheduled(item: LaterItem) -> ScheduledMessage {
    ScheduledMessage {
        id: item.id,
        room: item.room,
        thread: item.thread,
        body: item.body,
        at: item.due,
        failed: item.failed,
    }
}

fn as_reminder(item: LaterItem) -> Reminder {
    Reminder {
        id: item.id,
        room: item.room,
        message: item.message,
        note: item.body,
        at: item.due,
        fired: item.done,
    }
}

/// Looks for due items every second, on this instance, until shutdown.
pub fn start(state: &AppState) {
    let state = state.clone();
    let node = Uuid::new_v4();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        while state.next_tick(&mut tick).await {
            let now = OffsetDateTime::now_utc();
            let due = match state.store.claim_due(node, now, now + CLAIM, BATCH).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::debug!(error = %e, "due items unavailable");
                    continue;
                }
            };
            for item in due {
                handle(&state, item).await;
            }
        }
    });
}

/// Sends or fires one claimed item; a failure that may pass (the store, a
/// rate) leaves it claimed, to be tried again when the claim runs out.
async fn handle(state: &AppState, item: LaterItem) {
    let (id, reminder) = (item.id, item.reminder);
    let failed = if reminder {
        fire(state, item).await
    } else {
        send(state, item).await
    };
    let failed = match failed {
        Err(DomainError::RateLimited(_) | DomainError::Unavailable | DomainError::Busy(_)) => {
            return
        }
        Err(why) => Some(why.to_string()),
        Ok(()) => None,
    };
    if let Err(e) = state.store.finish(id, failed.as_deref()).await {
        tracing::warn!(error = %e, "a handled item could not be marked");
    }
}

async fn send(state: &AppState, item: LaterItem) -> DomainResult<()> {
    let author = state
        .store
        .user_by_id(item.user)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| DomainError::Forbidden("the account is deactivated".into()))?;
    let caller = Caller {
        user: author.user,
        conn: None,
        scope: Default::default(),
    };
    let request = SendRequest {
        room: item.room,
        client_msg_id: item.id,
        body: item.body,
        thread: item.thread,
        attachments: Vec::new(),
        cards: Vec::new(),
    };
    send_and_wait(state, &caller, request).await.map(|_| ())
}

async fn fire(state: &AppState, item: LaterItem) -> DomainResult<()> {
    let user = item.user;
    let fired = Reminder {
        fired: true,
        ..as_reminder(item)
    };
    state.store.finish(fired.id, None).await?;
    state
        .node
        .tell_user(user, ServerFrame::Reminder(fired), None)
        .await;
    Ok(())
}
