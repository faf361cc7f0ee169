//! The service worker (`/sw.js`), registered on every page load. It keeps
//! this release's page and files for offline use and shows pushes (see
//! `push.rs`); when a notification is clicked it asks an open tab to show
//! the room at the message. A new release's worker waits until the page
//! asks it to take over: the page offers "Reload for the new version" and,
//! once the new worker is in charge, reloads.

use std::rc::Rc;

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MessageEvent, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

use super::Runtime;
use crate::protocol::Seq;

/// The page's service worker container, where the browser has one (a
/// secure context).
pub(super) fn workers() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    let has = Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    has.then(|| navigator.service_worker())
}

impl Runtime {
    /// Registers the worker and listens for its messages and for a new
    /// release's worker.
    pub(super) fn register_worker(self: &Rc<Self>) {
        let Some(workers) = workers() else {
            return;
        };
        let registering = workers.register("/sw.js");
        self.listen_for_open(&workers);
        let runtime = Rc::downgrade(self);
        let on_controller = Closure::<dyn FnMut()>::new(move || {
            // The new release took over because this page asked: reload
            // into it.
            if runtime.upgrade().is_some_and(|r| r.updating.get()) {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
        });
        workers.set_oncontrollerchange(Some(on_controller.as_ref().unchecked_ref()));
        on_controller.forget();
        let runtime = self.clone();
        spawn_local(async move {
            let Ok(registration) = JsFuture::from(registering).await else {
                return;
            };
            let Ok(registration) = registration.dyn_into::<ServiceWorkerRegistration>() else {
                return;
            };
            runtime.watch_for_release(&registration);
            *runtime.registration.borrow_mut() = Some(registration);
        });
    }

    /// Marks a new release ready once its worker has installed (the first
    /// worker of this browser is not a new release: it has no page's files
    /// to replace).
    fn watch_for_release(self: &Rc<Self>, registration: &ServiceWorkerRegistration) {
        let controlled = || workers().and_then(|w| w.controller()).is_some();
        if registration.waiting().is_some() && controlled() {
            self.model.update_ready.set(true);
        }
        let model = self.model;
        let found_registration = registration.clone();
        let on_found = Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = found_registration.installing() else {
                return;
            };
            let watched = installing.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                if watched.state() == ServiceWorkerState::Installed && controlled() {
                    model.update_ready.set(true);
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
    }

    /// Asks the server whether a new release is out (the page reconnected:
    /// a restart is when a new release usually arrives).
    pub(super) fn check_for_release(&self) {
        if let Some(registration) = self.registration.borrow().as_ref() {
            if let Ok(checking) = registration.update() {
                spawn_local(async move {
                    let _ = JsFuture::from(checking).await;
                });
            }
        }
    }

    /// "Reload for the new version": the waiting worker takes over, and
    /// the page reloads once it has (`controllerchange`).
    pub(super) fn update_release(&self) {
        let waiting = self
            .registration
            .borrow()
            .as_ref()
            .and_then(|r| r.waiting());
        let Some(waiting) = waiting else {
            // Nothing waits (another tab already took it): just reload.
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
            return;
        };
        self.updating.set(true);
        let message = Object::new();
        let _ = Reflect::set(&message, &"type".into(), &"update".into());
        let _ = waiting.post_message(&message);
    }

    /// A notification was clicked: show its room at the message.
    fn listen_for_open(self: &Rc<Self>, workers: &ServiceWorkerContainer) {
        let runtime = Rc::downgrade(self);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let field = |name: &str| Reflect::get(&data, &JsValue::from_str(name)).ok();
            let is_open = field("type").and_then(|t| t.as_string()).as_deref() == Some("open");
            let room = field("room").and_then(|r| r.as_string());
            let (Some(runtime), true, Some(room)) = (runtime.upgrade(), is_open, room) else {
                return;
            };
            let seq = field("seq").and_then(|s| s.as_f64()).map(|s| s as Seq);
            let id = field("id")
                .and_then(|i| i.as_string())
                .and_then(|i| Uuid::parse_str(&i).ok());
            match (seq, id) {
                (Some(seq), Some(id)) => runtime.open_at(room, seq, id),
                _ => runtime.open_room(room),
            }
        });
        workers.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
    }
}
