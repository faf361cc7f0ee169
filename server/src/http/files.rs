//! Files over HTTP: `POST /api/rooms/{id}/files?name=NAME` (the body is the
//! file, `Content-Type` its type) → `201` the attachment; `GET
//! /api/files/{id}` and `GET /api/files/{id}/thumbnail` serve it to whoever
//! can read its room. Each calls [`crate::domain::files`].
//!
//! Served files never run in Confab's origin: `nosniff`, a CSP that allows
//! nothing (and sandboxes), and `Content-Disposition: attachment` for all
//! but the images the server recognized itself.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;
use uuid::Uuid;

use protocol::{Attachment, ErrorBody};

use super::error::ApiError;
use crate::domain::files::{self, Upload};
use crate::domain::Caller;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // The upload counts its own bytes against --max-file-bytes.
        .routes(routes!(upload).layer(DefaultBodyLimit::disable()))
        .routes(routes!(download))
        .routes(routes!(thumbnail))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UploadQuery {
    /// The file's name as its message shows it.
    #[serde(default)]
    name: String,
}

/// Uploads a file to a room (members only); a `send` then attaches it by
/// id. The body is the file; `Content-Type` its type.
#[utoipa::path(post, path = "/api/rooms/{id}/files", tag = "files",
    params(("id" = String, Path, description = "The room"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 201, description = "Stored", body = Attachment),
        (status = 400, description = "Empty, or an image type whose bytes are not that image, or the upload stopped", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member, or a read-only token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 413, description = "Over --max-file-bytes or the user's quota, or an image with too many pixels (in all, or for its size)", body = ErrorBody),
        (status = 503, description = "The file store is unavailable, or the image waited too long for its turn to be read", body = ErrorBody),
    ))]
async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    query: Result<Query<UploadQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid(e.body_text()))?;
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let upload = Upload {
        room,
        name: query.name,
        mime: text(header::CONTENT_TYPE).map(str::to_string),
        length: text(header::CONTENT_LENGTH).and_then(|v| v.parse().ok()),
    };
    let attachment = files::upload(&state, &caller, upload, body.into_data_stream()).await?;
    Ok((StatusCode::CREATED, Json(attachment)).into_response())
}

fn file_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::not_found("no such file"))
}

/// The file, to whoever can read its room: images inline, anything else as
/// an attachment, never sniffed.
#[utoipa::path(get, path = "/api/files/{id}", tag = "files",
    params(("id" = Uuid, Path, description = "The file")),
    responses(
        (status = 200, description = "The file's bytes", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Cannot read its room", body = ErrorBody),
        (status = 404, description = "No such file", body = ErrorBody),
    ))]
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = files::readable(&state, &caller, file_id(&id)?).await?;
    let inline = record.thumb_digest.is_some();
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        percent_encode(&record.name)
    );
    serve(
        &state,
        &record.digest,
        &record.mime,
        Some(record.size),
        disposition,
    )
    .await
}

/// A JPEG thumbnail of an image file.
#[utoipa::path(get, path = "/api/files/{id}/thumbnail", tag = "files",
    params(("id" = Uuid, Path, description = "The file")),
    responses(
        (status = 200, description = "A JPEG", content_type = "image/jpeg", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Cannot read its room", body = ErrorBody),
        (status = 404, description = "No such file, or not an image", body = ErrorBody),
    ))]
async fn thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = files::readable(&state, &caller, file_id(&id)?).await?;
    let digest = record
        .thumb_digest
        .ok_or_else(|| ApiError::not_found("this file has no thumbnail"))?;
    serve(&state, &digest, "image/jpeg", None, "inline".into()).await
}

/// Streams the object `digest` with the headers that keep it inert.
async fn serve(
    state: &AppState,
    digest: &str,
    mime: &str,
    size: Option<u64>,
    disposition: String,
) -> Result<Response, ApiError> {
    let stream = match state.files.get(digest).await {
        Ok(Some(stream)) => stream,
        Ok(None) => return Err(ApiError::not_found("this file's content is gone")),
        Err(e) => {
            tracing::warn!(error = %e, "a file could not be read");
            return Err(ApiError::unavailable(
                "the file store is unavailable; retry later",
            ));
        }
    };
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    let value = |s: &str| {
        HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static("application/octet-stream"))
    };
    headers.insert(header::CONTENT_TYPE, value(mime));
    if let Some(size) = size {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    // A file's id names its bytes for good; who may read it is checked on
    // every request that reaches the server.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    Ok(response)
}

/// RFC 5987 encoding of a file name for `filename*`.
fn percent_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_percent_encoded() {
        assert_eq!(super::percent_encode("a b\"c.pdf"), "a%20b%22c.pdf");
        assert_eq!(super::percent_encode("é.txt"), "%C3%A9.txt");
    }
}
