//! Accounts under `/api/auth` and `/api/admin`: registering, signing in and out,
//! refreshing a session, and what admins do to accounts. The rules are the
//! domain's (`domain::accounts`, `domain::admin`); this is the transport: tokens,
//! cookies and answers.
//!
//! Signing in starts a session and answers a short-lived access token (the JWT,
//! also set as the HttpOnly session cookie) and a refresh token (an HttpOnly
//! cookie scoped to `/api/auth`, and in the body for clients that are not
//! browsers). `POST /api/auth/refresh` trades a refresh token for a fresh pair.

use app::protocol::{AuthResponse, Credentials, MeResponse, RefreshRequest};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::api::{body, JsonBody};
use super::error::ApiError;
use super::origin::origin_allowed;
use super::session::{AuthUser, ClientAddress};
use crate::auth::Auth;
use crate::domain::accounts::{self, Grant};
use crate::domain::{admin, Caller};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register", post(register))
        .route("/api/auth/login", post(login))
        .route("/api/auth/refresh", post(refresh))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
        .route("/api/admin/invites", post(create_invite))
        .route("/api/admin/users/{user}/disable", post(disable_user))
        .route("/api/admin/users/{user}/enable", post(enable_user))
}

/// Whether the caller is a browser: browsers send `Origin` on every POST. They
/// keep the refresh token in its HttpOnly cookie only, out of scripts' reach.
fn from_browser(headers: &HeaderMap) -> bool {
    headers.contains_key(header::ORIGIN)
}

/// The answer that hands out a session's token pair, and the cookies that
/// carry it.
fn token_pair(state: &AppState, status: StatusCode, headers: &HeaderMap, grant: Grant) -> Response {
    let token = state.auth.issue(&grant.user, grant.session);
    let cookies = [
        state.auth.session_cookie(&token),
        state
            .auth
            .refresh_cookie(&grant.refresh_token, grant.expires_ms),
    ];
    let body = AuthResponse {
        token,
        user: grant.user,
        expires_in: state.auth.access_ttl().as_secs(),
        refresh_token: (!from_browser(headers)).then_some(grant.refresh_token),
    };
    with_cookies(status, cookies, Json(body))
}

fn with_cookies(status: StatusCode, cookies: [String; 2], body: impl IntoResponse) -> Response {
    let mut response = (status, body).into_response();
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    payload: JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    let grant = accounts::register(&state, body(payload)?, &address).await?;
    Ok(token_pair(&state, StatusCode::CREATED, &headers, grant))
}

async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    payload: JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    let grant = accounts::login(&state, body(payload)?, &address).await?;
    Ok(token_pair(&state, StatusCode::OK, &headers, grant))
}

/// `POST /api/auth/refresh`: trades a refresh token (the body's, else the
/// cookie's) for a new access token and a new refresh token. A token used twice
/// revokes its session, whose sockets close with 4001 everywhere.
async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    payload: Option<Json<RefreshRequest>>,
) -> Result<Response, ApiError> {
    let from_body = payload.and_then(|Json(r)| r.refresh_token);
    if from_body.is_none() && !origin_allowed(&headers, &uri, &state.config) {
        return Err(ApiError::forbidden("origin not allowed"));
    }
    let token = from_body
        .or_else(|| Auth::refresh_from_headers(&headers))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("no refresh token; log in again"))?;
    let grant = accounts::refresh(&state, &token).await?;
    Ok(token_pair(&state, StatusCode::OK, &headers, grant))
}

/// Ends this session and clears the cookies. An expired access token still
/// names its session; so does the refresh cookie.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let from_access = Auth::token_from_headers(&headers)
        .and_then(|token| state.auth.verify_any_age(&token))
        .map(|claims| (claims.sub, claims.sid));
    let refresh_token = Auth::refresh_from_headers(&headers);
    if let Err(e) = accounts::logout(&state, from_access, refresh_token).await {
        return ApiError::from(e).into_response();
    }
    with_cookies(StatusCode::NO_CONTENT, state.auth.clear_cookies(), ())
}

async fn me(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
) -> Result<Json<MeResponse>, ApiError> {
    let user = accounts::me(&state, claims.sub).await?;
    Ok(Json(MeResponse { user }))
}

/// `POST /api/admin/invites`: a new single-use invite code.
async fn create_invite(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let code = admin::create_invite(&state, &Caller::http(claims.user())).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "code": code })),
    ))
}

async fn disable_user(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path(user): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::set_disabled(&state, &Caller::http(claims.user()), &user, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn enable_user(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path(user): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin::set_disabled(&state, &Caller::http(claims.user()), &user, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
