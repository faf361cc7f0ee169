//! v3 beyond the tab: Web Push. A browser subscribes with the push service's
//! endpoint and its keys (`POST /api/push/subscriptions`, the body its
//! `PushSubscription.toJSON()` gives); the server pushes a mention, a direct
//! message or a followed thread's reply to a user with no visible
//! connection, encrypted for that browser (RFC 8291) and signed with the
//! server's VAPID key (`GET /api/push/key`, RFC 8292). What a push carries,
//! once decrypted, is a [`PushPayload`].

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{RoomId, Seq};

/// Most push subscriptions one user keeps: subscribing one more drops their
/// oldest.
pub const MAX_PUSH_SUBSCRIPTIONS: usize = 20;
/// Longest endpoint address accepted, in bytes.
pub const MAX_PUSH_ENDPOINT: usize = 2048;

/// Answer to `GET /api/push/key`: the server's VAPID public key, the
/// uncompressed P-256 point in unpadded base64url (a page's
/// `applicationServerKey`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushKey {
    pub key: String,
}

/// The browser's keys for a subscription (base64url, as the browser gives).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushKeys {
    /// Its P-256 public key (65 bytes).
    pub p256dh: String,
    /// Its authentication secret (16 bytes).
    pub auth: String,
}

/// Body of `POST /api/push/subscriptions`. Other fields of the browser's
/// `PushSubscription.toJSON()` (`expirationTime`) are accepted and ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushSubscribe {
    /// The push service's address for this browser (`https`).
    pub endpoint: String,
    pub keys: PushKeys,
}

/// Body of `DELETE /api/push/subscriptions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushEndpoint {
    pub endpoint: String,
}

/// One of the user's subscribed browsers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushDevice {
    pub endpoint: String,
    /// The browser that subscribed, as it named itself (its User-Agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
}

/// Answer to `GET /api/push/subscriptions`: the newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushDevices {
    pub subscriptions: Vec<PushDevice>,
}

/// What a push carries, decrypted: JSON. One per room is shown (`tag`):
/// a newer push for the room replaces the last, and `count` says how many
/// messages it stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushPayload {
    pub room: RoomId,
    /// The newest message it stands for: its `seq` and id.
    pub seq: Seq,
    pub id: uuid::Uuid,
    /// That message's thread, for a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<uuid::Uuid>,
    /// Unread messages in the room for the user (at most 99).
    pub count: u32,
    pub title: String,
    /// A preview of the message; absent where the operator hides previews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Where clicking it goes: the room at the message.
    pub url: String,
    /// The same for every push of the room: the browser shows one.
    pub tag: String,
}
