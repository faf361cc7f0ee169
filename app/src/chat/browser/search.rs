//! Search from the browser: `GET /api/search` pages into the panel's
//! [`SearchView`], and opening a result: the room, at the message, with its
//! history loaded around it (`Timeline::jump_to`).

use std::rc::Rc;

use leptos::prelude::*;
use uuid::Uuid;

use super::{http, Runtime};
use crate::chat::model::SearchView;
use crate::chat::timeline::Timeline;
use crate::protocol::{RoomId, SearchResults, Seq, DEFAULT_SEARCH_LIMIT};

use super::http::encode;

impl Runtime {
    pub(super) async fn search(self: Rc<Self>, text: String, room: Option<RoomId>) {
        if text.trim().is_empty() {
            self.model.search.set(None);
            return;
        }
        self.model.search.set(Some(SearchView {
            text,
            room,
            loading: true,
            ..Default::default()
        }));
        self.fetch_results(None).await;
    }

    pub(super) async fn search_more(self: Rc<Self>) {
        let last = self.model.search.with_untracked(|view| {
            view.as_ref()
                .filter(|v| v.more && !v.loading)
                .and_then(|v| v.results.last().map(|hit| hit.message.id))
        });
        if let Some(last) = last {
            self.model.search.update(|view| {
                if let Some(view) = view {
                    view.loading = true;
                }
            });
            self.fetch_results(Some(last)).await;
        }
    }

    /// Asks for the page of the search shown after `before`, and shows it if
    /// the panel still shows that search when the answer comes.
    async fn fetch_results(&self, before: Option<Uuid>) {
        let Some((text, room)) = self
            .model
            .search
            .with_untracked(|v| v.as_ref().map(|v| (v.text.clone(), v.room.clone())))
        else {
            return;
        };
        let mut path = format!(
            "/api/search?q={}&limit={DEFAULT_SEARCH_LIMIT}",
            encode(&text)
        );
        if let Some(room) = &room {
            path.push_str(&format!("&room={}", encode(room)));
        }
        if let Some(before) = before {
            path.push_str(&format!("&before={before}"));
        }
        let answer = http::call::<SearchResults>("GET", &path, None::<&()>).await;
        self.model.search.update(|view| {
            let Some(view) = view.as_mut().filter(|v| v.text == text && v.room == room) else {
                return;
            };
            view.loading = false;
            match answer {
                Ok(page) => {
                    view.more = page.results.len() as u32 == DEFAULT_SEARCH_LIMIT;
                    view.results.extend(page.results);
                    view.error = None;
                }
                Err(e) => view.error = Some(e.message),
            }
        });
    }

    /// Opens `room` at message `id` (`seq`): the page around it is asked
    /// for now, or once the room is joined.
    pub(super) fn open_at(self: &Rc<Self>, room: RoomId, seq: Seq, id: Uuid) {
        self.open_room(room.clone());
        let request = self
            .model
            .timelines
            .try_update(|timelines| timelines.get_mut(&room).and_then(|t| t.jump_to(seq, id)))
            .flatten();
        if let Some(request) = request.filter(|_| self.joined.borrow().contains(&room)) {
            self.send_history(&room, request, false);
        }
    }

    pub(super) fn load_newer(self: &Rc<Self>) {
        self.page_of_open_room(Timeline::newer_page, false);
    }

    pub(super) fn jump_to_latest(self: &Rc<Self>) {
        self.page_of_open_room(Timeline::latest, true);
    }
}
