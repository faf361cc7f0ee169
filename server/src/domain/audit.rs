//! The audit log: who did what to what, kept append-only in the store and
//! written to the structured log (target `audit`) for a SIEM. Recorded
//! here: every admin action, role and membership change, token, bot and
//! webhook creation and revocation, export and import, sign-in and failed
//! sign-in. Admins read it ([`page`]); nothing changes or deletes an entry.

use protocol::{AuditEntry, UserRef, DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT};
use time::{Date, Month};

use super::{admin::require_admin, members::find_user, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::{AuditQuery, NewAudit};

/// Records that `actor` (none: someone unknown) did `action` to `target`.
/// The action has already happened: a store that fails to keep the entry
/// is logged as an error, and the entry still goes to the structured log.
pub async fn record(
    state: &AppState,
    actor: Option<&UserRef>,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) {
    let detail = if detail.is_object() {
        detail.to_string()
    } else {
        "{}".to_string()
    };
    let entry = NewAudit {
        actor,
        action,
        target,
        detail: detail.clone(),
    };
    let id = match state.store.append_audit(entry).await {
        Ok(id) => Some(id),
        Err(e) => {
            tracing::error!(action, target, error = %e, "the audit log could not keep an entry");
            None
        }
    };
    tracing::info!(
        target: "audit",
        id,
        actor_id = actor.map(|a| a.id.to_string()),
        actor = actor.map(|a| a.name.as_str()),
        action,
        subject = target,
        detail = %detail,
        "audit"
    );
}

/// Records what `user` did about their own account (signing in,
/// registering).
pub async fn of_self(state: &AppState, user: &UserRef, action: &str, detail: serde_json::Value) {
    record(state, Some(user), action, &user.name, detail).await;
}

/// Records a sign-in refused to a deactivated account, and answers the
/// refusal.
pub async fn refuse_deactivated(
    state: &AppState,
    user: &UserRef,
    mut detail: serde_json::Value,
) -> DomainError {
    detail["why"] = "deactivated".into();
    of_self(state, user, "auth.sign_in_failed", detail).await;
    DomainError::Forbidden("this account is disabled".into())
}

/// What an admin asks of the log: filters as the HTTP query names them.
#[derive(Debug, Default)]
pub struct Filter {
    pub limit: Option<u32>,
    pub before: Option<i64>,
    /// A user's name or id.
    pub actor: Option<String>,
    /// An action or a prefix of one (`user.`).
    pub action: Option<String>,
    /// UTC dates (`YYYY-MM-DD`), both included.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The store's query for `filter`, checked.
async fn query(state: &AppState, filter: &Filter) -> DomainResult<AuditQuery> {
    let limit = filter.limit.unwrap_or(DEFAULT_AUDIT_LIMIT);
    if !(1..=MAX_AUDIT_LIMIT).contains(&limit) {
        return Err(DomainError::Invalid(format!(
            "limit is 1 to {MAX_AUDIT_LIMIT}"
        )));
    }
    let actor = match filter.actor.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(name) => Some(find_user(state, name).await?.user.id),
    };
    let action = match filter.action.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(a)
            if a.len() <= 64
                && a.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_') =>
        {
            Some(a.to_string())
        }
        Some(_) => {
            return Err(DomainError::Invalid(
                "an action is lower-case letters, '.' and '_' (as user.deactivate)".into(),
            ))
        }
    };
    let day_ms = |text: &Option<String>, next: bool| -> DomainResult<Option<i64>> {
        match text.as_deref().map(str::trim) {
            Some("") | None => Ok(None),
            Some(day) => {
                let date = parse_date(day).ok_or_else(|| {
                    DomainError::Invalid(format!("{day:?} is not a date (YYYY-MM-DD)"))
                })?;
                let date = if next {
                    date.next_day().unwrap_or(date)
                } else {
                    date
                };
                let at = date.midnight().assume_utc();
                Ok(Some((at.unix_timestamp_nanos() / 1_000_000) as i64))
            }
        }
    };
    Ok(AuditQuery {
        limit,
        before: filter.before,
        actor,
        action,
        from_ms: day_ms(&filter.from, false)?,
        to_ms: day_ms(&filter.to, true)?,
    })
}

fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// A page of the log, newest first: admins only.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    filter: &Filter,
) -> DomainResult<Vec<AuditEntry>> {
    require_admin(state, caller).await?;
    let query = query(state, filter).await?;
    Ok(state.store.audit(&query).await?)
}

/// Most entries one export holds.
pub const MAX_EXPORTED: usize = 100_000;

/// Every entry `filter` matches (its limit and `before` ignored), newest
/// first, at most [`MAX_EXPORTED`]: admins only. The export itself is
/// recorded.
pub async fn export(
    state: &AppState,
    caller: &Caller,
    filter: &Filter,
) -> DomainResult<Vec<AuditEntry>> {
    require_admin(state, caller).await?;
    let mut query = query(state, filter).await?;
    query.limit = MAX_AUDIT_LIMIT;
    query.before = None;
    let mut all = Vec::new();
    loop {
        let page = state.store.audit(&query).await?;
        let done = (page.len() as u32) < query.limit;
        query.before = page.last().map(|e| e.id);
        all.extend(page);
        if done || all.len() >= MAX_EXPORTED {
            break;
        }
    }
    all.truncate(MAX_EXPORTED);
    let detail = serde_json::json!({"entries": all.len()});
    record(state, Some(&caller.user), "audit.export", "audit", detail).await;
    Ok(all)
}
