//! Who is signed in on this page: asking the server at start, signing in or
//! up, and the session ending (the page keeps what the user typed for when
//! they are back, and forgets it if someone else signs in).

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{http, Runtime, DEFAULT_ROOM};
use crate::chat::model::Session;
use crate::protocol::{is_direct_id, AuthResponse, Credentials, RoomId, SessionInfo, UserRef};

impl Runtime {
    /// Asks the server who is signed in (as the page opens, and again
    /// while a page opened offline shows this device's copy).
    pub(super) async fn restore_session(self: Rc<Self>) {
        match http::call::<SessionInfo>("GET", "/api/auth/session", None::<&()>).await {
            Ok(session) => {
                self.model.limits.set(session.limits);
                match session.user {
                    Some(user) => self.signed_in(user).await,
                    None => {
                        if self.showing_copy() {
                            // The session ended while away: its copy goes.
                            self.forget_user();
                            self.model.reset(None);
                        }
                        self.model.session.set(Session::SignedOut { reason: None })
                    }
                }
            }
            Err(e) if e.unreachable && self.showing_copy() => self.retry_offline(),
            Err(e) if e.unreachable && self.open_offline().await => {}
            Err(e) => self.model.session.set(Session::SignedOut {
                reason: Some(e.message),
            }),
        }
    }

    pub(super) async fn sign_in(
        self: Rc<Self>,
        username: String,
        password: String,
        register: bool,
        invite: Option<String>,
    ) {
        let path = if register {
            "/api/auth/register"
        } else {
            "/api/auth/login"
        };
        self.model.busy.set(true);
        let answer = http::call::<AuthResponse>(
            "POST",
            path,
            Some(&Credentials {
                username,
                password,
                invite,
            }),
        )
        .await;
        self.model.busy.set(false);
        match answer {
            Ok(auth) => {
                self.model.notice.set(None);
                self.signed_in(auth.user).await
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    async fn signed_in(self: &Rc<Self>, user: UserRef) {
        if self.expired_user.take().is_some_and(|id| id != user.id) {
            // Someone else signs in on this page: nothing of the last user stays.
            self.forget_user();
            self.model.reset(None);
        }
        let signed_in = Session::SignedIn(user);
        // Back online with the user the page showed offline: the same page.
        if self.model.session.get_untracked() != signed_in {
            self.model.session.set(signed_in);
        }
        self.reload_me().await;
        self.load_drafts().await;
        self.load_attention().await;
        self.refresh_rooms().await;
        let named = room_in_address();
        if named.is_some() {
            // A link to a room (a push, a shared address): on a phone, the
            // room, not the list.
            self.model.phone_list.set(false);
        }
        let room = named
            .or_else(|| self.model.current.get_untracked())
            .unwrap_or_else(|| DEFAULT_ROOM.to_string());
        // A push's link names the message too: `?at=SEQ&msg=ID#ROOM`.
        match pushed_message() {
            Some((seq, id)) => self.open_at(room, seq, id),
            None => self.open_room(room),
        }
        self.connect();
    }

    /// The session ended and could not be renewed: back to the sign-in form,
    /// keeping what the user typed or had not got confirmed, for when they are
    /// back.
    pub(super) fn session_expired(&self) {
        self.disconnect();
        // What this device kept to read offline is the ended session's.
        spawn_local(super::offline::forget());
        self.saved_marks.borrow_mut().clear();
        if let Session::SignedIn(user) = self.model.session.get_untracked() {
            self.expired_user.set(Some(user.id));
        }
        self.model.session.set(Session::SignedOut {
            reason: Some(
                "Your session has ended. Sign in again: your unsent messages are kept.".into(),
            ),
        });
    }

    /// Forgets the rooms this page opened for the user.
    pub(super) fn forget_user(&self) {
        spawn_local(super::offline::forget());
        self.saved_marks.borrow_mut().clear();
        self.visited.borrow_mut().clear();
        self.sent_drafts.borrow_mut().clear();
        self.draft_timer.borrow_mut().take();
        self.thread_draft_timer.borrow_mut().take();
        self.expired_user.set(None);
    }
}

/// The room the address names (`#ROOM`), if it is a room's name or a
/// direct room's id.
pub(super) fn room_in_address() -> Option<RoomId> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let room = hash.trim_start_matches('#');
    (crate::protocol::valid_room_name(room) || is_direct_id(room)).then(|| room.to_string())
}

/// The message a push's link names (`?at=SEQ&msg=ID`), if any.
fn pushed_message() -> Option<(crate::protocol::Seq, uuid::Uuid)> {
    let search = web_sys::window()?.location().search().ok()?;
    let mut at = None;
    let mut msg = None;
    for pair in search.trim_start_matches('?').split('&') {
        match pair.split_once('=') {
            Some(("at", seq)) => at = seq.parse().ok(),
            Some(("msg", id)) => msg = uuid::Uuid::parse_str(id).ok(),
            _ => {}
        }
    }
    at.zip(msg)
}
