//! The server-rendered UI: Leptos renders the page, the browser hydrates it with
//! the wasm bundle served from the site root.

use app::{shell, App};
use axum::routing::get;
use axum::{middleware, Router};
use leptos::config::LeptosOptions;
use leptos_axum::{file_and_error_handler, generate_route_list, LeptosRoutes};

use crate::release::{Release, WORKER_PATH};
use crate::state::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    let routes = generate_route_list(App);
    let options = state.leptos.clone();
    let release = Release::new(
        state.config.site_root.clone(),
        state.leptos.output_name.to_string(),
    );
    let worker = release.clone();
    Router::new()
        .leptos_routes(state, routes, move || shell(options.clone()))
        .route(WORKER_PATH, get(move || worker.clone().worker()))
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(move |request, next| {
            release.clone().stamp(request, next)
        }))
}

/// The Leptos options for this server: where the built site lives, and its name.
pub fn leptos_options(config: &crate::config::Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("confab"))
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .build()
}
