//! Incoming webhooks: a room's member makes one (a secret URL), and whoever
//! holds the URL posts into that room as the webhook's own bot user, through
//! [`super::send`] like any message: the body's limits, one `seq` in the
//! room's order, and `Idempotency-Key` naming the message so a retried post
//! is stored once. A webhook is its maker's voice in the room, so:
//!
//! - it posts only while its maker may: a maker deactivated, or no longer a
//!   member of the room (removed, or gone), silences it ([`post`]);
//! - its posts take the maker's message allowance too, and a webhook has its
//!   own, far below a person's ([`WEBHOOK_POSTS_PER_MINUTE`]);
//! - a room has at most [`MAX_WEBHOOKS_PER_ROOM`], a maker at most
//!   [`MAX_WEBHOOKS_PER_MAKER`] over all rooms.
//!
//! Its maker, the room's moderators and owners or an admin delete it: its secret is
//! refused from then on, its bot disabled and the bot's name released.

use protocol::{
    Message, RoomKind, RoomRole, WebhookInfo, WebhookPost, MAX_CARDS_BYTES, WEBHOOK_PREFIX,
};
use uuid::Uuid;

use super::send::{message_id, send_and_wait, SendRequest};
use super::{access, Caller, DomainError, DomainResult};
use crate::auth::{new_secret, secret_hash, Scope};
use crate::slack::mrkdwn::NoNames;
use crate::slack::post::{convert, Refused};
use crate::state::AppState;
use crate::store::{ms_to_time, now_ms, StoreError, Webhook};

/// Live webhooks one room may have.
pub const MAX_WEBHOOKS_PER_ROOM: usize = 20;
/// Live webhooks one person may have made, over all rooms.
pub const MAX_WEBHOOKS_PER_MAKER: u64 = 10;
/// Messages one webhook may post in a minute (a person may send
/// `--user-rate-per-sec` a second).
pub const WEBHOOK_POSTS_PER_MINUTE: u64 = 30;

/// Makes a webhook for `room`; answers it and its secret (shown once).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    room: &str,
    name: &str,
) -> DomainResult<(WebhookInfo, String)> {
    access::require_write(caller, Some(room))?;
    let record = access::readable_room(state, room, caller.user.id).await?;
    if record.kind == RoomKind::Direct {
        return Err(DomainError::Invalid(
            "a direct room has no webhooks: its members are its name".into(),
        ));
    }
    access::require_member(state, caller, room).await?;
    access::require_not_archived(&record)?;
    super::accounts::check_username(name, "a webhook's name")?;
    if state.store.webhooks_of(room).await?.len() >= MAX_WEBHOOKS_PER_ROOM {
        return Err(DomainError::Forbidden(format!(
            "this room has {MAX_WEBHOOKS_PER_ROOM} webhooks, the most allowed"
        )));
    }
    if state.store.webhooks_made_by(caller.user.id).await? >= MAX_WEBHOOKS_PER_MAKER {
        return Err(DomainError::Forbidden(format!(
            "you made {MAX_WEBHOOKS_PER_MAKER} webhooks, the most allowed; delete one first"
        )));
    }
    let secret = new_secret(WEBHOOK_PREFIX);
    let hook = Webhook {
        id: Uuid::now_v7(),
        name: name.to_string(),
        room: room.to_string(),
        bot: protocol::UserRef {
            id: Uuid::new_v4(),
            name: name.to_string(),
        },
        created_by: caller.user.id,
        created_ms: now_ms(),
    };
    match state
        .store
        .create_webhook(&hook, &secret_hash(&secret))
        .await
    {
        Err(StoreError::Conflict) => {
            return Err(DomainError::Conflict(
                "that name is taken by a user; choose another".into(),
            ))
        }
        other => other?,
    }
    tracing::info!(room, webhook = %hook.id, "webhook created");
    let detail = serde_json::json!({"room": room, "name": hook.name});
    let target = hook.id.to_string();
    super::audit::record(state, Some(&caller.user), "webhook.create", &target, detail).await;
    Ok((info(&hook), secret))
}

/// The room's webhooks, for its members.
pub async fn list(state: &AppState, caller: &Caller, room: &str) -> DomainResult<Vec<WebhookInfo>> {
    access::require_member(state, caller, room).await?;
    Ok(state
        .store
        .webhooks_of(room)
        .await?
        .iter()
        .map(info)
        .collect())
}

/// Deletes a webhook: its maker, the room's moderators and owners, or an admin.
pub async fn delete(state: &AppState, caller: &Caller, room: &str, id: Uuid) -> DomainResult<()> {
    access::require_write(caller, Some(room))?;
    let record = access::readable_room(state, room, caller.user.id).await?;
    let hook = state
        .store
        .webhook(room, id)
        .await?
        .ok_or_else(|| DomainError::NotFound("no such webhook in this room".into()))?;
    if hook.created_by != caller.user.id {
        let doing = "delete others' webhooks";
        access::require_standing(state, caller, &record, RoomRole::Moderator, doing).await?;
    }
    state.store.delete_webhook(&hook).await?;
    state.sessions.end(hook.bot.id, None).await;
    tracing::info!(room, webhook = %id, "webhook deleted");
    let detail = serde_json::json!({"room": room, "name": hook.name});
    let target = id.to_string();
    super::audit::record(state, Some(&caller.user), "webhook.delete", &target, detail).await;
    Ok(())
}

/// Posts through the webhook whose secret this is: Slack's shape, its text
/// as Markdown, its blocks and attachments as cards (`crate::slack`). With
/// `key` (the `Idempotency-Key` header), a retry stores nothing new and
/// answers the first copy.
pub async fn post(
    state: &AppState,
    secret: &str,
    post: WebhookPost,
    key: Option<&str>,
) -> DomainResult<(Message, bool)> {
    let unknown = || DomainError::NotFound("no such webhook (deleted, or a wrong URL)".into());
    if !secret.starts_with(WEBHOOK_PREFIX) || secret.len() != WEBHOOK_PREFIX.len() + 64 {
        return Err(unknown());
    }
    let hook = state
        .store
        .webhook_by_hash(&secret_hash(secret))
        .await?
        .ok_or_else(unknown)?;
    let converted = convert(
        &post.text,
        post.blocks.as_ref(),
        post.attachments.as_ref(),
        &NoNames,
    )
    .map_err(|refused| match refused {
        Refused::Empty => DomainError::Invalid(
            "nothing to post: give text, or blocks or attachments that say something".into(),
        ),
        Refused::TooLarge => DomainError::TooLarge(format!(
            "blocks and attachments take at most {MAX_CARDS_BYTES} bytes as cards"
        )),
    })?;
    may_post(state, &hook).await?;
    let client_msg_id = message_id(hook.id, None, key)?;
    let bot = Caller {
        user: hook.bot.clone(),
        conn: None,
        scope: Scope {
            token: None,
            read_only: false,
            room: Some(hook.room.clone()),
        },
    };
    let request = SendRequest {
        room: hook.room.clone(),
        client_msg_id,
        body: converted.body,
        thread: None,
        attachments: Vec::new(),
        cards: converted.cards,
    };
    send_and_wait(state, &bot, request).await
}

/// Checks that the webhook may post now: its maker is active and still a
/// member of the room, and neither the webhook's allowance nor the maker's
/// is spent.
async fn may_post(state: &AppState, hook: &Webhook) -> DomainResult<()> {
    let maker = state.store.user_by_id(hook.created_by).await?;
    if maker.is_none_or(|m| m.disabled) {
        return Err(DomainError::Forbidden(
            "this webhook's maker is deactivated: it posts no more".into(),
        ));
    }
    if !state.store.is_member(&hook.room, hook.created_by).await? {
        return Err(DomainError::Forbidden(
            "this webhook's maker is no longer a member of the room: it posts no more".into(),
        ));
    }
    let minute_ago = now_ms() - 60_000;
    if state.store.webhook_posts_since(hook, minute_ago).await? >= WEBHOOK_POSTS_PER_MINUTE {
        return Err(DomainError::RateLimited(format!(
            "a webhook posts at most {WEBHOOK_POSTS_PER_MINUTE} messages a minute; slow down"
        )));
    }
    if !state.user_limits.take_message(hook.created_by).await {
        return Err(DomainError::RateLimited(
            "this webhook's maker has spent their message allowance; slow down".into(),
        ));
    }
    Ok(())
}

fn info(hook: &Webhook) -> WebhookInfo {
    WebhookInfo {
        id: hook.id,
        name: hook.name.clone(),
        room: hook.room.clone(),
        bot: hook.bot.clone(),
        created_by: hook.created_by,
        created_ts: ms_to_time(hook.created_ms),
    }
}
