//! Exports (v3, docs/PROTOCOL.md, "Records"): the lines of an export's zip.
//! `GET /api/admin/export` and `confab export` write the whole instance;
//! `GET /api/users/me/export` one person's own data.
//!
//! An instance's zip: `manifest.json` ([`ExportManifest`]), `users.jsonl`
//! ([`ExportedUser`] a line), `rooms.jsonl` ([`ExportedRoom`]),
//! `memberships.jsonl` ([`ExportedMember`]), `logs/NNNNNN.jsonl` (every
//! entry of a room's log, oldest first, as a replay carries them: each
//! message with its body as it is now, then the edits, deletions,
//! reactions, pins and topics, which is where reactions and reply counts
//! come from), `held.jsonl` ([`ExportedHeld`]: originals a legal hold
//! kept) and `files/FILE-ID` (each attached file's bytes). A person's: the
//! manifest, their user and memberships, `messages.jsonl` (the messages they
//! wrote, oldest first) and their files.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Attachment, RoomId, RoomKind, RoomRole, Seq};

/// `format` of every export's manifest.
pub const EXPORT_FORMAT: &str = "confab-export";
/// The version of the format described here.
pub const EXPORT_VERSION: u32 = 1;

/// What an export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportScope {
    /// Everything: every user, room, log and file.
    Instance,
    /// One person's own data.
    User,
}

/// `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportManifest {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    pub version: u32,
    pub scope: ExportScope,
    #[serde(with = "time::serde::rfc3339")]
    pub exported_ts: OffsetDateTime,
    /// Whose export it is, for a person's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Uuid>,
}

/// A line of `users.jsonl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedUser {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub disabled: bool,
    /// For a bot: who owns it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_owner: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_ts: OffsetDateTime,
}

/// A line of `rooms.jsonl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedRoom {
    pub id: RoomId,
    pub name: String,
    pub kind: RoomKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub topic: String,
    #[serde(default)]
    pub archived: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Uuid>,
    pub epoch: String,
    /// The newest entry of its log when exported.
    pub last_seq: Seq,
    #[serde(with = "time::serde::rfc3339")]
    pub created_ts: OffsetDateTime,
    /// Where its log is in the zip (`logs/….jsonl`).
    pub log: String,
}

/// A line of `memberships.jsonl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedMember {
    pub room: RoomId,
    pub user: Uuid,
    pub role: RoomRole,
    pub last_read_seq: Seq,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_ts: OffsetDateTime,
}

/// A line of `held.jsonl`: a message that went (deleted, or by retention)
/// while a legal hold covered it, as it was before it went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedHeld {
    pub id: Uuid,
    pub room: RoomId,
    pub seq: Seq,
    pub author: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Uuid>,
    pub body: String,
    /// Its files (their bytes are `files/ID` of the zip).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_ts: OffsetDateTime,
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub edited_ts: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub gone_ts: OffsetDateTime,
    /// `deleted` or `retention`.
    pub why: String,
}

/// Where an import started from the console is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    Running,
    Done,
    Failed,
}

/// An import started from the admin console (`POST
/// /api/admin/imports/slack`), as `GET /api/admin/imports/{id}` tells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportJob {
    pub id: Uuid,
    /// `slack`.
    pub source: String,
    pub state: ImportState,
    /// Conversations read, of `total`.
    pub done: u32,
    pub total: u32,
    /// The conversation being read.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub current: String,
    /// Once done: what it added (`users`, `rooms`, `messages`, `replies`,
    /// `reactions`, `files`, `files_linked`) and the day files it skipped
    /// (`skipped`, `path: why`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub report: Option<serde_json::Value>,
    /// Once failed: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub started_ts: OffsetDateTime,
}

/// `GET /api/admin/imports/{source}/mapping`: what each imported person and
/// conversation became here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportMapping {
    /// `slack` or `confab`.
    pub source: String,
    /// By name here.
    pub people: Vec<ImportedPerson>,
    /// By name here.
    pub rooms: Vec<ImportedRoom>,
}

/// A person of the source and their account here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedPerson {
    /// Their id in the source (a Slack user id, `U…`).
    pub source_id: String,
    pub user: super::UserRef,
    /// Whether someone signs in to the account: it has a password or a
    /// linked single sign-on identity (else an admin makes its claim link).
    pub claimed: bool,
    #[serde(default)]
    pub disabled: bool,
}

/// A conversation of the source and its room here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedRoom {
    /// Its id in the source (a Slack channel id, `C…`, `G…`, `D…`).
    pub source_id: String,
    pub room: RoomId,
    pub name: String,
    pub kind: RoomKind,
}
