//! Running a room over HTTP: `PATCH /api/rooms/{id}` (rename, retention),
//! `POST /api/rooms/{id}/archive` and `/unarchive`, and
//! `PUT /api/rooms/{id}/members/{user}` (a member's role). The rules are
//! `domain::room_admin`'s.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use protocol::{ErrorBody, RoleRequest, RoomPatch};
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{retention, room_admin, Caller, DomainError};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rename))
        .routes(routes!(archive))
        .routes(routes!(unarchive))
}

/// Changes a room: a new `name` (owners and admins: a `room_changed`
/// entry of its log; its id stays) and its own `retention_days` (admins;
/// `null` for the instance's period).
#[utoipa::path(patch, path = "/api/rooms/{id}", tag = "rooms", request_body = RoomPatch,
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 200, description = "Changed: a rename stored as the log entry `seq` (the latest, if the name is the same); the room's period as set", body = Object, example = json!({"seq": 42, "retention_days": 90})),
        (status = 400, description = "Not a valid room name or period, or nothing to change", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or admin, a direct room, or archived", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "Another room has that name", body = ErrorBody),
    ))]
async fn rename(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    payload: JsonBody<RoomPatch>,
) -> Result<Json<Value>, ApiError> {
    let request = body(payload)?;
    if request.name.is_none() && request.retention_days.is_none() {
        let nothing = "name this room's new name or retention_days";
        return Err(DomainError::Invalid(nothing.into()).into());
    }
    let mut answer = serde_json::Map::new();
    if let Some(days) = request.retention_days {
        retention::set_room_retention(&state, &caller, &room, days).await?;
        answer.insert("retention_days".into(), json!(days));
    }
    if let Some(name) = &request.name {
        let seq = room_admin::rename(&state, &caller, &room, name).await?;
        answer.insert("seq".into(), json!(seq));
    }
    Ok(Json(Value::Object(answer)))
}

/// Archives a room (owners and admins): read-only for everyone, out of the
/// directory; members still read it.
#[utoipa::path(post, path = "/api/rooms/{id}/archive", tag = "rooms",
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 200, description = "Stored as the log entry `seq` (the latest, if archived already)", body = Object, example = json!({"seq": 42})),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or admin, or a direct room", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    ))]
async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let seq = room_admin::set_archived(&state, &caller, &room, true).await?;
    Ok(Json(json!({ "seq": seq })))
}

/// Unarchives a room (owners and admins).
#[utoipa::path(post, path = "/api/rooms/{id}/unarchive", tag = "rooms",
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 200, description = "Stored as the log entry `seq` (the latest, if not archived)", body = Object, example = json!({"seq": 43})),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or admin, or a direct room", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    ))]
async fn unarchive(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let seq = room_admin::set_archived(&state, &caller, &room, false).await?;
    Ok(Json(json!({ "seq": seq })))
}

/// Sets a member's role (owners and admins). A room keeps at least one
/// owner. (Routed beside removing a member, in `api`: one path.)
#[utoipa::path(put, path = "/api/rooms/{id}/members/{user}", tag = "rooms", request_body = RoleRequest,
    params(("id" = String, Path, description = "The room"), ("user" = String, Path, description = "A name or id")),
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "Bad body", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind, or a value not allowed (a role, a policy)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an owner or admin, or a direct room", body = ErrorBody),
        (status = 404, description = "No such room, user or membership", body = ErrorBody),
        (status = 409, description = "It would leave the room without an owner", body = ErrorBody),
    ))]
pub(super) async fn set_role(
    State(state): State<AppState>,
    caller: Caller,
    Path((room, user)): Path<(String, String)>,
    payload: JsonBody<RoleRequest>,
) -> Result<StatusCode, ApiError> {
    let request = body(payload)?;
    room_admin::set_role(&state, &caller, &room, &user, request.role).await?;
    Ok(StatusCode::NO_CONTENT)
}
