//! Followed threads and saved messages over HTTP: `PUT
//! /api/rooms/{id}/threads/{root}/follow`, `PUT
//! /api/rooms/{id}/threads/{root}/read`, `GET /api/threads`, `PUT`/`DELETE
//! /api/saved/{message}`, `GET /api/saved`. The rules are
//! `domain::followed`'s.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use protocol::{ErrorBody, FollowRequest, SavedList, ThreadList, ThreadReadRequest, ThreadState};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{followed, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(follow))
        .routes(routes!(read_thread))
        .routes(routes!(threads))
        .routes(routes!(save, unsave))
        .routes(routes!(saved))
}

/// Follows (`on`) or unfollows a thread; the caller's other connections
/// hear `thread`.
#[utoipa::path(put, path = "/api/rooms/{id}/threads/{root}/follow", tag = "attention",
    request_body = FollowRequest,
    params(("id" = String, Path, description = "The room"), ("root" = String, Path, description = "The thread's root message")),
    responses(
        (status = 200, description = "Set", body = ThreadState),
        (status = 400, description = "Bad body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The room is not readable by the caller", body = ErrorBody),
        (status = 404, description = "No such room or thread", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn follow(
    State(state): State<AppState>,
    caller: Caller,
    Path((room, root)): Path<(String, String)>,
    payload: JsonBody<FollowRequest>,
) -> Result<Json<ThreadState>, ApiError> {
    let on = body(payload)?.on;
    Ok(Json(
        followed::set_following(&state, &caller, &room, &root, on).await?,
    ))
}

/// The caller read a followed thread's replies up to `seq` (a Confab
/// addition).
#[utoipa::path(put, path = "/api/rooms/{id}/threads/{root}/read", tag = "attention",
    request_body = ThreadReadRequest,
    params(("id" = String, Path, description = "The room"), ("root" = String, Path, description = "The thread's root message")),
    responses(
        (status = 200, description = "Their place in it now", body = ThreadState),
        (status = 400, description = "Bad body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The room is not readable by the caller", body = ErrorBody),
        (status = 404, description = "No such room or thread, or not followed", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn read_thread(
    State(state): State<AppState>,
    caller: Caller,
    Path((room, root)): Path<(String, String)>,
    payload: JsonBody<ThreadReadRequest>,
) -> Result<Json<ThreadState>, ApiError> {
    let seq = body(payload)?.seq;
    Ok(Json(
        followed::read(&state, &caller, &room, &root, seq).await?,
    ))
}

/// The threads the caller follows, newest activity first, with unread replies.
#[utoipa::path(get, path = "/api/threads", tag = "attention",
    responses(
        (status = 200, description = "The followed threads (at most 100)", body = ThreadList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn threads(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ThreadList>, ApiError> {
    Ok(Json(ThreadList {
        threads: followed::threads(&state, &caller).await?,
    }))
}

/// Saves a message the caller can read, for later.
#[utoipa::path(put, path = "/api/saved/{message}", tag = "attention",
    params(("message" = String, Path, description = "The message")),
    responses(
        (status = 204, description = "Saved"),
        (status = 400, description = "1000 messages saved already", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Its room is not readable by the caller", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody),
    ))]
async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path(message): Path<String>,
) -> Result<StatusCode, ApiError> {
    followed::set_saved(&state, &caller, &message, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unsaves a message.
#[utoipa::path(delete, path = "/api/saved/{message}", tag = "attention",
    params(("message" = String, Path, description = "The message")),
    responses(
        (status = 204, description = "Not saved (any more)"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Not a message id", body = ErrorBody),
    ))]
async fn unsave(
    State(state): State<AppState>,
    caller: Caller,
    Path(message): Path<String>,
) -> Result<StatusCode, ApiError> {
    followed::set_saved(&state, &caller, &message, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's saved messages, the most recently saved first.
#[utoipa::path(get, path = "/api/saved", tag = "attention",
    responses(
        (status = 200, description = "The saved messages", body = SavedList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn saved(State(state): State<AppState>, caller: Caller) -> Result<Json<SavedList>, ApiError> {
    Ok(Json(SavedList {
        saved: followed::saved(&state, &caller).await?,
    }))
}
