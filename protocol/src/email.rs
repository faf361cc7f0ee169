//! v3 beyond the tab: e-mail for what was missed. A user who gives an
//! address is mailed, once, the direct messages and mentions still unread
//! `delay_secs` after they came (those of a few minutes batched in one
//! message), with a link to each and a link that stops the mails.

use serde::{Deserialize, Serialize};

/// The delay a user gets unless they choose: fifteen minutes.
pub const DEFAULT_EMAIL_DELAY_SECS: u32 = 15 * 60;
/// The longest delay a user may choose: a day.
pub const MAX_EMAIL_DELAY_SECS: u32 = 24 * 3600;
/// The longest address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// `GET`/`PUT /api/users/me/email`: where to mail what the user missed,
/// after how long, and whether to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// The address (`null`: none, so no mail).
    #[serde(default)]
    pub email: Option<String>,
    /// How long a direct message or a mention stays unread before it is
    /// mailed, in seconds (at least the server's minimum, 60 unless the
    /// operator set another; at most a day).
    #[serde(deserialize_with = "crate::integral::u32")]
    pub delay_secs: u32,
    /// Mails are sent (the unsubscribe link turns this off).
    pub on: bool,
}

impl Default for EmailSettings {
    fn default() -> Self {
        EmailSettings {
            email: None,
            delay_secs: DEFAULT_EMAIL_DELAY_SECS,
            on: true,
        }
    }
}
