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

/// Body of `PATCH /api/rooms/{id}`: what changes (at least one field).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoomPatch {
    /// The room's new name (the rules of a new room's name; its id stays).
    /// Owners and admins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How many days the room keeps messages (1 to 36,500), or `null` for
    /// the instance's period (docs/PROTOCOL.md, "Retention"). Admins only.
    #[serde(
        default,
        deserialize_with = "crate::integral::present_optional_u32",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 1, maximum = 36500))]
    pub retention_days: Option<Option<u32>>,
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
