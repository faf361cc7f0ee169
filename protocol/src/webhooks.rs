//! Incoming webhooks and posting over HTTP (Confab additions to the
//! contract): `POST/GET /api/rooms/{id}/webhooks`, `DELETE
//! /api/rooms/{id}/webhooks/{hook}`, `POST /api/hooks/{secret}` and `POST
//! /api/rooms/{id}/messages`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{RoomId, UserRef};

/// The first characters of a webhook's secret.
pub const WEBHOOK_PREFIX: &str = "cfh_";

/// Body of `POST /api/rooms/{id}/messages`: a message, as the `send` frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostMessage {
    /// Not only spaces; at most the server's `max_body_chars`
    /// (`GET /api/auth/session`).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = "\\S"))]
    pub body: String,
    /// Resending the same id stores the message once. Absent: the
    /// `Idempotency-Key` header names it, else every post is new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<Uuid>,
    /// Reply in the thread of this top-level message of the room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
    /// Files uploaded to the room for this message (their ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Uuid>,
}

/// Body of `POST /api/rooms/{id}/webhooks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateWebhook {
    /// The name its messages appear under: its bot user's name (the rules
    /// of a username, and not taken).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::names::username_schema))]
    pub name: String,
}

/// A webhook as listed: everything but its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookInfo {
    pub id: Uuid,
    pub name: String,
    pub room: RoomId,
    /// The user its messages are from.
    pub bot: UserRef,
    /// Who made it.
    pub created_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_ts: OffsetDateTime,
}

/// Answer to `POST /api/rooms/{id}/webhooks`: the secret URL, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    /// Where to post (`/api/hooks/cfh_…`, on this server's address). Whoever
    /// has it can post into the room; it is not stored and not shown again.
    pub url: String,
    #[serde(flatten)]
    pub info: WebhookInfo,
}

/// Answer to `GET /api/rooms/{id}/webhooks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookList {
    pub webhooks: Vec<WebhookInfo>,
}

/// Body of `POST /api/hooks/{secret}`, as Slack's incoming webhooks take
/// it: `text`, `blocks`, `attachments`. Slack's other fields (`username`,
/// `icon_emoji`, `channel`, …) are accepted and ignored: a message always
/// comes from the webhook's own bot user, in its own room.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPost {
    /// Slack's mrkdwn (`*bold*`, `<https://…|label>`, `<!here>`, …), shown
    /// as Confab's Markdown. May be absent when `blocks` or `attachments`
    /// say something.
    #[serde(default)]
    pub text: String,
    /// Slack's Block Kit blocks: `header`, `section` (text and fields),
    /// `context` and `divider` make a card shown in place of `text`; other
    /// blocks are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub blocks: Option<serde_json::Value>,
    /// Slack's legacy attachments (`color`, `pretext`, `title`,
    /// `title_link`, `text`, `fields`, `footer`, `fallback`): a card each,
    /// under the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub attachments: Option<serde_json::Value>,
    /// Accepted for Slack compatibility; not shown (a webhook's messages
    /// are its bot's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Answer to `POST /api/hooks/{secret}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPosted {
    /// Always true (Slack's clients look for `ok`).
    pub ok: bool,
    pub room: RoomId,
    /// The message's place in the room.
    pub seq: super::Seq,
    /// The message's id.
    pub id: Uuid,
}
