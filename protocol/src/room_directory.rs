//! The rooms directory (v3): `GET /api/rooms/directory?q=&limit=`, public
//! rooms to browse and join (the room list itself holds only the caller's
//! own rooms).

use serde::{Deserialize, Serialize};

use super::RoomId;

/// Rooms a directory search lists when it names no `limit`.
pub const DEFAULT_ROOM_DIRECTORY_LIMIT: u32 = 50;
/// Most rooms a directory search lists.
pub const MAX_ROOM_DIRECTORY_LIMIT: u32 = 200;
/// Longest directory query, in characters.
pub const MAX_ROOM_DIRECTORY_QUERY_CHARS: usize = 64;

/// A public room as the directory lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryRoom {
    pub id: RoomId,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub topic: String,
    pub member_count: u32,
    /// The caller is a member.
    pub joined: bool,
}

/// Answer to `GET /api/rooms/directory`: by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomDirectory {
    pub rooms: Vec<DirectoryRoom>,
}
