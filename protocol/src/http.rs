//! The JSON bodies of the HTTP API (`/api/...`): what each call takes and
//! answers, and the shape of every error.

use serde::{Deserialize, Serialize};

use super::{Entry, RoomId, Seq, UserRef};

/// Body of `POST /api/auth/register` and `POST /api/auth/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credentials {
    /// 1-32 of `A-Z a-z 0-9 _ . -` (see `valid_username`).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::names::username_schema))]
    pub username: String,
    /// 8-256 characters (see `valid_password`).
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 256))]
    pub password: String,
    /// With `--registration invite`: the single-use code an admin made
    /// (a Confab extension; ignored by login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
}

/// Answer to a successful register, login or refresh.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthResponse {
    /// The access token (a JWT with `sub`, `name`, `exp`, `sid`).
    pub token: String,
    pub user: UserRef,
    /// Seconds until `token` expires (a Confab extension).
    #[serde(default)]
    pub expires_in: u64,
    /// The refresh token for `POST /api/auth/refresh` (a Confab extension).
    /// Browsers (requests with an `Origin`) get it only in an HttpOnly cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Body of `POST /api/auth/refresh` (a Confab extension). Without a token, the
/// refresh cookie is used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Answer to `GET /api/auth/me` (a Confab extension: who the session cookie is).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeResponse {
    pub user: UserRef,
}

/// What the server enforces that a client should know before it sends: the
/// UI stops a message or file here instead of learning it from a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limits {
    /// Longest message body, in characters (`send`, `edit`, webhook posts).
    pub max_body_chars: usize,
    /// Largest file an upload may be, in bytes.
    pub max_file_bytes: u64,
    /// The server pushes to subscribed browsers (v3, Confab's addition).
    #[serde(default)]
    pub pushes: bool,
    /// The server mails what users missed (v3, Confab's addition).
    #[serde(default)]
    pub email: bool,
}

impl Default for Limits {
    /// The server's defaults, for a client that has not asked yet.
    fn default() -> Self {
        Self {
            max_body_chars: 4000,
            max_file_bytes: 10 * 1024 * 1024,
            pushes: false,
            email: false,
        }
    }
}

/// Answer to `GET /api/auth/session` (a Confab extension): who the session
/// cookie or token is, if anyone, and the server's limits. Always `200`: being
/// signed out is an answer, not an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// The signed-in user; `null` when the request carries no valid session.
    pub user: Option<UserRef>,
    pub limits: Limits,
}

/// Who may see and join a room.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    #[default]
    Public,
    Private,
    Direct,
}

impl RoomKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoomKind::Public => "public",
            RoomKind::Private => "private",
            RoomKind::Direct => "direct",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(RoomKind::Public),
            "private" => Some(RoomKind::Private),
            "direct" => Some(RoomKind::Direct),
            _ => None,
        }
    }
}

/// One entry of `GET /api/rooms`, the answer to `POST /api/rooms` and
/// `POST /api/dms`, and the room of a `room_added` frame.
///
/// The read state (`latest_seq` …) is the caller's: `unread` counts messages
/// after `last_read_seq` not written by the caller (thread replies included,
/// deleted ones not), `mentions` those of them that mention the caller.
/// Rooms the caller is not a member of have no read state (zeros).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomInfo {
    pub id: RoomId,
    /// A direct room's name is its other members' names, comma-separated.
    pub name: String,
    pub kind: RoomKind,
    pub member: bool,
    /// What the room is about (a Confab addition; absent when unset).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub topic: String,
    #[serde(default)]
    pub latest_seq: Seq,
    #[serde(default)]
    pub last_read_seq: Seq,
    #[serde(default)]
    pub unread: u32,
    #[serde(default)]
    pub mentions: u32,
    /// The caller muted the room: no notifications, no unread badge (a
    /// Confab addition; `PUT /api/rooms/{id}/mute`).
    #[serde(default)]
    pub muted: bool,
    /// Which of its messages notify the caller (v3; `PUT
    /// /api/rooms/{id}/notifications`).
    #[serde(default)]
    pub notifications: crate::NotificationLevel,
    /// The room is read-only: archived by an owner or admin (v3).
    #[serde(default)]
    pub archived: bool,
    /// The caller's role in it (v3; absent for a direct room).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::RoomRole>,
    /// When its last entry was stored (a Confab addition: the sidebar's
    /// "recent activity" order); absent for a room with none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub last_activity: Option<time::OffsetDateTime>,
}

/// Most people in a direct room, the caller included.
pub const MAX_GROUP_MEMBERS: usize = 9;

/// Body of `POST /api/dms`: `user` for a direct room with one person, or
/// `users` (2–8 others, names or ids) for a group direct room.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
}

/// Body of `POST /api/rooms/{id}/read` (the HTTP twin of the `read` frame).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkRead {
    /// A `seq` of the room (one past its latest reads to the end).
    #[serde(deserialize_with = "crate::integral::seq")]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)
    )]
    pub seq: Seq,
}

/// Body of `PUT /api/rooms/{id}/topic`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopicRequest {
    /// One line (no control characters), at most 250 characters; empty
    /// clears it.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 250, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")
    )]
    pub topic: String,
}

/// Body of `PUT /api/rooms/{id}/mute`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MuteRequest {
    pub muted: bool,
}

/// One member in `GET /api/rooms/{id}/members`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: uuid::Uuid,
    pub name: String,
    /// Connected to the room now, on any instance.
    pub online: bool,
    /// Their role in the room (v3).
    #[serde(default)]
    pub role: crate::RoomRole,
}

/// Answer to `GET /api/rooms/{id}/members`: sorted by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembersPage {
    pub members: Vec<Member>,
}

/// Body of `POST /api/rooms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateRoom {
    /// 1-32 of `a-z 0-9 _ -`, starting with a letter or digit (see
    /// `valid_room_name`); the room's id.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 32, pattern = "^[a-z0-9][a-z0-9_-]*$")
    )]
    pub name: String,
    /// `public` or `private`: direct rooms are opened with `POST /api/dms`.
    #[cfg_attr(feature = "openapi", schema(schema_with = creatable_kind))]
    pub kind: RoomKind,
}

/// The kinds of room `POST /api/rooms` makes.
#[cfg(feature = "openapi")]
fn creatable_kind() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["public", "private"]))
        .build()
}

/// Body of `POST /api/rooms/{id}/members`: `user` is a user id or a username.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddMember {
    pub user: String,
}

/// Answer to `GET /api/rooms/{id}/messages`: the room's entries oldest first,
/// messages in their current state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagesPage {
    pub messages: Vec<Entry>,
    /// As in the `history` frame (a Confab addition).
    #[serde(default)]
    pub seq: Seq,
}

/// Every HTTP error: `{"error":{"code","message"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// Answer to `GET /api/auth/providers` (a Confab addition): the ways to sign
/// in besides a password.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthProviders {
    /// The OpenID provider, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcProvider>,
    /// Who may create an account with a password now (v3).
    #[serde(default)]
    pub signup: crate::SignupPolicy,
}

/// An OpenID provider to sign in with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OidcProvider {
    /// Its name on the sign-in page ("Sign in with NAME").
    pub name: String,
    /// Where the browser goes to sign in (`GET`).
    pub start: String,
    /// Where a signed-in browser asks to link its account (`POST`, answered
    /// by [`OidcLink`]).
    pub link: String,
}

/// Answer to `POST /api/auth/oidc/link`: where to send the browser to sign
/// in at the provider (the flow's cookie is set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OidcLink {
    pub url: String,
}
