//! `GET /api/search?q=TEXT&room=ID&before=MESSAGE&limit=N`: calls
//! [`crate::domain::search`] and answers `{"results":[...]}`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use protocol::{ErrorBody, SearchResults};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::search;
use crate::domain::Caller;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(find))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Words, all of which must occur (whole words, case-blind).
    #[param(min_length = 1, max_length = 200)]
    q: String,
    /// Only this room.
    room: Option<String>,
    /// The next page: messages older than this one (the last result's id).
    before: Option<Uuid>,
    /// At most this many results (1-100, default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Messages matching every word, newest first, from rooms the caller can
/// read now.
#[utoipa::path(get, path = "/api/search", tag = "search", params(SearchQuery),
    responses(
        (status = 200, description = "Matches, newest first", body = SearchResults),
        (status = 400, description = "No words, too many, or too long", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed in that room", body = ErrorBody),
        (status = 404, description = "No such room (the room filter)", body = ErrorBody),
    ))]
async fn find(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid(e.body_text()))?;
    let request = search::Request {
        text: query.q,
        room: query.room.filter(|room| !room.is_empty()),
        before: query.before,
        limit: query.limit,
    };
    let results = search::search(&state, &caller, request).await?;
    Ok(Json(SearchResults { results }))
}
