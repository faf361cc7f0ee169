//! The JSON API under `/api`: rooms, members, direct messages, the room log
//! and threads. (Accounts are in [`super::accounts`].) Each handler parses the
//! request, calls its operation in [`crate::domain`] and answers.

use app::protocol::{
    AddMember, CreateRoom, DirectRequest, MeResponse, MessagesPage, RoomInfo, Seq, ThreadPage,
};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;

use super::error::{from_json_rejection, ApiError};
use super::session::AuthUser;
use crate::domain::{history, members, rooms, thread, Caller};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/rooms", get(list_rooms).post(create_room))
        .route("/api/dms", post(direct_room))
        .route(
            "/api/rooms/{id}/members",
            post(add_member).get(super::read_state::members),
        )
        .route("/api/rooms/{id}/read", post(super::read_state::read))
        .route(
            "/api/rooms/{id}/topic",
            axum::routing::put(super::read_state::topic),
        )
        .route(
            "/api/rooms/{id}/mute",
            axum::routing::put(super::read_state::mute),
        )
        .route(
            "/api/rooms/{id}/members/{user}",
            axum::routing::delete(remove_member),
        )
        .route("/api/rooms/{id}/messages", get(messages))
        .route("/api/rooms/{id}/threads/{root}", get(thread_page))
}

pub(super) type JsonBody<T> = Result<Json<T>, JsonRejection>;

pub(super) fn body<T>(payload: JsonBody<T>) -> Result<T, ApiError> {
    payload.map(|Json(t)| t).map_err(from_json_rejection)
}

pub(super) fn caller(claims: &crate::auth::Claims) -> Caller {
    Caller::http(claims.user())
}

async fn list_rooms(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
) -> Result<Json<Vec<RoomInfo>>, ApiError> {
    Ok(Json(rooms::list(&state, &caller(&claims)).await?))
}

/// `POST /api/dms {"user"}` or `{"users":[...]}`: the direct room with that
/// user, or with those 2-8 users (names or ids), opened on first use.
async fn direct_room(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    payload: JsonBody<DirectRequest>,
) -> Result<Json<RoomInfo>, ApiError> {
    let request = body(payload)?;
    let mut others = request.users;
    others.extend(request.user);
    Ok(Json(
        rooms::direct(&state, &caller(&claims), &others).await?,
    ))
}

async fn create_room(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    payload: JsonBody<CreateRoom>,
) -> Result<(StatusCode, Json<RoomInfo>), ApiError> {
    let request = body(payload)?;
    let room = rooms::create(&state, &caller(&claims), &request.name, request.kind).await?;
    Ok((StatusCode::CREATED, Json(room)))
}

async fn add_member(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path(room): Path<String>,
    payload: JsonBody<AddMember>,
) -> Result<(StatusCode, Json<MeResponse>), ApiError> {
    let request = body(payload)?;
    let (user, added) = members::add(&state, &caller(&claims), &room, &request.user).await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(MeResponse { user })))
}

async fn remove_member(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path((room, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    members::remove(&state, &caller(&claims), &room, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<Seq>,
    after: Option<Seq>,
    around: Option<Seq>,
    limit: Option<u32>,
}

fn page_query(query: Result<Query<PageQuery>, QueryRejection>) -> Result<PageQuery, ApiError> {
    query
        .map(|Query(page)| page)
        .map_err(|e| ApiError::invalid(e.body_text()))
}

async fn messages(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path(room): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<MessagesPage>, ApiError> {
    let page = page_query(query)?;
    let log = history::page(
        &state,
        &caller(&claims),
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

/// `GET /api/rooms/{id}/threads/{root}?before=SEQ&limit=N`: the root and its
/// newest replies (at most N, 1-200, default 50) before `before`, oldest first.
async fn thread_page(
    State(state): State<AppState>,
    AuthUser(claims): AuthUser,
    Path((room, root)): Path<(String, String)>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<ThreadPage>, ApiError> {
    let page = page_query(query)?;
    if page.after.is_some() || page.around.is_some() {
        return Err(ApiError::invalid("a thread page takes before, not after"));
    }
    let root = Uuid::parse_str(&root).map_err(|_| ApiError::not_found("no such thread"))?;
    Ok(Json(
        thread::page(
            &state,
            &caller(&claims),
            &room,
            root,
            page.before,
            page.limit,
        )
        .await?,
    ))
}
