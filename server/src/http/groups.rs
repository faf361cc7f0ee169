//! User groups over HTTP: `GET`/`POST /api/groups`, `PATCH`/`DELETE
//! /api/groups/{id}`. The rules are `domain::groups`'.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use protocol::{CreateGroup, ErrorBody, GroupList, GroupUpdate, UserGroup};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{groups, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(update_group, delete_group))
}

/// Every user group, sorted by name, with its members.
#[utoipa::path(get, path = "/api/groups", tag = "attention",
    responses(
        (status = 200, description = "The groups", body = GroupList),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn list_groups(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<GroupList>, ApiError> {
    Ok(Json(GroupList {
        groups: groups::list(&state).await?,
    }))
}

/// Makes a group: `@name` then mentions its members who can read the room.
#[utoipa::path(post, path = "/api/groups", tag = "attention", request_body = CreateGroup,
    responses(
        (status = 201, description = "Made", body = UserGroup),
        (status = 400, description = "A bad name or description, an unknown member, too many members or groups", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A read-only or one-room token", body = ErrorBody),
        (status = 409, description = "The name is a user's or a group's", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn create_group(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<CreateGroup>,
) -> Result<(StatusCode, Json<UserGroup>), ApiError> {
    let group = groups::create(&state, &caller, body(payload)?).await?;
    Ok((StatusCode::CREATED, Json(group)))
}

/// Changes a group (its maker or an admin): what is given changes.
#[utoipa::path(patch, path = "/api/groups/{id}", tag = "attention", request_body = GroupUpdate,
    params(("id" = String, Path, description = "The group's id")),
    responses(
        (status = 200, description = "Changed", body = UserGroup),
        (status = 400, description = "A bad name or description, an unknown member, too many members", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Neither its maker nor an admin", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "The name is a user's or a group's", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn update_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    payload: JsonBody<GroupUpdate>,
) -> Result<Json<UserGroup>, ApiError> {
    let group = groups::update(&state, &caller, &id, body(payload)?).await?;
    Ok(Json(group))
}

/// Deletes a group (its maker or an admin).
#[utoipa::path(delete, path = "/api/groups/{id}", tag = "attention",
    params(("id" = String, Path, description = "The group's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Neither its maker nor an admin", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
    ))]
async fn delete_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    groups::delete(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
