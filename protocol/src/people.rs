//! People (v3): profiles, the directory and `user_updated`.
//! `GET`/`PATCH /api/users/me`, `PUT /api/users/me/avatar`,
//! `GET /api/users?q=&limit=`, `GET /api/users/{user}`, `GET /api/avatars/{digest}`.

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// Longest display name, in characters (at least one that is not a space).
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;
/// Longest title ("Head of Support"), in characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest status text ("In a meeting"), in characters.
pub const MAX_STATUS_TEXT_CHARS: usize = 100;
/// Longest time zone name (IANA, `Europe/Berlin`), in bytes.
pub const MAX_TIMEZONE_CHARS: usize = 64;
/// People a directory search lists when it names no `limit`.
pub const DEFAULT_DIRECTORY_LIMIT: u32 = 20;
/// Most people a directory search lists.
pub const MAX_DIRECTORY_LIMIT: u32 = 100;
/// Longest directory query, in characters.
pub const MAX_DIRECTORY_QUERY_CHARS: usize = 64;
/// The two avatar thumbnails' sides, in pixels: large (profile card), small
/// (message rows, lists).
pub const AVATAR_SIDES: [u32; 2] = [256, 64];

/// What a person says they are doing, until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Status {
    /// 0-100 characters ("In a meeting").
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub text: String,
    /// One emoji, or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub emoji: Option<String>,
    /// When the server clears it (RFC 3339); absent: until changed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub until: Option<OffsetDateTime>,
}

/// A person as anyone signed in sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// IANA time zone (`Europe/Berlin`): clients show the person's local time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Absent when none is set or it expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The large thumbnail (256 px square JPEG); absent: no avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// The small one (64 px), for rows and lists (a Confab addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_small_url: Option<String>,
    #[serde(default)]
    pub bot: bool,
    #[serde(default)]
    pub deactivated: bool,
    /// An admin of the instance (a Confab addition; absent when not).
    #[serde(default, skip_serializing_if = "is_false")]
    pub admin: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Profile {
    /// What to call the person: their display name, else their username.
    pub fn shown_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.name)
    }
}

/// Reads a field that may be absent (unchanged: `None`), `null` (cleared:
/// `Some(None)`) or a value (`Some(Some(v))`).
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Body of `PATCH /api/users/me`: absent fields are left as they are, `null`
/// (or an empty string) clears one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileUpdate {
    /// 1-64 characters, not only spaces.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 64))]
    pub display_name: Option<Option<String>>,
    /// 0-100 characters.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 100))]
    pub title: Option<Option<String>>,
    /// An IANA time zone name.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 64))]
    pub timezone: Option<Option<String>>,
    /// `until` in the past is refused; an empty text and no emoji clears it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Status>))]
    pub status: Option<Option<Status>>,
}

/// Answer to `PUT /api/users/me/avatar`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvatarSet {
    pub avatar_url: String,
    pub avatar_small_url: String,
}

/// Answer to `GET /api/users` (the directory) and to `GET /api/users?ids=`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserList {
    pub users: Vec<Profile>,
}

/// Whether `text` is a usable display name (after trimming).
pub fn valid_display_name(text: &str) -> bool {
    let chars = text.chars().count();
    (1..=MAX_DISPLAY_NAME_CHARS).contains(&chars)
        && !text.chars().any(crate::is_hidden_control)
        && !text.trim().is_empty()
}

/// Whether `text` fits as a title or a status text of at most `max`
/// characters, with no control characters.
pub fn valid_short_text(text: &str, max: usize) -> bool {
    text.chars().count() <= max && !text.chars().any(crate::is_hidden_control)
}

/// The directory's key for a name: what a case-blind prefix search compares.
pub fn search_key(text: &str) -> String {
    text.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_update_tells_absent_from_cleared() {
        let update: ProfileUpdate =
            serde_json::from_value(json!({"display_name": "Ada", "title": null})).unwrap();
        assert_eq!(update.display_name, Some(Some("Ada".to_string())));
        assert_eq!(update.title, Some(None), "null clears");
        assert_eq!(update.timezone, None, "absent stays");
        assert_eq!(update.status, None);
    }

    #[test]
    fn a_profile_leaves_empty_fields_out() {
        let profile = Profile {
            id: Uuid::nil(),
            name: "ada".into(),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&profile).unwrap(),
            json!({"id": Uuid::nil(), "name": "ada", "bot": false, "deactivated": false})
        );
        assert_eq!(profile.shown_name(), "ada");
    }

    #[test]
    fn display_names_and_keys() {
        assert!(valid_display_name("Zoë Adams"));
        assert!(!valid_display_name("   "));
        assert!(!valid_display_name(&"x".repeat(65)));
        assert!(!valid_display_name("a\u{202E}b"));
        assert_eq!(search_key("  ZOË "), "zoë");
    }
}
