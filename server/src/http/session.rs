//! Who is calling: the [`Caller`] extractor (from the bearer token or the
//! cookie) and the `ClientAddress` extractor (for per-address limits).

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::Method;

use super::error::ApiError;
use super::origin::origin_allowed;
use crate::auth::{Auth, Claims};
use crate::domain::{credentials, Caller};
use crate::state::AppState;

/// The caller a request's headers name (`domain::credentials`), as an HTTP
/// answer when there is none.
pub async fn authenticate(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Claims, ApiError> {
    Ok(credentials::authenticate(state, Auth::token_from_headers(headers)).await?)
}

/// The authenticated caller of a request: every handler that needs one takes
/// it as an argument. A request without a valid credential is `401`; a write
/// carried by a cookie from an origin not allowed is `403` (CSRF).
impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let claims = authenticate(state, &parts.headers).await?;
        // A cookie rides along on cross-site requests; a write must come from an
        // allowed origin.
        if parts.method != Method::GET
            && Auth::uses_cookie(&parts.headers)
            && !origin_allowed(&parts.headers, &parts.uri, &state.config)
        {
            return Err(ApiError::forbidden("origin not allowed"));
        }
        Ok(Caller::new(&claims, None))
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
