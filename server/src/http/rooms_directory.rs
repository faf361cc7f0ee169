//! `GET /api/rooms/directory?q=TEXT&limit=N`: the public rooms to browse
//! and join; calls [`crate::domain::rooms::directory`].

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use protocol::{ErrorBody, RoomDirectory};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiError;
use crate::domain::{rooms, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(directory))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DirectoryQuery {
    /// Text the room's name or topic contains, case-blind (empty: every
    /// public room).
    #[param(max_length = 64)]
    q: Option<String>,
    /// At most this many (1-200, default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// Public rooms by name, with how many members each has and whether the
/// caller is one; joining is `POST /api/rooms/{id}/members` (or a `join`).
#[utoipa::path(get, path = "/api/rooms/directory", tag = "rooms", params(DirectoryQuery),
    responses(
        (status = 200, description = "The rooms found", body = RoomDirectory),
        (status = 400, description = "Too long a query, or a bad limit", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn directory(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<DirectoryQuery>, QueryRejection>,
) -> Result<Json<RoomDirectory>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid(e.body_text()))?;
    let q = query.q.unwrap_or_default();
    let rooms = rooms::directory(&state, &caller, &q, query.limit).await?;
    Ok(Json(RoomDirectory { rooms }))
}
