//! Retention and legal holds (v3, docs/PROTOCOL.md, "Retention"): what an
//! admin reads and sets in the console.
//!
//! `GET /api/admin/retention` answers [`RetentionSettings`]; a room's own
//! period is set with `PATCH /api/rooms/{id} {"retention_days"}`.
//! `GET /api/admin/holds` answers [`HoldList`]; `PUT` and `DELETE
//! /api/admin/holds/{kind}/{target}` ([`PlaceHold`]) place and release one.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{RoomId, Seq, UserRef};

/// Longest period a room or the instance may keep messages for, in days
/// (a hundred years).
pub const MAX_RETENTION_DAYS: u32 = 36_500;
/// Longest reason a hold may give, in characters.
pub const MAX_HOLD_REASON_CHARS: usize = 500;

/// The instance's period and every room with a period of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionSettings {
    /// The instance's period (`--retention-days`), `null` for forever.
    #[serde(default)]
    pub retention_days: Option<u32>,
    pub rooms: Vec<RoomRetention>,
}

/// A room whose period is its own, or whose log has been cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomRetention {
    pub room: RoomId,
    pub name: String,
    /// Its own period, `null` for the instance's.
    #[serde(default)]
    pub retention_days: Option<u32>,
    /// Its log is kept after this `seq`: entries up to it are gone (0:
    /// nothing is).
    pub kept_after: Seq,
    /// Whether a legal hold on the room keeps everything.
    #[serde(default)]
    pub held: bool,
}

/// What a hold is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldKind {
    /// Everything of a room.
    Room,
    /// Everything a user wrote, in any room.
    User,
}

impl HoldKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldKind::Room => "room",
            HoldKind::User => "user",
        }
    }

    pub fn parse(text: &str) -> Option<HoldKind> {
        match text {
            "room" => Some(HoldKind::Room),
            "user" => Some(HoldKind::User),
            _ => None,
        }
    }
}

/// Body of `PUT /api/admin/holds/{kind}/{target}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlaceHold {
    /// Why (a matter's name, say): 1 to 500 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// A legal hold in place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalHold {
    pub kind: HoldKind,
    /// The room's id, or the user's id.
    pub target: String,
    /// The room's or the user's name now.
    pub name: String,
    pub reason: String,
    pub by: UserRef,
    #[serde(with = "time::serde::rfc3339")]
    pub placed_ts: OffsetDateTime,
}

/// `GET /api/admin/holds`: every hold, the newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldList {
    pub holds: Vec<LegalHold>,
}
