//! The HTTP side: the JSON API, health and metrics, and the router that joins
//! them with the WebSocket gateway and the server-rendered UI.

pub mod api;
pub mod error;
mod health;
pub mod origin;
pub mod session;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Every route the server answers.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_http_body;
    Router::new()
        .merge(api::routes())
        .merge(health::routes())
        .merge(crate::gateway::routes())
        .merge(crate::ui::routes(&state))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                // The path only: query strings could carry anything.
                tracing::info_span!("http", method = %request.method(), path = %request.uri().path())
            }),
        )
        .with_state(state)
}
