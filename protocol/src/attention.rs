//! v3 attention: what raises a notification. Every member hears of every
//! message (`activity`, counts); a room's notification level, muting and
//! do-not-disturb decide which of them notify (a browser notification, a
//! push, an e-mail). [`notifies`] is the one rule, used by the server (the
//! `notify` of `activity`) and by clients (for the messages of rooms they
//! have joined).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{RoomId, RoomKind};

/// Which messages of a room notify the user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationLevel {
    /// Every message.
    All,
    /// Mentions of the user (by name, group, `@here`, `@channel`) and
    /// replies in threads they follow.
    #[default]
    Mentions,
    /// None (the counts still move).
    None,
}

impl NotificationLevel {
    /// A room's level until its member sets one: every message of a direct
    /// room, mentions elsewhere.
    pub fn default_for(kind: RoomKind) -> Self {
        match kind {
            RoomKind::Direct => NotificationLevel::All,
            _ => NotificationLevel::Mentions,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationLevel::All => "all",
            NotificationLevel::Mentions => "mentions",
            NotificationLevel::None => "none",
        }
    }

    /// The level a stored name is (unknown names: the default).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "all" => Some(NotificationLevel::All),
            "mentions" => Some(NotificationLevel::Mentions),
            "none" => Some(NotificationLevel::None),
            _ => None,
        }
    }
}

/// Whether a new message notifies a member: `mention` (it mentions them)
/// or `followed` (a reply in a thread they follow) under their room's
/// `level`, unless the room is `muted` or they are in do-not-disturb
/// (`quiet`). The author is never notified of their own message.
pub fn notifies(
    level: NotificationLevel,
    muted: bool,
    quiet: bool,
    mention: bool,
    followed: bool,
) -> bool {
    if muted || quiet {
        return false;
    }
    match level {
        NotificationLevel::All => true,
        NotificationLevel::Mentions => mention || followed,
        NotificationLevel::None => false,
    }
}

/// Body of `PUT /api/rooms/{id}/notifications`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationsRequest {
    pub level: NotificationLevel,
}

/// The `notifications` frame: a room's level or muting changed (from
/// another of the user's connections, or this one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomNotifications {
    pub room: RoomId,
    pub level: NotificationLevel,
    pub muted: bool,
}

/// Quiet hours every day, in the user's time zone (their profile's, UTC if
/// none): `start` to `end`, `"HH:MM"`; a `start` after `end` runs past
/// midnight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DndSchedule {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )]
    pub start: String,
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")
    )]
    pub end: String,
}

impl DndSchedule {
    /// `start` and `end` in minutes after midnight, if both are `HH:MM` and
    /// differ.
    pub fn minutes(&self) -> Option<(u16, u16)> {
        let parse = |text: &str| -> Option<u16> {
            let (h, m) = text.split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        let (start, end) = (parse(&self.start)?, parse(&self.end)?);
        (start != end).then_some((start, end))
    }
}

/// Body of `PUT /api/users/me/dnd`: `until` pauses notifications until then
/// (`null` resumes them); `schedule` sets quiet hours (`null` removes
/// them). An absent field is left as it is. Only a JSON object is one (both
/// fields being optional, `[null, null]` would otherwise read as one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    deny_unknown_fields,
    try_from = "serde_json::Map<String, serde_json::Value>"
)]
pub struct DndRequest {
    /// An RFC 3339 time (read by [`DndRequest::until_time`]: a bad one is
    /// refused with the rest of the request's rules, not as a malformed body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<time::OffsetDateTime>))]
    pub until: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DndSchedule>))]
    pub schedule: Option<Option<DndSchedule>>,
}

impl DndRequest {
    /// A pause until `until`.
    pub fn pause_until(until: OffsetDateTime) -> Self {
        let text = until
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        DndRequest {
            until: Some(Some(text)),
            schedule: None,
        }
    }

    /// `until` as a time, as given (absent, `null`, or a time); a text that
    /// is no RFC 3339 time is an error in words.
    pub fn until_time(&self) -> Result<Option<Option<OffsetDateTime>>, String> {
        match &self.until {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(text)) => {
                OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .map(|t| Some(Some(t)))
                    .map_err(|_| format!("until {text:?} is no RFC 3339 time"))
            }
        }
    }
}

/// [`DndRequest`]'s fields, as read from an object.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DndFields {
    #[serde(default, deserialize_with = "crate::people::present")]
    until: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::people::present")]
    schedule: Option<Option<DndSchedule>>,
}

impl TryFrom<serde_json::Map<String, serde_json::Value>> for DndRequest {
    type Error = serde_json::Error;

    fn try_from(map: serde_json::Map<String, serde_json::Value>) -> Result<Self, Self::Error> {
        let fields: DndFields = serde_json::from_value(serde_json::Value::Object(map))?;
        Ok(DndRequest {
            until: fields.until,
            schedule: fields.schedule,
        })
    }
}

/// A user's do-not-disturb (`GET`/`PUT /api/users/me/dnd`, and the `dnd`
/// frame to all their connections when it changes). `quiet_from` and
/// `quiet_until` are the current or next quiet stretch (the pause and the
/// schedule together), as the server reckons it: a client is quiet while
/// `quiet_from <= now < quiet_until`, and asks again after `quiet_until`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dnd {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub until: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<DndSchedule>,
    /// The time zone the schedule is in: the profile's (absent: UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub quiet_from: Option<OffsetDateTime>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub quiet_until: Option<OffsetDateTime>,
}

impl Dnd {
    /// Whether the user is in do-not-disturb at `now`.
    pub fn quiet_at(&self, now: OffsetDateTime) -> bool {
        match (self.quiet_from, self.quiet_until) {
            (Some(from), Some(until)) => from <= now && now < until,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_decide_what_notifies() {
        use NotificationLevel::*;
        assert!(notifies(All, false, false, false, false));
        assert!(!notifies(Mentions, false, false, false, false));
        assert!(notifies(Mentions, false, false, true, false));
        assert!(notifies(Mentions, false, false, false, true));
        assert!(!notifies(None, false, false, true, true));
        assert!(!notifies(All, true, false, true, false), "muted");
        assert!(!notifies(All, false, true, true, false), "quiet");
    }

    #[test]
    fn schedules_read_hours_and_minutes() {
        let s = |a: &str, b: &str| DndSchedule {
            start: a.into(),
            end: b.into(),
        };
        assert_eq!(s("22:00", "08:30").minutes(), Some((1320, 510)));
        assert_eq!(s("24:00", "08:00").minutes(), None);
        assert_eq!(s("9:00", "10:00").minutes(), None);
        assert_eq!(s("09:00", "09:00").minutes(), None);
    }

    #[test]
    fn a_dnd_request_tells_absent_from_null() {
        let r: DndRequest = serde_json::from_str(r#"{"until":null}"#).unwrap();
        assert_eq!(r.until, Some(None));
        assert_eq!(r.schedule, None);
        let r: DndRequest =
            serde_json::from_str(r#"{"until":"2026-12-04T10:00:00Z","schedule":null}"#).unwrap();
        assert!(matches!(r.until_time(), Ok(Some(Some(_)))));
        let bad: DndRequest = serde_json::from_str(r#"{"until":""}"#).unwrap();
        assert!(bad.until_time().is_err());
        assert_eq!(r.schedule, Some(None));
        assert!(serde_json::from_str::<DndRequest>("[null, null]").is_err());
        assert!(serde_json::from_str::<DndRequest>(r#"{"snooze":1}"#).is_err());
    }
}
