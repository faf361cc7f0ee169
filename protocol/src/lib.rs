//! Confab's wire contract, v1, v2 and v3, as Rust types.
//!
//! These types are the single source of truth in code for what travels between the
//! server and every client: WebSocket frames (one JSON object per text frame, tagged
//! by `"type"`) and the JSON bodies of the HTTP API. The server, the wasm UI and
//! the load generator all use them, so none can disagree on a field name; this
//! crate has no UI framework and no server in it.
//!
//! This file holds the shared basics (ids, a user, a message, close codes); the
//! socket's frames are in `frames.rs`, the name rules in `names.rs`, the HTTP
//! API's bodies in `http.rs` (and one file per area beside it), the room log's
//! entries in `log.rs`. The prose version of the contract is `docs/PROTOCOL.md`
//! in this repository; the tests (`tests.rs`) pin the exact JSON of every frame
//! against it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

mod admin;
mod attention;
mod cards;
mod drafts;
mod email;
mod files;
mod followed;
mod frames;
mod groups;
mod http;
mod identities;
mod integral;
mod later;
mod log;
mod names;
mod people;
mod pins;
mod previews;
mod push;
mod records;
mod retention;
mod room_directory;
mod room_roles;
mod search;
mod search_filters;
mod tokens;
mod webhooks;
pub use admin::{
    AdminUserView, AuditEntry, AuditPage, CreateInvite, InviteInfo, InviteList, SignupPolicy,
    SignupSettings, DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT, MAX_INVITE_HOURS, MAX_INVITE_USES,
};
pub use attention::{
    notifies, Dnd, DndRequest, DndSchedule, NotificationLevel, NotificationsRequest,
    RoomNotifications,
};
pub use cards::{Card, CardField, CardKind, MAX_CARDS, MAX_CARDS_BYTES, MAX_CARD_FIELDS};
pub use drafts::{Draft, DraftList, DraftRequest, MAX_DRAFTS_PER_USER};
pub use email::{EmailSettings, DEFAULT_EMAIL_DELAY_SECS, MAX_EMAIL_CHARS, MAX_EMAIL_DELAY_SECS};
pub use files::{
    clean_file_name, is_hidden_control, Attachment, MAX_ATTACHMENTS, MAX_FILE_NAME_CHARS,
};
pub use followed::{
    FollowRequest, FollowedThread, SavedItem, SavedList, ThreadList, ThreadReadRequest,
    ThreadState, MAX_SAVED_PER_USER, MAX_THREADS_LISTED,
};
pub use frames::{
    ClientEnvelope, ClientFrame, ErrorCode, FrameError, PresenceStatus, ServerFrame,
    MAX_ONLINE_LISTED, MAX_PRESENCE_INTEREST, MAX_REF_BYTES,
};
pub use groups::{
    reserved_name, Broad, CreateGroup, GroupList, GroupUpdate, UserGroup, BROAD_MENTION_MEMBERS,
    MAX_GROUPS, MAX_GROUP_DESCRIPTION_CHARS, MAX_GROUP_SIZE,
};
pub use http::{
    AddMember, AuthProviders, AuthResponse, CreateRoom, Credentials, DirectRequest, ErrorBody,
    ErrorDetail, Limits, MarkRead, MeResponse, Member, MembersPage, MessagesPage, MuteRequest,
    OidcLink, OidcProvider, RefreshRequest, RoomInfo, RoomKind, SessionInfo, TopicRequest,
    MAX_GROUP_MEMBERS,
};
pub use identities::{IdentityInfo, IdentityList, LinkRequest, UnlinkRequest};
pub use later::{
    RemindRequest, Reminder, ReminderList, ScheduleMessage, ScheduledList, ScheduledMessage,
    MAX_LATER_DAYS, MAX_LATER_PER_USER,
};
pub use log::{
    mentioned_names, valid_emoji, Deleted, Edited, Entry, Reaction, ReactionCount, ThreadPage,
    Topic, MAX_EMOJI_CHARS, MAX_MENTIONS, MAX_REACTIONS_PER_MESSAGE, MAX_TOPIC_CHARS,
};
pub use names::{
    direct_room_id, is_direct_id, valid_password, valid_room_name, valid_username,
    MAX_PASSWORD_CHARS, MAX_ROOM_NAME, MAX_USERNAME, MIN_PASSWORD_CHARS,
};
pub use people::{
    search_key, valid_display_name, valid_short_text, AvatarSet, Profile, ProfileUpdate, Status,
    UserList, AVATAR_SIDES, DEFAULT_DIRECTORY_LIMIT, MAX_DIRECTORY_LIMIT,
    MAX_DIRECTORY_QUERY_CHARS, MAX_DISPLAY_NAME_CHARS, MAX_STATUS_TEXT_CHARS, MAX_TIMEZONE_CHARS,
    MAX_TITLE_CHARS,
};
pub use pins::{PinList, Pinned, MAX_PINS_PER_ROOM};
pub use previews::{
    links, LinkPreview, Unfurled, MAX_PREVIEWS, MAX_PREVIEW_DESCRIPTION_CHARS,
    MAX_PREVIEW_TITLE_CHARS,
};
pub use push::{
    PushDevice, PushDevices, PushEndpoint, PushKey, PushKeys, PushPayload, PushSubscribe,
    MAX_PUSH_ENDPOINT, MAX_PUSH_SUBSCRIPTIONS,
};
pub use records::{
    ExportManifest, ExportScope, ExportedHeld, ExportedMember, ExportedRoom, ExportedUser,
    ImportJob, ImportMapping, ImportState, ImportedPerson, ImportedRoom, EXPORT_FORMAT,
    EXPORT_VERSION,
};
pub use retention::{
    HoldKind, HoldList, LegalHold, PlaceHold, RetentionSettings, RoomRetention,
    MAX_HOLD_REASON_CHARS, MAX_RETENTION_DAYS,
};
pub use room_directory::{
    DirectoryRoom, RoomDirectory, DEFAULT_ROOM_DIRECTORY_LIMIT, MAX_ROOM_DIRECTORY_LIMIT,
    MAX_ROOM_DIRECTORY_QUERY_CHARS,
};
pub use room_roles::{RoleRequest, RoomChanged, RoomPatch, RoomRole};
pub use search::{
    highlight, search_words, Highlight, SearchHit, SearchResults, DEFAULT_SEARCH_LIMIT,
    MAX_SEARCH_CHARS, MAX_SEARCH_LIMIT, MAX_SEARCH_WORDS,
};
pub use search_filters::{SearchFilters, FILTERS};
pub use tokens::{
    BotList, CreateBot, CreateToken, CreatedToken, TokenInfo, TokenList, MAX_TOKEN_NAME_CHARS,
    TOKEN_PREFIX,
};
pub use webhooks::{
    CreateWebhook, CreatedWebhook, PostMessage, WebhookInfo, WebhookList, WebhookPost,
    WebhookPosted, WEBHOOK_PREFIX,
};

/// A room's identifier as it appears on the wire (`"general"`, `"design-team"`).
pub type RoomId = String;

/// A message's position in its room's total order: 1, 2, 3, … with no holes.
pub type Seq = u64;

/// The largest `seq` a client may name (2^63 - 1: what a store keeps).
pub const MAX_SEQ: Seq = i64::MAX as Seq;

/// Most messages one `history` frame or HTTP page returns.
pub const MAX_HISTORY_LIMIT: u32 = 200;
/// Messages per `history` page when the client names no `limit`.
pub const DEFAULT_HISTORY_LIMIT: u32 = 50;

/// WebSocket close codes the server uses, and what a client should do about each.
pub mod close_code {
    /// Server going away (restart, deploy): reconnect at once, with jitter.
    pub const GOING_AWAY: u16 = 1001;
    /// Policy: slow consumer or abuse. Reconnect with backoff and recover with `since`.
    pub const POLICY: u16 = 1008;
    /// A frame over the size limit.
    pub const TOO_LARGE: u16 = 1009;
    /// Token expired or revoked: log in again.
    pub const TOKEN_EXPIRED: u16 = 4001;
}

/// A user as other users see them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: Uuid,
    pub name: String,
}

/// Where a client left off in a room: the room's `epoch` and the last `seq` it has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Since {
    pub epoch: String,
    pub seq: Seq,
}

/// A stored chat message. The `message` frame is this object plus `"type":"message"`;
/// `history` frames and the HTTP messages page carry these among the room's
/// other entries.
///
/// Live, replayed and gap-filled `message` frames carry the message's body as
/// it is now (edited, or absent once deleted) but never `reactions` or reply
/// counts: the entries that changed those follow in the log. `history` items
/// carry all of its current state as the caller sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub room: RoomId,
    pub seq: Seq,
    pub epoch: String,
    pub id: Uuid,
    pub client_msg_id: Uuid,
    pub author: UserRef,
    /// Empty (and absent on the wire) once the message is deleted.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    /// The thread's root message, for a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
    /// The users the body mentions.
    #[serde(default)]
    pub mentions: Vec<Uuid>,
    /// The body says `@channel` or `@all`: it mentions every member of the
    /// room, who are not listed in `mentions` (v3).
    #[serde(default, skip_serializing_if = "is_false")]
    pub everyone: bool,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub edited_ts: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<ReactionCount>,
    /// For a thread's root: how many replies it has, and when the last came.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reply_count: u32,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub last_reply_ts: Option<OffsetDateTime>,
    /// Its files (none once the message is deleted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Who deleted it, when someone else than its author did (a moderator,
    /// an owner or an admin; a Confab addition of v3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<Uuid>,
    /// Pinned in its room (v3; history shows it, the `pinned` entries say
    /// when it changed).
    #[serde(default, skip_serializing_if = "is_false")]
    pub pinned: bool,
    /// Previews of its links (v3; history shows them, the `unfurled`
    /// entries say when they changed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previews: Vec<LinkPreview>,
    /// Cards under it: what a Slack-shaped post (a webhook's, an imported
    /// one) says beyond its text (v3, Confab's choice; none once deleted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cards: Vec<Card>,
}

impl Default for Message {
    /// A blank message (nil ids, at the Unix epoch, no state), so one can be
    /// built naming only what it has: `Message { seq, body, ..Default::default() }`.
    fn default() -> Self {
        Message {
            room: RoomId::new(),
            seq: 0,
            epoch: String::new(),
            id: Uuid::nil(),
            client_msg_id: Uuid::nil(),
            author: UserRef::default(),
            body: String::new(),
            ts: OffsetDateTime::UNIX_EPOCH,
            thread: None,
            mentions: Vec::new(),
            everyone: false,
            edited_ts: None,
            deleted: false,
            reactions: Vec::new(),
            reply_count: 0,
            last_reply_ts: None,
            attachments: Vec::new(),
            deleted_by: None,
            pinned: false,
            previews: Vec::new(),
            cards: Vec::new(),
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests;
