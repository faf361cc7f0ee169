//! Liveness, readiness and metrics, for load balancers and Prometheus.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// `/metrics` is among them unless it has an address of its own
/// (`--metrics-listen`, [`metrics_router`]).
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
        .route("/metrics", get(metrics))
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

/// Prometheus text format (on its own address with `--metrics-listen`).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String)))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
