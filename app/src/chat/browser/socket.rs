//! The WebSocket: connecting with backoff, joining with `since`, sending
//! frames (what the server says is applied in `incoming.rs`).

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
use crate::protocol::{close_code, ClientEnvelope, ClientFrame, RoomId, SessionInfo};

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
        // A restart is when a new release usually comes.
        self.check_for_release();
        let runtime = Rc::downgrade(self);
        *self.stable.borrow_mut() = Some(Timeout::new(backoff::STABLE_MS, move || {
            if let Some(runtime) = runtime.upgrade() {
                runtime.attempt.set(0);
            }
        }));
        // A hidden tab says so: its user is pushed to (the server takes a
        // connection as visible until told).
        if !super::read_state::visible() {
            self.send_frame(ClientFrame::Visible { visible: false }, None);
        }
        self.send_presence_interest();
        let rooms = self.visited.borrow().clone();
        for room in rooms {
            self.send_join(&room);
        }
        // What changed in every room while away: the counts, fresh; and
        // drafts and followed threads saved meanwhile (before this socket
        // heard of them).
        let runtime = self.clone();
        spawn_local(async move {
            runtime.refresh_rooms().await;
            runtime.load_drafts().await;
        });
        spawn_local(self.clone().load_threads());
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

    /// The page is back (in view, online, restored): a socket waiting out
    /// its backoff connects at once.
    pub(super) fn come_back(self: &Rc<Self>) {
        if self.showing_copy() {
            // Opened offline: ask who is signed in, then connect.
            self.reconnect.borrow_mut().take();
            spawn_local(self.clone().restore_session());
            return;
        }
        if self.reconnect.borrow().is_some() {
            self.attempt.set(0);
            self.connect();
        }
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
    pub(super) fn resend_pending(&self, room: &RoomId) {
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

    /// Applies `f` to a room's timeline, if the room was opened here.
    pub(super) fn with_timeline<T>(
        &self,
        room: &RoomId,
        f: impl FnOnce(&mut Timeline) -> T,
    ) -> Option<T> {
        self.model
            .timelines
            .try_update(|timelines| timelines.get_mut(room).map(f))
            .flatten()
    }
}
