//! Liveness, readiness and metrics, for load balancers and Prometheus.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// `/metrics` is among them (for this machine only) unless it has an
/// address of its own (`--metrics-listen`, [`metrics_router`]).
pub fn routes(with_metrics: bool) -> OpenApiRouter<AppState> {
    let routes = OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz));
    if with_metrics {
        routes.routes(routes!(metrics))
    } else {
        routes
    }
}

/// `/metrics` alone, for its own listener.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(own_metrics))
        .with_state(state)
}

/// 200 while the process lives.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = Object, example = json!({"status": "ok"}))))]
async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// 200 when the store and the broker answer; 503 (saying which does not) otherwise,
/// and while shutting down.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Object,
            example = json!({"ready": true, "store": true, "broker": true, "draining": false})),
        (status = 503, description = "Not ready: which part does not answer", body = Object,
            example = json!({"ready": false, "store": true, "broker": false, "draining": false})),
    ))]
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let store = state.store.ping().await.is_ok();
    let broker = state.broker.ready().await;
    let draining = state.shutdown.is_cancelled();
    let ok = store && broker && !draining;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({"ready": ok, "store": store, "broker": broker, "draining": draining})),
    )
}

/// Prometheus text format. With `--metrics-listen`, on that address only;
/// without it, beside the app but to this machine only: a request from a
/// loopback address that no proxy forwarded (a proxy on the same machine
/// adds `X-Forwarded-For` or `Forwarded`). Anyone else gets `404`, as if
/// there were no such path: counts of connections, rooms and errors are
/// nobody's business outside.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String),
        (status = 404, description = "Asked from another machine, or through a proxy"),
    ))]
async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    if state.config.metrics_listen.is_none() && !from_this_machine(&headers, &extensions) {
        return StatusCode::NOT_FOUND.into_response();
    }
    metrics_text(&state).into_response()
}

/// Whether a request came straight from a loopback address.
fn from_this_machine(headers: &HeaderMap, extensions: &Extensions) -> bool {
    let forwarded = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name));
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    !forwarded && peer.is_some_and(|ip| ip.is_loopback())
}

/// `/metrics` on its own listener: whoever reaches that address.
async fn own_metrics(State(state): State<AppState>) -> impl IntoResponse {
    metrics_text(&state)
}

fn metrics_text(state: &AppState) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
