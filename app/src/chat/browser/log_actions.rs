//! What the user does to the room log besides sending: replying in a thread,
//! editing, deleting and reacting. Each change shows at once (the model's
//! `optimistic` overlay) and is sent with a `ref` naming it; the server's
//! answer — `done` after the entry itself arrived, or `error` — drops the
//! overlay, so the timeline's own state takes over and nothing counts twice.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::{http, Runtime};
use crate::protocol::{ClientFrame, ThreadPage};

impl Runtime {
    pub(super) fn reply(self: &Rc<Self>, root: Uuid, body: String) {
        let Some(room) = self.joined_current() else {
            return;
        };
        self.draft_sent((room.clone(), Some(root)));
        let client_msg_id = Uuid::new_v4();
        self.send_frame(
            ClientFrame::Send {
                room,
                client_msg_id,
                body,
                thread: Some(root),
                attachments: Vec::new(),
            },
            Some(format!("send:{client_msg_id}")),
        );
    }

    pub(super) fn edit(self: &Rc<Self>, id: Uuid, body: String) {
        let Some(room) = self.joined_current() else {
            return;
        };
        self.model
            .optimistic
            .update(|o| _ = o.edits.insert(id, body.clone()));
        self.send_frame(
            ClientFrame::Edit { room, id, body },
            Some(format!("edit:{id}")),
        );
    }

    pub(super) fn delete(self: &Rc<Self>, id: Uuid) {
        let Some(room) = self.joined_current() else {
            return;
        };
        self.model.optimistic.update(|o| _ = o.deletions.insert(id));
        self.send_frame(
            ClientFrame::Delete { room, id },
            Some(format!("delete:{id}")),
        );
    }

    pub(super) fn react(self: &Rc<Self>, id: Uuid, emoji: String, on: bool) {
        let Some(room) = self.joined_current() else {
            return;
        };
        self.model
            .optimistic
            .update(|o| _ = o.reactions.insert((id, emoji.clone()), on));
        let reference = format!("react:{id}:{emoji}");
        self.send_frame(
            ClientFrame::React {
                room,
                id,
                emoji,
                on,
            },
            Some(reference),
        );
    }

    /// Opens a thread beside the room and loads its replies.
    pub(super) fn open_thread(self: &Rc<Self>, root: Option<Uuid>) {
        let room = self.model.current.get_untracked();
        self.model.thread_replies.set(Vec::new());
        let (Some(room), Some(root)) = (room, root) else {
            self.model.thread.set(None);
            return;
        };
        self.model.thread.set(Some((room.clone(), root)));
        let runtime = self.clone();
        spawn_local(async move {
            let path = format!("/api/rooms/{}/threads/{root}?limit=200", encode(&room));
            match http::call::<ThreadPage>("GET", &path, None::<&()>).await {
                Ok(page) => {
                    if runtime.model.thread.get_untracked() == Some((room.clone(), root)) {
                        // The root too: the room's timeline may not hold it.
                        let mut loaded = vec![page.root];
                        loaded.extend(page.replies);
                        runtime.model.thread_replies.set(loaded);
                        runtime.read_followed(&room, root, page.seq);
                    }
                }
                Err(e) => runtime.model.notice.set(Some(e.message)),
            }
        });
    }

    /// The server answered a change this page made (`done` or `error` with
    /// the change's `ref`): its overlay goes.
    pub(super) fn settled(&self, reference: &str) {
        let mut parts = reference.splitn(3, ':');
        let (Some(kind), Some(id)) = (parts.next(), parts.next()) else {
            return;
        };
        let Ok(id) = Uuid::parse_str(id) else {
            return;
        };
        let emoji = parts.next().map(str::to_string);
        self.model.optimistic.update(|o| match (kind, emoji) {
            ("edit", _) => _ = o.edits.remove(&id),
            ("delete", _) => _ = o.deletions.remove(&id),
            ("react", Some(emoji)) => _ = o.reactions.remove(&(id, emoji)),
            _ => {}
        });
    }

    /// The open room, if the socket has joined it (changes need it).
    fn joined_current(&self) -> Option<crate::protocol::RoomId> {
        let room = self.model.current.get_untracked()?;
        if self.joined.borrow().contains(&room) {
            Some(room)
        } else {
            self.model
                .notice
                .set(Some("Not connected: try again in a moment.".into()));
            None
        }
    }
}

use super::http::encode;
