//! People over HTTP: `GET`/`PATCH /api/users/me`, `PUT`/`DELETE
//! /api/users/me/avatar`, `GET /api/users` (the directory, or profiles by
//! id), `GET /api/users/{user}`, `GET /api/avatars/{digest}`. The rules are
//! [`crate::domain::people`]'s.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::{AvatarSet, ErrorBody, Profile, ProfileUpdate, UserList};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::{people, Caller};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me, update_me))
        // The upload counts its own bytes against --max-file-bytes.
        .routes(routes!(set_avatar, clear_avatar).layer(DefaultBodyLimit::disable()))
        .routes(routes!(directory))
        .routes(routes!(user))
        .routes(routes!(avatar))
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/users/me", tag = "people",
    responses(
        (status = 200, description = "The caller's profile", body = Profile),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Profile>, ApiError> {
    Ok(Json(
        people::profile(&state, &caller.user.id.to_string()).await?,
    ))
}

/// Changes the caller's profile: absent fields stay, `null` or `""` clears
/// one. Everyone signed in hears `user_updated`.
#[utoipa::path(patch, path = "/api/users/me", tag = "people", request_body = ProfileUpdate,
    responses(
        (status = 200, description = "The profile as it is now", body = Profile),
        (status = 400, description = "A field breaks its rule (length, time zone, emoji, an until in the past)", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A read-only or one-room token", body = ErrorBody),
    ))]
async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<serde_json::Value>,
) -> Result<Json<Profile>, ApiError> {
    // Every field is optional, and serde reads such a struct from an array
    // too: the body must be an object.
    let value = body(payload)?;
    let unprocessable =
        |why: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", why);
    if !value.is_object() {
        return Err(unprocessable("the body is a JSON object".into()));
    }
    let update: ProfileUpdate =
        serde_json::from_value(value).map_err(|e| unprocessable(e.to_string()))?;
    Ok(Json(people::update(&state, &caller, update).await?))
}

/// Sets the caller's avatar: the body is an image (PNG, JPEG, GIF or
/// WebP), decoded, cropped square and re-encoded as two JPEG thumbnails.
#[utoipa::path(put, path = "/api/users/me/avatar", tag = "people",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The image's bytes"),
    responses(
        (status = 200, description = "Set", body = AvatarSet),
        (status = 400, description = "Not an image, damaged, or the upload stopped", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A read-only or one-room token", body = ErrorBody),
        (status = 413, description = "Over --max-file-bytes, or too many pixels (in all, or for its size)", body = ErrorBody),
        (status = 503, description = "The image waited too long for its turn to be read", body = ErrorBody),
    ))]
async fn set_avatar(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<AvatarSet>, ApiError> {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let profile = people::set_avatar(&state, &caller, length, body.into_data_stream()).await?;
    let (Some(avatar_url), Some(avatar_small_url)) = (profile.avatar_url, profile.avatar_small_url)
    else {
        return Err(ApiError::unavailable("the avatar was not kept; retry"));
    };
    Ok(Json(AvatarSet {
        avatar_url,
        avatar_small_url,
    }))
}

/// Removes the caller's avatar.
#[utoipa::path(delete, path = "/api/users/me/avatar", tag = "people",
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A read-only or one-room token", body = ErrorBody),
    ))]
async fn clear_avatar(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    people::clear_avatar(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DirectoryQuery {
    /// The start of a username or display name, case-blind (empty: everyone,
    /// by username).
    #[param(max_length = 64)]
    q: Option<String>,
    /// At most this many (1-100, default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// Deactivated people too.
    deactivated: Option<bool>,
    /// Instead of a search: these users' profiles (ids, comma-separated, at
    /// most 100).
    #[param(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(,[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}){0,99}$"
    )]
    ids: Option<String>,
}

/// The directory: people whose username or display name starts with `q`,
/// by username; or, with `ids`, those users' profiles.
#[utoipa::path(get, path = "/api/users", tag = "people", params(DirectoryQuery),
    responses(
        (status = 200, description = "The people found", body = UserList),
        (status = 400, description = "Too long a query, a bad limit or a bad id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn directory(
    State(state): State<AppState>,
    _caller: Caller,
    query: Result<Query<DirectoryQuery>, QueryRejection>,
) -> Result<Json<UserList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid(e.body_text()))?;
    let users = match query.ids {
        Some(ids) => {
            let ids = ids
                .split(',')
                .map(Uuid::parse_str)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| ApiError::invalid("ids are user ids, comma-separated"))?;
            people::profiles(&state, &ids).await?
        }
        None => {
            let q = query.q.unwrap_or_default();
            let deactivated = query.deactivated.unwrap_or(false);
            people::find(&state, &q, query.limit, deactivated).await?
        }
    };
    Ok(Json(UserList { users }))
}

/// Someone's profile.
#[utoipa::path(get, path = "/api/users/{user}", tag = "people",
    params(("user" = String, Path, description = "The user's id or username")),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
async fn user(
    State(state): State<AppState>,
    _caller: Caller,
    Path(user): Path<String>,
) -> Result<Json<Profile>, ApiError> {
    Ok(Json(people::profile(&state, &user).await?))
}

/// An avatar thumbnail (JPEG). Its URL names its bytes, so it is cached for
/// good; a client that asks again with `If-None-Match` gets `304`.
#[utoipa::path(get, path = "/api/avatars/{digest}", tag = "people",
    params(("digest" = String, Path, description = "The thumbnail's SHA-256, from a profile's avatar URL")),
    responses(
        (status = 200, description = "A JPEG", content_type = "image/jpeg", body = Vec<u8>),
        (status = 304, description = "The copy the client has is current"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such avatar", body = ErrorBody),
    ))]
async fn avatar(
    State(state): State<AppState>,
    _caller: Caller,
    Path(digest): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let etag = format!("\"{digest}\"");
    let cached = |mut response: Response| {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, value);
        }
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=31536000, immutable"),
        );
        response
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    if matches {
        // The digest names the bytes: the client's copy is these bytes.
        return Ok(cached(StatusCode::NOT_MODIFIED.into_response()));
    }
    let bytes = people::avatar(&state, &digest).await?;
    let mut response = bytes.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(cached(response))
}
