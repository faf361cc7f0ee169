//! What notifies the user, in the browser: a room's notification level and
//! muting (`PUT /api/rooms/{id}/notifications`, `/mute`, echoed as
//! `notifications`), do-not-disturb (`/api/users/me/dnd`, echoed as `dnd`),
//! and the browser notification itself while the tab is hidden. Whether a
//! message notifies is `protocol::notifies`: the server applies it to
//! `activity` (its `notify`), this page to the messages of joined rooms.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use super::http::{self, encode};
use super::read_state::visible;
use super::Runtime;
use crate::chat::model::Notifications;
use crate::protocol::{
    notifies, Dnd, DndRequest, MuteRequest, NotificationLevel, NotificationsRequest, RoomId,
    RoomKind, RoomNotifications, Seq,
};

/// Most notifications whose click handler is kept (older ones just close).
const MAX_NOTIFICATIONS: usize = 20;

/// A notification shown, with its click handler.
pub(super) type Shown = (Notification, Closure<dyn FnMut()>);

/// An `activity` frame's fields.
pub(super) struct Activity {
    pub room: RoomId,
    pub seq: Seq,
    pub mention: bool,
    pub thread: Option<Uuid>,
    pub notify: bool,
}

/// What the browser allows about notifications now.
pub fn notification_state() -> Notifications {
    let supported = web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false)
    });
    if !supported {
        return Notifications::Unsupported;
    }
    match Notification::permission() {
        NotificationPermission::Granted => Notifications::Granted,
        NotificationPermission::Denied => Notifications::Denied,
        _ => Notifications::Ask,
    }
}

impl Runtime {
    /// Whether a message of joined `room` notifies the user (the rule the
    /// server applies to `activity`).
    pub(super) fn notifies(self: &Rc<Self>, room: &str, mention: bool, followed: bool) -> bool {
        let Some(info) = self.room_info(room) else {
            return false;
        };
        notifies(
            info.notifications,
            info.muted,
            self.quiet(),
            mention,
            followed,
        )
    }

    /// Whether do-not-disturb holds now; past the stretch the server
    /// described, it is asked again.
    fn quiet(self: &Rc<Self>) -> bool {
        let now = crate::chat::now();
        let dnd = self.model.dnd.get_untracked();
        if dnd.quiet_until.is_some_and(|until| until <= now) {
            spawn_local(self.clone().load_dnd());
        }
        dnd.quiet_at(now)
    }

    /// A browser notification while the tab is hidden (the caller decided
    /// it notifies); clicking it opens the room (or the thread).
    pub(super) fn notify(
        self: &Rc<Self>,
        room: &RoomId,
        mention: bool,
        thread: Option<Uuid>,
        text: Option<String>,
    ) {
        if visible()
            || self.model.notifications.get_untracked() != Notifications::Granted
            || self.pushed_here()
        {
            return;
        }
        let direct = self
            .room_info(room)
            .is_some_and(|info| info.kind == RoomKind::Direct);
        let label = self.model.room_label(room);
        let title = match (mention, thread, direct) {
            (true, _, _) => format!("You were mentioned in {label}"),
            (false, Some(_), _) => format!("New reply in a thread in {label}"),
            (false, None, true) => format!("New message from {}", label.trim_start_matches('@')),
            (false, None, false) => format!("New message in {label}"),
        };
        let options = NotificationOptions::new();
        options.set_tag(room);
        if let Some(text) = text {
            options.set_body(&text.chars().take(140).collect::<String>());
        }
        let Ok(notification) = Notification::new_with_options(&title, &options) else {
            return;
        };
        let runtime = Rc::downgrade(self);
        let room = room.clone();
        let shown = notification.clone();
        let on_click = Closure::<dyn FnMut()>::new(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
            }
            if let Some(runtime) = runtime.upgrade() {
                runtime.open_room(room.clone());
                if thread.is_some() {
                    runtime.open_thread(thread);
                }
            }
            shown.close();
        });
        notification.set_onclick(Some(on_click.as_ref().unchecked_ref()));
        let mut kept = self.notifications.borrow_mut();
        if kept.len() >= MAX_NOTIFICATIONS {
            let (old, _) = kept.remove(0);
            old.set_onclick(None);
        }
        kept.push((notification, on_click));
    }

    /// Asks for permission to notify (the user clicked the button).
    pub(super) async fn enable_notifications(self: Rc<Self>) {
        let Ok(asked) = Notification::request_permission() else {
            return;
        };
        let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
        self.model.notifications.set(notification_state());
    }

    pub(super) async fn toggle_mute(self: Rc<Self>, room: RoomId) {
        let muted = !self.room_info(&room).is_some_and(|r| r.muted);
        let path = format!("/api/rooms/{}/mute", encode(&room));
        match http::send("PUT", &path, Some(&MuteRequest { muted })).await {
            Ok(()) => self.on_notifications(RoomNotifications {
                muted,
                level: self
                    .room_info(&room)
                    .map(|r| r.notifications)
                    .unwrap_or_default(),
                room,
            }),
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    pub(super) async fn set_level(self: Rc<Self>, room: RoomId, level: NotificationLevel) {
        let path = format!("/api/rooms/{}/notifications", encode(&room));
        let request = NotificationsRequest { level };
        match http::call::<RoomNotifications>("PUT", &path, Some(&request)).await {
            Ok(set) => self.on_notifications(set),
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    /// A room's level or muting changed (here, or on another device).
    pub(super) fn on_notifications(&self, changed: RoomNotifications) {
        self.model.rooms.update(|rooms| {
            if let Some(r) = rooms.iter_mut().find(|r| r.id == changed.room) {
                (r.notifications, r.muted) = (changed.level, changed.muted);
            }
        });
        self.update_title();
    }

    pub(super) async fn load_dnd(self: Rc<Self>) {
        if let Ok(dnd) = http::call::<Dnd>("GET", "/api/users/me/dnd", None::<&()>).await {
            self.model.dnd.set(dnd);
        }
    }

    pub(super) async fn set_dnd(self: Rc<Self>, request: DndRequest) {
        match http::call::<Dnd>("PUT", "/api/users/me/dnd", Some(&request)).await {
            Ok(dnd) => self.model.dnd.set(dnd),
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }
}
