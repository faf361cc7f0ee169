//! What the server holds for later, over HTTP: `POST`/`GET /api/scheduled`,
//! `DELETE /api/scheduled/{id}`, `POST`/`GET /api/reminders`, `DELETE
//! /api/reminders/{id}`. The rules are `domain::later`'s.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use protocol::{
    ErrorBody, RemindRequest, Reminder, ReminderList, ScheduleMessage, ScheduledList,
    ScheduledMessage,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{later, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(schedule, scheduled))
        .routes(routes!(cancel_scheduled))
        .routes(routes!(remind, reminders))
        .routes(routes!(dismiss_reminder))
}

/// Schedules a message: sent at `at` in the caller's name (the room's rules
/// checked again then).
#[utoipa::path(post, path = "/api/scheduled", tag = "attention", request_body = ScheduleMessage,
    responses(
        (status = 201, description = "Held until its time", body = ScheduledMessage),
        (status = 400, description = "A time passed or more than a year ahead, a blank body, or 100 waiting already", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The room is not readable, or a read-only token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 413, description = "Longer than a message may be", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<ScheduleMessage>,
) -> Result<(StatusCode, Json<ScheduledMessage>), ApiError> {
    let held = later::schedule(&state, &caller, body(payload)?).await?;
    Ok((StatusCode::CREATED, Json(held)))
}

/// The caller's scheduled messages: waiting, or that could not be sent.
#[utoipa::path(get, path = "/api/scheduled", tag = "attention",
    responses(
        (status = 200, description = "The soonest first", body = ScheduledList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn scheduled(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ScheduledList>, ApiError> {
    Ok(Json(ScheduledList {
        scheduled: later::scheduled(&state, &caller).await?,
    }))
}

/// Cancels a scheduled message (or forgets one that failed).
#[utoipa::path(delete, path = "/api/scheduled/{id}", tag = "attention",
    params(("id" = String, Path, description = "The scheduled message")),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "None of the caller's by that id", body = ErrorBody),
    ))]
async fn cancel_scheduled(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    later::cancel(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a reminder, about a message or with a note; at its time the
/// caller's connections hear `reminder`.
#[utoipa::path(post, path = "/api/reminders", tag = "attention", request_body = RemindRequest,
    responses(
        (status = 201, description = "Held until its time", body = Reminder),
        (status = 400, description = "A time passed or more than a year ahead, a long note, or 100 waiting already", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The room is not readable by the caller", body = ErrorBody),
        (status = 404, description = "No such room or message", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn remind(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<RemindRequest>,
) -> Result<(StatusCode, Json<Reminder>), ApiError> {
    let held = later::remind(&state, &caller, body(payload)?).await?;
    Ok((StatusCode::CREATED, Json(held)))
}

/// The caller's reminders: waiting, and fired ones not dismissed.
#[utoipa::path(get, path = "/api/reminders", tag = "attention",
    responses(
        (status = 200, description = "The soonest first", body = ReminderList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn reminders(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ReminderList>, ApiError> {
    Ok(Json(ReminderList {
        reminders: later::reminders(&state, &caller).await?,
    }))
}

/// Cancels a reminder, or dismisses one that fired.
#[utoipa::path(delete, path = "/api/reminders/{id}", tag = "attention",
    params(("id" = String, Path, description = "The reminder")),
    responses(
        (status = 204, description = "Gone"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "None of the caller's by that id", body = ErrorBody),
    ))]
async fn dismiss_reminder(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    later::cancel(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
