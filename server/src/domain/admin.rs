//! What admins do: make single-use invite codes, disable and re-enable
//! accounts. Anyone else gets `forbidden`.

use super::{members::find_user, Caller, DomainError, DomainResult};
use crate::state::AppState;

async fn require_admin(state: &AppState, caller: &Caller) -> DomainResult<()> {
    if super::access::is_admin(state, caller.user.id).await? {
        Ok(())
    } else {
        Err(DomainError::Forbidden("admins only".into()))
    }
}

/// A new single-use invite code.
pub async fn create_invite(state: &AppState, caller: &Caller) -> DomainResult<String> {
    super::access::require_write(caller, None)?;
    require_admin(state, caller).await?;
    let code = hex::encode(rand::random::<[u8; 12]>());
    state.store.create_invite(&code, caller.user.id).await?;
    Ok(code)
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
    super::access::require_write(caller, None)?;
    require_admin(state, caller).await?;
    let target = find_user(state, user).await?;
    state.store.set_disabled(target.user.id, disabled).await?;
    if disabled {
        state.sessions.end(target.user.id, None).await;
        for bot in state.store.bots_of(target.user.id).await? {
            state.sessions.end(bot.id, None).await;
        }
    }
    super::people::announce_user(state, target.user.id).await;
    tracing::info!(user = %target.user.name, disabled, "account updated by an admin");
    Ok(())
}
