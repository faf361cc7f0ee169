//! Liveness, readiness and metrics, for load balancers and Prometheus.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::state::AppState;

/// `/metrics` is among them unless it has an address of its own
/// (`--metrics-listen`, [`metrics_router`]).
pub fn routes(state: &AppState) -> Router<AppState> {
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if state.config.metrics_listen.is_some() {
        routes
    } else {
        routes.route("/metrics", get(metrics))
    }
}

/// `/metrics` alone, for its own listener.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// 200 while the process lives.
async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// 200 when the store and the broker answer; 503 (saying which does not) otherwise,
/// and while shutting down.
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

/// Prometheus text format.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
