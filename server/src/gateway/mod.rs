//! The WebSocket gateway at `/ws`.
//!
//! The upgrade is where a connection is authenticated: a bad Origin gets 403, a
//! missing or invalid token 401, and a user already holding the most connections
//! allowed 429, before any WebSocket exists. After it, each connection is one task
//! ([`connection`]) with a bounded outbound queue.

mod connection;
#[cfg(feature = "fuzzing")]
mod detached;
mod dispatch;

#[cfg(feature = "fuzzing")]
pub use detached::{exercise, exercise_config, DetachedConnection};

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::domain::credentials;
use crate::http::error::ApiError;
use crate::http::origin::origin_allowed;
use crate::limits::ConnectionSlot;
use crate::state::AppState;

/// Bytes a connection reads from its socket at once. Client frames are small;
/// a bigger frame grows the buffer as it needs. The WebSocket codec zeroes
/// this much before every read, and an idle connection keeps it: 128 KiB by
/// default, which cost a quarter of the CPU of a busy server and most of an
/// idle connection's memory.
const READ_BUFFER: usize = 2048;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upgrade))
}

/// The WebSocket: `Upgrade: websocket`, then one JSON object per text frame
/// (`/api/protocol.schema.json`, docs/PROTOCOL.md). A read-only token's
/// socket may join, read and receive; what would write answers `forbidden`.
#[utoipa::path(get, path = "/ws", tag = "socket",
    responses(
        (status = 101, description = "Switching protocols: the socket is open"),
        (status = 400, description = "Not a WebSocket upgrade", body = protocol::ErrorBody),
        (status = 401, description = "Not signed in, or the token is expired or revoked", body = protocol::ErrorBody),
        (status = 403, description = "Origin not allowed", body = protocol::ErrorBody),
        (status = 429, description = "The user holds the most connections allowed", body = protocol::ErrorBody),
        (status = 503, description = "Shutting down", body = protocol::ErrorBody),
    ))]
async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if !origin_allowed(&headers, &uri, &state.config) {
        return ApiError::forbidden("origin not allowed").into_response();
    }
    let claims = match credentials::authenticate(&state, Auth::token_from_headers(&headers)).await {
        Ok(claims) => claims,
        Err(refused) => return ApiError::from(refused).into_response(),
    };
    if state.shutdown.is_cancelled() {
        return ApiError::unavailable("shutting down").into_response();
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => {
            return ApiError::new(rejection.status(), "invalid", rejection.body_text())
                .into_response()
        }
    };
    let Some(slot) = ConnectionSlot::take(&state.user_limits, claims.sub).await else {
        let max = state.config.max_conns_per_user;
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("this account has {max} connections open, the most allowed; close one"),
        )
        .into_response();
    };
    // Frames up to the configured limit are read and checked by the connection
    // (clean close 1009); far larger ones are refused by the WebSocket codec itself.
    let codec_limit = (state.config.max_frame_bytes * 4).max(1 << 20);
    let tracker = state.connections.clone();
    ws.read_buffer_size(READ_BUFFER)
        .max_message_size(codec_limit)
        .max_frame_size(codec_limit)
        .on_upgrade(move |socket| {
            tracker.track_future(connection::run(socket, state, claims, slot))
        })
}
