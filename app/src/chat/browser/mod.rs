//! The client runtime in the browser: the session, the socket, and the commands the
//! UI issues. It owns the WebSocket and turns its frames into model updates.

mod admin;
mod attention;
mod browse;
mod drafts;
mod email;
mod followed;
mod found;
mod http;
mod imports;
mod incoming;
mod later;
mod log_actions;
mod notify;
mod offline;
mod people;
mod phone;
mod pins;
mod preferences;
mod presence;
mod push;
mod read_state;
mod retention;
mod room_admin;
mod search;
mod session;
mod settings;
mod socket;
mod uploads;
mod worker;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wasm_bindgen::closure::Closure;

use super::model::{Actions, ChatModel, Command, Link, Session};
use super::timeline::Timeline;
use super::unread;
use crate::protocol::{ClientFrame, CreateRoom, RoomId, RoomInfo, RoomKind};
use socket::Socket;

/// The room a signed-in user lands in.
pub(super) const DEFAULT_ROOM: &str = "general";
/// Minimum time between two `typing` frames, in ms.
const TYPING_EVERY_MS: f64 = 3_000.0;

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Starts the runtime for this page and answers the UI's handle on it.
pub fn start(model: ChatModel) -> Actions {
    let runtime = Rc::new(Runtime {
        model,
        socket: RefCell::new(None),
        generation: Cell::new(0),
        attempt: Cell::new(0),
        opened: Cell::new(false),
        reconnect: RefCell::new(None),
        stable: RefCell::new(None),
        visited: RefCell::new(Vec::new()),
        joined: RefCell::new(Default::default()),
        last_typing: Cell::new(0.0),
        ticker: RefCell::new(None),
        expired_user: Cell::new(None),
        counting: RefCell::new(None),
        read_timer: RefCell::new(None),
        recent_counter: Cell::new(0),
        notifications: RefCell::new(Vec::new()),
        on_visibility: RefCell::new(None),
        topic_seq: RefCell::new(Default::default()),
        room_change_seq: RefCell::new(Default::default()),
        sent_drafts: RefCell::new(Default::default()),
        draft_timer: RefCell::new(None),
        thread_draft_timer: RefCell::new(None),
        upload_key: Cell::new(0),
        uploads_running: RefCell::new(Default::default()),
        wanted: RefCell::new(Default::default()),
        save_timer: RefCell::new(None),
        saved_marks: RefCell::new(Default::default()),
        registration: RefCell::new(None),
        updating: Cell::new(false),
        phone_views: RefCell::new(Vec::new()),
        skip_pops: Cell::new(0),
        interest_said: RefCell::new(None),
    });
    model.now.set(now_ms());
    model.notifications.set(notify::notification_state());
    model.room_order.set(preferences::remembered_order());
    runtime.watch_visibility();
    runtime.register_worker();
    runtime.keep_for_offline();
    runtime.keep_presence_interest();
    runtime.follow_phone_views();
    *runtime.ticker.borrow_mut() = Some(Interval::new(500, move || model.now.set(now_ms())));
    spawn_local({
        let runtime = runtime.clone();
        async move { runtime.restore_session().await }
    });
    spawn_local(runtime.clone().load_providers());
    let handle = StoredValue::new_local(runtime);
    Actions::new(move |command| handle.with_value(|runtime| runtime.command(command)))
}

pub struct Runtime {
    model: ChatModel,
    socket: RefCell<Option<Socket>>,
    /// Bumped for every new socket; events of older ones are ignored.
    generation: Cell<u32>,
    /// Failed connection attempts since the last stable connection.
    attempt: Cell<u32>,
    /// Whether the current socket ever opened.
    opened: Cell<bool>,
    reconnect: RefCell<Option<Timeout>>,
    stable: RefCell<Option<Timeout>>,
    /// Rooms opened in this page, joined again on every reconnect.
    visited: RefCell<Vec<RoomId>>,
    /// Rooms the current socket has joined.
    joined: RefCell<std::collections::HashSet<RoomId>>,
    last_typing: Cell<f64>,
    ticker: RefCell<Option<Interval>>,
    /// Whose session ended (and could not be renewed): if they sign in again,
    /// their drafts, unsent messages and open rooms are still here.
    expired_user: Cell<Option<Uuid>>,
    /// While the room list is being fetched: the messages counted meanwhile
    /// (room, seq, mention, unseen), added back to the fresh list.
    counting: RefCell<Option<Vec<unread::Counted>>>,
    /// A `read` waiting to go out (see `read_state`).
    read_timer: RefCell<Option<Timeout>>,
    /// Bumped as activity arrives: the sidebar's "most recent" order.
    recent_counter: Cell<u64>,
    /// Notifications shown, with their click handlers (the newest few).
    notifications: RefCell<Vec<notify::Shown>>,
    on_visibility: RefCell<Option<Closure<dyn FnMut()>>>,
    /// Per room: the `seq` of the newest topic entry seen.
    topic_seq: RefCell<std::collections::HashMap<RoomId, crate::protocol::Seq>>,
    /// Per room: the draft this page saved last (or heard of), so an echo
    /// of it is not applied again.
    sent_drafts: RefCell<std::collections::HashMap<drafts::DraftKey, String>>,
    /// Saves the open room's draft once typing pauses.
    draft_timer: RefCell<Option<Timeout>>,
    /// Saves the open thread's reply draft once typing pauses.
    thread_draft_timer: RefCell<Option<Timeout>>,
    /// Per room: the `seq` of the newest `room_changed` entry seen.
    room_change_seq: RefCell<std::collections::HashMap<RoomId, crate::protocol::Seq>>,
    /// The last upload's key.
    upload_key: Cell<u64>,
    /// Uploads running, by key.
    uploads_running: RefCell<std::collections::HashMap<u64, uploads::InFlight>>,
    /// Profiles asked for (see `people`).
    wanted: RefCell<people::Wanted>,
    /// Writes the copy kept for reading offline, a moment after a change.
    save_timer: RefCell<Option<Timeout>>,
    /// What each room's kept copy was written from (see `offline`).
    saved_marks: RefCell<offline::SavedMarks>,
    /// The service worker's registration, once registered.
    registration: RefCell<Option<web_sys::ServiceWorkerRegistration>>,
    /// The user asked for the new release: reload once it is in charge.
    updating: Cell<bool>,
    /// The phone layout's views with a history entry, the top one last.
    phone_views: RefCell<Vec<phone::View>>,
    /// `popstate`s to come of the page's own `history.go` (not backs).
    skip_pops: Cell<u32>,
    /// Whose presence the current socket was told the page wants.
    interest_said: RefCell<Option<Vec<Uuid>>>,
}

impl Runtime {
    fn command(self: &Rc<Self>, command: Command) {
        match command {
            Command::SignIn {
                username,
                password,
                register,
                invite,
            } => {
                let runtime = self.clone();
                spawn_local(
                    async move { runtime.sign_in(username, password, register, invite).await },
                );
            }
            Command::SignOut => {
                spawn_local(async {
                    let _ = http::raw("POST", "/api/auth/logout", None).await;
                });
                self.disconnect();
                self.forget_user();
                self.forget_people();
                self.model.reset(None);
            }
            Command::OpenRoom(room) => self.open_room(room),
            Command::CreateRoom { name, private } => {
                let runtime = self.clone();
                spawn_local(async move { runtime.create_room(name, private).await });
            }
            Command::OpenDirect(users) => {
                let runtime = self.clone();
                spawn_local(async move { runtime.open_direct(users).await });
            }
            Command::ToggleMute(room) => spawn_local(self.clone().toggle_mute(room)),
            Command::SetTopic(topic) => self.set_topic(topic),
            Command::Leave(room) => spawn_local(self.clone().leave(room)),
            Command::ShowMembers(show) => spawn_local(self.clone().show_members(show)),
            Command::EnableNotifications => spawn_local(self.clone().enable_notifications()),
            Command::Send(body) => self.send_checked(body),
            Command::Reply { root, body } => self.reply(root, body),
            Command::Edit { id, body } => self.edit(id, body),
            Command::Delete(id) => self.delete(id),
            Command::React { id, emoji, on } => self.react(id, emoji, on),
            Command::OpenThread(root) => self.open_thread(root),
            Command::LoadOlder => self.load_older(),
            Command::LoadNewer => self.load_newer(),
            Command::JumpToLatest => self.jump_to_latest(),
            Command::Search { text, room } => spawn_local(self.clone().search(text, room)),
            Command::SearchMore => spawn_local(self.clone().search_more()),
            Command::OpenAt { room, seq, id } => self.open_at(room, seq, id),
            Command::Upload(files) => self.upload(files),
            Command::RemoveUpload(key) => self.remove_upload(key),
            Command::RetryNow if self.showing_copy() => self.come_back(),
            Command::RetryNow => self.connect(),
            Command::UpdateRelease => self.update_release(),
            Command::Typing => {
                self.typing();
                self.draft_typed();
            }
            Command::DismissNotice => self.model.notice.set(None),
            Command::ShowSettings(show) => spawn_local(self.clone().show_settings(show)),
            Command::CreateToken(request) => spawn_local(self.clone().create_token(request)),
            Command::RevokeToken(id) => spawn_local(self.clone().revoke_token(id)),
            Command::CreateBot(name) => spawn_local(self.clone().create_bot(name)),
            Command::DeleteBot(name) => spawn_local(self.clone().delete_bot(name)),
            Command::DismissSecret => self.dismiss_secret(),
            Command::LinkSso(password) => spawn_local(self.clone().link_sso(password)),
            Command::UnlinkIdentity(which) => spawn_local(self.clone().unlink_identity(which)),
            Command::WantProfile(id) => self.want_profile(id),
            Command::OpenCard(id) => self.open_card(id),
            Command::FindPeople(text) => spawn_local(self.clone().find_people(text)),
            Command::SaveProfile(update) => spawn_local(self.clone().save_profile(update)),
            Command::SetAvatar(file) => spawn_local(self.clone().set_avatar(file)),
            Command::RemoveAvatar => spawn_local(self.clone().remove_avatar()),
            Command::BrowseRooms(text) => spawn_local(self.clone().browse_rooms(text)),
            Command::Room(command) => spawn_local(self.clone().room_command(command)),
            Command::Pin { id, on } => spawn_local(self.clone().pin(id, on)),
            Command::ShowPins(show) => spawn_local(self.clone().show_pins(show)),
            Command::OrderRooms(order) => self.order_rooms(order),
            Command::Admin(command) => spawn_local(self.clone().admin_command(command)),
            Command::ConfirmBroad(send) => self.confirm_broad(send),
            Command::SetLevel { room, level } => spawn_local(self.clone().set_level(room, level)),
            Command::SetDnd(request) => spawn_local(self.clone().set_dnd(request)),
            Command::EnablePush => spawn_local(self.clone().enable_push()),
            Command::DisablePush => spawn_local(self.clone().disable_push()),
            Command::RemovePushDevice(endpoint) => {
                spawn_local(self.clone().remove_push_device(endpoint))
            }
            Command::SetEmail(settings) => spawn_local(self.clone().set_email(settings)),
            Command::ShowThreads(show) => spawn_local(self.clone().show_threads(show)),
            Command::Follow { room, root, on } => spawn_local(self.clone().follow(room, root, on)),
            Command::Save { id, on } => spawn_local(self.clone().save(id, on)),
            Command::ShowSaved(show) => spawn_local(self.clone().show_saved(show)),
            Command::Groups(command) => spawn_local(self.clone().group_command(command)),
            Command::RemovePreviews(id) => spawn_local(self.clone().remove_previews(id)),
            Command::ThreadTyping => self.thread_draft_typed(),
            Command::ShowLater(show) => spawn_local(self.clone().show_later(show)),
            Command::Schedule(at) => spawn_local(self.clone().schedule(at)),
            Command::Remind { message, at } => spawn_local(self.clone().remind(message, at)),
            Command::CancelLater(id) => spawn_local(self.clone().cancel_later(id)),
        }
    }

    /// Fetches the room list with its counts; what is counted here while
    /// the request is out is added back (see `unread::merge`).
    pub(super) async fn refresh_rooms(&self) {
        self.counting.borrow_mut().get_or_insert_with(Vec::new);
        let fetched = http::call::<Vec<RoomInfo>>("GET", "/api/rooms", None::<&()>).await;
        let counted = self.counting.borrow_mut().take().unwrap_or_default();
        match fetched {
            Ok(rooms) => {
                self.model.rooms.set(unread::merge(rooms, &counted));
                self.update_title();
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    async fn create_room(self: Rc<Self>, name: String, private: bool) {
        let kind = if private {
            RoomKind::Private
        } else {
            RoomKind::Public
        };
        match http::call::<RoomInfo>("POST", "/api/rooms", Some(&CreateRoom { name, kind })).await {
            Ok(room) => {
                self.refresh_rooms().await;
                self.open_room(room.id);
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    async fn open_direct(self: Rc<Self>, users: Vec<String>) {
        let request = crate::protocol::DirectRequest { user: None, users };
        match http::call::<RoomInfo>("POST", "/api/dms", Some(&request)).await {
            Ok(room) => {
                self.on_room_added(room.clone());
                self.open_room(room.id);
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    fn open_room(self: &Rc<Self>, room: RoomId) {
        self.show_room_in_address(&room);
        if self.model.current.get_untracked().as_ref() != Some(&room) {
            self.place_divider(&room);
        }
        self.model.current.set(Some(room.clone()));
        self.mark_read_soon();
        if self.model.members.with_untracked(Option::is_some) {
            spawn_local(self.clone().show_members(true));
        }
        if self.model.pins.with_untracked(Option::is_some) {
            spawn_local(self.clone().show_pins(true));
        }
        if self.visited.borrow().contains(&room) {
            return;
        }
        self.visited.borrow_mut().push(room.clone());
        let me = match self.model.session.get_untracked() {
            Session::SignedIn(user) => user.id,
            _ => Uuid::nil(),
        };
        self.model.timelines.update(|timelines| {
            timelines
                .entry(room.clone())
                .or_insert_with(|| Timeline::new(room.clone(), me));
        });
        if self.opened.get() {
            self.send_join(&room);
        }
    }

    fn send(self: &Rc<Self>, body: String) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        // The room's uploads go with the message, once they are all done.
        let Some(attachments) = self.take_ready_uploads(&room) else {
            self.model.notice.set(Some(
                "Wait for your files to finish uploading, then send.".into(),
            ));
            return;
        };
        if body.trim().is_empty() && attachments.is_empty() {
            return;
        }
        self.model.set_draft(String::new());
        self.draft_sent((room.clone(), None));
        let client_msg_id = Uuid::new_v4();
        self.model.timelines.update(|timelines| {
            if let Some(timeline) = timelines.get_mut(&room) {
                timeline.add_pending(client_msg_id, body.clone(), attachments.clone());
            }
        });
        if self.joined.borrow().contains(&room) {
            self.send_frame(
                ClientFrame::Send {
                    room,
                    client_msg_id,
                    body,
                    thread: None,
                    attachments,
                },
                Some(format!("send:{client_msg_id}")),
            );
        }
        // Otherwise it goes out when the room is joined (see `on_joined`).
    }

    fn load_older(self: &Rc<Self>) {
        self.page_of_open_room(Timeline::older_page, true);
    }

    /// Asks for the page `pick` names of the open room's timeline, if the
    /// room is joined; `page` as in `send_history`.
    fn page_of_open_room(
        &self,
        pick: impl FnOnce(&mut Timeline) -> Option<super::timeline::HistoryRequest>,
        page: bool,
    ) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        if !self.joined.borrow().contains(&room) {
            return;
        }
        let request = self
            .model
            .timelines
            .try_update(|timelines| timelines.get_mut(&room).and_then(pick))
            .flatten();
        if let Some(request) = request {
            self.send_history(&room, request, page);
        }
    }

    fn typing(self: &Rc<Self>) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        let now = now_ms();
        if now - self.last_typing.get() < TYPING_EVERY_MS || !self.joined.borrow().contains(&room) {
            return;
        }
        self.last_typing.set(now);
        self.send_frame(ClientFrame::Typing { room }, None);
    }

    /// Ends the session's socket for good (sign-out).
    fn disconnect(&self) {
        self.generation.set(self.generation.get() + 1);
        self.reconnect.borrow_mut().take();
        self.stable.borrow_mut().take();
        if let Some(socket) = self.socket.borrow_mut().take() {
            socket.close();
        }
        self.opened.set(false);
        self.joined.borrow_mut().clear();
    }

    fn set_link(&self, link: Link) {
        if self.model.link.get_untracked() != link {
            self.model.link.set(link);
        }
    }
}
