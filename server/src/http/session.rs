//! Who is calling: the `AuthUser` extractor (from the bearer token or the cookie)
//! and the `ClientAddress` extractor (for per-address limits).

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::Method;

use super::error::ApiError;
use super::origin::origin_allowed;
use crate::access_tokens;
use crate::auth::{Auth, Claims};
use crate::state::AppState;

/// Checks the request's token — a JWT (signature, algorithm, expiry) or a
/// personal access token (known, not expired) — and that the account is not
/// disabled and the token's session not ended (one store read, remembered).
pub async fn authenticate(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Claims, ApiError> {
    let token = Auth::token_from_headers(headers)
        .ok_or_else(|| ApiError::unauthorized("log in first: session cookie or bearer token"))?;
    let claims = if access_tokens::is_personal(&token) {
        state
            .access_tokens
            .claims(state.store.as_ref(), &token)
            .await?
            .ok_or_else(|| ApiError::unauthorized("invalid, expired or revoked token"))?
    } else {
        state
            .auth
            .verify(&token)
            .ok_or_else(|| ApiError::unauthorized("invalid or expired token"))?
    };
    if !state.sessions.valid(claims.sub, claims.sid).await? {
        return Err(ApiError::unauthorized(
            "this session has ended; log in again",
        ));
    }
    Ok(claims)
}

/// The authenticated caller of a request.
pub struct AuthUser(pub Claims);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let claims = authenticate(state, &parts.headers).await?;
        // A cookie rides along on cross-site requests; a write must come from an
        // allowed origin (CSRF).
        if parts.method != Method::GET
            && Auth::uses_cookie(&parts.headers)
            && !origin_allowed(&parts.headers, &parts.uri, &state.config)
        {
            return Err(ApiError::forbidden("origin not allowed"));
        }
        Ok(AuthUser(claims))
    }
}

/// The client's address: the peer's, or with `--trust-forwarded-for` the last
/// `X-Forwarded-For` entry (the one the trusted proxy appended).
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        if state.config.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|a| !a.is_empty());
            if let Some(address) = forwarded {
                return Ok(ClientAddress(address.to_string()));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_default();
        Ok(ClientAddress(peer))
    }
}
