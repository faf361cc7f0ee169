//! Drafts over HTTP: `PUT /api/rooms/{id}/draft` and `GET /api/drafts`. The
//! rules are `domain::drafts`'.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use protocol::{DraftList, DraftRequest, ErrorBody};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{drafts, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(save_draft))
        .routes(routes!(list_drafts))
}

/// Saves the caller's draft in a room or a thread of it (an empty body
/// clears it); their other connections hear `draft`.
#[utoipa::path(put, path = "/api/rooms/{id}/draft", tag = "messages", request_body = DraftRequest,
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 204, description = "Saved (or cleared)"),
        (status = 400, description = "Bad body, or 500 drafts kept already", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The room is not readable by the caller", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 413, description = "Longer than a message may be", body = ErrorBody),
    ))]
async fn save_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    payload: JsonBody<DraftRequest>,
) -> Result<StatusCode, ApiError> {
    drafts::save(&state, &caller, &room, body(payload)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's drafts, the newest first.
#[utoipa::path(get, path = "/api/drafts", tag = "messages",
    responses(
        (status = 200, description = "The drafts", body = DraftList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn list_drafts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<DraftList>, ApiError> {
    let drafts = drafts::list(&state, &caller).await?;
    Ok(Json(DraftList { drafts }))
}
