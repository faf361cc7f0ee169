//! Web Push over HTTP: `GET /api/push/key`, `POST`/`GET`/`DELETE
//! /api/push/subscriptions`. The rules are `domain::push`'s.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use protocol::{ErrorBody, PushDevices, PushEndpoint, PushKey, PushSubscribe};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{push, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(key))
        .routes(routes!(subscribe, devices, unsubscribe))
}

/// The server's VAPID public key (RFC 8292): a page's
/// `applicationServerKey`. The same on every instance.
#[utoipa::path(get, path = "/api/push/key", tag = "beyond the tab",
    responses(
        (status = 200, description = "The uncompressed P-256 point, base64url", body = PushKey),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "Pushes are off on this server", body = ErrorBody),
        (status = 503, description = "The key is not loaded yet", body = ErrorBody),
    ))]
async fn key(State(state): State<AppState>, _caller: Caller) -> Result<Json<PushKey>, ApiError> {
    Ok(Json(push::key(&state)?))
}

/// Subscribes this browser to pushes: the body is its
/// `PushSubscription.toJSON()`. A browser another account subscribed moves
/// to the caller; past 20 browsers the caller's oldest is dropped.
#[utoipa::path(post, path = "/api/push/subscriptions", tag = "beyond the tab",
    request_body = PushSubscribe,
    responses(
        (status = 201, description = "Subscribed"),
        (status = 400, description = "Not an https endpoint at a public host, or keys that are no P-256 key and 16-byte secret", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A read-only token", body = ErrorBody),
        (status = 404, description = "Pushes are off on this server", body = ErrorBody),
        (status = 413, description = "An endpoint over 2,048 bytes", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn subscribe(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    payload: JsonBody<PushSubscribe>,
) -> Result<StatusCode, ApiError> {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    push::subscribe(&state, &caller, body(payload)?, agent).await?;
    Ok(StatusCode::CREATED)
}

/// The caller's subscribed browsers, this one and their other devices.
#[utoipa::path(get, path = "/api/push/subscriptions", tag = "beyond the tab",
    responses(
        (status = 200, description = "The newest first", body = PushDevices),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn devices(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PushDevices>, ApiError> {
    Ok(Json(push::devices(&state, &caller).await?))
}

/// Unsubscribes one of the caller's browsers, named by its endpoint.
#[utoipa::path(delete, path = "/api/push/subscriptions", tag = "beyond the tab",
    request_body = PushEndpoint,
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A read-only token", body = ErrorBody),
        (status = 404, description = "No subscription of the caller's has that endpoint", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind", body = ErrorBody),
    ))]
async fn unsubscribe(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<PushEndpoint>,
) -> Result<StatusCode, ApiError> {
    push::unsubscribe(&state, &caller, &body(payload)?.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}
