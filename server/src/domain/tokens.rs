//! Personal access tokens and bot accounts: making, listing and revoking
//! them. Only a signed-in session manages them (a token cannot make
//! another), each user makes at most [`MAX_TOKENS_PER_USER`] live tokens and
//! owns at most [`MAX_BOTS_PER_USER`] bots. A token is for the caller or for
//! a bot the caller owns; its secret is answered once and stored hashed
//! (`crate::access_tokens`). Revoking a token, or deleting a bot, ends the
//! sessions concerned on every instance: their sockets close with 4001.

use protocol::{CreateToken, CreatedToken, TokenInfo, UserRef, MAX_TOKEN_NAME_CHARS};
use uuid::Uuid;

use super::{access, members::find_user, Caller, DomainError, DomainResult};
use crate::access_tokens;
use crate::state::AppState;
use crate::store::{ms_to_time, now_ms, AccessToken, NewAccessToken, StoreError};

/// Live tokens one user may have made.
pub const MAX_TOKENS_PER_USER: usize = 50;
/// Bots one user may own.
pub const MAX_BOTS_PER_USER: usize = 10;
/// The longest a token may be made to last.
pub const MAX_EXPIRY_DAYS: u32 = 3650;

/// Makes a token; its secret is in the answer and nowhere else.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    request: CreateToken,
) -> DomainResult<CreatedToken> {
    access::require_sign_in(caller)?;
    let name = checked_name(&request.name)?;
    let user = match &request.bot {
        None => caller.user.clone(),
        Some(bot) => owned_bot(state, caller, bot).await?,
    };
    if let Some(room) = &request.room {
        // The token's user must be able to read it now (a bot must be in it).
        access::readable_room(state, room, user.id).await?;
    }
    let now = now_ms();
    let expires_ms = match request.expires_in_days {
        None => None,
        Some(days @ 1..=MAX_EXPIRY_DAYS) => Some(now + i64::from(days) * 86_400_000),
        Some(_) => {
            return Err(DomainError::Invalid(format!(
                "expires_in_days must be 1 to {MAX_EXPIRY_DAYS}"
            )))
        }
    };
    if state.store.tokens_made_by(caller.user.id).await?.len() >= MAX_TOKENS_PER_USER {
        return Err(DomainError::Forbidden(format!(
            "you have {MAX_TOKENS_PER_USER} tokens, the most allowed; revoke one first"
        )));
    }
    let secret = access_tokens::new_secret();
    let token = AccessToken {
        id: access_tokens::new_id(),
        prefix: secret[..protocol::TOKEN_PREFIX.len() + 4].to_string(),
        user,
        created_by: caller.user.id,
        name,
        read_only: request.read_only,
        room: request.room,
        created_ms: now,
        expires_ms,
        last_used_ms: None,
    };
    state
        .store
        .create_token(&NewAccessToken {
            token: token.clone(),
            hash: crate::auth::secret_hash(&secret),
        })
        .await?;
    tracing::info!(token = %token.id, user = %token.user.name, read_only = token.read_only, "token created");
    let detail = serde_json::json!({
        "name": token.name, "user": token.user.name, "read_only": token.read_only, "room": token.room,
    });
    let target = token.id.to_string();
    super::audit::record(state, Some(&caller.user), "token.create", &target, detail).await;
    Ok(CreatedToken {
        token: secret,
        info: info(&token),
    })
}

/// The caller's live tokens and their bots', newest first.
pub async fn list(state: &AppState, caller: &Caller) -> DomainResult<Vec<TokenInfo>> {
    access::require_sign_in(caller)?;
    let tokens = state.store.tokens_made_by(caller.user.id).await?;
    Ok(tokens.iter().map(info).collect())
}

/// Revokes a token the caller made: it is refused from now on and its
/// sockets close with 4001 on every instance.
pub async fn revoke(state: &AppState, caller: &Caller, id: Uuid) -> DomainResult<()> {
    access::require_sign_in(caller)?;
    let Some(user) = state.store.revoke_token(id, caller.user.id).await? else {
        return Err(DomainError::NotFound("no such token".into()));
    };
    state.sessions.end(user, Some(id)).await;
    tracing::info!(token = %id, "token revoked");
    let target = id.to_string();
    super::audit::record(
        state,
        Some(&caller.user),
        "token.revoke",
        &target,
        serde_json::json!({}),
    )
    .await;
    Ok(())
}

/// Makes a bot account owned by the caller.
pub async fn create_bot(state: &AppState, caller: &Caller, name: &str) -> DomainResult<UserRef> {
    access::require_sign_in(caller)?;
    super::accounts::check_username(name, "a bot's name")?;
    if state.store.bots_of(caller.user.id).await?.len() >= MAX_BOTS_PER_USER {
        return Err(DomainError::Forbidden(format!(
            "you own {MAX_BOTS_PER_USER} bots, the most allowed"
        )));
    }
    match state.store.create_bot(name, caller.user.id).await {
        Err(StoreError::Conflict) => Err(DomainError::Conflict("that name is taken".into())),
        other => {
            let bot = other?;
            tracing::info!(bot = %bot.name, owner = %caller.user.name, "bot created");
            let detail = serde_json::json!({});
            super::audit::record(state, Some(&caller.user), "bot.create", &bot.name, detail).await;
            Ok(bot)
        }
    }
}

/// The caller's bots.
pub async fn bots(state: &AppState, caller: &Caller) -> DomainResult<Vec<UserRef>> {
    access::require_sign_in(caller)?;
    Ok(state.store.bots_of(caller.user.id).await?)
}

/// Deletes one of the caller's bots: the account is disabled, its tokens
/// stop working and its sockets close. Its messages stay.
pub async fn delete_bot(state: &AppState, caller: &Caller, bot: &str) -> DomainResult<()> {
    access::require_sign_in(caller)?;
    let bot = owned_bot(state, caller, bot).await?;
    state.store.set_disabled(bot.id, true).await?;
    state.sessions.end(bot.id, None).await;
    tracing::info!(bot = %bot.name, "bot deleted");
    let detail = serde_json::json!({});
    super::audit::record(state, Some(&caller.user), "bot.delete", &bot.name, detail).await;
    Ok(())
}

/// The bot `name` (or id), if the caller owns it.
async fn owned_bot(state: &AppState, caller: &Caller, bot: &str) -> DomainResult<UserRef> {
    let not_yours = || DomainError::NotFound(format!("you have no bot {bot:?}"));
    let record = find_user(state, bot).await.map_err(|_| not_yours())?;
    match state.store.bot_owner(record.user.id).await? {
        Some(owner) if owner == caller.user.id => Ok(record.user),
        _ => Err(not_yours()),
    }
}

fn checked_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME_CHARS {
        return Err(DomainError::Invalid(format!(
            "a token's name is 1 to {MAX_TOKEN_NAME_CHARS} characters"
        )));
    }
    Ok(name.to_string())
}

pub(super) fn info(token: &AccessToken) -> TokenInfo {
    TokenInfo {
        id: token.id,
        name: token.name.clone(),
        prefix: token.prefix.clone(),
        user: token.user.clone(),
        read_only: token.read_only,
        room: token.room.clone(),
        created_ts: ms_to_time(token.created_ms),
        expires_ts: token.expires_ms.map(ms_to_time),
        last_used_ts: token.last_used_ms.map(ms_to_time),
    }
}
