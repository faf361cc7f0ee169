//! The WebSocket: connecting with backoff, joining with `since`, and applying the
//! server's frames to the model.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::{http, now_ms, Runtime};
use crate::chat::backoff;
use crate::chat::model::Link;
use crate::chat::timeline::{HistoryRequest, Timeline};
use crate::protocol::{
    close_code, ClientEnvelope, ClientFrame, Entry, ErrorCode, PresenceStatus, RoomId, ServerFrame,
    SessionInfo,
};

/// How long a `typing` notice shows, in ms.
const TYPING_SHOWS_MS: f64 = 4_000.0;

/// A live WebSocket and the handlers that must live as long as it does.
pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    pub fn close(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

fn ws_url() -> String {
    let location = web_sys::window().expect("a browser window").location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss:",
        _ => "ws:",
    };
    format!("{scheme}//{}/ws", location.host().unwrap_or_default())
}

impl Runtime {
    /// Opens a new socket now, replacing any old one.
    pub(super) fn connect(self: &Rc<Self>) {
        self.reconnect.borrow_mut().take();
        if let Some(old) = self.socket.borrow_mut().take() {
            old.close();
        }
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        self.opened.set(false);
        self.joined.borrow_mut().clear();
        self.set_link(Link::Connecting);
        let ws = match WebSocket::new(&ws_url()) {
            Ok(ws) => ws,
            Err(_) => return self.schedule_reconnect(None),
        };
        let weak = Rc::downgrade(self);
        let current = move || {
            weak.upgrade()
                .filter(|runtime| runtime.generation.get() == generation)
        };
        let on_open = Closure::<dyn FnMut(Event)>::new({
            let current = current.clone();
            move |_| {
                if let Some(runtime) = current() {
                    runtime.on_open();
                }
            }
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
            let current = current.clone();
            move |event: MessageEvent| {
                if let (Some(runtime), Some(text)) = (current(), event.data().as_string()) {
                    runtime.on_text(&text);
                }
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            if let Some(runtime) = current() {
                runtime.on_close(event.code());
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.socket.borrow_mut() = Some(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
    }

    fn on_open(self: &Rc<Self>) {
        self.opened.set(true);
        self.set_link(Link::Online);
        let runtime = Rc::downgrade(self);
        *self.stable.borrow_mut() = Some(Timeout::new(backoff::STABLE_MS, move || {
            if let Some(runtime) = runtime.upgrade() {
                runtime.attempt.set(0);
            }
        }));
        let rooms = self.visited.borrow().clone();
        for room in rooms {
            self.send_join(&room);
        }
        // What changed in every room while away: the counts, fresh.
        let runtime = self.clone();
        spawn_local(async move { runtime.refresh_rooms().await });
    }

    fn on_close(self: &Rc<Self>, code: u16) {
        let was_open = self.opened.get();
        self.opened.set(false);
        self.joined.borrow_mut().clear();
        self.stable.borrow_mut().take();
        if code == close_code::TOKEN_EXPIRED {
            // The access token lapsed (or the session was ended): renew the
            // session and come back at once, or sign in again.
            self.set_link(Link::Connecting);
            let runtime = self.clone();
            spawn_local(async move {
                if http::refresh().await {
                    runtime.connect();
                } else {
                    runtime.session_expired();
                }
            });
            return;
        }
        self.schedule_reconnect(Some(code));
        if !was_open {
            // The upgrade itself failed: maybe the session is gone.
            let runtime = self.clone();
            spawn_local(async move {
                let session =
                    http::call::<SessionInfo>("GET", "/api/auth/session", None::<&()>).await;
                if matches!(session, Ok(SessionInfo { user: None, .. })) {
                    runtime.session_expired();
                }
            });
        }
    }

    /// Waits (exponential backoff, full jitter) and connects again.
    fn schedule_reconnect(self: &Rc<Self>, code: Option<u16>) {
        let attempt = self.attempt.get();
        self.attempt.set(attempt + 1);
        let random = js_sys::Math::random();
        let delay = if code == Some(close_code::GOING_AWAY) && attempt == 0 {
            random * 1_000.0 // a restart: come back at once, spread over a second
        } else {
            backoff::delay_ms(attempt, random)
        };
        self.set_link(Link::Waiting {
            retry_at: now_ms() + delay,
        });
        let runtime = Rc::downgrade(self);
        *self.reconnect.borrow_mut() = Some(Timeout::new(delay as u32, move || {
            if let Some(runtime) = runtime.upgrade() {
                runtime.connect();
            }
        }));
    }

    pub(super) fn send_frame(&self, frame: ClientFrame, reference: Option<String>) {
        let text = serde_json::to_string(&ClientEnvelope { reference, frame })
            .expect("client frames serialize");
        if let Some(socket) = self.socket.borrow().as_ref() {
            let _ = socket.ws.send_with_str(&text);
        }
    }

    pub(super) fn send_join(&self, room: &RoomId) {
        let since = self
            .model
            .timelines
            .with_untracked(|t| t.get(room).and_then(Timeline::since));
        self.send_frame(
            ClientFrame::Join {
                room: room.clone(),
                since,
            },
            Some(format!("join:{room}")),
        );
    }

    /// Asks for history; `page` marks a page whose shortness ends scroll-back.
    pub(super) fn send_history(&self, room: &RoomId, request: HistoryRequest, page: bool) {
        // The answer is routed by its `ref` (see `on_frame`).
        let reference = if request.around.is_some() {
            "jump".to_string()
        } else if request.after.is_some() {
            "newer".to_string()
        } else if page {
            format!("page:{}", request.limit)
        } else {
            "gap".to_string()
        };
        self.send_frame(
            ClientFrame::History {
                room: room.clone(),
                before: request.before,
                after: request.after,
                around: request.around,
                limit: Some(request.limit),
            },
            Some(reference),
        );
    }

    /// Sends again every message of `room` that is not confirmed yet. The server
    /// stores each `client_msg_id` once, so this is always safe.
    fn resend_pending(&self, room: &RoomId) {
        let pending = self
            .model
            .timelines
            .with_untracked(|t| t.get(room).map(|t| t.pending.clone()))
            .unwrap_or_default();
        for p in pending {
            self.send_frame(
                ClientFrame::Send {
                    room: room.clone(),
                    client_msg_id: p.client_msg_id,
                    body: p.body,
                    thread: None,
                    attachments: p.attachments,
                },
                Some(format!("send:{}", p.client_msg_id)),
            );
        }
    }

    fn on_text(self: &Rc<Self>, text: &str) {
        let Ok(frame) = ServerFrame::parse(text) else {
            leptos::logging::warn!("unreadable frame from the server: {text}");
            return;
        };
        match frame {
            ServerFrame::Joined {
                room,
                epoch,
                recovered,
                ..
            } => {
                self.joined.borrow_mut().insert(room.clone());
                // Joining a public room made this user a member: show it.
                let listed_as_member = self
                    .model
                    .rooms
                    .with_untracked(|rooms| rooms.iter().any(|r| r.id == room && r.member));
                if !listed_as_member {
                    let runtime = self.clone();
                    spawn_local(async move { runtime.refresh_rooms().await });
                }
                let request = self.with_timeline(&room, |t| t.joined(&epoch, recovered));
                if let Some(request) = request.flatten() {
                    self.send_history(&room, request, true);
                }
                self.resend_pending(&room);
                self.mark_read_soon();
            }
            ServerFrame::Message(m) => {
                self.on_message(&m);
                self.on_entry(Entry::Message(m))
            }
            ServerFrame::Edited(e) => self.on_entry(Entry::Edited(e)),
            ServerFrame::Deleted(d) => self.on_entry(Entry::Deleted(d)),
            ServerFrame::Reaction(r) => self.on_entry(Entry::Reaction(r)),
            ServerFrame::Topic(t) => {
                self.on_topic(&t.room, &t.topic, t.seq);
                self.on_entry(Entry::Topic(t))
            }
            // The entry itself arrived before, as its own frame.
            ServerFrame::Done { reference, .. } => {
                if let Some(reference) = reference {
                    self.settled(&reference);
                }
            }
            ServerFrame::Ack {
                room,
                client_msg_id,
                seq,
                ..
            } => {
                // The echo normally came first; if it did not, fetch the message.
                let held = self.model.timelines.with_untracked(|t| {
                    t.get(&room).is_some_and(|t| {
                        t.messages
                            .values()
                            .any(|m| m.client_msg_id == client_msg_id)
                    })
                });
                if !held {
                    let request = HistoryRequest {
                        before: Some(seq + 1),
                        limit: 1,
                        ..Default::default()
                    };
                    self.send_history(&room, request, false);
                }
            }
            ServerFrame::History {
                room,
                messages,
                seq,
                reference,
            } => {
                let page = reference
                    .as_deref()
                    .and_then(|r| r.strip_prefix("page:"))
                    .and_then(|n| n.parse().ok());
                for entry in &messages {
                    if let Entry::Topic(t) = entry {
                        self.on_topic(&t.room, &t.topic, t.seq);
                    }
                }
                match reference.as_deref() {
                    Some("jump") => self.with_timeline(&room, |t| t.jumped(messages, seq)),
                    Some("newer") => self.with_timeline(&room, |t| t.newer(messages, seq)),
                    _ => self.with_timeline(&room, |t| t.history(messages, seq, page)),
                };
            }
            ServerFrame::Typing { room, user } => {
                let until = now_ms() + TYPING_SHOWS_MS;
                self.model.typing.update(|typing| {
                    typing
                        .entry(room)
                        .or_default()
                        .insert(user.id, (user, until));
                });
            }
            ServerFrame::Presence { room, user, status } => {
                self.model.online.update(|online| {
                    let users = online.entry(room).or_default();
                    match status {
                        PresenceStatus::Online => users.insert(user.id, user),
                        PresenceStatus::Offline => users.remove(&user.id),
                    };
                });
            }
            ServerFrame::Online { room, users, .. } => {
                self.model.online.update(|online| {
                    let listed = online.entry(room).or_default();
                    listed.clear();
                    listed.extend(users.into_iter().map(|u| (u.id, u)));
                });
            }
            ServerFrame::Read { room, seq } => self.on_read(room, seq),
            ServerFrame::Activity { room, seq, mention } => self.on_activity(room, seq, mention),
            ServerFrame::RoomAdded { room } => self.on_room_added(room),
            ServerFrame::RoomRemoved { room } => self.on_room_removed(room),
            ServerFrame::Error {
                code,
                message,
                reference,
            } => self.on_error(code, message, reference),
            ServerFrame::AccountNotice { message } => self.model.notice.set(Some(message)),
            ServerFrame::Pong { .. } => {}
        }
    }

    /// A live or replayed entry of a room's log; a gap it reveals is asked for.
    fn on_entry(self: &Rc<Self>, entry: Entry) {
        let room = entry.room().to_string();
        self.on_other_entry(&room, entry.seq());
        if let Some(Some(gap)) = self.with_timeline(&room, |t| t.entry(entry)) {
            self.send_history(&room, gap, false);
        }
    }

    fn on_error(self: &Rc<Self>, code: ErrorCode, message: String, reference: Option<String>) {
        if let Some(change) = reference.as_deref().filter(|r| !r.starts_with("send:")) {
            self.settled(change);
        }
        let sent = reference
            .as_deref()
            .and_then(|r| r.strip_prefix("send:"))
            .and_then(|id| uuid::Uuid::parse_str(id).ok());
        match (sent, code) {
            (Some(_), ErrorCode::RateLimited | ErrorCode::Unavailable) => {
                // Kept; retried shortly with the same client_msg_id.
                let runtime = Rc::downgrade(self);
                Timeout::new(2_000, move || {
                    if let Some(runtime) = runtime.upgrade() {
                        if let Some(room) = runtime.model.current.get_untracked() {
                            runtime.resend_pending(&room);
                        }
                    }
                })
                .forget();
            }
            (Some(id), _) => {
                self.model.timelines.update(|timelines| {
                    for timeline in timelines.values_mut() {
                        timeline.pending.retain(|p| p.client_msg_id != id);
                    }
                });
                self.model.notice.set(Some(format!("Not sent: {message}")));
            }
            (None, _) => self.model.notice.set(Some(message)),
        }
    }

    /// Applies `f` to a room's timeline, if the room was opened here.
    fn with_timeline<T>(&self, room: &RoomId, f: impl FnOnce(&mut Timeline) -> T) -> Option<T> {
        self.model
            .timelines
            .try_update(|timelines| timelines.get_mut(room).map(f))
            .flatten()
    }
}
