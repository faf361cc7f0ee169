//! Imports from the admin console over HTTP (docs/PROTOCOL.md, "Slack
//! import"): `POST /api/admin/imports/slack` takes the export's bytes and
//! starts the import, `GET /api/admin/imports/{id}` tells how far it is.
//! The rules are [`crate::domain::import`]'s.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::Json;
use protocol::{ErrorBody, ImportJob, ImportMapping, InviteInfo};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::{claims, import, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // The upload is limited by `--max-import-bytes`, not the body limit.
        .routes(routes!(import_slack).layer(DefaultBodyLimit::disable()))
        .routes(routes!(import_job))
        .routes(routes!(mapping))
        .routes(routes!(claim_link))
}

/// A claim link for an account with no password (an imported person's):
/// signing up with it and the account's name sets its password (admins).
/// Lasts a week, for one sign-up. Recorded in the audit log.
#[utoipa::path(post, path = "/api/admin/users/{user}/claim", tag = "admin",
    params(("user" = String, Path, description = "The account's name or id")),
    responses(
        (status = 201, description = "The claim link (`url`, `code`)", body = InviteInfo),
        (status = 400, description = "The account is deactivated", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a read-only token", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The account has a password: nothing to claim", body = ErrorBody),
    ))]
async fn claim_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<(StatusCode, Json<InviteInfo>), ApiError> {
    let invite = claims::claim_link(&state, &caller, &user).await?;
    Ok((StatusCode::CREATED, Json(invite)))
}

/// Imports a Slack workspace export (the zip of Slack's "Export data", as
/// the body) in the background (admins). Recorded in the audit log.
#[utoipa::path(post, path = "/api/admin/imports/slack", tag = "admin",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The export zip's bytes"),
    responses(
        (status = 202, description = "Received; the import runs", body = ImportJob),
        (status = 400, description = "Nothing sent, or the upload stopped", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or a read-only token", body = ErrorBody),
        (status = 413, description = "Over --max-import-bytes", body = ErrorBody),
        (status = 503, description = "The upload could not be kept", body = ErrorBody),
    ))]
async fn import_slack(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<(StatusCode, Json<ImportJob>), ApiError> {
    let job = import::start_slack(&state, &caller, body.into_data_stream()).await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// What the people and conversations of an import source (`slack`,
/// `confab`) became here: each person's account and whether it is claimed,
/// each conversation's room (admins).
#[utoipa::path(get, path = "/api/admin/imports/{source}/mapping", tag = "admin",
    params(("source" = String, Path, description = "`slack` or `confab`")),
    responses(
        (status = 200, description = "The mapping", body = ImportMapping),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
    ))]
async fn mapping(
    State(state): State<AppState>,
    caller: Caller,
    Path(source): Path<String>,
) -> Result<Json<ImportMapping>, ApiError> {
    Ok(Json(import::mapping(&state, &caller, &source).await?))
}

/// How far an import is, and what it did once done (admins).
#[utoipa::path(get, path = "/api/admin/imports/{id}", tag = "admin",
    params(("id" = String, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The import", body = ImportJob),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such import", body = ErrorBody),
    ))]
async fn import_job(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ImportJob>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found("no such import"))?;
    Ok(Json(import::job(&state, &caller, id).await?))
}
