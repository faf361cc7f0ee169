//! Who a person the OpenID provider vouches for is in Confab.
//!
//! - An identity (the provider's issuer and subject) linked to an account
//!   signs that account in: a new session, as a password sign-in starts.
//!   A disabled account stays out.
//! - A signed-in user who asked to link (from Settings) gets the identity
//!   linked to their account, unless it names another account already.
//! - An unknown identity gets an account of its own with
//!   `--oidc-auto-provision` (named after what the provider suggests, made
//!   unique with a number), whatever `--registration` says: the provider is
//!   the gate. Without it, it is refused with what to do instead.

use app::protocol::{valid_username, UserRef, MAX_USERNAME};
use uuid::Uuid;

use super::accounts::{start_session, Grant};
use super::{DomainError, DomainResult};
use crate::oidc::Identity;
use crate::state::AppState;
use crate::store::StoreError;

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
                tracing::info!(user = %me.name, issuer = %identity.issuer, "identity linked");
                Ok(Signed::Linked(me))
            }
        };
    }
    let user = match linked {
        Some(record) if record.disabled => {
            return Err(DomainError::Forbidden("this account is disabled".into()))
        }
        Some(record) => record.user,
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
    Ok(Signed::In(start_session(state, user).await?))
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
    if valid_username(&cleaned) {
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
        assert_eq!(base_name(Some(&"x".repeat(60))).len(), 30);
    }
}
