//! The JSON API under `/api`: accounts, rooms, members, message history.

use app::protocol::{
    valid_room_name, valid_username, AddMember, AuthResponse, CreateRoom, Credentials, MeResponse,
    MessagesPage, RoomInfo, RoomKind, Seq, UserRef, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

use super::error::{from_json_rejection, ApiError};
use super::session::{authenticate, AuthUser, ClientAddress};
use crate::auth::{hash_password, PASSWORD_LEN};
use crate::config::Registration;
use crate::state::AppState;
use crate::store::{RoomRecord, StoreError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register", post(register))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
        .route("/api/admin/invites", post(create_invite))
        .route("/api/admin/users/{user}/disable", post(disable_user))
        .route("/api/admin/users/{user}/enable", post(enable_user))
        .route("/api/rooms", get(list_rooms).post(create_room))
        .route("/api/dms", post(direct_room))
        .route("/api/rooms/{id}/members", post(add_member))
        .route(
            "/api/rooms/{id}/members/{user}",
            axum::routing::delete(remove_member),
        )
        .route("/api/rooms/{id}/messages", get(messages))
}

type JsonBody<T> = Result<Json<T>, JsonRejection>;

fn body<T>(payload: JsonBody<T>) -> Result<T, ApiError> {
    payload.map(|Json(t)| t).map_err(from_json_rejection)
}

fn signed_in(state: &AppState, status: StatusCode, user: UserRef) -> Response {
    let token = state.auth.issue(&user);
    let cookie = state.auth.session_cookie(&token);
    (
        status,
        [(header::SET_COOKIE, cookie)],
        Json(AuthResponse { token, user }),
    )
        .into_response()
}

async fn register(
    State(state): State<AppState>,
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
    if state
        .config
        .admins
        .iter()
        .any(|a| a.eq_ignore_ascii_case(&user.name))
    {
        state.store.set_admin(user.id, true).await?;
    }
    tracing::info!(user = %user.name, "registered");
    Ok(signed_in(&state, StatusCode::CREATED, user))
}

async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
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
    let user = record.user;
    Ok(signed_in(&state, StatusCode::OK, user))
}

/// Ends this session: the token is revoked (over HTTP and for its open sockets,
/// which close with 4001) and the cookie cleared.
async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Ok(claims) = authenticate(&state, &headers).await {
        let expires_ms = (claims.exp as i64).saturating_mul(1000);
        if let Err(e) = state.store.revoke_token(&claims.jti, expires_ms).await {
            return ApiError::from(e).into_response();
        }
        state.node.end_sessions(claims.sub, Some(claims.jti)).await;
    }
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, state.auth.clear_cookie())],
    )
        .into_response()
}

/// A user named by id or by username; 404 if there is none.
async fn find_user(state: &AppState, user: &str) -> Result<crate::store::UserRecord, ApiError> {
    match Uuid::parse_str(user) {
        Ok(id) => state.store.user_by_id(id).await?,
        Err(_) => state.store.user_by_name(user).await?,
    }
    .ok_or_else(|| ApiError::not_found("no such user"))
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
/// its tokens are refused from then on (until it is enabled again).
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
        state.node.end_sessions(target.user.id, None).await;
    }
    tracing::info!(user = %target.user.name, disabled, "account updated by an admin");
    Ok(StatusCode::NO_CONTENT)
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

async fn list_rooms(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
) -> Result<Json<Vec<RoomInfo>>, ApiError> {
    let mut rooms = state.store.rooms_for(claims.sub).await?;
    for room in rooms.iter_mut().filter(|r| r.kind == RoomKind::Direct) {
        room.name = direct_room_name(&state, &room.id, claims.sub).await?;
    }
    Ok(Json(rooms))
}

/// A direct room is named, for each of its two users, after the other one.
async fn direct_room_name(state: &AppState, room: &str, caller: Uuid) -> Result<String, ApiError> {
    let other = match crate::store::direct_room_users(room) {
        Some((a, b)) if a == caller => b,
        Some((a, _)) => a,
        None => return Ok(room.to_string()),
    };
    Ok(state
        .store
        .user_by_id(other)
        .await?
        .map(|u| u.user.name)
        .unwrap_or_else(|| "deleted user".into()))
}

/// `POST /api/dms {"user"}`: the direct room with that user (a name or id),
/// created on first use; only the two of them can see or join it.
async fn direct_room(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    payload: JsonBody<AddMember>,
) -> Result<Json<RoomInfo>, ApiError> {
    let request = body(payload)?;
    let other = find_user(&state, &request.user).await?;
    if other.user.id == claims.sub {
        return Err(ApiError::invalid("a direct room needs another user"));
    }
    let room = state.store.direct_room(claims.sub, other.user.id).await?;
    Ok(Json(RoomInfo {
        id: room.id,
        name: other.user.name,
        kind: RoomKind::Direct,
        member: true,
    }))
}

async fn create_room(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    payload: JsonBody<CreateRoom>,
) -> Result<(StatusCode, Json<RoomInfo>), ApiError> {
    let request = body(payload)?;
    if !valid_room_name(&request.name) {
        return Err(ApiError::invalid(
            "room name must be 1-32 characters of a-z, 0-9, '_', '-', starting with a letter or digit",
        ));
    }
    if request.kind == RoomKind::Direct {
        return Err(ApiError::invalid("direct rooms are not created by name"));
    }
    let room = match state
        .store
        .create_room(&request.name, request.kind, claims.sub)
        .await
    {
        Err(StoreError::Conflict) => return Err(ApiError::conflict("room name is taken")),
        other => other?,
    };
    tracing::info!(room = %room.id, kind = room.kind.as_str(), "room created");
    Ok((
        StatusCode::CREATED,
        Json(RoomInfo {
            id: room.id,
            name: room.name,
            kind: room.kind,
            member: true,
        }),
    ))
}

/// The room, if `user` may read it: public rooms are open to all, the others to
/// members (403 otherwise, as the socket's `forbidden`).
pub async fn readable_room(
    state: &AppState,
    room: &str,
    user: Uuid,
) -> Result<RoomRecord, ApiError> {
    let record = state
        .store
        .room(room)
        .await?
        .ok_or_else(|| ApiError::not_found("no such room"))?;
    if record.kind == RoomKind::Public || state.store.is_member(room, user).await? {
        Ok(record)
    } else {
        Err(ApiError::forbidden("not a member of this room"))
    }
}

async fn add_member(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path(room): Path<String>,
    payload: JsonBody<AddMember>,
) -> Result<(StatusCode, Json<MeResponse>), ApiError> {
    let request = body(payload)?;
    let record = readable_room(&state, &room, claims.sub).await?;
    match record.kind {
        RoomKind::Public => {}
        RoomKind::Private if record.owner == Some(claims.sub) => {}
        RoomKind::Private => return Err(ApiError::forbidden("only the room's owner adds members")),
        RoomKind::Direct => {
            return Err(ApiError::forbidden("direct rooms have exactly two members"))
        }
    }
    let target = find_user(&state, &request.user).await?;
    let added = state.store.add_member(&room, target.user.id).await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(MeResponse { user: target.user })))
}

/// Removes a member from a private room: the owner removes anyone, a member
/// removes themself. Their connections stop getting the room's messages at once,
/// on every instance.
async fn remove_member(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path((room, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let record = readable_room(&state, &room, claims.sub).await?;
    let target = find_user(&state, &user).await?;
    let own_room = record.owner == Some(claims.sub);
    match record.kind {
        RoomKind::Private if own_room || target.user.id == claims.sub => {}
        RoomKind::Private => {
            return Err(ApiError::forbidden("only the room's owner removes members"))
        }
        _ => {
            return Err(ApiError::invalid(
                "only private rooms have members to remove",
            ))
        }
    }
    if record.owner == Some(target.user.id) {
        return Err(ApiError::invalid("the owner cannot be removed"));
    }
    if !state.store.remove_member(&room, target.user.id).await? {
        return Err(ApiError::not_found("not a member of this room"));
    }
    state.node.evict(&room, target.user.id).await;
    tracing::info!(room, user = %target.user.name, "member removed");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<Seq>,
    limit: Option<u32>,
}

/// Checks a history page size against the contract (1–200).
pub fn history_limit(limit: Option<u32>) -> Result<u32, String> {
    match limit.unwrap_or(DEFAULT_HISTORY_LIMIT) {
        0 => Err("limit must be at least 1".into()),
        n if n > MAX_HISTORY_LIMIT => Err(format!("limit must be at most {MAX_HISTORY_LIMIT}")),
        n => Ok(n),
    }
}

async fn messages(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path(room): Path<String>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<MessagesPage>, ApiError> {
    let Query(page) = query.map_err(|e| ApiError::invalid(e.body_text()))?;
    let limit = history_limit(page.limit).map_err(ApiError::invalid)?;
    readable_room(&state, &room, claims.sub).await?;
    let messages = state
        .store
        .messages_before(&room, page.before, limit)
        .await?;
    Ok(Json(MessagesPage { messages }))
}
