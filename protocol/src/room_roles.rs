//! v3: running a room. Each member has a role in it ([`RoomRole`]); owners and
//! admins rename and archive a room (a [`RoomChanged`] entry of its log), set
//! roles ([`RoleRequest`], told as [`crate::ServerFrame::RoleChanged`]);
//! moderators and owners delete others' messages and remove members
//! (`docs/PROTOCOL.md`, *Roles and archiving*).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{RoomId, Seq, UserRef};

/// A member's role in a room. Direct rooms have only members.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RoomRole {
    #[default]
    Member,
    /// Deletes others' messages, adds and removes members.
    Moderator,
    /// A moderator who also renames, archives and sets roles.
    Owner,
}

impl RoomRole {
    pub fn as_str(self) -> &'static str {
        match self {
            RoomRole::Member => "member",
            RoomRole::Moderator => "moderator",
            RoomRole::Owner => "owner",
        }
    }

    /// The role stored as `text`; anything unknown is a member.
    pub fn parse(text: &str) -> RoomRole {
        match text {
            "owner" => RoomRole::Owner,
            "moderator" => RoomRole::Moderator,
            _ => RoomRole::Member,
        }
    }
}

/// Body of `PUT /api/rooms/{id}/members/{user}`: the member's new role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    pub role: RoomRole,
}

/// Body of `PATCH /api/rooms/{id}`: the room's new name (the rules of a new
/// room's name; its id stays).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RenameRoom {
    pub name: String,
}

/// The room was renamed, archived or unarchived (a room log entry; a Confab
/// addition): its `name` and whether it is `archived` after the change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomChanged {
    pub room: RoomId,
    pub seq: Seq,
    pub epoch: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ts: OffsetDateTime,
    pub name: String,
    pub archived: bool,
    pub by: UserRef,
}
