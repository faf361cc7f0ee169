//! Who a request is: the one check of a credential, for the socket's upgrade
//! and the HTTP API alike (each transport only finds the token in its
//! request: `Auth::token_from_headers`).

use super::{DomainError, DomainResult};
use crate::access_tokens;
use crate::auth::Claims;
use crate::state::AppState;

/// Checks a request's token — a JWT (signature, algorithm, expiry) or a
/// personal access token (known, not expired) — and that the account is not
/// disabled and the token's session not ended (one store read, remembered).
pub async fn authenticate(state: &AppState, token: Option<String>) -> DomainResult<Claims> {
    let refused = |why: &str| DomainError::Unauthorized(why.to_string());
    let token = token.ok_or_else(|| refused("log in first: session cookie or bearer token"))?;
    let claims = if access_tokens::is_personal(&token) {
        state
            .access_tokens
            .claims(state.store.as_ref(), &token)
            .await?
            .ok_or_else(|| refused("invalid, expired or revoked token"))?
    } else {
        state
            .auth
            .verify(&token)
            .ok_or_else(|| refused("invalid or expired token"))?
    };
    if !state.sessions.valid(claims.sub, claims.sid).await? {
        return Err(refused("this session has ended; log in again"));
    }
    Ok(claims)
}
