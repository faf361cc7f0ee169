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

/// The people directory.
pub type DirectoryView = Found<Profile>;
/// "Browse rooms": public rooms.
pub type BrowseView = Found<DirectoryRoom>;
