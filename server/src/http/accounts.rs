//! Accounts under `/api/auth`: registering, signing in and out, refreshing a
//! session. The rules are the domain's (`domain::accounts`); this is the
//! transport: tokens, cookies and answers. (What admins do is in `admin`.)
//!
//! Signing in starts a session and answers a short-lived access token (the JWT,
//! also set as the HttpOnly session cookie) and a refresh token (an HttpOnly
//! cookie scoped to `/api/auth`, and in the body for clients that are not
//! browsers). `POST /api/auth/refresh` trades a refresh token for a fresh pair.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::{
    AuthResponse, Credentials, ErrorBody, Limits, MeResponse, RefreshRequest, SessionInfo,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::{from_json_rejection, ApiError};
use super::origin::origin_allowed;
use super::session::{authenticate, ClientAddress};
use crate::auth::Auth;
use crate::domain::accounts::{self, Grant};
use crate::domain::Caller;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(session))
}

/// Whether the caller is a browser: browsers send `Origin` on every POST. They
/// keep the refresh token in its HttpOnly cookie only, out of scripts' reach.
fn from_browser(headers: &HeaderMap) -> bool {
    headers.contains_key(header::ORIGIN)
}

/// The answer that hands out a session's token pair, and the cookies that
/// carry it.
fn token_pair(state: &AppState, status: StatusCode, headers: &HeaderMap, grant: Grant) -> Response {
    let (token, cookies) = session_cookies(state, &grant);
    let body = AuthResponse {
        token,
        user: grant.user,
        expires_in: state.auth.access_ttl().as_secs(),
        refresh_token: (!from_browser(headers)).then_some(grant.refresh_token),
    };
    with_cookies(status, cookies, Json(body))
}

/// A new session's access token, and the two cookies that carry it and its
/// refresh token to a browser.
pub(super) fn session_cookies(state: &AppState, grant: &Grant) -> (String, [String; 2]) {
    let token = state.auth.issue(&grant.user, grant.session);
    let cookies = [
        state.auth.session_cookie(&token),
        state
            .auth
            .refresh_cookie(&grant.refresh_token, grant.expires_ms),
    ];
    (token, cookies)
}

pub(super) fn with_cookies(
    status: StatusCode,
    cookies: impl IntoIterator<Item = String>,
    body: impl IntoResponse,
) -> Response {
    let mut response = (status, body).into_response();
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Creates an account and signs it in.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = Credentials,
    responses(
        (status = 201, description = "Registered and signed in; the cookies are set", body = AuthResponse),
        (status = 400, description = "Invalid name or password", body = ErrorBody),
        (status = 403, description = "Registration is closed, or the invite is not valid, or it is a claim link for another name or a deactivated account", body = ErrorBody),
        (status = 409, description = "The name is taken, or the account a claim link names has a password already", body = ErrorBody),
        (status = 429, description = "Too many sign-ups from this address", body = ErrorBody),
    ))]
async fn register(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    payload: JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    let grant = accounts::register(&state, body(payload)?, &address).await?;
    Ok(token_pair(&state, StatusCode::CREATED, &headers, grant))
}

/// Signs in with a password: a new session.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the cookies are set", body = AuthResponse),
        (status = 400, description = "Bad body", body = ErrorBody),
        (status = 401, description = "Wrong name or password (the same answer for both)", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ), security(()))]
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
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body(content = Option<RefreshRequest>),
    responses(
        (status = 200, description = "A new token pair", body = AuthResponse),
        (status = 401, description = "No refresh token, or not valid (used, expired or revoked)", body = ErrorBody),
        (status = 403, description = "Origin not allowed (cookie refresh)", body = ErrorBody),
    ), security(()))]
async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    payload: Result<Json<Option<RefreshRequest>>, JsonRejection>,
) -> Result<Response, ApiError> {
    // A browser sends no body (its refresh token is a cookie); a body, if
    // sent as JSON, is read, `null` meaning no token in it.
    let from_body = match payload {
        Ok(Json(request)) => request.and_then(|r| r.refresh_token),
        Err(JsonRejection::MissingJsonContentType(_)) => None,
        Err(rejection) => return Err(from_json_rejection(rejection)),
    };
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
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out; the cookies are cleared")))]
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

/// Who the caller is.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses(
        (status = 200, description = "The signed-in user", body = MeResponse),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<MeResponse>, ApiError> {
    let user = accounts::me(&state, caller.user.id).await?;
    Ok(Json(MeResponse { user }))
}

/// Who the session is, if anyone, and the limits a client should know: what
/// the browser asks first. Signed out is an answer (`user: null`), not a
/// `401`, so a page that works logs no error.
#[utoipa::path(get, path = "/api/auth/session", tag = "auth",
    responses(
        (status = 200, description = "The session's user (null when signed out) and the server's limits", body = SessionInfo),
        (status = 503, description = "The store cannot be reached", body = ErrorBody),
    ))]
async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let user = match authenticate(&state, &headers).await {
        Ok(claims) => match accounts::me(&state, claims.sub).await {
            Ok(user) => Some(user),
            Err(crate::domain::DomainError::Unauthorized(_)) => None,
            Err(e) => return Err(e.into()),
        },
        Err(e) if e.status == StatusCode::UNAUTHORIZED => None,
        Err(e) => return Err(e),
    };
    let limits = Limits {
        max_body_chars: state.config.max_body_chars,
        max_file_bytes: state.config.max_file_bytes,
        pushes: state.pusher.args.pushes,
        email: state.mailer.enabled(),
    };
    Ok(Json(SessionInfo { user, limits }))
}
