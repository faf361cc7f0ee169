//! Pins from the browser: pinning and unpinning a message of the open room
//! (`PUT`/`DELETE /api/rooms/{id}/pins/{message}`), and the room's pinned
//! list beside it, read again whenever a `pinned` entry arrives while shown;
//! and removing a message's link previews, the other change to a message
//! that is not its text.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::http::{self, encode};
use super::Runtime;
use crate::protocol::PinList;

impl Runtime {
    pub(super) async fn pin(self: Rc<Self>, id: Uuid, on: bool) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        let path = format!("/api/rooms/{}/pins/{id}", encode(&room));
        let method = if on { "PUT" } else { "DELETE" };
        if let Err(e) = http::call::<serde_json::Value>(method, &path, None::<&()>).await {
            self.model.notice.set(Some(e.message));
        }
    }

    /// Loads the open room's pinned messages, or hides them.
    pub(super) async fn show_pins(self: Rc<Self>, show: bool) {
        let room = self.model.current.get_untracked().filter(|_| show);
        let Some(room) = room else {
            self.model.pins.set(None);
            return;
        };
        let path = format!("/api/rooms/{}/pins", encode(&room));
        match http::call::<PinList>("GET", &path, None::<&()>).await {
            Ok(list) => self.model.pins.set(Some((room, list.pins))),
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    /// Removes a message's link previews (an `unfurled` entry follows).
    pub(super) async fn remove_previews(self: Rc<Self>, id: Uuid) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        let path = format!("/api/rooms/{}/messages/{id}/previews", encode(&room));
        if let Err(e) = http::call::<serde_json::Value>("DELETE", &path, None::<&()>).await {
            self.model.notice.set(Some(e.message));
        }
    }

    /// A `pinned` entry of `room`: the list shown is read again.
    pub(super) fn on_pinned(self: &Rc<Self>, room: &str) {
        let shown = self
            .model
            .pins
            .with_untracked(|p| p.as_ref().is_some_and(|(r, _)| r == room));
        if shown {
            spawn_local(self.clone().show_pins(true));
        }
    }
}
