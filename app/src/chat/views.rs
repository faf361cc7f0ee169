//! What the panels over the room show (settings, search, the people
//! directory, the rooms directory), the files on their way to the next
//! message, the browser's notification permission, and the changes shown
//! before the server confirms them.

use std::collections::HashMap;

use uuid::Uuid;

use crate::protocol::{DirectoryRoom, Profile, RoomId, UserRef};

/// What the settings panel shows: the user's personal access tokens and
/// bots, and the token just made (its secret is shown this once).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsView {
    pub tokens: Vec<crate::protocol::TokenInfo>,
    pub bots: Vec<UserRef>,
    /// Identities at the OpenID provider that sign this account in.
    pub identities: Vec<crate::protocol::IdentityInfo>,
    pub created: Option<crate::protocol::CreatedToken>,
    pub loading: bool,
    pub error: Option<String>,
}

/// A file on its way to the next message of a room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadItem {
    /// This page's name for it.
    pub key: u64,
    pub name: String,
    pub size: u64,
    /// Bytes sent so far.
    pub sent: u64,
    pub state: UploadState,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadState {
    Uploading,
    /// Stored: it goes with the next message sent.
    Ready(crate::protocol::Attachment),
    /// Refused or failed, with why.
    Failed(String),
}

/// What the search panel shows: the search asked for and what it found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchView {
    pub text: String,
    /// Only this room (None: every room the user can read).
    pub room: Option<RoomId>,
    pub results: Vec<crate::protocol::SearchHit>,
    pub loading: bool,
    /// The last page was full: there may be more.
    pub more: bool,
    pub error: Option<String>,
}

/// The browser's notification permission, as the UI offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notifications {
    /// Not in this browser (or not yet known).
    Unsupported,
    /// Not asked yet: a button asks, on a click.
    Ask,
    Granted,
    Denied,
}

/// What this user changed that the server has not confirmed yet: shown at
/// once, and dropped when the server's answer (`done` or `error`) comes —
/// by then the entry itself has arrived, so nothing is counted twice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Optimistic {
    /// message → its new body.
    pub edits: HashMap<Uuid, String>,
    /// (message, emoji) → reaction set or cleared.
    pub reactions: HashMap<(Uuid, String), bool>,
    /// Messages being deleted.
    pub deletions: std::collections::HashSet<Uuid>,
}

/// What a panel searched as one types shows (the people directory, "Browse
/// rooms"): the search and what it found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found<T> {
    pub text: String,
    pub items: Vec<T>,
    pub loading: bool,
    pub error: Option<String>,
}

impl<T> Default for Found<T> {
    fn default() -> Self {
        Found {
            text: String::new(),
            items: Vec::new(),
            loading: false,
            error: None,
        }
    }
}

/// The people directory; also "Add people" in a room's member list.
pub type DirectoryView = Found<Profile>;

/// The admin console's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AdminTab {
    #[default]
    Users,
    Invites,
    SignUp,
    Audit,
    /// Exports.
    Records,
}

/// What the audit tab filters by (empty: not filtered).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    /// `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
}

impl AuditFilter {
    /// The filter as a query string (without `?`), for the page and the
    /// export alike.
    pub fn query(&self) -> String {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", urlencoding_min(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Percent-encodes what a query value may not hold as it is.
fn urlencoding_min(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What the admin console shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdminView {
    pub tab: AdminTab,
    /// Users found (deactivated ones included).
    pub users: Found<Profile>,
    /// The user whose bots and tokens are shown.
    pub user: Option<crate::protocol::AdminUserView>,
    pub invites: Vec<crate::protocol::InviteInfo>,
    /// The sign-up policy, once loaded.
    pub signup: Option<crate::protocol::SignupPolicy>,
    pub filter: AuditFilter,
    pub audit: Vec<crate::protocol::AuditEntry>,
    /// The last audit page was full: there may be older entries.
    pub audit_more: bool,
    pub loading: bool,
    pub error: Option<String>,
    /// What the last change did, for the screen reader's live region.
    pub said: Option<String>,
    /// The import started from the Records tab, as last heard.
    pub import: Option<crate::protocol::ImportJob>,
    /// Its export is being uploaded.
    pub uploading: bool,
    /// The last claim link made: for whom, and the whole address.
    pub claim: Option<(String, String)>,
    /// Retention periods, once the Records tab loaded them.
    pub retention: Option<crate::protocol::RetentionSettings>,
    /// Legal holds, the newest first.
    pub holds: Vec<crate::protocol::LegalHold>,
    /// What a Slack import made of each person and conversation.
    pub mapping: Option<crate::protocol::ImportMapping>,
}
/// "Browse rooms": public rooms.
pub type BrowseView = Found<DirectoryRoom>;

/// Pushes to this browser and the user's other subscribed devices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushView {
    /// This browser can take pushes (a service worker and a push manager).
    pub supported: bool,
    /// This browser's subscription's endpoint, when subscribed.
    pub here: Option<String>,
    /// Every subscribed browser of the user's, the newest first.
    pub devices: Vec<crate::protocol::PushDevice>,
    /// Subscribing or unsubscribing is under way.
    pub busy: bool,
}
