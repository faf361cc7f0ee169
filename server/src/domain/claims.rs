//! Claiming an imported account (docs/PROTOCOL.md, "Slack import"): an
//! imported person's account has no password until they claim it. An admin
//! makes a claim link for it (an invite for that one account, one use, a
//! week); signing up with it and the account's name sets the password and
//! signs them in to the account, with the rooms and direct messages the
//! import gave it. Audited both ways.

use protocol::{Credentials, InviteInfo};
use serde_json::json;
use uuid::Uuid;

use super::accounts::{check_new_account, invite_refused, start_session, take_signup, Grant};
use super::admin::{new_invite, NewInviteFor};
use super::{audit, members::find_user, Caller, DomainError, DomainResult};
use crate::state::AppState;
use crate::store::NO_PASSWORD;

/// How long a claim link lasts, in hours.
const CLAIM_HOURS: u32 = 7 * 24;

/// A claim link for `user`, an account with no password (admins).
pub async fn claim_link(state: &AppState, caller: &Caller, user: &str) -> DomainResult<InviteInfo> {
    super::admin::require_admin_write(state, caller).await?;
    let target = find_user(state, user).await?;
    if target.password_hash != NO_PASSWORD {
        return Err(DomainError::Conflict(format!(
            "{} has a password already: there is nothing to claim",
            target.user.name
        )));
    }
    if target.disabled {
        return Err(DomainError::Invalid(format!(
            "{} is deactivated: reactivate the account first",
            target.user.name
        )));
    }
    let made = NewInviteFor {
        hours: CLAIM_HOURS,
        max_uses: 1,
        account: Some(target.user.id),
    };
    let detail = json!({"account": target.user.name});
    new_invite(state, caller, made, "invite.claim", detail).await
}

/// Signing up with a claim link (`code`, for `account`): the name must be
/// the account's; its password is set and the person is signed in.
pub(super) async fn claim(
    state: &AppState,
    creds: Credentials,
    code: &str,
    account: Uuid,
    address: &str,
) -> DomainResult<Grant> {
    let target = state
        .store
        .user_by_id(account)
        .await?
        .ok_or_else(invite_refused)?;
    if !target.user.name.eq_ignore_ascii_case(creds.username.trim()) {
        return Err(DomainError::Forbidden(format!(
            "this link claims the account {}: sign up with that name",
            target.user.name
        )));
    }
    if target.disabled {
        return Err(DomainError::Forbidden("this account is deactivated".into()));
    }
    check_new_account(&target.user.name, &creds.password)?;
    take_signup(state, address).await?;
    let hash = state.passwords.hash(creds.password).await?;
    if !state.store.claim_invite(code).await? {
        return Err(invite_refused());
    }
    if !state.store.claim_account(account, &hash).await? {
        state.store.release_invite(code).await?;
        return Err(DomainError::Conflict(
            "this account was claimed already".into(),
        ));
    }
    tracing::info!(user = %target.user.name, "account claimed");
    audit::of_self(
        state,
        &target.user,
        "user.claim",
        json!({"address": address, "invite": code}),
    )
    .await;
    start_session(state, target.user).await
}

/// Signing in by single sign-on as an imported person: the identity's
/// verified e-mail is the one account's with no password and no identity
/// (`claimable_by_email`), which it is linked to and signs in to. Audited
/// as a claim.
pub(super) async fn claim_by_identity(
    state: &AppState,
    identity: &crate::oidc::Identity,
) -> DomainResult<protocol::UserRef> {
    let email = identity.verified_email.as_deref().unwrap_or_default();
    let account = state
        .store
        .claimable_by_email(email)
        .await?
        .ok_or_else(|| DomainError::Conflict("the account was claimed meanwhile".into()))?;
    state
        .store
        .link_identity(&identity.issuer, &identity.subject, account)
        .await?;
    let user = state
        .store
        .user_by_id(account)
        .await?
        .ok_or_else(|| DomainError::NotFound("no such user".into()))?
        .user;
    let detail = json!({"method": "oidc", "issuer": identity.issuer});
    audit::record(state, Some(&user), "user.claim", &user.name, detail).await;
    Ok(user)
}
