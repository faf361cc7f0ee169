//! Exports over HTTP (docs/PROTOCOL.md, "Records"): `GET /api/admin/export`
//! (admins: everything) and `GET /api/users/me/export` (anyone: their own
//! data), each a zip streamed as it is written. The rules are
//! [`crate::domain::export`]'s.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use protocol::ErrorBody;
use tokio::runtime::Handle;
use tokio_util::io::{ReaderStream, SyncIoBridge};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiError;
use crate::domain::export::{self, Scope};
use crate::domain::Caller;
use crate::state::AppState;

/// Bytes written ahead of what the client has read.
const PIPE: usize = 256 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_instance))
        .routes(routes!(export_mine))
}

/// Everything the instance holds, as a zip (admins): users, rooms,
/// memberships, every room's log and the files. Recorded in the audit log.
#[utoipa::path(get, path = "/api/admin/export", tag = "admin",
    responses(
        (status = 200, description = "The export, streamed", content_type = "application/zip", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
async fn export_instance(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    export::begin(&state, &caller, Scope::Instance).await?;
    Ok(stream(state, Scope::Instance, "confab-export"))
}

/// The caller's own data, as a zip: their account, memberships, the
/// messages they wrote and their files. Recorded in the audit log.
#[utoipa::path(get, path = "/api/users/me/export", tag = "people",
    responses(
        (status = 200, description = "The export, streamed", content_type = "application/zip", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn export_mine(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let scope = Scope::User(caller.user.id);
    export::begin(&state, &caller, scope).await?;
    Ok(stream(
        state,
        scope,
        &format!("confab-{}", caller.user.name),
    ))
}

/// The zip of `scope`, written on a blocking thread into a pipe whose
/// other end is the body. A failure half way cuts the body short (the
/// zip then has no directory, so no reader takes it for whole) and is
/// logged.
fn stream(state: AppState, scope: Scope, name: &str) -> Response {
    let (reader, writer) = tokio::io::duplex(PIPE);
    let handle = Handle::current();
    tokio::task::spawn_blocking(move || {
        let out = SyncIoBridge::new_with_handle(writer, handle.clone());
        let files = state.files.clone();
        if let Err(e) = export::write_zip(state.store.as_ref(), &files, &handle, scope, out) {
            tracing::warn!(error = %e, "an export was cut short");
        }
    });
    let day = time::OffsetDateTime::now_utc().date();
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}-{day}.zip\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(ReaderStream::new(reader)),
    )
        .into_response()
}
