//! Drafts kept by the server: what is typed in a room's composer, or in a
//! thread's reply box, is saved a moment after the typing stops (`PUT
//! /api/rooms/{id}/draft`, with the thread for a reply), read back at
//! sign-in (`GET /api/drafts`), and taken from the user's other
//! connections as they save (`draft`); sending clears it everywhere. A
//! `draft` that only repeats what this page saved last is not applied, so
//! it never undoes what was typed since.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::http::{self, encode};
use super::Runtime;
use crate::protocol::{Draft, DraftList, DraftRequest, RoomId};

/// How long after the last keystroke a draft is saved, in ms.
const SAVE_AFTER_MS: u32 = 800;

/// Which draft: a room's (no thread) or a thread's reply.
pub(super) type DraftKey = (RoomId, Option<Uuid>);

impl Runtime {
    /// What the page holds of the draft `key`.
    fn draft_body(&self, key: &DraftKey) -> String {
        match key {
            (room, None) => self.model.drafts.with_untracked(|d| d.get(room).cloned()),
            (room, Some(root)) => self
                .model
                .thread_drafts
                .with_untracked(|d| d.get(&(room.clone(), *root)).cloned()),
        }
        .unwrap_or_default()
    }

    /// Sets (or, empty, drops) what the page holds of the draft `key`.
    fn set_draft_body(&self, key: DraftKey, body: String) {
        match key {
            (room, None) => self.model.drafts.update(|d| {
                if body.is_empty() {
                    d.remove(&room);
                } else {
                    d.insert(room, body);
                }
            }),
            (room, Some(root)) => self.model.thread_drafts.update(|d| {
                if body.is_empty() {
                    d.remove(&(room, root));
                } else {
                    d.insert((room, root), body);
                }
            }),
        }
    }

    /// The open room's composer changed: save its draft soon.
    pub(super) fn draft_typed(self: &Rc<Self>) {
        if let Some(room) = self.model.current.get_untracked() {
            self.save_soon((room, None), &self.draft_timer);
        }
    }

    /// The open thread's reply box changed: save its draft soon.
    pub(super) fn thread_draft_typed(self: &Rc<Self>) {
        if let Some((room, root)) = self.model.thread.get_untracked() {
            self.save_soon((room, Some(root)), &self.thread_draft_timer);
        }
    }

    fn save_soon(self: &Rc<Self>, key: DraftKey, timer: &std::cell::RefCell<Option<Timeout>>) {
        let runtime = Rc::downgrade(self);
        *timer.borrow_mut() = Some(Timeout::new(SAVE_AFTER_MS, move || {
            if let Some(runtime) = runtime.upgrade() {
                let body = runtime.draft_body(&key);
                spawn_local(runtime.save_draft(key, body));
            }
        }));
    }

    /// Saves `body` as the draft `key` (empty: clears it) now.
    pub(super) async fn save_draft(self: Rc<Self>, key: DraftKey, body: String) {
        let unchanged = self.sent_drafts.borrow().get(&key) == Some(&body);
        if unchanged {
            return;
        }
        self.sent_drafts
            .borrow_mut()
            .insert(key.clone(), body.clone());
        let path = format!("/api/rooms/{}/draft", encode(&key.0));
        let request = DraftRequest {
            body,
            thread: key.1,
        };
        // Best effort: offline, the draft stays on this page and the next
        // keystroke tries again; nothing to bother the user with.
        if http::send("PUT", &path, Some(&request)).await.is_err() {
            self.sent_drafts.borrow_mut().remove(&key);
        }
    }

    /// A message went from the composer (or a thread's reply box): its
    /// draft is gone.
    pub(super) fn draft_sent(self: &Rc<Self>, key: DraftKey) {
        let timer = match key.1 {
            None => &self.draft_timer,
            Some(_) => &self.thread_draft_timer,
        };
        timer.borrow_mut().take();
        self.set_draft_body(key.clone(), String::new());
        spawn_local(self.clone().save_draft(key, String::new()));
    }

    /// The user's drafts, at sign-in: each fills its empty box.
    pub(super) async fn load_drafts(&self) {
        let Ok(list) = http::call::<DraftList>("GET", "/api/drafts", None::<&()>).await else {
            return;
        };
        for draft in list.drafts {
            let key = (draft.room, draft.thread);
            self.sent_drafts
                .borrow_mut()
                .insert(key.clone(), draft.body.clone());
            if self.draft_body(&key).is_empty() {
                self.set_draft_body(key, draft.body);
            }
        }
    }

    /// A `draft` saved on another connection.
    pub(super) fn on_draft(&self, draft: Draft) {
        let key = (draft.room, draft.thread);
        if self.sent_drafts.borrow().get(&key) == Some(&draft.body) {
            return;
        }
        self.sent_drafts
            .borrow_mut()
            .insert(key.clone(), draft.body.clone());
        self.set_draft_body(key, draft.body);
    }
}
