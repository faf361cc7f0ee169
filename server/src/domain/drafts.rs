//! Drafts: what a user typed in a room (or a thread of it) and has not
//! sent, kept by the server so it survives a reload and shows on their
//! other devices: saving one tells the user's other connections (`draft`),
//! on every instance. A client clears the draft it sends (an empty body).
//! Drafts are the user's own: any room they can read, at most
//! `--max-body-chars` each and [`MAX_DRAFTS_PER_USER`] in all.

use protocol::{Draft, DraftRequest, ServerFrame, MAX_DRAFTS_PER_USER};

use super::{access, check_body, Caller, DomainError, DomainResult};
use crate::state::AppState;

/// Saves (or, with an empty body, clears) the caller's draft in `room`.
pub async fn save(
    state: &AppState,
    caller: &Caller,
    room: &str,
    request: DraftRequest,
) -> DomainResult<()> {
    if !request.body.is_empty() {
        check_body(state, &request.body)?;
    }
    access::require_readable(state, caller, room).await?;
    let draft = Draft {
        room: room.to_string(),
        thread: request.thread,
        body: request.body,
    };
    let kept = state.store.save_draft(caller.user.id, &draft).await?;
    if kept > MAX_DRAFTS_PER_USER as u64 {
        // Over the bound: this one is not kept.
        let cleared = Draft {
            body: String::new(),
            ..draft
        };
        state.store.save_draft(caller.user.id, &cleared).await?;
        return Err(DomainError::Invalid(format!(
            "you keep {MAX_DRAFTS_PER_USER} drafts, the most allowed: send or clear some"
        )));
    }
    let frame = ServerFrame::Draft(draft);
    state
        .node
        .tell_user(caller.user.id, frame, caller.conn)
        .await;
    Ok(())
}

/// The caller's drafts, the newest first (for rooms the caller's credential
/// reaches).
pub async fn list(state: &AppState, caller: &Caller) -> DomainResult<Vec<Draft>> {
    let mut drafts = state
        .store
        .drafts(caller.user.id, MAX_DRAFTS_PER_USER as u32)
        .await?;
    drafts.retain(|d| access::require_scope(caller, &d.room).is_ok());
    Ok(drafts)
}
