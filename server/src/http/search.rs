//! `GET /api/search?q=TEXT&room=ID&before=MESSAGE&limit=N`: calls
//! [`crate::domain::search`] and answers `{"results":[...]}`.

use app::protocol::SearchResults;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

use super::api::caller;
use super::error::ApiError;
use super::session::AuthUser;
use crate::domain::search;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/search", get(find))
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    room: Option<String>,
    before: Option<Uuid>,
    limit: Option<u32>,
}

async fn find(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid(e.body_text()))?;
    let request = search::Request {
        text: query.q,
        room: query.room.filter(|room| !room.is_empty()),
        before: query.before,
        limit: query.limit,
    };
    let results = search::search(&state, &caller(&claims), request).await?;
    Ok(Json(SearchResults { results }))
}
