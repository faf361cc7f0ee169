//! Retention and legal holds over HTTP (docs/PROTOCOL.md, "Retention"):
//! `GET /api/admin/retention`, `GET /api/admin/holds`, and `PUT`/`DELETE
//! /api/admin/holds/{kind}/{target}`. A room's own period is set with
//! `PATCH /api/rooms/{id}` (`room_admin`). The rules are
//! [`crate::domain::retention`]'s.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use protocol::{ErrorBody, HoldKind, HoldList, PlaceHold, RetentionSettings};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{retention, Caller, DomainError};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(settings))
        .routes(routes!(holds))
        .routes(routes!(place_hold, release_hold))
}

/// The instance's retention period and every room with its own, a cut log
/// or a hold (admins).
#[utoipa::path(get, path = "/api/admin/retention", tag = "admin",
    responses(
        (status = 200, description = "The periods", body = RetentionSettings),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RetentionSettings>, ApiError> {
    Ok(Json(retention::settings(&state, &caller).await?))
}

/// Every legal hold, the newest first (admins).
#[utoipa::path(get, path = "/api/admin/holds", tag = "admin",
    responses(
        (status = 200, description = "The holds", body = HoldList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn holds(State(state): State<AppState>, caller: Caller) -> Result<Json<HoldList>, ApiError> {
    let holds = retention::holds(&state, &caller).await?;
    Ok(Json(HoldList { holds }))
}

fn kind_of(text: &str) -> Result<HoldKind, ApiError> {
    HoldKind::parse(text)
        .ok_or_else(|| DomainError::Invalid("a hold is on a \"room\" or a \"user\"".into()).into())
}

/// Places a legal hold on a room or a user (admins): nothing of it is
/// deleted while it lasts; what is deleted anyway (by its author, a
/// moderator or retention) keeps its original for exports. Audited.
#[utoipa::path(put, path = "/api/admin/holds/{kind}/{target}", tag = "admin",
    request_body = PlaceHold,
    params(
        ("kind" = HoldKind, Path, description = "`room` or `user`"),
        ("target" = String, Path, description = "The room's id, or the user's name or id"),
    ),
    responses(
        (status = 201, description = "Placed"),
        (status = 200, description = "Held already (its reason stays)"),
        (status = 400, description = "Not a kind of hold, or no reason", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a read-only token", body = ErrorBody),
        (status = 404, description = "No such room or user", body = ErrorBody),
    ))]
async fn place_hold(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, target)): Path<(String, String)>,
    payload: JsonBody<PlaceHold>,
) -> Result<StatusCode, ApiError> {
    let kind = kind_of(&kind)?;
    let request = body(payload)?;
    let placed = retention::place_hold(&state, &caller, kind, &target, &request.reason).await?;
    Ok(if placed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    })
}

/// Releases a legal hold (admins): the originals it alone kept go. Audited.
#[utoipa::path(delete, path = "/api/admin/holds/{kind}/{target}", tag = "admin",
    params(
        ("kind" = HoldKind, Path, description = "`room` or `user`"),
        ("target" = String, Path, description = "The room's id, or the user's name or id"),
    ),
    responses(
        (status = 204, description = "Released"),
        (status = 400, description = "Not a kind of hold", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a read-only token", body = ErrorBody),
        (status = 404, description = "No such room, user or hold", body = ErrorBody),
    ))]
async fn release_hold(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, target)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let kind = kind_of(&kind)?;
    retention::release_hold(&state, &caller, kind, &target).await?;
    Ok(StatusCode::NO_CONTENT)
}
