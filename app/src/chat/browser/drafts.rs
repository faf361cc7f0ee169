//! Drafts kept by the server: what is typed in a room's composer is saved a
//! moment after the typing stops (`PUT /api/rooms/{id}/draft`), read back at
//! sign-in (`GET /api/drafts`), and taken from the user's other
//! connections as they save (`draft`); sending clears it everywhere. A
//! `draft` that only repeats what this page saved last is not applied, so
//! it never undoes what was typed since.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::http::{self, encode};
use super::Runtime;
use crate::protocol::{Draft, DraftList, DraftRequest, RoomId};

/// How long after the last keystroke a draft is saved, in ms.
const SAVE_AFTER_MS: u32 = 800;

impl Runtime {
    /// The open room's composer changed: save its draft soon.
    pub(super) fn draft_typed(self: &Rc<Self>) {
        let Some(room) = self.model.current.get_untracked() else {
            return;
        };
        let runtime = Rc::downgrade(self);
        *self.draft_timer.borrow_mut() = Some(Timeout::new(SAVE_AFTER_MS, move || {
            if let Some(runtime) = runtime.upgrade() {
                let body = runtime
                    .model
                    .drafts
                    .with_untracked(|d| d.get(&room).cloned())
                    .unwrap_or_default();
                spawn_local(runtime.save_draft(room, body));
            }
        }));
    }

    /// Saves `body` as the draft of `room` (empty: clears it) now.
    pub(super) async fn save_draft(self: Rc<Self>, room: RoomId, body: String) {
        let unchanged = self.sent_drafts.borrow().get(&room) == Some(&body);
        if unchanged {
            return;
        }
        self.sent_drafts
            .borrow_mut()
            .insert(room.clone(), body.clone());
        let path = format!("/api/rooms/{}/draft", encode(&room));
        let request = DraftRequest { body, thread: None };
        // Best effort: offline, the draft stays on this page and the next
        // keystroke tries again; nothing to bother the user with.
        if http::send("PUT", &path, Some(&request)).await.is_err() {
            self.sent_drafts.borrow_mut().remove(&room);
        }
    }

    /// A message went from the open room's composer: its draft is gone.
    pub(super) fn draft_sent(self: &Rc<Self>, room: RoomId) {
        self.draft_timer.borrow_mut().take();
        spawn_local(self.clone().save_draft(room, String::new()));
    }

    /// The user's drafts, at sign-in: each fills its room's empty composer.
    pub(super) async fn load_drafts(&self) {
        let Ok(list) = http::call::<DraftList>("GET", "/api/drafts", None::<&()>).await else {
            return;
        };
        for draft in list.drafts.into_iter().filter(|d| d.thread.is_none()) {
            self.sent_drafts
                .borrow_mut()
                .insert(draft.room.clone(), draft.body.clone());
            self.model.drafts.update(|d| {
                d.entry(draft.room).or_insert(draft.body);
            });
        }
    }

    /// A `draft` saved on another connection.
    pub(super) fn on_draft(&self, draft: Draft) {
        if draft.thread.is_some() {
            return;
        }
        if self.sent_drafts.borrow().get(&draft.room) == Some(&draft.body) {
            return;
        }
        self.sent_drafts
            .borrow_mut()
            .insert(draft.room.clone(), draft.body.clone());
        self.model.drafts.update(|d| {
            if draft.body.is_empty() {
                d.remove(&draft.room);
            } else {
                d.insert(draft.room, draft.body);
            }
        });
    }
}
