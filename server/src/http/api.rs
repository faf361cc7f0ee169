//! The JSON API under `/api`: rooms, members, direct messages, the room log
//! and threads. (Accounts are in [`super::accounts`].) Each handler parses the
//! request, calls its operation in [`crate::domain`] and answers.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use protocol::{
    AddMember, CreateRoom, DirectRequest, MeResponse, Message, MessagesPage, PostMessage, RoomInfo,
    Seq, ThreadPage,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::error::{from_json_rejection, ApiError};
use crate::domain::{history, members, rooms, send, thread, Caller};
use crate::state::AppState;
use protocol::ErrorBody;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rooms, create_room))
        .routes(routes!(direct_room))
        .routes(routes!(add_member, super::read_state::members))
        .routes(routes!(super::read_state::read))
        .routes(routes!(super::read_state::topic))
        .routes(routes!(super::read_state::mute))
        .routes(routes!(remove_member, super::room_admin::set_role))
        .routes(routes!(messages, post_message))
        .routes(routes!(thread_page))
}

pub(super) type JsonBody<T> = Result<Json<T>, JsonRejection>;

pub(super) fn body<T>(payload: JsonBody<T>) -> Result<T, ApiError> {
    payload.map(|Json(t)| t).map_err(from_json_rejection)
}

/// The rooms the caller belongs to, with their read state (public rooms to
/// join are in `GET /api/rooms/directory`).
#[utoipa::path(get, path = "/api/rooms", tag = "rooms",
    responses(
        (status = 200, description = "The caller's rooms", body = Vec<RoomInfo>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
async fn list_rooms(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<RoomInfo>>, ApiError> {
    Ok(Json(rooms::list(&state, &caller).await?))
}

/// `POST /api/dms {"user"}` or `{"users":[...]}`: the direct room with that
/// user, or with those 2-8 users (names or ids), opened on first use.
#[utoipa::path(post, path = "/api/dms", tag = "rooms", request_body = DirectRequest,
    responses(
        (status = 200, description = "The direct room", body = RoomInfo),
        (status = 400, description = "Bad request: no users, too many, or yourself", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The token's scope does not allow it", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
async fn direct_room(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<DirectRequest>,
) -> Result<Json<RoomInfo>, ApiError> {
    let request = body(payload)?;
    let mut others = request.users;
    others.extend(request.user);
    Ok(Json(rooms::direct(&state, &caller, &others).await?))
}

/// Creates a public or private room; the caller is its owner.
#[utoipa::path(post, path = "/api/rooms", tag = "rooms", request_body = CreateRoom,
    responses(
        (status = 201, description = "Created", body = RoomInfo),
        (status = 400, description = "Invalid name or kind", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The token's scope does not allow it", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 429, description = "Owns too many rooms", body = ErrorBody),
    ))]
async fn create_room(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<CreateRoom>,
) -> Result<(StatusCode, Json<RoomInfo>), ApiError> {
    let request = body(payload)?;
    let room = rooms::create(&state, &caller, &request.name, request.kind).await?;
    Ok((StatusCode::CREATED, Json(room)))
}

/// Adds a member (by name or id): oneself to a public room (joining), anyone
/// else as the room's owner or an admin.
#[utoipa::path(post, path = "/api/rooms/{id}/members", tag = "rooms", request_body = AddMember,
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 201, description = "Added", body = MeResponse),
        (status = 200, description = "Already a member", body = MeResponse),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Adding someone else without managing the room (its owner or an admin), or a direct room", body = ErrorBody),
        (status = 404, description = "No such room or user", body = ErrorBody),
    ))]
async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    payload: JsonBody<AddMember>,
) -> Result<(StatusCode, Json<MeResponse>), ApiError> {
    let request = body(payload)?;
    let (user, added) = members::add(&state, &caller, &room, &request.user).await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(MeResponse { user })))
}

/// Removes a member: oneself (leaving), or anyone as a private room's owner.
/// Their sockets leave the room at once.
#[utoipa::path(delete, path = "/api/rooms/{id}/members/{user}", tag = "rooms",
    params(("id" = String, Path, description = "The room"), ("user" = String, Path, description = "A name or id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed in this room", body = ErrorBody),
        (status = 404, description = "No such room, user or membership", body = ErrorBody),
    ))]
async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((room, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    members::remove(&state, &caller, &room, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which page of a room's log: one of `before`, `after` and `around` (none:
/// the newest), and at most `limit` entries (1-200, default 50).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// The newest entries before this `seq`.
    before: Option<Seq>,
    /// The oldest entries after this `seq`.
    after: Option<Seq>,
    /// The entries around this `seq`, itself included.
    around: Option<Seq>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// Which page of a thread's replies: the newest before `before` (none: the
/// newest of all), at most `limit` (1-200, default 50). Nothing else is taken.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ThreadQuery {
    /// The newest replies before this `seq`.
    before: Option<Seq>,
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A query string as `T`, or the contract's error (`400`).
fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query
        .map(|Query(page)| page)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

/// A page of the room's log, oldest first; messages in their current state.
#[utoipa::path(get, path = "/api/rooms/{id}/messages", tag = "messages",
    params(("id" = String, Path, description = "The room"), PageQuery),
    responses(
        (status = 200, description = "A page of the log", body = MessagesPage),
        (status = 400, description = "More than one of before, after and around, or a bad number", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member of this private room, or outside the token's room", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    ))]
async fn messages(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    page: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<MessagesPage>, ApiError> {
    let page = query(page)?;
    let log = history::page(
        &state,
        &caller,
        &room,
        history::at(page.before, page.after, page.around),
        page.limit,
    )
    .await?;
    Ok(Json(MessagesPage {
        messages: log.entries,
        seq: log.seq,
    }))
}

/// Posts a message, as the `send` frame does: the same limits, access and
/// order. A resent `client_msg_id` (or `Idempotency-Key`) is stored once
/// and answered with the first copy (200 instead of 201).
#[utoipa::path(post, path = "/api/rooms/{id}/messages", tag = "messages", request_body = PostMessage,
    params(
        ("id" = String, Path, description = "The room"),
        ("Idempotency-Key" = Option<String>, Header, description = "Names the message when the body has no client_msg_id (1-255 bytes)"),
    ),
    responses(
        (status = 201, description = "Stored", body = Message),
        (status = 200, description = "Stored before (a resend): the first copy", body = Message),
        (status = 400, description = "Empty body, bad thread or attachments", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed in this room, or a read-only token", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 413, description = "Body too long", body = ErrorBody),
        (status = 429, description = "Sending too fast", body = ErrorBody),
        (status = 503, description = "Not stored: retry with the same id", body = ErrorBody),
    ))]
async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    headers: HeaderMap,
    payload: JsonBody<PostMessage>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let request = body(payload)?;
    let key = idempotency_key(&headers)?;
    let client_msg_id = send::message_id(caller.user.id, request.client_msg_id, key.as_deref())?;
    let request = send::SendRequest {
        room,
        client_msg_id,
        body: request.body,
        thread: request.thread,
        attachments: request.attachments,
        cards: Vec::new(),
    };
    let (message, fresh) = send::send_and_wait(&state, &caller, request).await?;
    let status = if fresh {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(message)))
}

/// The request's `Idempotency-Key`, if it has one (its length is the
/// domain's to check).
pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    headers
        .get("idempotency-key")
        .map(|value| {
            value
                .to_str()
                .map(str::to_string)
                .map_err(|_| ApiError::invalid("Idempotency-Key must be visible ASCII"))
        })
        .transpose()
}

/// `GET /api/rooms/{id}/threads/{root}?before=SEQ&limit=N`: the root and its
/// newest replies (at most N, 1-200, default 50) before `before`, oldest first.
#[utoipa::path(get, path = "/api/rooms/{id}/threads/{root}", tag = "messages",
    params(("id" = String, Path, description = "The room"), ("root" = Uuid, Path, description = "The thread's root message"), ThreadQuery),
    responses(
        (status = 200, description = "The root and a page of replies", body = ThreadPage),
        (status = 400, description = "A parameter other than before and limit, or limit out of range", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed in this room", body = ErrorBody),
        (status = 404, description = "No such room or thread", body = ErrorBody),
    ))]
async fn thread_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((room, root)): Path<(String, String)>,
    page: Result<Query<ThreadQuery>, QueryRejection>,
) -> Result<Json<ThreadPage>, ApiError> {
    let page = query(page)?;
    let root = Uuid::parse_str(&root).map_err(|_| ApiError::not_found("no such thread"))?;
    Ok(Json(
        thread::page(&state, &caller, &room, root, page.before, page.limit).await?,
    ))
}
