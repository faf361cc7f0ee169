//! Link previews over HTTP: `DELETE /api/rooms/{id}/messages/{message}/previews`
//! removes a message's previews. The rules are `domain::previews`'.

use axum::extract::{Path, State};
use axum::Json;
use protocol::ErrorBody;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::{done_seq, previews, submit_and_wait, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(remove_previews))
}

/// Removes a message's link previews (its author, or the room's
/// moderators): an `unfurled` entry with none.
#[utoipa::path(delete, path = "/api/rooms/{id}/messages/{message}/previews", tag = "messages",
    params(("id" = String, Path, description = "The room"), ("message" = String, Path, description = "The message")),
    responses(
        (status = 200, description = "Stored as the log entry `seq` (the latest, if it had none)", body = Object, example = json!({"seq": 44})),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Neither its author nor a moderator, a read-only token, or an archived room", body = ErrorBody),
        (status = 404, description = "No such room or message (or it was deleted)", body = ErrorBody),
        (status = 429, description = "Over the user's message allowance", body = ErrorBody),
    ))]
async fn remove_previews(
    State(state): State<AppState>,
    caller: Caller,
    Path((room, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    // Not a message id: no such message (as a JSON error, like every answer).
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found("no such message"))?;
    let entry = previews::prepare_removal(&state, &caller, room, id).await?;
    let seq = done_seq(submit_and_wait(&state, entry).await)?;
    Ok(Json(json!({ "seq": seq })))
}
