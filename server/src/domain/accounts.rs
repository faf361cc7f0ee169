//! Accounts and sessions: registering, signing in, refreshing a session and
//! signing out. The HTTP transport turns what these answer into tokens and
//! cookies (`http/accounts.rs`).
//!
//! - Registering follows the sign-up policy (`admin::signup_policy`: open,
//!   by invite link, or single sign-on only); names are 1–32 of `[A-Za-z0-9_.-]`, passwords 8–256 bytes. No
//!   one becomes an admin by registering.
//! - A login answers the same for an unknown name and a wrong password (and
//!   takes the same time); failed logins are throttled per name and address.
//!   Sign-ins, failed ones (but those refused by the throttle) and
//!   registrations are in the audit log.
//! - A refresh token is good once; one presented again after the grace period
//!   ends its whole session on every instance.

use protocol::{
    valid_password, valid_username, Credentials, SignupPolicy, UserRef, MAX_PASSWORD_CHARS,
    MAX_USERNAME, MIN_PASSWORD_CHARS,
};
use uuid::Uuid;

use super::{DomainError, DomainResult};
use crate::auth::{new_refresh_token, secret_hash};
use crate::limits::SignupRefusal;
use crate::state::AppState;
use crate::store::{Rotation, StoreError};

/// A session just started or renewed: the user, the session, its new refresh
/// token (to hand out once) and when the session ends.
pub struct Grant {
    pub user: UserRef,
    pub session: Uuid,
    pub refresh_token: String,
    pub expires_ms: i64,
}

/// Creates an account and starts its first session; `address` is the
/// client's, for throttling.
pub async fn register(state: &AppState, creds: Credentials, address: &str) -> DomainResult<Grant> {
    // A claim link signs its person in to the imported account it names
    // (whatever the sign-up policy: an admin made it for them).
    if let Some(code) = creds.invite.clone().filter(|code| !code.is_empty()) {
        if let Some(account) = state.store.invite_account(&code).await? {
            return super::claims::claim(state, creds, &code, account, address).await;
        }
    }
    let invite = match super::admin::signup_policy(state).await? {
        SignupPolicy::Open => None,
        SignupPolicy::Sso => {
            return Err(DomainError::Forbidden(
                "registration is closed: accounts come from single sign-on".into(),
            ))
        }
        SignupPolicy::Invite => Some(
            creds
                .invite
                .clone()
                .filter(|code| !code.is_empty())
                .ok_or_else(|| {
                    DomainError::Forbidden("registration needs an invite code".into())
                })?,
        ),
    };
    check_new_account(&creds.username, &creds.password)?;
    // Every attempt that would cost a hash counts, taken names included.
    take_signup(state, address).await?;
    // Hashed before the invite is claimed: a busy hasher then leaves the
    // code as it was.
    let hash = state.passwords.hash(creds.password).await?;
    if let Some(code) = &invite {
        if !state.store.claim_invite(code).await? {
            return Err(invite_refused());
        }
    }
    let created = state.store.create_user(&creds.username, &hash).await;
    if let (Err(_), Some(code)) = (&created, &invite) {
        state.store.release_invite(code).await?; // the code was not used after all
    }
    let user = match created {
        Err(StoreError::Conflict) => return Err(DomainError::Conflict("username is taken".into())),
        other => other?,
    };
    // Never an admin by registering: a name in --admins that nobody holds yet
    // would be anyone's for the taking (see `server::build`).
    tracing::info!(user = %user.name, "registered");
    let detail = serde_json::json!({"address": address, "invite": invite});
    super::audit::of_self(state, &user, "user.register", detail).await;
    super::admin::first_account(state, &user).await?;
    start_session(state, user).await
}

/// Counts a sign-up from `address` (one that will cost a password hash),
/// refused past the per-network and overall allowances.
pub(super) async fn take_signup(state: &AppState, address: &str) -> DomainResult<()> {
    state.signups.take(address).await.map_err(|refusal| {
        DomainError::RateLimited(
            match refusal {
                SignupRefusal::Network => "too many sign-ups from your network; try again later",
                SignupRefusal::Total => "too many sign-ups right now; try again later",
            }
            .into(),
        )
    })
}

/// An invite code that admits nobody now.
pub(super) fn invite_refused() -> DomainError {
    DomainError::Forbidden("this invite is not valid, expired, revoked or used up".into())
}

/// The rule every user's name follows (a person's, a bot's, a webhook's);
/// `what` names it in the refusal.
pub fn check_username(name: &str, what: &str) -> DomainResult<()> {
    if protocol::reserved_name(name) {
        return Err(DomainError::Invalid(format!(
            "@{name} mentions a room's members: {what} cannot be that"
        )));
    }
    if valid_username(name) {
        return Ok(());
    }
    Err(DomainError::Invalid(format!(
        "{what} must be 1-{MAX_USERNAME} characters of A-Z, a-z, 0-9, '_', '.', '-'"
    )))
}

/// The rules a new account's name and password follow (also for admins
/// made with `confab admin create`).
pub fn check_new_account(username: &str, password: &str) -> DomainResult<()> {
    check_username(username, "username")?;
    if !valid_password(password) {
        return Err(DomainError::Invalid(format!(
            "password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long"
        )));
    }
    Ok(())
}

/// Checks a password and starts a session; `address` is the client's, for
/// throttling.
pub async fn login(state: &AppState, creds: Credentials, address: &str) -> DomainResult<Grant> {
    let record = if valid_username(&creds.username) && valid_password(&creds.password) {
        state.store.user_by_name(&creds.username).await?
    } else {
        None
    };
    let hash = record.as_ref().map(|r| r.password_hash.clone());
    let matches = password_matches(state, &creds.username, address, creds.password, hash).await;
    if !matches? {
        let detail = serde_json::json!({"method": "password", "address": address});
        let name: String = creds.username.chars().take(64).collect();
        super::audit::record(state, None, "auth.sign_in_failed", &name, detail).await;
        return Err(DomainError::Unauthorized(
            "wrong username or password".into(),
        ));
    }
    let record = record.expect("verified against a real hash");
    let detail = serde_json::json!({"method": "password", "address": address});
    if record.disabled {
        return Err(super::audit::refuse_deactivated(state, &record.user, detail).await);
    }
    super::audit::of_self(state, &record.user, "auth.sign_in", detail).await;
    start_session(state, record.user).await
}

/// Whether `password` matches `hash` (none: an unknown name, which still
/// costs a hash), counted as a login of `name` from `address`: refused while
/// either is throttled, a mismatch counted as a failed login, a match
/// clearing the name's count. For signing in and for anything that asks the
/// password again (linking an identity).
pub(super) async fn password_matches(
    state: &AppState,
    name: &str,
    address: &str,
    password: String,
    hash: Option<String>,
) -> DomainResult<bool> {
    if !state.logins.allowed(name, address).await {
        return Err(DomainError::RateLimited(
            "too many failed logins; try again later".into(),
        ));
    }
    let hash = hash.filter(|_| valid_password(&password));
    if state.passwords.verify(password, hash).await? {
        state.logins.succeeded(name).await;
        Ok(true)
    } else {
        state.logins.failed(name, address).await;
        Ok(false)
    }
}

pub(super) async fn start_session(state: &AppState, user: UserRef) -> DomainResult<Grant> {
    let session = Uuid::new_v4();
    let refresh_token = new_refresh_token();
    let expires_ms = state.auth.session_expiry_ms();
    state
        .store
        .create_session(session, user.id, expires_ms, &secret_hash(&refresh_token))
        .await?;
    state.sessions.started(user.id, session);
    Ok(Grant {
        user,
        session,
        refresh_token,
        expires_ms,
    })
}

/// Trades a refresh token for a new one in the same session.
pub async fn refresh(state: &AppState, token: &str) -> DomainResult<Grant> {
    let next = new_refresh_token();
    let grace_ms = (state.config.refresh_reuse_grace_secs as i64).saturating_mul(1000);
    match state
        .store
        .rotate_refresh(&secret_hash(token), &secret_hash(&next), grace_ms)
        .await?
    {
        Rotation::Rotated {
            user,
            session,
            expires_ms,
        } => Ok(Grant {
            user,
            session,
            refresh_token: next,
            expires_ms,
        }),
        Rotation::Reused { user, session } => {
            tracing::warn!(%user, %session, "a used refresh token came back: session revoked");
            state.sessions.end(user, Some(session)).await;
            Err(DomainError::Unauthorized(
                "this refresh token was used already; the session is ended, log in again".into(),
            ))
        }
        Rotation::Invalid => Err(DomainError::Unauthorized(
            "the session has ended; log in again".into(),
        )),
    }
}

/// Ends a session, named by an access token's (user, session) or else by a
/// refresh token: its tokens are refused from now on and its sockets close
/// with 4001 on every instance. Nothing named: nothing to end.
pub async fn logout(
    state: &AppState,
    from_access: Option<(Uuid, Uuid)>,
    refresh_token: Option<String>,
) -> DomainResult<()> {
    let session = match (from_access, refresh_token) {
        (Some(found), _) => Some(found),
        (None, Some(token)) => state.store.refresh_owner(&secret_hash(&token)).await?,
        (None, None) => None,
    };
    if let Some((user, session)) = session {
        state.store.revoke_session(session).await?;
        state.sessions.end(user, Some(session)).await;
    }
    Ok(())
}

/// Who `user` is now.
pub async fn me(state: &AppState, user: Uuid) -> DomainResult<UserRef> {
    state
        .store
        .user_by_id(user)
        .await?
        .map(|record| record.user)
        .ok_or_else(|| DomainError::Unauthorized("this account no longer exists".into()))
}
