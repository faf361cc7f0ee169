//! Bot accounts and personal access tokens (a Confab addition to the
//! contract): `POST/GET /api/tokens`, `DELETE /api/tokens/{id}`,
//! `POST/GET /api/bots`, `DELETE /api/bots/{id}`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{RoomId, UserRef};

/// The first characters of every personal access token: it tells a token
/// from a JWT, and secret scanners can find leaked ones.
pub const TOKEN_PREFIX: &str = "cfb_";
/// Longest token or bot name, in characters.
pub const MAX_TOKEN_NAME_CHARS: usize = 64;

/// Body of `POST /api/tokens`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateToken {
    /// What the token is for (1-64 characters, not only spaces), shown in
    /// the list.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = "\\S")
    )]
    pub name: String,
    /// Read only: it may read rooms and history but change nothing others
    /// see (no messages, edits, reactions, topics, rooms or members).
    #[serde(default)]
    pub read_only: bool,
    /// Only this room: everything else is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    /// Days until it stops working (1-3650); absent: until revoked.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integral::optional_u32"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub expires_in_days: Option<u32>,
    /// A bot of the caller's (name or id) to make the token for; absent: the
    /// caller's own token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<String>,
}

/// A token as listed: everything but its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    /// The secret's first characters (`cfb_1a2b…`).
    pub prefix: String,
    /// Whose token it is: the caller, or one of their bots.
    pub user: UserRef,
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_ts: OffsetDateTime,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub expires_ts: Option<OffsetDateTime>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub last_used_ts: Option<OffsetDateTime>,
}

/// Answer to `POST /api/tokens`: the secret, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    /// The bearer token (`cfb_…`): `Authorization: Bearer <token>` on HTTP
    /// and on the socket's upgrade. It is not stored and cannot be shown again.
    pub token: String,
    #[serde(flatten)]
    pub info: TokenInfo,
}

/// Answer to `GET /api/tokens`: the caller's tokens and their bots', newest
/// first; revoked ones are gone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

/// Body of `POST /api/bots`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateBot {
    /// The bot's username (the same rules as a person's).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::names::username_schema))]
    pub name: String,
}

/// Answer to `GET /api/bots`: the caller's bots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BotList {
    pub bots: Vec<UserRef>,
}
