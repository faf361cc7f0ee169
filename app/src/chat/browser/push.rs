//! Pushes beyond the tab, in the browser: the service worker (see
//! `worker.rs`) shows what the server pushes while no tab is in view. This
//! browser subscribes with the server's key (`GET /api/push/key`, `POST
//! /api/push/subscriptions`); the user's other devices are listed and can
//! be removed (`DELETE /api/push/subscriptions`).

use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    PushManager, PushSubscription, PushSubscriptionOptionsInit, ServiceWorkerRegistration,
};

use super::worker::workers;
use super::{http, Runtime};
use crate::protocol::{PushDevices, PushEndpoint, PushKey, PushSubscribe};

/// The push manager of the registered worker, once it is active.
async fn push_manager() -> Option<PushManager> {
    let ready = JsFuture::from(workers()?.ready().ok()?).await.ok()?;
    let registration: ServiceWorkerRegistration = ready.dyn_into().ok()?;
    registration.push_manager().ok()
}

/// This browser's subscription, if any.
async fn subscription() -> Option<PushSubscription> {
    let found = JsFuture::from(push_manager().await?.get_subscription().ok()?)
        .await
        .ok()?;
    found.dyn_into().ok()
}

/// Bytes from unpadded base64url.
fn from_base64url(text: &str) -> Option<Vec<u8>> {
    let standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let padded = format!("{standard}{}", "=".repeat((4 - standard.len() % 4) % 4));
    let binary = web_sys::window()?.atob(&padded).ok()?;
    Some(binary.chars().map(|c| c as u32 as u8).collect())
}

fn reason(e: &JsValue) -> String {
    Reflect::get(e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

impl Runtime {
    /// Whether this browser can take pushes and is subscribed, and the
    /// user's devices.
    pub(super) async fn load_push(self: Rc<Self>) {
        let supported = self.model.limits.get_untracked().pushes
            && workers().is_some()
            && web_sys::window()
                .map(|w| Reflect::has(&w, &JsValue::from_str("PushManager")).unwrap_or(false))
                .unwrap_or(false);
        let here = if supported {
            subscription().await.map(|s| s.endpoint())
        } else {
            None
        };
        let devices =
            match http::call::<PushDevices>("GET", "/api/push/subscriptions", None::<&()>).await {
                Ok(list) => list.subscriptions,
                Err(_) => Vec::new(),
            };
        // Subscribed here but unknown to the server (removed from another
        // device): not subscribed.
        let here = here.filter(|endpoint| devices.iter().any(|d| &d.endpoint == endpoint));
        self.model.push.update(|push| {
            push.supported = supported;
            push.here = here;
            push.devices = devices;
            push.busy = false;
        });
    }

    pub(super) async fn enable_push(self: Rc<Self>) {
        self.model.push.update(|p| p.busy = true);
        if let Err(why) = self.clone().subscribe_here().await {
            self.model
                .notice
                .set(Some(format!("Pushes could not be turned on: {why}")));
        }
        self.load_push().await;
    }

    async fn subscribe_here(self: Rc<Self>) -> Result<(), String> {
        self.clone().enable_notifications().await;
        let key = http::call::<PushKey>("GET", "/api/push/key", None::<&()>)
            .await
            .map_err(|e| e.message)?;
        let key = from_base64url(&key.key).ok_or("the server's key is not base64url")?;
        let manager = push_manager().await.ok_or("this browser takes no pushes")?;
        let options = PushSubscriptionOptionsInit::new();
        options.set_user_visible_only(true);
        options.set_application_server_key(&Uint8Array::from(key.as_slice()));
        let subscribing = manager
            .subscribe_with_options(&options)
            .map_err(|e| reason(&e))?;
        let subscribed: PushSubscription = JsFuture::from(subscribing)
            .await
            .map_err(|e| reason(&e))?
            .dyn_into()
            .map_err(|_| "no subscription")?;
        let json = js_sys::JSON::stringify(&subscribed)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or("the subscription has no JSON")?;
        let body: PushSubscribe =
            serde_json::from_str(&json).map_err(|e| format!("an unexpected subscription: {e}"))?;
        http::send("POST", "/api/push/subscriptions", Some(&body))
            .await
            .map_err(|e| e.message)
    }

    pub(super) async fn disable_push(self: Rc<Self>) {
        self.model.push.update(|p| p.busy = true);
        if let Some(subscribed) = subscription().await {
            let endpoint = subscribed.endpoint();
            if let Ok(unsubscribing) = subscribed.unsubscribe() {
                let _ = JsFuture::from(unsubscribing).await;
            }
            let _ = http::send(
                "DELETE",
                "/api/push/subscriptions",
                Some(&PushEndpoint { endpoint }),
            )
            .await;
        }
        self.load_push().await;
    }

    pub(super) async fn remove_push_device(self: Rc<Self>, endpoint: String) {
        let body = PushEndpoint { endpoint };
        if let Err(e) = http::send("DELETE", "/api/push/subscriptions", Some(&body)).await {
            self.model.notice.set(Some(e.message));
        }
        self.load_push().await;
    }

    /// Whether this browser's pushes show what notifies (so the page shows
    /// no notification of its own: one per message).
    pub(super) fn pushed_here(&self) -> bool {
        self.model.push.with_untracked(|p| p.here.is_some())
    }
}
