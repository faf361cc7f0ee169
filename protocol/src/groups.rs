//! v3 attention: mentions that reach many people at once. `@here`,
//! `@channel` and `@all` mention a room's members (online ones, or all of
//! them); a user group (`POST /api/groups`) is a name, like `@design`, that
//! mentions its members who can read the room.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::UserRef;

/// Rooms with more members than this take `@here`, `@channel` and `@all`
/// from their moderators, owners and admins only.
pub const BROAD_MENTION_MEMBERS: u64 = 50;

/// Most members one user group has.
pub const MAX_GROUP_SIZE: usize = 1_000;
/// Most user groups an instance keeps.
pub const MAX_GROUPS: usize = 1_000;
/// Longest group description, in characters.
pub const MAX_GROUP_DESCRIPTION_CHARS: usize = 250;

/// Who a broad mention reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broad {
    /// `@here`: the members with a connection open, on any instance.
    Here,
    /// `@channel` or `@all`: every member.
    Everyone,
}

impl Broad {
    /// The broad mention a (lower-case) mentioned name is, if it is one.
    pub fn of(name: &str) -> Option<Broad> {
        match name {
            "here" => Some(Broad::Here),
            "channel" | "all" => Some(Broad::Everyone),
            _ => None,
        }
    }
}

/// Whether `name` is kept for broad mentions: no user or group takes it
/// (in any case).
pub fn reserved_name(name: &str) -> bool {
    Broad::of(&name.to_ascii_lowercase()).is_some()
}

/// A user group: `@name` mentions its members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserGroup {
    pub id: Uuid,
    /// Follows the username rule; never a user's name.
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Its members, sorted by name.
    pub members: Vec<UserRef>,
    /// Who made it (they and admins may change it).
    pub created_by: UserRef,
}

/// Body of `POST /api/groups`: `members` are user ids or names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::names::username_schema))]
    pub name: String,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 250))]
    pub description: String,
}

/// Body of `PATCH /api/groups/{id}`: what is given changes (`members`
/// replaces the whole list).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::names::username_schema))]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 250))]
    pub description: Option<String>,
}

/// Answer to `GET /api/groups`: every group, sorted by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupList {
    pub groups: Vec<UserGroup>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broad_mentions_are_reserved_names() {
        assert_eq!(Broad::of("here"), Some(Broad::Here));
        assert_eq!(Broad::of("all"), Some(Broad::Everyone));
        assert_eq!(Broad::of("channel"), Some(Broad::Everyone));
        assert_eq!(Broad::of("design"), None);
        assert!(reserved_name("Channel"));
        assert!(!reserved_name("channels"));
    }
}
