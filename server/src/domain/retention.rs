//! Retention and legal holds (docs/PROTOCOL.md, "Retention"; docs/DESIGN.md,
//! "Retention"): the periods admins set, the holds they place, and the
//! sweeper that deletes what is older than a room's period.
//!
//! The sweeper runs on every instance; each round, the one holding the
//! store's `retention` lease sweeps (the others stand by, and one takes
//! over when a holder dies). A round sweeps each room with a period and no
//! hold, a batch (one short transaction) at a time, yielding between
//! batches: live traffic in the room waits for no more than a batch's
//! commit. Each batch is safe even if two sweepers meet (see
//! `store::retention`), so the lease saves work, not correctness.

use std::time::Duration;

use protocol::{HoldKind, LegalHold, RetentionSettings, MAX_HOLD_REASON_CHARS, MAX_RETENTION_DAYS};
use serde_json::json;
use uuid::Uuid;

use super::admin::{require_admin, require_admin_write};
use super::{audit, members::find_user, Caller, DomainError, DomainResult};
use crate::state::AppState;

/// Entries a sweep batch takes at most.
pub const SWEEP_BATCH: u32 = 500;
/// The store's lease that says who sweeps.
const LEASE: &str = "retention";

/// The instance's period and the rooms with their own (admins).
pub async fn settings(state: &AppState, caller: &Caller) -> DomainResult<RetentionSettings> {
    require_admin(state, caller).await?;
    Ok(RetentionSettings {
        retention_days: state.config.retention_days,
        rooms: state.store.room_retention().await?,
    })
}

/// Gives `room` a period of its own, or (`None`) the instance's (admins:
/// a company's policy is not a room owner's to lengthen).
pub async fn set_room_retention(
    state: &AppState,
    caller: &Caller,
    room: &str,
    days: Option<u32>,
) -> DomainResult<()> {
    require_admin_write(state, caller).await?;
    if let Some(days) = days {
        if !(1..=MAX_RETENTION_DAYS).contains(&days) {
            return Err(DomainError::Invalid(format!(
                "retention_days is 1 to {MAX_RETENTION_DAYS}, or null for the instance's"
            )));
        }
    }
    if !state.store.set_room_retention(room, days).await? {
        return Err(DomainError::NotFound(format!("no room {room:?}")));
    }
    let detail = json!({ "retention_days": days });
    audit::record(state, Some(&caller.user), "room.retention", room, detail).await;
    Ok(())
}

/// Every legal hold (admins).
pub async fn holds(state: &AppState, caller: &Caller) -> DomainResult<Vec<LegalHold>> {
    require_admin(state, caller).await?;
    Ok(state.store.holds().await?)
}

/// What a hold's `target` names: a room's id, or a user's id (given by
/// id or name).
async fn hold_target(state: &AppState, kind: HoldKind, target: &str) -> DomainResult<String> {
    match kind {
        HoldKind::Room => {
            let room = state.store.room(target).await?;
            let room = room.ok_or_else(|| DomainError::NotFound(format!("no room {target:?}")))?;
            Ok(room.id)
        }
        HoldKind::User => Ok(find_user(state, target).await?.user.id.to_string()),
    }
}

/// Places a legal hold on a room or a user (admins); placing it again
/// changes nothing. Answers whether it is new.
pub async fn place_hold(
    state: &AppState,
    caller: &Caller,
    kind: HoldKind,
    target: &str,
    reason: &str,
) -> DomainResult<bool> {
    require_admin_write(state, caller).await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_HOLD_REASON_CHARS {
        return Err(DomainError::Invalid(format!(
            "a hold's reason is 1 to {MAX_HOLD_REASON_CHARS} characters"
        )));
    }
    let target = hold_target(state, kind, target).await?;
    let placed = state
        .store
        .put_hold(kind, &target, reason, caller.user.id)
        .await?;
    if placed {
        let detail = json!({ "kind": kind.as_str(), "reason": reason });
        audit::record(state, Some(&caller.user), "hold.place", &target, detail).await;
    }
    Ok(placed)
}

/// Releases a hold (admins): what it alone kept goes.
pub async fn release_hold(
    state: &AppState,
    caller: &Caller,
    kind: HoldKind,
    target: &str,
) -> DomainResult<()> {
    require_admin_write(state, caller).await?;
    let target = hold_target(state, kind, target).await?;
    if !state.store.drop_hold(kind, &target).await? {
        return Err(DomainError::NotFound(format!(
            "no hold on {} {target}",
            kind.as_str()
        )));
    }
    let detail = json!({ "kind": kind.as_str() });
    audit::record(state, Some(&caller.user), "hold.release", &target, detail).await;
    Ok(())
}

/// Starts this instance's sweeper (see the module docs).
pub fn start(state: &AppState) {
    let state = state.clone();
    let me = Uuid::new_v4().to_string();
    tokio::spawn(async move {
        let every = state.config.retention_sweep_interval();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while state.next_tick(&mut tick).await {
            let lease = every.saturating_mul(3).max(Duration::from_secs(30));
            match state
                .store
                .take_lease(LEASE, &me, lease.as_millis() as i64)
                .await
            {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::debug!(error = %e, "retention lease unavailable");
                    continue;
                }
            }
            match sweep_round(&state).await {
                Ok(0) => {}
                Ok(deleted) => {
                    tracing::info!(deleted, "retention sweep");
                    let detail = json!({ "deleted": deleted });
                    audit::record(&state, None, "retention.sweep", "", detail).await;
                }
                Err(e) => tracing::warn!(error = %e, "retention sweep stopped; next round goes on"),
            }
        }
    });
}

/// One round: every room with a period and no hold, batch by batch.
/// Answers how many messages it deleted.
pub async fn sweep_round(state: &AppState) -> anyhow::Result<u64> {
    let rooms = state
        .store
        .rooms_to_sweep(state.config.retention_days)
        .await?;
    let mut deleted = 0;
    for (room, days) in rooms {
        let before = crate::store::now_ms() - state.config.retention_ms(days);
        loop {
            if state.shutdown.is_cancelled() {
                return Ok(deleted);
            }
            let swept = state.store.sweep(&room, before, SWEEP_BATCH).await?;
            deleted += swept.deleted;
            metrics::counter!("confab_retention_deleted_total").increment(swept.deleted);
            if !swept.more {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
    Ok(deleted)
}
