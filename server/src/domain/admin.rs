//! What admins do: invite links (expiry, uses, revoking), the sign-up
//! policy (kept in the store, so every instance follows a change at once),
//! deactivating and reactivating accounts, promoting and demoting admins,
//! and seeing a user's bots and tokens. Anyone else gets `forbidden`. Every
//! change is in the audit log.

use protocol::{
    AdminUserView, CreateInvite, InviteInfo, SignupPolicy, UserRef, MAX_INVITE_HOURS,
    MAX_INVITE_USES,
};
use serde_json::json;

use super::{audit, members::find_user, Caller, DomainError, DomainResult};
use crate::config::Registration;
use crate::state::AppState;
use crate::store::NewInvite;
use uuid::Uuid;

/// The settings key of the sign-up policy.
const SIGNUP_KEY: &str = "signup";
/// How long an invite link lasts when the admin does not say: 7 days.
const DEFAULT_INVITE_HOURS: u32 = 7 * 24;
/// Most invite links the console lists.
const INVITES_LISTED: u32 = 200;

/// Checks that the caller is an admin of the instance.
pub(super) async fn require_admin(state: &AppState, caller: &Caller) -> DomainResult<()> {
    if super::access::is_admin(state, caller.user.id).await? {
        Ok(())
    } else {
        Err(DomainError::Forbidden("admins only".into()))
    }
}

/// Records that the admin `caller` did `action` to `target`.
async fn admin_did(state: &AppState, caller: &Caller, action: &str, target: &str) {
    audit::record(state, Some(&caller.user), action, target, json!({})).await;
}

/// The sign-up policy as an admin reads it (admins only).
pub async fn signup_settings(state: &AppState, caller: &Caller) -> DomainResult<SignupPolicy> {
    require_admin(state, caller).await?;
    signup_policy(state).await
}

/// Checks that the caller is an admin acting from a session that may write.
pub(super) async fn require_admin_write(state: &AppState, caller: &Caller) -> DomainResult<()> {
    super::access::require_write(caller, None)?;
    require_admin(state, caller).await
}

/// Makes `user` the instance's admin if it is its first account and
/// `--first-account-admin` says so.
pub(super) async fn first_account(state: &AppState, user: &UserRef) -> DomainResult<()> {
    if state.config.first_account_admin && state.store.claim_first_account(user.id).await? {
        state.store.set_admin(user.id, true).await?;
        let detail = json!({"why": "the instance's first account"});
        audit::record(state, Some(user), "user.promote", &user.name, detail).await;
        tracing::warn!(user = %user.name, "the first account is the instance's admin");
    }
    Ok(())
}

/// The sign-up policy now: what an admin set last, else `--registration`.
pub async fn signup_policy(state: &AppState) -> DomainResult<SignupPolicy> {
    let set = state.store.setting(SIGNUP_KEY).await?;
    Ok(set
        .as_deref()
        .and_then(SignupPolicy::parse)
        .unwrap_or(match state.config.registration {
            Registration::Open => SignupPolicy::Open,
            Registration::Invite => SignupPolicy::Invite,
            Registration::Closed => SignupPolicy::Sso,
        }))
}

/// Sets the sign-up policy for every instance.
pub async fn set_signup_policy(
    state: &AppState,
    caller: &Caller,
    policy: SignupPolicy,
) -> DomainResult<SignupPolicy> {
    require_admin_write(state, caller).await?;
    let before = signup_policy(state).await?;
    state.store.set_setting(SIGNUP_KEY, policy.as_str()).await?;
    if before != policy {
        let detail = json!({"from": before.as_str(), "to": policy.as_str()});
        audit::record(state, Some(&caller.user), "signup.policy", "signup", detail).await;
    }
    Ok(policy)
}

/// A new invite link: lasts `expires_in_hours` (7 days unless said),
/// admits `max_uses` sign-ups (one unless said).
pub async fn create_invite(
    state: &AppState,
    caller: &Caller,
    request: &CreateInvite,
) -> DomainResult<InviteInfo> {
    require_admin_write(state, caller).await?;
    let hours = request.expires_in_hours.unwrap_or(DEFAULT_INVITE_HOURS);
    if !(1..=MAX_INVITE_HOURS).contains(&hours) {
        return Err(DomainError::Invalid(format!(
            "an invite lasts 1 to {MAX_INVITE_HOURS} hours"
        )));
    }
    let max_uses = request.max_uses.unwrap_or(1);
    if !(1..=MAX_INVITE_USES).contains(&max_uses) {
        return Err(DomainError::Invalid(format!(
            "an invite admits 1 to {MAX_INVITE_USES} sign-ups"
        )));
    }
    let detail = json!({"expires_in_hours": hours, "max_uses": max_uses});
    let made = NewInviteFor {
        hours,
        max_uses,
        account: None,
    };
    new_invite(state, caller, made, "invite.create", detail).await
}

/// What an invite is made for: how long it lasts, how many sign-ups, and
/// the account it claims, if it is a claim link (`super::claims`).
pub(super) struct NewInviteFor {
    pub hours: u32,
    pub max_uses: u32,
    pub account: Option<Uuid>,
}

/// Makes an invite (checked by the caller) and records `action` with
/// `detail` in the audit log.
pub(super) async fn new_invite(
    state: &AppState,
    caller: &Caller,
    made: NewInviteFor,
    action: &str,
    detail: serde_json::Value,
) -> DomainResult<InviteInfo> {
    let NewInviteFor {
        hours,
        max_uses,
        account,
    } = made;
    let code = hex::encode(rand::random::<[u8; 12]>());
    let expires_ms = crate::store::now_ms() + i64::from(hours) * 3_600_000;
    state
        .store
        .create_invite(NewInvite {
            code: &code,
            by: caller.user.id,
            expires_ms: Some(expires_ms),
            max_uses,
            account,
        })
        .await?;
    audit::record(state, Some(&caller.user), action, &code, detail).await;
    Ok(InviteInfo {
        url: invite_url(&code),
        code,
        created_by: caller.user.clone(),
        created_ts: time::OffsetDateTime::now_utc(),
        expires_ts: Some(crate::store::ms_to_time(expires_ms)),
        max_uses,
        uses: 0,
        revoked: false,
    })
}

/// The page that signs up with `code`.
fn invite_url(code: &str) -> String {
    format!("/?invite={code}")
}

/// The newest invite links, used up, expired and revoked ones included.
pub async fn invites(state: &AppState, caller: &Caller) -> DomainResult<Vec<InviteInfo>> {
    require_admin(state, caller).await?;
    let mut invites = state.store.invites(INVITES_LISTED).await?;
    for invite in &mut invites {
        invite.url = invite_url(&invite.code);
    }
    Ok(invites)
}

/// Revokes an invite link: it admits nobody from now on.
pub async fn revoke_invite(state: &AppState, caller: &Caller, code: &str) -> DomainResult<()> {
    require_admin_write(state, caller).await?;
    if !state.store.revoke_invite(code).await? {
        return Err(DomainError::NotFound(
            "no such invite, or revoked already".into(),
        ));
    }
    admin_did(state, caller, "invite.revoke", code).await;
    Ok(())
}

/// Disables (or enables again) an account. Disabling closes its sockets with
/// 4001 on every instance and refuses its tokens, refreshes and logins, ends
/// the tokens of the bots it owns (and their sockets) the same way, and
/// stops the webhooks it made (`webhooks::post` asks after their maker).
/// Enabling gives back the account, not those tokens.
pub async fn set_disabled(
    state: &AppState,
    caller: &Caller,
    user: &str,
    disabled: bool,
) -> DomainResult<()> {
    require_admin_write(state, caller).await?;
    let target = find_user(state, user).await?;
    if disabled && target.user.id == caller.user.id {
        return Err(DomainError::Invalid(
            "an admin cannot deactivate themself".into(),
        ));
    }
    state.store.set_disabled(target.user.id, disabled).await?;
    if disabled {
        state.sessions.end(target.user.id, None).await;
        for bot in state.store.bots_of(target.user.id).await? {
            state.sessions.end(bot.id, None).await;
        }
    }
    super::people::announce_user(state, target.user.id).await;
    let action = if disabled {
        "user.deactivate"
    } else {
        "user.reactivate"
    };
    admin_did(state, caller, action, &target.user.name).await;
    Ok(())
}

/// Makes a user an admin of the instance, or no longer one. An admin does
/// not demote themself (someone must be left to undo mistakes).
pub async fn set_admin(
    state: &AppState,
    caller: &Caller,
    user: &str,
    admin: bool,
) -> DomainResult<()> {
    require_admin_write(state, caller).await?;
    let target = find_user(state, user).await?;
    if !admin && target.user.id == caller.user.id {
        return Err(DomainError::Invalid(
            "an admin cannot demote themself".into(),
        ));
    }
    if target.is_admin == admin {
        return Ok(());
    }
    state.store.set_admin(target.user.id, admin).await?;
    super::people::announce_user(state, target.user.id).await;
    let action = if admin { "user.promote" } else { "user.demote" };
    admin_did(state, caller, action, &target.user.name).await;
    Ok(())
}

/// What an admin sees of a user: their profile, whether they are an admin,
/// and the bots and live tokens they own.
pub async fn user_view(
    state: &AppState,
    caller: &Caller,
    user: &str,
) -> DomainResult<AdminUserView> {
    require_admin(state, caller).await?;
    let target = find_user(state, user).await?;
    let profile = state
        .store
        .profile(target.user.id)
        .await?
        .ok_or_else(|| DomainError::NotFound("no such user".into()))?;
    let tokens = state.store.tokens_made_by(target.user.id).await?;
    let claimable =
        target.password_hash == crate::store::NO_PASSWORD && !profile.bot && !target.disabled;
    Ok(AdminUserView {
        claimable,
        user: profile,
        admin: target.is_admin,
        bots: state.store.bots_of(target.user.id).await?,
        tokens: tokens.iter().map(super::tokens::info).collect(),
    })
}
