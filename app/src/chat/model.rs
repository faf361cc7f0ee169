//! The state the UI renders, as signals (the commands the UI issues are in
//! `commands`, re-exported here).

use std::collections::{BTreeMap, HashMap, HashSet};

use leptos::prelude::*;
use uuid::Uuid;

pub use super::commands::{Actions, AdminCommand, Command, GroupCommand, RoomCommand};
use super::timeline::Timeline;
pub use super::views::{
    AdminTab, AdminView, AuditFilter, BrowseView, DirectoryView, Found, Notifications, Optimistic,
    PushView, SearchView, SettingsView, UploadItem, UploadState,
};
use crate::protocol::{
    is_direct_id, Dnd, FollowedThread, Member, Profile, RoomId, RoomInfo, RoomKind, RoomRole,
    SavedItem, Seq, UserGroup, UserRef,
};

/// How the sidebar orders rooms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RoomOrder {
    /// Unread first, then the latest activity first.
    #[default]
    Recent,
    /// By name.
    Alphabetical,
}

/// Who is using the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Session {
    /// Not known yet (the server render, and the first moments in the browser).
    Loading,
    /// Show the sign-in form, with why, if there is a reason.
    SignedOut {
        reason: Option<String>,
    },
    SignedIn(UserRef),
}

/// The state of the connection to the server.
#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    Connecting,
    Online,
    /// Waiting to reconnect: the next attempt is at `retry_at` (ms since epoch).
    Waiting {
        retry_at: f64,
    },
    /// The page opened with no way to the server and shows what this
    /// device kept, as of `saved_at` (ms since epoch); nothing can be sent.
    Offline {
        saved_at: f64,
    },
}

/// Per room: who is typing, until when (ms since epoch).
pub type TypingByRoom = HashMap<RoomId, BTreeMap<Uuid, (UserRef, f64)>>;
/// Per room: who is online.
pub type OnlineByRoom = HashMap<RoomId, BTreeMap<Uuid, UserRef>>;

/// Everything the UI shows. Cheap to copy: every field is a signal handle.
#[derive(Clone, Copy)]
pub struct ChatModel {
    pub session: RwSignal<Session>,
    pub link: RwSignal<Link>,
    pub rooms: RwSignal<Vec<RoomInfo>>,
    pub current: RwSignal<Option<RoomId>>,
    pub timelines: RwSignal<HashMap<RoomId, Timeline>>,
    pub typing: RwSignal<TypingByRoom>,
    pub online: RwSignal<OnlineByRoom>,
    /// Per room: how many are online (all of them, where `online` may name
    /// only those the page asked about).
    pub online_count: RwSignal<HashMap<RoomId, u32>>,
    /// What the user has typed but not sent, per room. Kept while the session
    /// is renewed or the user signs in again.
    pub drafts: RwSignal<HashMap<RoomId, String>>,
    /// The same, per thread's reply box.
    pub thread_drafts: RwSignal<HashMap<(RoomId, Uuid), String>>,
    /// A message for the user about the last thing that went wrong.
    pub notice: RwSignal<Option<String>>,
    /// Set while a sign-in request is in flight.
    pub busy: RwSignal<bool>,
    /// The current time (ms since epoch), ticking while a countdown is shown.
    pub now: RwSignal<f64>,
    /// The thread open beside the room: its room and root message.
    pub thread: RwSignal<Option<(RoomId, Uuid)>>,
    /// The open thread as read over HTTP: its root and its replies (older
    /// than what the room's timeline holds).
    pub thread_replies: RwSignal<Vec<crate::protocol::Message>>,
    /// Changes sent but not yet stored, shown meanwhile (see [`Optimistic`]).
    pub optimistic: RwSignal<Optimistic>,
    /// Per opened room: the read marker when it was opened (where the "new
    /// messages" divider goes) and how many were unread then; absent when
    /// nothing was.
    pub divider: RwSignal<HashMap<RoomId, (Seq, u32)>>,
    /// Per room: when activity last arrived (a counter), for the sidebar's order.
    pub recent: RwSignal<HashMap<RoomId, u64>>,
    /// The member list shown beside the room, once loaded.
    pub members: RwSignal<Option<(RoomId, Vec<Member>)>>,
    /// Whether browser notifications are on, or can be asked for.
    pub notifications: RwSignal<Notifications>,
    /// The search panel, while open.
    pub search: RwSignal<Option<SearchView>>,
    /// Per room: files uploaded (or uploading) for the next message.
    pub uploads: RwSignal<HashMap<RoomId, Vec<UploadItem>>>,
    /// The settings panel (tokens and bots), while open.
    pub settings: RwSignal<Option<SettingsView>>,
    /// Ways to sign in besides a password (asked once, at start).
    pub providers: RwSignal<crate::protocol::AuthProviders>,
    /// What the server enforces (message length, file size), as it said.
    pub limits: RwSignal<crate::protocol::Limits>,
    /// People on the page, by id: profiles asked for, and kept current by
    /// `user_updated`.
    pub people: RwSignal<HashMap<Uuid, Profile>>,
    /// The profile card shown, if any.
    pub card: RwSignal<Option<Uuid>>,
    /// The people directory, while open.
    pub directory: RwSignal<Option<DirectoryView>>,
    /// "Browse rooms", while open.
    pub browse: RwSignal<Option<BrowseView>>,
    /// The open room's pinned messages beside it, once loaded.
    pub pins: RwSignal<Option<(RoomId, Vec<crate::protocol::Message>)>>,
    /// "Add people" in the member list, while open.
    pub adding: RwSignal<Option<DirectoryView>>,
    /// The admin console, while open.
    pub admin: RwSignal<Option<AdminView>>,
    /// How the sidebar orders rooms (kept in the browser's storage).
    pub room_order: RwSignal<RoomOrder>,
    /// The user's do-not-disturb, as the server last said.
    pub dnd: RwSignal<Dnd>,
    /// Pushes to this browser and the user's other devices.
    pub push: RwSignal<PushView>,
    /// Where missed messages are mailed; `None` where the server mails none.
    pub email: RwSignal<Option<crate::protocol::EmailSettings>>,
    /// The threads the user follows: root → the room and the last reply
    /// read (kept by the list, `thread` frames and replies arriving).
    pub following: RwSignal<HashMap<Uuid, (RoomId, Seq)>>,
    /// Unread replies in followed threads (the Threads button's badge).
    pub thread_unread: RwSignal<u32>,
    /// The Threads view, while open: the followed threads as last read.
    pub threads: RwSignal<Option<Vec<FollowedThread>>>,
    /// The ids of the messages the user saved.
    pub saved_ids: RwSignal<HashSet<Uuid>>,
    /// The Saved view, while open.
    pub saved: RwSignal<Option<Vec<SavedItem>>>,
    /// User groups: `@group` completion and the Groups panel.
    pub groups: RwSignal<Vec<UserGroup>>,
    /// The Groups panel, while open.
    pub groups_open: RwSignal<bool>,
    /// A message that mentions everyone in a big room, waiting for the
    /// sender to confirm it.
    pub confirm_broad: RwSignal<Option<BroadConfirm>>,
    /// The message to edit next (`↑` in the empty composer), until its row
    /// opens its edit box.
    pub edit_request: RwSignal<Option<Uuid>>,
    /// The Later view, while open: scheduled messages and reminders.
    pub later: RwSignal<Option<LaterView>>,
    /// Reminders that fired and are not dismissed (the Later badge).
    pub reminders_due: RwSignal<u32>,
    /// A new release is installed and waits for a reload.
    pub update_ready: RwSignal<bool>,
    /// On a phone: the room list fills the screen (not the open room). A
    /// page opened narrow starts on the list.
    pub phone_list: RwSignal<bool>,
}

/// What the Later view shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaterView {
    pub scheduled: Vec<crate::protocol::ScheduledMessage>,
    pub reminders: Vec<crate::protocol::Reminder>,
}

/// A send held for confirmation: `@channel` (or `@all`, `@here`) in a room
/// of more than `BROAD_MENTION_MEMBERS` members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadConfirm {
    pub room: RoomId,
    pub body: String,
    /// How many members it would notify (at least).
    pub members: usize,
}

impl ChatModel {
    pub fn new() -> Self {
        ChatModel {
            session: RwSignal::new(Session::Loading),
            link: RwSignal::new(Link::Connecting),
            rooms: RwSignal::new(Vec::new()),
            current: RwSignal::new(None),
            timelines: RwSignal::new(HashMap::new()),
            typing: RwSignal::new(HashMap::new()),
            online: RwSignal::new(HashMap::new()),
            online_count: RwSignal::new(HashMap::new()),
            drafts: RwSignal::new(HashMap::new()),
            thread_drafts: RwSignal::new(HashMap::new()),
            notice: RwSignal::new(None),
            busy: RwSignal::new(false),
            now: RwSignal::new(0.0),
            thread: RwSignal::new(None),
            thread_replies: RwSignal::new(Vec::new()),
            optimistic: RwSignal::new(Optimistic::default()),
            divider: RwSignal::new(HashMap::new()),
            recent: RwSignal::new(HashMap::new()),
            members: RwSignal::new(None),
            notifications: RwSignal::new(Notifications::Unsupported),
            search: RwSignal::new(None),
            uploads: RwSignal::new(HashMap::new()),
            settings: RwSignal::new(None),
            providers: RwSignal::new(Default::default()),
            limits: RwSignal::new(Default::default()),
            people: RwSignal::new(HashMap::new()),
            card: RwSignal::new(None),
            directory: RwSignal::new(None),
            browse: RwSignal::new(None),
            adding: RwSignal::new(None),
            pins: RwSignal::new(None),
            admin: RwSignal::new(None),
            room_order: RwSignal::new(RoomOrder::default()),
            dnd: RwSignal::new(Dnd::default()),
            push: RwSignal::new(PushView::default()),
            email: RwSignal::new(None),
            following: RwSignal::new(HashMap::new()),
            thread_unread: RwSignal::new(0),
            threads: RwSignal::new(None),
            saved_ids: RwSignal::new(HashSet::new()),
            saved: RwSignal::new(None),
            groups: RwSignal::new(Vec::new()),
            groups_open: RwSignal::new(false),
            confirm_broad: RwSignal::new(None),
            edit_request: RwSignal::new(None),
            later: RwSignal::new(None),
            reminders_due: RwSignal::new(0),
            update_ready: RwSignal::new(false),
            phone_list: RwSignal::new(true),
        }
    }

    /// Forgets everything about the signed-in user.
    pub fn reset(&self, reason: Option<String>) {
        self.rooms.set(Vec::new());
        self.current.set(None);
        self.timelines.set(HashMap::new());
        self.typing.set(HashMap::new());
        self.online.set(HashMap::new());
        self.online_count.set(HashMap::new());
        self.drafts.set(HashMap::new());
        self.thread_drafts.set(HashMap::new());
        self.thread.set(None);
        self.thread_replies.set(Vec::new());
        self.optimistic.set(Optimistic::default());
        self.divider.set(HashMap::new());
        self.recent.set(HashMap::new());
        self.members.set(None);
        self.search.set(None);
        self.uploads.set(HashMap::new());
        self.settings.set(None);
        self.people.set(HashMap::new());
        self.card.set(None);
        self.directory.set(None);
        self.browse.set(None);
        self.adding.set(None);
        self.pins.set(None);
        self.admin.set(None);
        self.dnd.set(Dnd::default());
        self.following.set(HashMap::new());
        self.thread_unread.set(0);
        self.threads.set(None);
        self.saved_ids.set(HashSet::new());
        self.saved.set(None);
        self.groups.set(Vec::new());
        self.groups_open.set(false);
        self.confirm_broad.set(None);
        self.later.set(None);
        self.reminders_due.set(0);
        self.link.set(Link::Connecting);
        self.session.set(Session::SignedOut { reason });
    }
}

impl ChatModel {
    /// The open room's draft.
    pub fn draft(&self) -> String {
        let room = self.current.get();
        self.drafts
            .with(|drafts| room.and_then(|room| drafts.get(&room).cloned()))
            .unwrap_or_default()
    }

    /// Replaces the open room's draft.
    pub fn set_draft(&self, text: String) {
        if let Some(room) = self.current.get_untracked() {
            self.drafts.update(|drafts| {
                if text.is_empty() {
                    drafts.remove(&room);
                } else {
                    drafts.insert(room, text);
                }
            });
        }
    }

    /// The signed-in user, if any.
    pub fn me(&self) -> Option<UserRef> {
        match self.session.get() {
            Session::SignedIn(user) => Some(user),
            _ => None,
        }
    }

    /// Whether the signed-in user is an admin of the instance (as their
    /// profile says).
    pub fn is_admin(&self) -> bool {
        let Some(me) = self.me() else {
            return false;
        };
        self.people
            .with(|people| people.get(&me.id).is_some_and(|p| p.admin))
    }

    /// How to call the person named `name`: their display name once their
    /// profile is on the page, else the name.
    pub fn shown_for_name(&self, name: &str) -> String {
        self.people
            .with(|people| {
                people
                    .values()
                    .find(|p| p.name == name)
                    .map(|p| p.shown_name().to_string())
            })
            .unwrap_or_else(|| name.to_string())
    }

    /// The open room, as the room list has it.
    pub fn current_room(&self) -> Option<RoomInfo> {
        let room = self.current.get()?;
        self.rooms
            .with(|rooms| rooms.iter().find(|r| r.id == room).cloned())
    }

    /// The user's standing in the open room: their role there, or `Owner`
    /// for an admin (the server's rule, `domain::access`); `None` outside
    /// a public or private room they belong to.
    pub fn standing(&self) -> Option<RoomRole> {
        let room = self.current_room().filter(|r| r.kind != RoomKind::Direct)?;
        if self.is_admin() {
            return Some(RoomRole::Owner);
        }
        room.role
    }

    /// The open room's label (see [`ChatModel::room_label`]), or "" if none.
    pub fn current_label(&self) -> String {
        self.current
            .get()
            .map(|room| self.room_label(&room))
            .unwrap_or_default()
    }

    /// How a room is called in the UI: `#name`, or `@person` for a direct room
    /// (their display names, once their profiles are on the page).
    pub fn room_label(&self, id: &str) -> String {
        self.rooms
            .with(|rooms| match rooms.iter().find(|r| r.id == id) {
                Some(room) if room.kind == crate::protocol::RoomKind::Direct => {
                    let shown: Vec<String> = room
                        .name
                        .split(", ")
                        .map(|n| self.shown_for_name(n))
                        .collect();
                    format!("@{}", shown.join(", "))
                }
                Some(room) => format!("#{}", room.name),
                None if is_direct_id(id) => "direct message".to_string(),
                None => format!("#{id}"),
            })
    }
}

impl Default for ChatModel {
    fn default() -> Self {
        Self::new()
    }
}
