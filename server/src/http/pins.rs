//! Pins over HTTP: `PUT`/`DELETE /api/rooms/{id}/pins/{message}` and
//! `GET /api/rooms/{id}/pins`. The rules are `domain::pin`'s.

use axum::extract::{Path, State};
use axum::Json;
use protocol::{ErrorBody, PinList};
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::{done_seq, pin, submit_and_wait, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pins))
        .routes(routes!(pin_message, unpin_message))
}

/// The room's pinned messages, the most recently pinned first.
#[utoipa::path(get, path = "/api/rooms/{id}/pins", tag = "messages",
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 200, description = "The pinned messages", body = PinList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member of a private room", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    ))]
async fn pins(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
) -> Result<Json<PinList>, ApiError> {
    let pins = pin::list(&state, &caller, &room).await?;
    Ok(Json(PinList { pins }))
}

async fn set(
    state: &AppState,
    caller: &Caller,
    room: String,
    id: String,
    on: bool,
) -> Result<Json<Value>, ApiError> {
    // Not a message id: no such message (as a JSON error, like every answer).
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found("no such message"))?;
    let entry = pin::prepare(state, caller, room, id, on).await?;
    let seq = done_seq(submit_and_wait(state, entry).await)?;
    Ok(Json(json!({ "seq": seq })))
}

/// Pins a message (members): a `pinned` entry of the room's log.
#[utoipa::path(put, path = "/api/rooms/{id}/pins/{message}", tag = "messages",
    params(("id" = String, Path, description = "The room"), ("message" = Uuid, Path, description = "The message")),
    responses(
        (status = 200, description = "Stored as the log entry `seq` (the latest, if it was pinned already)", body = Object, example = json!({"seq": 42})),
        (status = 400, description = "The room has the most pins allowed (50)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member, a read-only token, or an archived room", body = ErrorBody),
        (status = 404, description = "No such room or message (or it was deleted)", body = ErrorBody),
        (status = 429, description = "Over the user's message allowance", body = ErrorBody),
    ))]
async fn pin_message(
    State(state): State<AppState>,
    caller: Caller,
    Path((room, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    set(&state, &caller, room, id, true).await
}

/// Unpins a message (members).
#[utoipa::path(delete, path = "/api/rooms/{id}/pins/{message}", tag = "messages",
    params(("id" = String, Path, description = "The room"), ("message" = Uuid, Path, description = "The message")),
    responses(
        (status = 200, description = "Stored as the log entry `seq` (the latest, if it was not pinned)", body = Object, example = json!({"seq": 43})),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member, a read-only token, or an archived room", body = ErrorBody),
        (status = 404, description = "No such room or message (or it was deleted)", body = ErrorBody),
        (status = 429, description = "Over the user's message allowance", body = ErrorBody),
    ))]
async fn unpin_message(
    State(state): State<AppState>,
    caller: Caller,
    Path((room, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    set(&state, &caller, room, id, false).await
}
