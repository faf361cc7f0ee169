//! Accounts under `/api/auth` and `/api/admin`: registering, signing in and out,
//! refreshing a session, and what admins do to accounts.
//!
//! Signing in starts a session and answers a short-lived access token (the JWT,
//! also set as the HttpOnly session cookie) and a refresh token (an HttpOnly
//! cookie scoped to `/api/auth`, and in the body for clients that are not
//! browsers). `POST /api/auth/refresh` trades a refresh token for a fresh pair.

use app::protocol::{
    valid_username, AuthResponse, Credentials, MeResponse, RefreshRequest, UserRef,
};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use uuid::Uuid;

use super::api::{body, JsonBody};
use super::error::ApiError;
use super::origin::origin_allowed;
use super::session::{AuthUser, ClientAddress};
use crate::auth::{hash_password, new_refresh_token, refresh_hash, Auth, PASSWORD_LEN};
use crate::config::Registration;
use crate::domain::members::find_user;
use crate::state::AppState;
use crate::store::{Rotation, StoreError};

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

/// The answer that hands out a token pair, and the cookies that carry it.
fn token_pair(
    state: &AppState,
    status: StatusCode,
    headers: &HeaderMap,
    user: UserRef,
    session: Uuid,
    refresh_token: String,
    session_expires_ms: i64,
) -> Response {
    let token = state.auth.issue(&user, session);
    let cookies = [
        state.auth.session_cookie(&token),
        state
            .auth
            .refresh_cookie(&refresh_token, session_expires_ms),
    ];
    let body = AuthResponse {
        token,
        user,
        expires_in: state.auth.access_ttl().as_secs(),
        refresh_token: (!from_browser(headers)).then_some(refresh_token),
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

/// Starts a session for `user` and answers its first token pair.
async fn start_session(
    state: &AppState,
    status: StatusCode,
    headers: &HeaderMap,
    user: UserRef,
) -> Result<Response, ApiError> {
    let session = Uuid::new_v4();
    let refresh_token = new_refresh_token();
    let expires_ms = state.auth.session_expiry_ms();
    state
        .store
        .create_session(session, user.id, expires_ms, &refresh_hash(&refresh_token))
        .await?;
    Ok(token_pair(
        state,
        status,
        headers,
        user,
        session,
        refresh_token,
        expires_ms,
    ))
}

async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    payload: JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    let creds = body(payload)?;
    let invite = match state.config.registration {
        Registration::Open => None,
        Registration::Closed => return Err(ApiError::forbidden("registration is closed")),
        Registration::Invite => Some(
            creds
                .invite
                .clone()
                .filter(|code| !code.is_empty())
                .ok_or_else(|| ApiError::forbidden("registration needs an invite code"))?,
        ),
    };
    if !valid_username(&creds.username) {
        return Err(ApiError::invalid(
            "username must be 1-32 characters of A-Z, a-z, 0-9, '_', '.', '-'",
        ));
    }
    if !PASSWORD_LEN.contains(&creds.password.len()) {
        return Err(ApiError::invalid(format!(
            "password must be {} to {} bytes long",
            PASSWORD_LEN.start(),
            PASSWORD_LEN.end()
        )));
    }
    if let Some(code) = &invite {
        if !state.store.claim_invite(code).await? {
            return Err(ApiError::forbidden(
                "this invite code is not valid or was used",
            ));
        }
    }
    let hash = hash_password(creds.password).await;
    let created = state.store.create_user(&creds.username, &hash).await;
    if let (Err(_), Some(code)) = (&created, &invite) {
        state.store.release_invite(code).await?; // the code was not used after all
    }
    let user = match created {
        Err(StoreError::Conflict) => return Err(ApiError::conflict("username is taken")),
        other => other?,
    };
    // Never an admin by registering: a name in --admins that nobody holds yet
    // would be anyone's for the taking (see `server::build`).
    tracing::info!(user = %user.name, "registered");
    start_session(&state, StatusCode::CREATED, &headers, user).await
}

async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    payload: JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    let creds = body(payload)?;
    let wrong = || ApiError::unauthorized("wrong username or password");
    if !state.logins.allowed(&creds.username, &address).await {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many failed logins; try again later",
        ));
    }
    let record = if valid_username(&creds.username) && PASSWORD_LEN.contains(&creds.password.len())
    {
        state.store.user_by_name(&creds.username).await?
    } else {
        None
    };
    let hash = record.as_ref().map(|r| r.password_hash.clone());
    if !state.auth.verify_password(creds.password, hash).await {
        state.logins.failed(&creds.username, &address).await;
        return Err(wrong());
    }
    let record = record.expect("verified against a real hash");
    if record.disabled {
        return Err(ApiError::forbidden("this account is disabled"));
    }
    state.logins.succeeded(&creds.username).await;
    start_session(&state, StatusCode::OK, &headers, record.user).await
}

/// `POST /api/auth/refresh`: trades a refresh token (the body's, else the
/// cookie's) for a new access token and a new refresh token. A token used twice
/// revokes its session, whose sockets close with 4001 everywhere.
async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    payload: Option<Json<RefreshRequest>>,
) -> Result<Response, ApiError> {
    let from_body = payload.and_then(|Json(r)| r.refresh_token);
    if from_body.is_none() && !origin_allowed(&headers, &state.config) {
        return Err(ApiError::forbidden("origin not allowed"));
    }
    let token = from_body
        .or_else(|| Auth::refresh_from_headers(&headers))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("no refresh token; log in again"))?;
    let next = new_refresh_token();
    let grace_ms = (state.config.refresh_reuse_grace_secs as i64).saturating_mul(1000);
    match state
        .store
        .rotate_refresh(&refresh_hash(&token), &refresh_hash(&next), grace_ms)
        .await?
    {
        Rotation::Rotated {
            user,
            session,
            expires_ms,
        } => Ok(token_pair(
            &state,
            StatusCode::OK,
            &headers,
            user,
            session,
            next,
            expires_ms,
        )),
        Rotation::Reused { user, session } => {
            tracing::warn!(%user, %session, "a used refresh token came back: session revoked");
            state.sessions.end(user, Some(session)).await;
            Err(ApiError::unauthorized(
                "this refresh token was used already; the session is ended, log in again",
            ))
        }
        Rotation::Invalid => Err(ApiError::unauthorized(
            "the session has ended; log in again",
        )),
    }
}

/// Ends this session: its access and refresh tokens are refused from now on
/// (its open sockets close with 4001 on every instance) and the cookies are
/// cleared. An expired access token still names its session; so does the
/// refresh cookie.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let from_access = Auth::token_from_headers(&headers)
        .and_then(|token| state.auth.verify_any_age(&token))
        .map(|claims| (claims.sub, claims.sid));
    let session = match from_access {
        Some(found) => Some(found),
        None => match Auth::refresh_from_headers(&headers) {
            Some(token) => match state.store.refresh_owner(&refresh_hash(&token)).await {
                Ok(found) => found,
                Err(e) => return ApiError::from(e).into_response(),
            },
            None => None,
        },
    };
    if let Some((user, session)) = session {
        if let Err(e) = state.store.revoke_session(session).await {
            return ApiError::from(e).into_response();
        }
        state.sessions.end(user, Some(session)).await;
    }
    with_cookies(StatusCode::NO_CONTENT, state.auth.clear_cookies(), ())
}

async fn me(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
) -> Result<Json<MeResponse>, ApiError> {
    let record = state
        .store
        .user_by_id(claims.sub)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    Ok(Json(MeResponse { user: record.user }))
}

/// Admins only: 403 for anyone else.
async fn require_admin(state: &AppState, user: Uuid) -> Result<(), ApiError> {
    match state.store.user_by_id(user).await? {
        Some(record) if record.is_admin => Ok(()),
        _ => Err(ApiError::forbidden("admins only")),
    }
}

/// `POST /api/admin/invites`: a new single-use invite code.
async fn create_invite(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    require_admin(&state, claims.sub).await?;
    let code = hex::encode(rand::random::<[u8; 12]>());
    state.store.create_invite(&code, claims.sub).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "code": code })),
    ))
}

async fn disable_user(
    state: State<AppState>,
    caller: AuthUser,
    user: Path<String>,
) -> Result<StatusCode, ApiError> {
    set_disabled(state, caller, user, true).await
}

async fn enable_user(
    state: State<AppState>,
    caller: AuthUser,
    user: Path<String>,
) -> Result<StatusCode, ApiError> {
    set_disabled(state, caller, user, false).await
}

/// Admins disable an account: its sockets close with 4001 on every instance and
/// its tokens (access and refresh) are refused from then on, until it is enabled
/// again.
async fn set_disabled(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path(user): Path<String>,
    disabled: bool,
) -> Result<StatusCode, ApiError> {
    require_admin(&state, claims.sub).await?;
    let target = find_user(&state, &user).await?;
    state.store.set_disabled(target.user.id, disabled).await?;
    if disabled {
        state.sessions.end(target.user.id, None).await;
    }
    tracing::info!(user = %target.user.name, disabled, "account updated by an admin");
    Ok(StatusCode::NO_CONTENT)
}
