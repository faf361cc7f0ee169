//! What the UI asks the client to do ([`Command`], and the commands of the
//! room's owners, the admin console and the Groups panel), and the handle
//! the UI issues them through ([`Actions`]).

use leptos::prelude::*;
use uuid::Uuid;

use super::model::RoomOrder;
use super::views::{AdminTab, AuditFilter};
use crate::protocol::{
    CreateGroup, CreateInvite, DndRequest, GroupUpdate, NotificationLevel, RoomId, RoomRole, Seq,
    SignupPolicy,
};

/// What the UI asks the client to do.
#[derive(Clone, Debug)]
pub enum Command {
    SignIn {
        username: String,
        password: String,
        register: bool,
        /// An invite code, for servers that register by invitation only.
        invite: Option<String>,
    },
    SignOut,
    OpenRoom(RoomId),
    CreateRoom {
        name: String,
        private: bool,
    },
    /// Opens the direct room with these users (one, or 2-8 for a group),
    /// creating it on first use.
    OpenDirect(Vec<String>),
    /// Sets the open room's topic (empty clears it).
    SetTopic(String),
    /// Mutes or unmutes a room (remembered on the server).
    ToggleMute(RoomId),
    /// Leaves a room.
    Leave(RoomId),
    /// Shows (loading it) or hides the open room's member list.
    ShowMembers(bool),
    /// Asks the browser for permission to notify (on a click: browsers
    /// refuse to ask otherwise).
    EnableNotifications,
    Send(String),
    /// The open thread's reply box changed (its draft is saved soon).
    ThreadTyping,
    /// Replies in the thread of a message of the open room.
    Reply {
        root: Uuid,
        body: String,
    },
    Edit {
        id: Uuid,
        body: String,
    },
    Delete(Uuid),
    React {
        id: Uuid,
        emoji: String,
        on: bool,
    },
    /// Opens a message's thread beside the room (or closes it, with `None`).
    OpenThread(Option<Uuid>),
    LoadOlder,
    /// After opening a search result: loads the entries after those held.
    LoadNewer,
    /// After opening a search result: back to the room's newest entries.
    JumpToLatest,
    /// Searches (every room the user can read, or one); an empty text
    /// closes the panel.
    Search {
        text: String,
        room: Option<RoomId>,
    },
    /// Loads the next page of the search shown.
    SearchMore,
    /// Opens a room at a message, its history loaded around it.
    OpenAt {
        room: RoomId,
        seq: Seq,
        id: Uuid,
    },
    /// Uploads files for the open room's next message.
    Upload(Vec<super::PickedFile>),
    /// Drops an upload from the next message (stops it if it is running).
    RemoveUpload(u64),
    /// Connects now (or, opened offline, asks the server again now).
    RetryNow,
    /// "Reload for the new version": the new release's worker takes over
    /// and the page reloads into it.
    UpdateRelease,
    Typing,
    DismissNotice,
    /// Shows (loading them) or hides the user's tokens and bots.
    ShowSettings(bool),
    /// Makes a personal access token (its secret is then shown once).
    CreateToken(crate::protocol::CreateToken),
    RevokeToken(Uuid),
    CreateBot(String),
    DeleteBot(String),
    /// Forgets the secret shown once.
    DismissSecret,
    /// Goes to the OpenID provider to link this account to an identity
    /// there, once the password given again is right.
    LinkSso(String),
    /// Unlinks an identity: it signs nobody in from then on.
    UnlinkIdentity(crate::protocol::UnlinkRequest),
    /// The page shows this person: have their profile (asked for in a batch).
    WantProfile(Uuid),
    /// Opens someone's profile card (or closes it, with `None`).
    OpenCard(Option<Uuid>),
    /// Opens the people directory and searches it; `None` closes it.
    FindPeople(Option<String>),
    /// Changes the user's own profile.
    SaveProfile(crate::protocol::ProfileUpdate),
    /// Sets the user's avatar from a picked image.
    SetAvatar(super::PickedFile),
    RemoveAvatar,
    /// Opens "Browse rooms" and searches it; `None` closes it.
    BrowseRooms(Option<String>),
    /// Pins (`on`) or unpins a message of the open room.
    Pin {
        id: Uuid,
        on: bool,
    },
    /// Shows (loading them) or hides the open room's pinned messages.
    ShowPins(bool),
    /// Running the open room (owners, moderators): see [`RoomCommand`].
    Room(RoomCommand),
    /// Orders the sidebar's rooms.
    OrderRooms(RoomOrder),
    /// The admin console: see [`AdminCommand`].
    Admin(AdminCommand),
    /// Sends (`true`) or drops the message held by [`BroadConfirm`].
    ConfirmBroad(bool),
    /// Sets which of a room's messages notify the user.
    SetLevel {
        room: RoomId,
        level: NotificationLevel,
    },
    /// Pauses notifications, or sets quiet hours.
    SetDnd(DndRequest),
    /// Subscribes this browser to pushes (asking for permission first).
    EnablePush,
    /// Unsubscribes this browser.
    DisablePush,
    /// Unsubscribes one of the user's devices, by its endpoint.
    RemovePushDevice(String),
    /// Sets where and when missed messages are mailed.
    SetEmail(crate::protocol::EmailSettings),
    /// Shows (loading them) or hides the followed threads.
    ShowThreads(bool),
    /// Follows (`on`) or unfollows the thread of `root` in `room`.
    Follow {
        room: RoomId,
        root: Uuid,
        on: bool,
    },
    /// Saves (`on`) or unsaves a message.
    Save {
        id: Uuid,
        on: bool,
    },
    /// Shows (loading them) or hides the saved messages.
    ShowSaved(bool),
    /// The Groups panel: see [`GroupCommand`].
    Groups(GroupCommand),
    /// Removes a message's link previews (of the open room).
    RemovePreviews(Uuid),
    /// Shows (loading it) or hides the Later view.
    ShowLater(bool),
    /// Sends the open room's draft at `at` instead of now.
    Schedule(time::OffsetDateTime),
    /// Reminds the user of a message of the open room at `at`.
    Remind {
        message: Uuid,
        at: time::OffsetDateTime,
    },
    /// Cancels a scheduled message or a reminder, or dismisses a fired one.
    CancelLater(Uuid),
}

/// What the Groups panel does.
#[derive(Clone, Debug)]
pub enum GroupCommand {
    Show(bool),
    Create(CreateGroup),
    Update { id: Uuid, change: GroupUpdate },
    Delete(Uuid),
}

/// What owners and moderators do to the open room.
#[derive(Clone, Debug)]
pub enum RoomCommand {
    /// Searches the directory for people to add (`None` closes the search).
    FindToAdd(Option<String>),
    AddMember(String),
    RemoveMember(String),
    SetRole {
        user: String,
        role: RoomRole,
    },
    Rename(String),
    /// Archives (`true`) or unarchives the room.
    Archive(bool),
}

/// What the admin console does.
#[derive(Clone, Debug)]
pub enum AdminCommand {
    /// Opens the console (or closes it, with `false`).
    Show(bool),
    Tab(AdminTab),
    FindUsers(String),
    /// Shows a user's bots and tokens (or hides them, with `None`).
    OpenUser(Option<String>),
    SetDisabled {
        user: String,
        disabled: bool,
    },
    SetAdmin {
        user: String,
        admin: bool,
    },
    CreateInvite(CreateInvite),
    RevokeInvite(String),
    SetSignup(SignupPolicy),
    /// Reads the newest audit entries that match.
    Audit(AuditFilter),
    /// Reads the next older page.
    AuditOlder,
    /// Uploads a Slack export and follows its import.
    ImportSlack(super::PickedFile),
    /// Makes a claim link for an imported account (by name).
    ClaimLink(String),
    /// Gives a room its own retention period (`None`: the instance's).
    SetRetention {
        room: String,
        days: Option<u32>,
    },
    PlaceHold {
        kind: crate::protocol::HoldKind,
        target: String,
        reason: String,
    },
    ReleaseHold {
        kind: crate::protocol::HoldKind,
        target: String,
    },
}

/// The UI's handle for issuing commands. Copy, so any closure can hold it.
#[derive(Clone, Copy)]
pub struct Actions(Callback<Command>);

impl Actions {
    pub fn new(f: impl Fn(Command) + Send + Sync + 'static) -> Self {
        Actions(Callback::new(f))
    }

    pub fn run(&self, command: Command) {
        self.0.run(command)
    }
}
