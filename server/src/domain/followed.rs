//! What a user keeps an eye on: threads they follow (replying or being
//! mentioned in one follows it, in the reply's transaction; by hand with
//! [`set_following`]) with their place in each, and messages they saved.
//! Both are the user's own, of rooms they can read; changes are told to
//! their other connections (`thread`).

use protocol::{
    FollowedThread, SavedItem, Seq, ServerFrame, ThreadState, MAX_SAVED_PER_USER,
    MAX_THREADS_LISTED,
};
use uuid::Uuid;

use super::{access, Caller, DomainError, DomainResult};
use crate::state::AppState;

/// The thread `root` of `room`, if the caller may read it.
async fn readable_thread(
    state: &AppState,
    caller: &Caller,
    room: &str,
    root: &str,
) -> DomainResult<Uuid> {
    access::require_scope(caller, room)?;
    access::require_readable(state, caller, room).await?;
    let no_thread = || DomainError::NotFound(format!("no thread {root:?} in this room"));
    let root = Uuid::parse_str(root).map_err(|_| no_thread())?;
    match state.store.message_record(room, root).await? {
        Some(record) if record.thread.is_none() => Ok(root),
        _ => Err(no_thread()),
    }
}

/// Follows (`on`) or unfollows a thread.
pub async fn set_following(
    state: &AppState,
    caller: &Caller,
    room: &str,
    root: &str,
    on: bool,
) -> DomainResult<ThreadState> {
    let root = readable_thread(state, caller, room, root).await?;
    let read_seq = state
        .store
        .set_following(caller.user.id, room, root, on)
        .await?;
    tell(state, caller, room, root, on, read_seq).await
}

/// Moves the caller's place in a thread they follow to `seq`.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    room: &str,
    root: &str,
    seq: Seq,
) -> DomainResult<ThreadState> {
    let root = readable_thread(state, caller, room, root).await?;
    let read_seq = state
        .store
        .read_thread(caller.user.id, room, root, seq)
        .await?
        .ok_or_else(|| DomainError::NotFound("you do not follow this thread".into()))?;
    tell(state, caller, room, root, true, read_seq).await
}

async fn tell(
    state: &AppState,
    caller: &Caller,
    room: &str,
    root: Uuid,
    following: bool,
    read_seq: Seq,
) -> DomainResult<ThreadState> {
    let thread = ThreadState {
        room: room.to_string(),
        root,
        following,
        read_seq,
    };
    let frame = ServerFrame::Thread(thread.clone());
    state
        .node
        .tell_user(caller.user.id, frame, caller.conn)
        .await;
    Ok(thread)
}

/// The threads the caller follows, newest activity first.
pub async fn threads(state: &AppState, caller: &Caller) -> DomainResult<Vec<FollowedThread>> {
    let mut threads = state
        .store
        .followed_threads(caller.user.id, MAX_THREADS_LISTED as u32)
        .await?;
    threads.retain(|t| access::require_scope(caller, &t.room).is_ok());
    Ok(threads)
}

/// Saves (`on`) or unsaves a message the caller can read.
pub async fn set_saved(
    state: &AppState,
    caller: &Caller,
    message: &str,
    on: bool,
) -> DomainResult<()> {
    let no_message = || DomainError::NotFound("no such message".into());
    let id = Uuid::parse_str(message).map_err(|_| no_message())?;
    if on {
        let room = state.store.message_room(id).await?.ok_or_else(no_message)?;
        access::require_scope(caller, &room)?;
        access::require_readable(state, caller, &room).await?;
    }
    let kept = state.store.set_saved(caller.user.id, id, on).await?;
    if on && kept > MAX_SAVED_PER_USER as u64 {
        state.store.set_saved(caller.user.id, id, false).await?;
        return Err(DomainError::Invalid(format!(
            "you keep {MAX_SAVED_PER_USER} saved messages, the most allowed: unsave some"
        )));
    }
    Ok(())
}

/// The caller's saved messages, the most recently saved first.
pub async fn saved(state: &AppState, caller: &Caller) -> DomainResult<Vec<SavedItem>> {
    let saved = state
        .store
        .saved(caller.user.id, MAX_SAVED_PER_USER as u32)
        .await?;
    Ok(saved
        .into_iter()
        .filter(|(m, _)| access::require_scope(caller, &m.room).is_ok())
        .map(|(message, saved_ts)| SavedItem { message, saved_ts })
        .collect())
}
