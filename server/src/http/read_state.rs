//! The caller's read state and a room's members over HTTP: `POST
//! /api/rooms/{id}/read`, `PUT /api/rooms/{id}/mute`, `PUT
//! /api/rooms/{id}/topic`, `GET
//! /api/rooms/{id}/members`. Each calls its operation in [`crate::domain`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use protocol::{ErrorBody, MarkRead, MembersPage, MuteRequest, TopicRequest};

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::Caller;
use crate::domain::{members, read, topic};
use crate::state::AppState;

/// `POST /api/rooms/{id}/read {"seq"}`: moves the caller's read marker
/// forward, as the `read` frame does. `204`; `404` if not a member.
#[utoipa::path(post, path = "/api/rooms/{id}/read", tag = "rooms", request_body = MarkRead,
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 204, description = "Moved (or already further)"),
        (status = 400, description = "Bad body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Not a member of this room", body = ErrorBody),
    ))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    payload: JsonBody<MarkRead>,
) -> Result<StatusCode, ApiError> {
    let request = body(payload)?;
    read::read_checked(&state, &caller, &room, request.seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/rooms/{id}/topic {"topic"}`: sets the room's topic (a log
/// entry, as the `topic` frame): `200 {"seq"}`; `403` if not a member.
#[utoipa::path(put, path = "/api/rooms/{id}/topic", tag = "rooms", request_body = TopicRequest,
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 200, description = "Stored as the log entry `seq`", body = Object, example = json!({"seq": 42})),
        (status = 400, description = "Bad body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member, or a read-only token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 413, description = "Topic too long", body = ErrorBody),
    ))]
pub async fn topic(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    payload: JsonBody<TopicRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = body(payload)?;
    let entry = topic::prepare(&state, &caller, room, request.topic).await?;
    let seq = crate::domain::done_seq(crate::domain::submit_and_wait(&state, entry).await)?;
    Ok(Json(serde_json::json!({ "seq": seq })))
}

/// `PUT /api/rooms/{id}/mute {"muted"}`: `204`; `404` if not a member.
#[utoipa::path(put, path = "/api/rooms/{id}/mute", tag = "rooms", request_body = MuteRequest,
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "Bad body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Not a member of this room", body = ErrorBody),
    ))]
pub async fn mute(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    payload: JsonBody<MuteRequest>,
) -> Result<StatusCode, ApiError> {
    let request = body(payload)?;
    crate::domain::notifications::set_muted(&state, &caller, &room, request.muted).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/rooms/{id}/members`: `{"members":[{"id","name","online"}]}`
/// sorted by name, for whoever may read the room.
#[utoipa::path(get, path = "/api/rooms/{id}/members", tag = "rooms",
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 200, description = "The members, by name", body = MembersPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed in this room", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    ))]
pub async fn members(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
) -> Result<Json<MembersPage>, ApiError> {
    let members = members::list(&state, &caller, &room).await?;
    Ok(Json(MembersPage { members }))
}
