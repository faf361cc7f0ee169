//! Incoming webhooks over HTTP: members make, list and delete a room's
//! webhooks under `/api/rooms/{id}/webhooks`; `POST /api/hooks/{secret}`
//! takes Slack's shape (`text`, `blocks`, `attachments`) from whoever holds
//! the URL. The rules are [`crate::domain::webhooks`]'s.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::{CreateWebhook, CreatedWebhook, ErrorBody, WebhookList, WebhookPost, WebhookPosted};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::api::{body, idempotency_key, JsonBody};
use super::error::ApiError;
use crate::domain::webhooks;
use crate::domain::Caller;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_webhook, list_webhooks))
        .routes(routes!(delete_webhook))
        .routes(routes!(post_to_webhook))
}

/// Makes a webhook posting into this room (members only). Its URL is in
/// this answer only.
#[utoipa::path(post, path = "/api/rooms/{id}/webhooks", tag = "webhooks", request_body = CreateWebhook,
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 201, description = "Made: `url` is the secret, shown this once", body = CreatedWebhook),
        (status = 400, description = "Bad name, or a direct room", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member, a read-only token, or too many webhooks", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "The name is a user's", body = ErrorBody),
    ))]
async fn create_webhook(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
    payload: JsonBody<CreateWebhook>,
) -> Result<(StatusCode, Json<CreatedWebhook>), ApiError> {
    let request = body(payload)?;
    let (info, secret) = webhooks::create(&state, &caller, &room, &request.name).await?;
    let created = CreatedWebhook {
        url: format!("/api/hooks/{secret}"),
        info,
    };
    Ok((StatusCode::CREATED, Json(created)))
}

/// The room's webhooks (members only), without their URLs.
#[utoipa::path(get, path = "/api/rooms/{id}/webhooks", tag = "webhooks",
    params(("id" = String, Path, description = "The room")),
    responses(
        (status = 200, description = "The room's webhooks", body = WebhookList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
    ))]
async fn list_webhooks(
    State(state): State<AppState>,
    caller: Caller,
    Path(room): Path<String>,
) -> Result<Json<WebhookList>, ApiError> {
    let webhooks = webhooks::list(&state, &caller, &room).await?;
    Ok(Json(WebhookList { webhooks }))
}

/// Deletes a webhook (its maker, the room's owner or an admin): its URL is
/// refused from now on.
#[utoipa::path(delete, path = "/api/rooms/{id}/webhooks/{hook}", tag = "webhooks",
    params(("id" = String, Path, description = "The room"), ("hook" = Uuid, Path, description = "The webhook")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not its maker, the room's owner or an admin", body = ErrorBody),
        (status = 404, description = "No such webhook in this room", body = ErrorBody),
    ))]
async fn delete_webhook(
    State(state): State<AppState>,
    caller: Caller,
    Path((room, hook)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let hook = Uuid::parse_str(&hook).map_err(|_| ApiError::not_found("no such webhook"))?;
    webhooks::delete(&state, &caller, &room, hook).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Posts a message into the webhook's room as its bot, Slack's incoming
/// webhook shape: `text` in Slack's mrkdwn, `blocks` and `attachments` shown
/// as cards. The secret in the path is the credential. With
/// `Idempotency-Key`, a retry is stored once. Answers JSON, or Slack's
/// plain `ok` to a client that asks for text only (`Accept: text/plain`).
#[utoipa::path(post, path = "/api/hooks/{secret}", tag = "webhooks", request_body = WebhookPost,
    params(
        ("secret" = String, Path, description = "The webhook's secret (cfh_…)"),
        ("Idempotency-Key" = Option<String>, Header, description = "The same key again stores nothing new (1-255 bytes)"),
    ),
    responses(
        (status = 200, description = "Stored (or stored before, for a retried key)", content(
            (WebhookPosted = "application/json"),
            (String = "text/plain", example = "ok"),
        )),
        (status = 400, description = "Nothing to show (no text, and no block or attachment that says something), or a bad key", body = ErrorBody),
        (status = 403, description = "Its maker is deactivated or no longer a member of the room", body = ErrorBody),
        (status = 422, description = "A field of the wrong kind (`text` not a string)", body = ErrorBody),
        (status = 404, description = "No such webhook", body = ErrorBody),
        (status = 413, description = "Text too long, or cards over 16 KiB", body = ErrorBody),
        (status = 429, description = "Past the webhook's 30 posts a minute, or its maker's allowance", body = ErrorBody),
        (status = 503, description = "Not stored: retry with the same key", body = ErrorBody),
    ))]
async fn post_to_webhook(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    payload: JsonBody<WebhookPost>,
) -> Result<Response, ApiError> {
    let request = body(payload)?;
    let key = idempotency_key(&headers)?;
    let (message, _) = webhooks::post(&state, &secret, request, key.as_deref()).await?;
    if wants_plain_text(&headers) {
        let plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
        return Ok((plain, "ok").into_response());
    }
    Ok(Json(WebhookPosted {
        ok: true,
        room: message.room,
        seq: message.seq,
        id: message.id,
    })
    .into_response())
}

/// Whether the client asks for text and not JSON (`Accept: text/plain`),
/// as some of Slack's clients do: they get Slack's own answer.
fn wants_plain_text(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    accept.contains("text/plain") && !accept.contains("json") && !accept.contains("*/*")
}
