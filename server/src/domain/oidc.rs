//! Who a person the OpenID provider vouches for is in Confab.
//!
//! - An identity (the provider's issuer and subject) linked to an account
//!   signs that account in: a new session, as a password sign-in starts.
//!   A disabled account stays out.
//! - A signed-in user who asked to link (from Settings) gets the identity
//!   linked to their account, unless it names another account already.
//!   Asking takes the browser's session (never a token: a token seen once
//!   would become a lasting sign-in) and the account's password given again
//!   ([`may_link`]). The account's identities are listed in Settings, with
//!   when each was linked, and unlinked there ([`identities`], [`unlink`]).
//!   Either change is told to every open connection of the account
//!   (`account_notice`), so a link the holder did not make does not go
//!   unseen.
//! - An unknown identity gets an account of its own with
//!   `--oidc-auto-provision` (named after what the provider suggests, made
//!   unique with a number), whatever `--registration` says: the provider is
//!   the gate. Without it, it is refused with what to do instead.

use protocol::{valid_username, IdentityInfo, UnlinkRequest, UserRef, MAX_USERNAME};
use uuid::Uuid;

use super::accounts::{start_session, Grant};
use super::{access, Caller, DomainError, DomainResult};
use crate::oidc::Identity;
use crate::state::AppState;
use crate::store::{ms_to_time, StoreError, UserRecord};

/// How many numbered names a new account tries before giving up.
const NAME_ATTEMPTS: u32 = 50;

/// What a return from the provider did.
pub enum Signed {
    /// A session started for this account.
    In(Grant),
    /// The identity is now linked to this signed-in account.
    Linked(UserRef),
}

pub async fn complete(
    state: &AppState,
    identity: Identity,
    link: Option<Uuid>,
) -> DomainResult<Signed> {
    let linked = state
        .store
        .identity_user(&identity.issuer, &identity.subject)
        .await?;
    if let Some(user) = link {
        return match linked {
            Some(record) if record.user.id == user => Ok(Signed::Linked(record.user)),
            Some(_) => Err(DomainError::Conflict(
                "this identity is linked to another account".into(),
            )),
            None => {
                let me = super::accounts::me(state, user).await?;
                state
                    .store
                    .link_identity(&identity.issuer, &identity.subject, user)
                    .await?;
                tracing::warn!(user = %me.name, issuer = %identity.issuer, "identity linked");
                let message = format!(
                    "A sign-in through {} was linked to your account. If this was not \
                     you, unlink it under Settings and change your password.",
                    identity.issuer
                );
                tell(state, user, message).await;
                Ok(Signed::Linked(me))
            }
        };
    }
    let user = match linked {
        Some(record) if record.disabled => {
            let detail = serde_json::json!({"method": "oidc"});
            return Err(super::audit::refuse_deactivated(state, &record.user, detail).await);
        }
        Some(record) => record.user,
        None if claimable(state, &identity).await?.is_some() => {
            super::claims::claim_by_identity(state, &identity).await?
        }
        None if state.oidc.as_ref().is_some_and(|o| o.auto_provision) => {
            provision(state, &identity).await?
        }
        None => {
            return Err(DomainError::Forbidden(
                "no Confab account is linked to this identity: sign in with your password \
                 and link it under Settings, or ask an admin"
                    .into(),
            ))
        }
    };
    let detail = serde_json::json!({"method": "oidc", "issuer": identity.issuer});
    super::audit::of_self(state, &user, "auth.sign_in", detail).await;
    Ok(Signed::In(start_session(state, user).await?))
}

/// Checks that the caller may start linking an identity to their account:
/// signed in with the browser's session cookie (`by_cookie`), not a token,
/// and `password` is the account's (failures throttled as logins are, per
/// name and `address`). An account with no password has its identity
/// already; it links no other.
pub async fn may_link(
    state: &AppState,
    caller: &Caller,
    by_cookie: bool,
    password: String,
    address: &str,
) -> DomainResult<()> {
    access::require_sign_in(caller)?;
    if !by_cookie {
        return Err(DomainError::Forbidden(
            "linking an identity is done from the browser's session, not with a bearer token"
                .into(),
        ));
    }
    let me = account(state, caller).await?;
    let hash = Some(me.password_hash);
    if !super::accounts::password_matches(state, &me.user.name, address, password, hash).await? {
        // Not 401: the session is fine, the password is not.
        return Err(DomainError::Forbidden(
            "wrong password (an account signed up through the provider links no other identity)"
                .into(),
        ));
    }
    Ok(())
}

/// The caller's own account record.
async fn account(state: &AppState, caller: &Caller) -> DomainResult<UserRecord> {
    state
        .store
        .user_by_id(caller.user.id)
        .await?
        .ok_or_else(|| DomainError::NotFound("no such user".into()))
}

/// The identities linked to the caller's account.
pub async fn identities(state: &AppState, caller: &Caller) -> DomainResult<Vec<IdentityInfo>> {
    access::require_sign_in(caller)?;
    Ok(state
        .store
        .identities_of(caller.user.id)
        .await?
        .into_iter()
        .map(|i| IdentityInfo {
            issuer: i.issuer,
            subject: i.subject,
            linked_ts: ms_to_time(i.created_ms),
        })
        .collect())
}

/// Unlinks one of the caller's identities: it signs nobody in from then on.
/// The last one of an account with no password stays (it is the only way in).
pub async fn unlink(state: &AppState, caller: &Caller, which: &UnlinkRequest) -> DomainResult<()> {
    access::require_sign_in(caller)?;
    let me = account(state, caller).await?;
    let linked = state.store.identities_of(caller.user.id).await?;
    if !linked
        .iter()
        .any(|i| i.issuer == which.issuer && i.subject == which.subject)
    {
        return Err(DomainError::NotFound(
            "no such identity is linked to your account".into(),
        ));
    }
    if linked.len() == 1 && me.password_hash == crate::store::NO_PASSWORD {
        return Err(DomainError::Invalid(
            "this identity is your account's only way in (it has no password)".into(),
        ));
    }
    state
        .store
        .unlink_identity(&which.issuer, &which.subject, caller.user.id)
        .await?;
    tracing::warn!(user = %me.user.name, issuer = %which.issuer, "identity unlinked");
    let message = format!(
        "The sign-in through {} was unlinked from your account.",
        which.issuer
    );
    tell(state, caller.user.id, message).await;
    Ok(())
}

/// Tells every connection of the account holder, on every instance, what
/// changed about how their account is signed in to.
async fn tell(state: &AppState, user: Uuid, message: String) {
    let notice = protocol::ServerFrame::AccountNotice { message };
    state.node.tell_user(user, notice, None).await;
}

/// The imported account `identity`'s verified e-mail is, if any.
async fn claimable(state: &AppState, identity: &Identity) -> DomainResult<Option<Uuid>> {
    Ok(match &identity.verified_email {
        Some(email) => state.store.claimable_by_email(email).await?,
        None => None,
    })
}

/// A new account for `identity`, under the first free name.
async fn provision(state: &AppState, identity: &Identity) -> DomainResult<UserRef> {
    let base = base_name(identity.suggested_name.as_deref());
    for n in 1..=NAME_ATTEMPTS {
        let name = if n == 1 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        match state
            .store
            .create_identified_user(&name, &identity.issuer, &identity.subject)
            .await
        {
            Ok(user) => {
                tracing::info!(user = %user.name, issuer = %identity.issuer, "account provisioned");
                let detail = serde_json::json!({"issuer": identity.issuer});
                super::audit::of_self(state, &user, "user.provision", detail).await;
                super::admin::first_account(state, &user).await?;
                return Ok(user);
            }
            // The name is taken (or, racing another tab, the identity is
            // now linked: the next round finds it taken too; give up then).
            Err(StoreError::Conflict) => {
                if let Some(record) = state
                    .store
                    .identity_user(&identity.issuer, &identity.subject)
                    .await?
                {
                    return Ok(record.user);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(DomainError::Conflict(
        "no free username for this identity; ask an admin".into(),
    ))
}

/// A username made of what the provider suggests: its allowed characters,
/// short enough to take a number; "user" if nothing is left.
fn base_name(suggested: Option<&str>) -> String {
    let cleaned: String = suggested
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .take(MAX_USERNAME - 2)
        .collect();
    if valid_username(&cleaned) && !protocol::reserved_name(&cleaned) {
        cleaned
    } else {
        "user".into()
    }
}

#[cfg(test)]
mod tests {
    use super::base_name;

    #[test]
    fn new_names_keep_the_allowed_characters_and_leave_room_for_a_number() {
        assert_eq!(base_name(Some("ada.lovelace")), "ada.lovelace");
        assert_eq!(base_name(Some("José Núñez")), "JosNez");
        assert_eq!(base_name(Some("日本")), "user");
        assert_eq!(base_name(None), "user");
        assert_eq!(
            base_name(Some("here")),
            "user",
            "broad mentions are no names"
        );
        assert_eq!(base_name(Some(&"x".repeat(60))).len(), 30);
    }
}
