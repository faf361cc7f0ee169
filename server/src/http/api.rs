//! The JSON API under `/api`: rooms, members, direct messages, message history.
//! (Accounts are in [`super::accounts`].)

use app::protocol::{
    valid_room_name, AddMember, CreateRoom, MeResponse, MessagesPage, RoomInfo, RoomKind, Seq,
    DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

use super::error::{from_json_rejection, ApiError};
use super::session::AuthUser;
use crate::state::AppState;
use crate::store::{RoomRecord, StoreError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/rooms", get(list_rooms).post(create_room))
        .route("/api/dms", post(direct_room))
        .route("/api/rooms/{id}/members", post(add_member))
        .route(
            "/api/rooms/{id}/members/{user}",
            axum::routing::delete(remove_member),
        )
        .route("/api/rooms/{id}/messages", get(messages))
}

pub(super) type JsonBody<T> = Result<Json<T>, JsonRejection>;

pub(super) fn body<T>(payload: JsonBody<T>) -> Result<T, ApiError> {
    payload.map(|Json(t)| t).map_err(from_json_rejection)
}

/// A user named by id or by username; 404 if there is none.
pub(super) async fn find_user(
    state: &AppState,
    user: &str,
) -> Result<crate::store::UserRecord, ApiError> {
    match Uuid::parse_str(user) {
        Ok(id) => state.store.user_by_id(id).await?,
        Err(_) => state.store.user_by_name(user).await?,
    }
    .ok_or_else(|| ApiError::not_found("no such user"))
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
    let max = state.config.max_rooms_per_user;
    if state.store.rooms_owned(claims.sub).await? >= max as u64 {
        return Err(ApiError::forbidden(format!(
            "you own {max} rooms, the most allowed"
        )));
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
