//! The phone layout's back button and gesture (docs/DESIGN.md, "Beyond the
//! tab"). On a narrow screen the room list, a room, search and a thread each
//! fill the screen, one over the other. Each view opened there pushes a
//! history entry; the browser's back (its button, the phone's gesture)
//! pops it and closes the view on top. A view closed by its own button
//! takes its entry back (`history.go`), so the two never disagree. Wide
//! screens show the views side by side and push nothing.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::Runtime;
use crate::chat::ChatModel;

/// Where the phone layout applies (style/main.css says the same).
const NARROW: &str = "(max-width: 720px)";

/// A view over the room list, in the order they stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum View {
    Room,
    Search,
    Thread,
}

fn narrow() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(NARROW).ok().flatten())
        .is_some_and(|m| m.matches())
}

fn history() -> Option<web_sys::History> {
    web_sys::window()?.history().ok()
}

/// The views open over the room list now (tracked).
fn open_views(model: &ChatModel) -> Vec<View> {
    let mut open = Vec::new();
    if !model.phone_list.get() {
        open.push(View::Room);
    }
    if model.search.with(Option::is_some) {
        open.push(View::Search);
    }
    if model.thread.with(Option::is_some) {
        open.push(View::Thread);
    }
    open
}

impl Runtime {
    /// Keeps the history entries in step with the views open (see above).
    pub(super) fn follow_phone_views(self: &Rc<Self>) {
        let model = self.model;
        // A phone opens on the room list; a wide page on the room (and
        // shows it if narrowed).
        model.phone_list.set(narrow());
        let runtime = Rc::downgrade(self);
        Effect::new(move |_| {
            let open = open_views(&model);
            let Some(runtime) = runtime.upgrade() else {
                return;
            };
            let Some(history) = history() else {
                return;
            };
            let mut stack = runtime.phone_views.borrow_mut();
            let before = stack.len();
            stack.retain(|view| open.contains(view));
            let closed = before - stack.len();
            if closed > 0 {
                // Closed by their own buttons: their entries go too (one
                // `popstate` comes of it, and is not a back).
                runtime.skip_pops.set(runtime.skip_pops.get() + 1);
                let _ = history.go_with_delta(-(closed as i32));
            }
            if narrow() {
                for view in open {
                    if !stack.contains(&view) {
                        stack.push(view);
                        let _ = history.push_state(&JsValue::from_str("confab"), "");
                    }
                }
            }
        });
        let Some(window) = web_sys::window() else {
            return;
        };
        let runtime = Rc::downgrade(self);
        let on_pop = Closure::<dyn FnMut()>::new(move || {
            if let Some(runtime) = runtime.upgrade() {
                runtime.back();
            }
        });
        let _ =
            window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
        on_pop.forget();
    }

    /// The browser went back: closes the view on top.
    fn back(&self) {
        if self.skip_pops.get() > 0 {
            self.skip_pops.set(self.skip_pops.get() - 1);
            return;
        }
        let top = self.phone_views.borrow_mut().pop();
        match top {
            Some(View::Thread) => {
                self.model.thread.set(None);
                self.model.thread_replies.set(Vec::new());
            }
            Some(View::Search) => self.model.search.set(None),
            Some(View::Room) => self.model.phone_list.set(true),
            None => {}
        }
    }

    /// Shows `room` in the address (`#ROOM`) without a history entry of
    /// its own: back leaves views, not rooms.
    pub(super) fn show_room_in_address(&self, room: &str) {
        if let Some(history) = history() {
            let state = history.state().unwrap_or(JsValue::NULL);
            let _ = history.replace_state_with_url(&state, "", Some(&format!("#{room}")));
        }
    }
}
