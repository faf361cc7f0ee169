//! The `AuthUser` extractor: who is calling, from the bearer token or the cookie.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;

use super::error::ApiError;
use super::origin::origin_allowed;
use crate::auth::{Auth, Claims};
use crate::state::AppState;

/// The authenticated caller of a request.
pub struct AuthUser(pub Claims);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = Auth::token_from_headers(&parts.headers)
            .ok_or_else(|| ApiError::unauthorized("log in first"))?;
        let claims = state
            .auth
            .verify(&token)
            .ok_or_else(|| ApiError::unauthorized("invalid or expired token"))?;
        // A cookie rides along on cross-site requests; a write must come from an
        // allowed origin (CSRF).
        if parts.method != Method::GET
            && Auth::uses_cookie(&parts.headers)
            && !origin_allowed(&parts.headers, &state.config)
        {
            return Err(ApiError::forbidden("origin not allowed"));
        }
        Ok(AuthUser(claims))
    }
}
