//! Personal access tokens and bot accounts over HTTP: `POST/GET
//! /api/tokens`, `DELETE /api/tokens/{id}`, `POST/GET /api/bots`, `DELETE
//! /api/bots/{bot}`. The rules are [`crate::domain::tokens`]'s.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use protocol::{BotList, CreateBot, CreateToken, CreatedToken, ErrorBody, TokenList, UserRef};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::{body, JsonBody};
use super::error::ApiError;
use crate::domain::tokens;
use crate::domain::Caller;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
        .routes(routes!(create_bot, list_bots))
        .routes(routes!(delete_bot))
}

/// Makes a personal access token, for the caller or one of their bots. The
/// secret is in this answer only.
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = CreateToken,
    responses(
        (status = 201, description = "Made: `token` is the secret, shown this once", body = CreatedToken),
        (status = 400, description = "Bad name, room or expiry", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with a token, the room is not readable, or too many tokens", body = ErrorBody),
        (status = 404, description = "No such room, or not your bot", body = ErrorBody),
    ))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let created = tokens::create(&state, &caller, body(payload)?).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The caller's live tokens and their bots', newest first (no secrets).
#[utoipa::path(get, path = "/api/tokens", tag = "tokens",
    responses(
        (status = 200, description = "The tokens", body = TokenList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with a token", body = ErrorBody),
    ))]
async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = tokens::list(&state, &caller).await?;
    Ok(Json(TokenList { tokens }))
}

/// Revokes a token: refused from now on, its sockets closed with 4001.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "tokens",
    params(("id" = Uuid, Path, description = "The token")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with a token", body = ErrorBody),
        (status = 404, description = "No such live token of yours", body = ErrorBody),
    ))]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found("no such token"))?;
    tokens::revoke(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a bot account owned by the caller: no password; it speaks through
/// the tokens its owner makes for it, in the rooms it is added to.
#[utoipa::path(post, path = "/api/bots", tag = "tokens", request_body = CreateBot,
    responses(
        (status = 201, description = "Made", body = UserRef),
        (status = 400, description = "Bad name", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with a token, or too many bots", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
    ))]
async fn create_bot(
    State(state): State<AppState>,
    caller: Caller,
    payload: JsonBody<CreateBot>,
) -> Result<(StatusCode, Json<UserRef>), ApiError> {
    let request = body(payload)?;
    let bot = tokens::create_bot(&state, &caller, &request.name).await?;
    Ok((StatusCode::CREATED, Json(bot)))
}

/// The caller's bots.
#[utoipa::path(get, path = "/api/bots", tag = "tokens",
    responses(
        (status = 200, description = "The caller's bots", body = BotList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with a token", body = ErrorBody),
    ))]
async fn list_bots(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<BotList>, ApiError> {
    let bots = tokens::bots(&state, &caller).await?;
    Ok(Json(BotList { bots }))
}

/// Deletes a bot of the caller's: its tokens stop and its sockets close;
/// its messages stay.
#[utoipa::path(delete, path = "/api/bots/{bot}", tag = "tokens",
    params(("bot" = String, Path, description = "The bot's name or id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with a token", body = ErrorBody),
        (status = 404, description = "Not your bot", body = ErrorBody),
    ))]
async fn delete_bot(
    State(state): State<AppState>,
    caller: Caller,
    Path(bot): Path<String>,
) -> Result<StatusCode, ApiError> {
    tokens::delete_bot(&state, &caller, &bot).await?;
    Ok(StatusCode::NO_CONTENT)
}
