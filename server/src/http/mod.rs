//! The HTTP side: the JSON API, health and metrics, and the router that joins
//! them with the WebSocket gateway and the server-rendered UI.

mod accounts;
mod admin;
pub mod api;
mod api_answers;
mod api_docs;
mod drafts;
mod email;
pub mod error;
mod export;
mod files;
mod followed;
mod groups;
mod health;
mod imports;
mod later;
mod notifications;
mod oidc;
mod people;
mod pins;
mod previews;
mod push;

pub use health::metrics_router;
pub mod origin;
mod read_state;
mod retention;
mod room_admin;
mod rooms_directory;
mod search;
pub mod session;
mod tokens;
mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

/// For responses that set no policy of their own (the page sets a stricter one
/// with its nonce): nothing may frame, script or embed them.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

use crate::state::AppState;

/// Every route of the API, the socket and operations, each registered with
/// its OpenAPI description (`api_docs`): the JSON API under `/api`, `/ws`,
/// `/healthz`, `/readyz`, and `/metrics` unless it has its own address.
pub fn api_routes(with_metrics: bool) -> OpenApiRouter<AppState> {
    use utoipa::OpenApi;
    OpenApiRouter::with_openapi(api_docs::ApiDoc::openapi())
        .merge(accounts::routes())
        .merge(oidc::routes())
        .merge(api::routes())
        .merge(search::routes())
        .merge(files::routes())
        .merge(people::routes())
        .merge(pins::routes())
        .merge(previews::routes())
        .merge(drafts::routes())
        .merge(groups::routes())
        .merge(notifications::routes())
        .merge(followed::routes())
        .merge(later::routes())
        .merge(push::routes())
        .merge(email::routes())
        .merge(export::routes())
        .merge(imports::routes())
        .merge(retention::routes())
        .merge(rooms_directory::routes())
        .merge(room_admin::routes())
        .merge(admin::routes())
        .merge(tokens::routes())
        .merge(webhooks::routes())
        .merge(api_docs::routes())
        .merge(health::routes(with_metrics))
        .merge(crate::gateway::routes())
}

/// Every route the server answers: the documented ones ([`api_routes`]) and
/// the UI's pages.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_http_body;
    let (documented, _) = api_routes(state.config.metrics_listen.is_none()).split_for_parts();
    documented
        .merge(crate::ui::routes(&state))
        .layer(DefaultBodyLimit::max(max_body))
        // A body trickled in slower than this is cut off (408).
        .layer(RequestBodyTimeoutLayer::new(
            state.config.http_body_timeout(),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                // The path only (query strings could carry anything), and
                // never a webhook's secret.
                let path = logged_path(request.uri().path());
                tracing::info_span!("http", method = %request.method(), path = %path)
            }),
        )
        .with_state(state)
}

/// A request's path as logs show it: a webhook's URL is its secret, so it
/// is logged without it.
fn logged_path(path: &str) -> &str {
    if path.starts_with("/api/hooks/") {
        "/api/hooks/{secret}"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn webhook_secrets_stay_out_of_the_logs() {
        assert_eq!(
            super::logged_path("/api/hooks/cfh_0123abcd"),
            "/api/hooks/{secret}"
        );
        assert_eq!(super::logged_path("/api/rooms"), "/api/rooms");
    }
}
