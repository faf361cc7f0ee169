//! What notifies the caller, over HTTP: `PUT /api/rooms/{id}/notifications`
//! and `GET`/`PUT /api/users/me/dnd`. The rules are
//! `domain::notifications`'.

use axum::extract::{Path, State};
use axum::Json;
use protocol::{Dnd, DndRequest, ErrorBody, NotificationsRequest, RoomNotifications};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{notifications, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_level))
        .routes(routes!(get_dnd, set_dnd))
}

/// Sets which of a room's messages notify the caller; their connections
/// hear `notifications`.
#[utoipa::path(put, path = "/api/rooms/{id}/notifications", tag = "attention",
    request_body = NotificationsRequest,
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 200, description = "Set", body = RoomNotifications),
        (status = 400, description = "Bad body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A token for another room", body = ErrorBody),
        (status = 404, description = "Not a member of this room", body = ErrorBody),
        (status = 422, description = "An unknown level", body = ErrorBody),
    ))]
async fn set_level(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    payload: JsonBody<NotificationsRequest>,
) -> Result<Json<RoomNotifications>, ApiError> {
    let level = body(payload)?.level;
    Ok(Json(
        notifications::set_level(&state, &caller, &room, level).await?,
    ))
}

/// The caller's do-not-disturb, with its current or next quiet stretch.
#[utoipa::path(get, path = "/api/users/me/dnd", tag = "attention",
    responses(
        (status = 200, description = "Their do-not-disturb", body = Dnd),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn get_dnd(State(state): State<AppState>, caller: Caller) -> Result<Json<Dnd>, ApiError> {
    Ok(Json(notifications::dnd(&state, &caller).await?))
}

/// Pauses notifications (`until`) or sets quiet hours (`schedule`); their
/// connections hear `dnd`.
#[utoipa::path(put, path = "/api/users/me/dnd", tag = "attention", request_body = DndRequest,
    responses(
        (status = 200, description = "Set", body = Dnd),
        (status = 400, description = "Bad quiet hours, an until that is no time, or a pause longer than a year", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn set_dnd(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<DndRequest>,
) -> Result<Json<Dnd>, ApiError> {
    Ok(Json(
        notifications::set_dnd(&state, &caller, body(payload)?).await?,
    ))
}
