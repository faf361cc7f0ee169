//! What the user keeps an eye on, from the browser: the threads they follow
//! (`GET /api/threads`, `PUT …/threads/{root}/follow` and `…/read`, the
//! `thread` frame) with the Threads view and its unread badge, and the
//! messages they saved (`/api/saved`) with the Saved view.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::http::{self, encode};
use super::read_state::visible;
use super::Runtime;
use crate::protocol::{
    FollowRequest, Message, RoomId, SavedList, Seq, ThreadList, ThreadReadRequest, ThreadState,
};

impl Runtime {
    /// Whether the user follows the thread of `root`.
    pub(super) fn follows(&self, root: Uuid) -> bool {
        self.model
            .following
            .with_untracked(|f| f.contains_key(&root))
    }

    /// A reply the user wrote, or that mentions them by name, follows its
    /// thread for them (the server's rule, in the reply's transaction).
    pub(super) fn follows_by_reply(&self, message: &Message, me: Option<Uuid>) {
        let (Some(root), Some(me)) = (message.thread, me) else {
            return;
        };
        if message.author.id == me || message.mentions.contains(&me) {
            self.model.following.update(|following| {
                let place = following
                    .entry(root)
                    .or_insert_with(|| (message.room.clone(), 0));
                if message.author.id == me {
                    place.1 = place.1.max(message.seq);
                }
            });
        }
    }

    /// Whether the user wrote message `id` of `room` (as the page holds it).
    pub(super) fn wrote(&self, room: &str, id: Uuid) -> bool {
        let me = self.me();
        self.model.timelines.with_untracked(|timelines| {
            timelines
                .get(room)
                .and_then(|t| t.message(id))
                .is_some_and(|m| Some(m.author.id) == me)
        })
    }

    /// A reply by someone else in a followed thread arrived (live or
    /// replayed): read at once if the thread is open in view, else counted
    /// once for the Threads badge.
    pub(super) fn followed_reply(self: &Rc<Self>, room: &str, root: Uuid, seq: Seq) {
        let open = self
            .model
            .thread
            .with_untracked(|t| t.as_ref().is_some_and(|(r, t)| r == room && *t == root));
        if open && visible() {
            self.read_followed(room, root, seq);
            return;
        }
        let mut new = false;
        self.model.following.update(|following| {
            let place = following
                .entry(root)
                .or_insert_with(|| (room.to_string(), 0));
            if seq > place.1 {
                place.1 = seq;
                new = true;
            }
        });
        if new {
            self.model.thread_unread.update(|n| *n += 1);
        }
    }

    /// The user has read a thread up to `seq` (they opened it): told to the
    /// server if they follow it.
    pub(super) fn read_followed(self: &Rc<Self>, room: &str, root: Uuid, seq: Seq) {
        if !self.follows(root) {
            return;
        }
        let path = format!("/api/rooms/{}/threads/{root}/read", encode(room));
        let runtime = self.clone();
        spawn_local(async move {
            let request = ThreadReadRequest { seq };
            match http::call::<ThreadState>("PUT", &path, Some(&request)).await {
                Ok(state) => runtime.on_thread_state(state),
                Err(e) => runtime.model.notice.set(Some(e.message)),
            }
        });
    }

    /// Reads the followed threads: the badge, and the view if it is open.
    pub(super) async fn load_threads(self: Rc<Self>) {
        match http::call::<ThreadList>("GET", "/api/threads", None::<&()>).await {
            Ok(list) => {
                let following = list
                    .threads
                    .iter()
                    .map(|t| {
                        let counted = t.read_seq;
                        (t.root.id, (t.room.clone(), counted))
                    })
                    .collect();
                self.model.following.set(following);
                self.model
                    .thread_unread
                    .set(list.threads.iter().map(|t| t.unread).sum());
                if self.model.threads.with_untracked(Option::is_some) {
                    self.model.threads.set(Some(list.threads));
                }
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    pub(super) async fn show_threads(self: Rc<Self>, show: bool) {
        if show {
            self.model.threads.set(Some(Vec::new()));
            self.load_threads().await;
        } else {
            self.model.threads.set(None);
        }
    }

    pub(super) async fn follow(self: Rc<Self>, room: RoomId, root: Uuid, on: bool) {
        let path = format!("/api/rooms/{}/threads/{root}/follow", encode(&room));
        match http::call::<ThreadState>("PUT", &path, Some(&FollowRequest { on })).await {
            Ok(state) => self.on_thread_state(state),
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    /// A thread's following or the place read in it changed (here, or on
    /// another device): the counts are read again.
    pub(super) fn on_thread_state(self: &Rc<Self>, state: ThreadState) {
        self.model.following.update(|following| {
            if state.following {
                let place = following.entry(state.root).or_insert((state.room, 0));
                place.1 = place.1.max(state.read_seq);
            } else {
                following.remove(&state.root);
            }
        });
        spawn_local(self.clone().load_threads());
    }

    /// Reads the saved messages: their ids, and the view if it is open.
    pub(super) async fn load_saved(self: Rc<Self>) {
        match http::call::<SavedList>("GET", "/api/saved", None::<&()>).await {
            Ok(list) => {
                self.model
                    .saved_ids
                    .set(list.saved.iter().map(|s| s.message.id).collect());
                if self.model.saved.with_untracked(Option::is_some) {
                    self.model.saved.set(Some(list.saved));
                }
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }

    pub(super) async fn show_saved(self: Rc<Self>, show: bool) {
        if show {
            self.model.saved.set(Some(Vec::new()));
            self.load_saved().await;
        } else {
            self.model.saved.set(None);
        }
    }

    pub(super) async fn save(self: Rc<Self>, id: Uuid, on: bool) {
        let method = if on { "PUT" } else { "DELETE" };
        match http::send(method, &format!("/api/saved/{id}"), None::<&()>).await {
            Ok(()) => {
                self.model.saved_ids.update(|ids| {
                    if on {
                        ids.insert(id);
                    } else {
                        ids.remove(&id);
                    }
                });
                if self.model.saved.with_untracked(Option::is_some) {
                    self.load_saved().await;
                }
            }
            Err(e) => self.model.notice.set(Some(e.message)),
        }
    }
}
