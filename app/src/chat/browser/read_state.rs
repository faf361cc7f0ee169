//! Every room at once, in the browser: counting what arrives in rooms the user
//! is not looking at (`activity`, or messages of joined rooms), telling the
//! server what was read (`read`), following the user's other devices (`read`
//! echoes, `room_added`, `room_removed`), leaving, and the member list
//! (notifications: `notify`). The counting rules are in `chat/unread.rs`.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::VisibilityState;

use super::notify::Activity;
use super::{http, Runtime};
use crate::chat::model::Session;
use crate::chat::unread;
use crate::protocol::{ClientFrame, MembersPage, Message, RoomId, RoomInfo, RoomKind, Seq};

/// How long a `read` waits for more messages to read with it, in ms.
const READ_AFTER_MS: u32 = 300;
/// Whether the page is on screen.
pub(super) fn visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == VisibilityState::Visible)
}

impl Runtime {
    /// Whether the user is looking at `room` now.
    fn looking_at(&self, room: &str) -> bool {
        self.model.current.get_untracked().as_deref() == Some(room) && visible()
    }

    pub(super) fn me(&self) -> Option<uuid::Uuid> {
        match self.model.session.get_untracked() {
            Session::SignedIn(user) => Some(user.id),
            _ => None,
        }
    }

    pub(super) fn room_info(&self, room: &str) -> Option<RoomInfo> {
        self.model
            .rooms
            .with_untracked(|rooms| rooms.iter().find(|r| r.id == room).cloned())
    }

    /// Counts a new message (from `activity` or a joined room) once.
    fn counted(self: &Rc<Self>, room: &RoomId, seq: Seq, mention: bool) -> bool {
        let unseen = !self.looking_at(room);
        let mut new = false;
        self.model
            .rooms
            .update(|rooms| new = unread::count(rooms, room, seq, mention, unseen));
        if !new {
            return false;
        }
        if let Some(counted) = self.counting.borrow_mut().as_mut() {
            counted.push(unread::Counted {
                room: room.clone(),
                seq,
                mention,
                unseen,
            });
        }
        let order = self.recent_counter.get() + 1;
        self.recent_counter.set(order);
        self.model.recent.update(|recent| {
            recent.insert(room.clone(), order);
        });
        if unseen {
            self.update_title();
        } else {
            self.mark_read_soon();
        }
        true
    }

    /// `activity`: a message in a room this socket has not joined; the
    /// server says whether it notifies.
    pub(super) fn on_activity(self: &Rc<Self>, activity: Activity) {
        if let Some(root) = activity.thread {
            self.followed_reply(&activity.room, root, activity.seq);
        }
        if self.counted(&activity.room, activity.seq, activity.mention) && activity.notify {
            self.notify(&activity.room, activity.mention, activity.thread, None);
        }
    }

    /// A message of a joined room, live or replayed (before `on_entry`,
    /// which moves the room's latest `seq` for every entry).
    pub(super) fn on_message(self: &Rc<Self>, message: &Message) {
        let me = self.me();
        self.follows_by_reply(message, me);
        if Some(message.author.id) == me {
            return; // never unread
        }
        let mention = message.everyone || me.is_some_and(|me| message.mentions.contains(&me));
        let followed = message.thread.filter(|root| self.follows(*root));
        match (followed, message.thread) {
            (Some(root), _) => self.followed_reply(&message.room, root, message.seq),
            // A reply to the user's message, or mentioning them: the server
            // may have just made them follow it.
            (None, Some(root)) if mention || self.wrote(&message.room, root) => {
                spawn_local(self.clone().load_threads())
            }
            _ => {}
        }
        if self.counted(&message.room, message.seq, mention)
            && self.notifies(&message.room, mention, followed.is_some())
        {
            let from = format!("{}: {}", message.author.name, message.body);
            self.notify(&message.room, mention, followed, Some(from));
        }
    }

    /// Another entry (an edit, a reaction) moved a room's latest `seq`.
    pub(super) fn on_other_entry(&self, room: &str, seq: Seq) {
        self.model
            .rooms
            .update(|rooms| unread::seen_seq(rooms, room, seq));
    }

    /// The read marker moved on another device (or this one's echo).
    pub(super) fn on_read(self: &Rc<Self>, room: RoomId, seq: Seq) {
        let mut known = true;
        self.model
            .rooms
            .update(|rooms| known = unread::read(rooms, &room, seq));
        self.update_title();
        if !known {
            let runtime = self.clone();
            spawn_local(async move { runtime.refresh_rooms().await });
        }
    }

    /// A room's topic was set (live, replayed or in a history page): the
    /// newest one known wins.
    pub(super) fn on_topic(&self, room: &str, topic: &str, seq: Seq) {
        if newest(&self.topic_seq, room, seq) {
            self.model.rooms.update(|rooms| {
                if let Some(r) = rooms.iter_mut().find(|r| r.id == room) {
                    r.topic = topic.to_string();
                }
            });
        }
    }

    /// Sets the open room's topic.
    pub(super) fn set_topic(&self, topic: String) {
        if let Some(room) = self.model.current.get_untracked() {
            self.send_frame(ClientFrame::Topic { room, topic }, Some("topic".into()));
        }
    }

    pub(super) fn on_room_added(self: &Rc<Self>, room: RoomInfo) {
        self.model
            .rooms
            .update(|rooms| match rooms.iter_mut().find(|r| r.id == room.id) {
                Some(known) => {
                    known.member = true;
                    known.name = room.name.clone();
                }
                None => rooms.push(room),
            });
    }

    pub(super) fn on_room_removed(self: &Rc<Self>, room: RoomId) {
        self.visited.borrow_mut().retain(|r| *r != room);
        self.joined.borrow_mut().remove(&room);
        self.model.timelines.update(|t| {
            t.remove(&room);
        });
        let label = self.model.room_label(&room);
        self.model.rooms.update(|rooms| {
            rooms.retain(|r| r.id != room || r.kind == RoomKind::Public);
            if let Some(public) = rooms.iter_mut().find(|r| r.id == room) {
                (public.member, public.unread, public.mentions) = (false, 0, 0);
            }
        });
        self.update_title();
        if self.model.current.get_untracked().as_deref() == Some(room.as_str()) {
            self.model
                .notice
                .set(Some(format!("You are no longer a member of {label}.")));
            self.open_room(super::DEFAULT_ROOM.to_string());
        }
    }

    /// Tells the server (soon, once for a burst) that the open room is read
    /// up to its latest message, if the user is looking at it.
    pub(super) fn mark_read_soon(self: &Rc<Self>) {
        if self.read_timer.borrow().is_some() {
            return;
        }
        let runtime = Rc::downgrade(self);
        *self.read_timer.borrow_mut() = Some(Timeout::new(READ_AFTER_MS, move || {
            if let Some(runtime) = runtime.upgrade() {
                runtime.read_timer.borrow_mut().take();
                runtime.mark_read_now();
            }
        }));
    }

    fn mark_read_now(self: &Rc<Self>) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        if !visible() || !self.joined.borrow().contains(&room) {
            return;
        }
        let Some(info) = self.room_info(&room).filter(|r| r.member) else {
            return;
        };
        if info.latest_seq <= info.last_read_seq {
            return;
        }
        self.send_frame(
            ClientFrame::Read {
                room: room.clone(),
                seq: info.latest_seq,
            },
            None,
        );
        self.model
            .rooms
            .update(|rooms| _ = unread::read(rooms, &room, info.latest_seq));
        self.update_title();
    }

    /// Where the "new messages" divider of a room being opened goes.
    pub(super) fn place_divider(&self, room: &RoomId) {
        let info = self.room_info(room);
        self.model.divider.update(|divider| match info {
            Some(info) if info.unread > 0 => {
                divider.insert(room.clone(), (info.last_read_seq, info.unread));
            }
            _ => {
                divider.remove(room);
            }
        });
    }

    pub(super) fn update_title(&self) {
        let title = self
            .model
            .rooms
            .with_untracked(|rooms| unread::title(rooms));
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            if document.title() != title {
                document.set_title(&title);
            }
        }
    }

    pub(super) async fn leave(self: Rc<Self>, room: RoomId) {
        let Some(me) = self.me() else {
            return;
        };
        let path = format!("/api/rooms/{}/members/{me}", encode(&room));
        match http::send("DELETE", &path, None::<&()>).await {
            Ok(()) => self.on_room_removed(room),
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    /// Loads the open room's member list (with who is online), or hides it.
    pub(super) async fn show_members(self: Rc<Self>, show: bool) {
        let room = self.model.current.get_untracked().filter(|_| show);
        let Some(room) = room else {
            self.model.members.set(None);
            return;
        };
        let path = format!("/api/rooms/{}/members", encode(&room));
        match http::call::<MembersPage>("GET", &path, None::<&()>).await {
            Ok(page) => self.model.members.set(Some((room, page.members))),
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    /// Reads the open room when the tab comes back into view, and tells the
    /// server whether it is in view (a user with no tab in view is pushed
    /// to).
    pub(super) fn watch_visibility(self: &Rc<Self>) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let runtime = Rc::downgrade(self);
        let on_change = Closure::<dyn FnMut()>::new(move || {
            if let Some(runtime) = runtime.upgrade() {
                let visible = visible();
                if runtime.opened.get() {
                    runtime.send_frame(crate::protocol::ClientFrame::Visible { visible }, None);
                }
                if visible {
                    runtime.come_back();
                    runtime.mark_read_soon();
                }
            }
        });
        document.set_onvisibilitychange(Some(on_change.as_ref().unchecked_ref()));
        *self.on_visibility.borrow_mut() = Some(on_change);
        // Back online, or back from the back-forward cache: connect now,
        // not when the backoff says. One closure each for the page's life.
        if let Some(window) = web_sys::window() {
            let runtime = Rc::downgrade(self);
            let back = Closure::<dyn FnMut()>::new(move || {
                if let Some(runtime) = runtime.upgrade() {
                    runtime.come_back();
                }
            });
            let _ =
                window.add_event_listener_with_callback("online", back.as_ref().unchecked_ref());
            let _ =
                window.add_event_listener_with_callback("pageshow", back.as_ref().unchecked_ref());
            back.forget();
        }
    }
}

use super::http::encode;

/// Whether `seq` is the newest entry of its kind seen in `room` (of those
/// `seen` remembers), remembering it: a room-level state (topic, name)
/// comes live, replayed and in history pages, in any order.
pub(super) fn newest(
    seen: &std::cell::RefCell<std::collections::HashMap<RoomId, Seq>>,
    room: &str,
    seq: Seq,
) -> bool {
    let mut seen = seen.borrow_mut();
    let known = seen.entry(room.to_string()).or_default();
    let newer = seq > *known;
    *known = (*known).max(seq);
    newer
}
