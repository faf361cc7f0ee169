//! The connection state ("Reconnecting in 4 s… Retry now"), the copy shown
//! offline, a new release waiting, and notices.

use leptos::prelude::*;

use super::{actions, model};
use crate::chat::{Command, Link};

#[component]
pub fn LinkStatus() -> impl IntoView {
    let model = model();
    let actions = actions();
    view! {
        <div class="link-status" role="status" aria-live="polite">
            {move || match model.link.get() {
                Link::Online => view! { <span class="dot online"></span><span>"Connected"</span> }.into_any(),
                Link::Connecting => view! { <span class="dot"></span><span>"Connecting…"</span> }.into_any(),
                Link::Waiting { retry_at } => {
                    let seconds = move || ((retry_at - model.now.get()) / 1000.0).ceil().max(0.0);
                    view! {
                        <span class="dot offline"></span>
                        <span class="reconnecting">"Reconnecting in " {seconds} " s…"</span>
                        <button class="link-button" on:click=move |_| actions.run(Command::RetryNow)>
                            "Retry now"
                        </button>
                    }
                    .into_any()
                }
                Link::Offline { .. } => view! {
                    <span class="dot offline"></span>
                    <span>"Offline"</span>
                    <button class="link-button" on:click=move |_| actions.run(Command::RetryNow)>
                        "Retry now"
                    </button>
                }
                .into_any(),
            }}
        </div>
    }
}

/// In place of the message box while the page shows what this device kept
/// (opened with no way to the server): nothing typed here could be sent.
#[component]
pub fn OfflineCopy() -> impl IntoView {
    let model = model();
    let saved = move || match model.link.get() {
        Link::Offline { saved_at } => {
            let ms = saved_at as i128;
            let ts = time::OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            crate::chat::local_time(ts)
        }
        _ => String::new(),
    };
    view! {
        <div class="offline-copy" role="status">
            <strong>"You're offline."</strong>
            " These are the messages this device saved at " {saved}
            ". New ones arrive, and you can write again, once Confab reaches the server."
        </div>
    }
}

/// A new release is installed: offers to reload into it.
#[component]
pub fn NewRelease() -> impl IntoView {
    let model = model();
    let actions = actions();
    view! {
        <Show when=move || model.update_ready.get()>
            <div class="new-release" role="status">
                <span>"A new version of Confab is ready."</span>
                <button class="primary" on:click=move |_| actions.run(Command::UpdateRelease)>
                    "Reload for the new version"
                </button>
            </div>
        </Show>
    }
}

#[component]
pub fn Notice() -> impl IntoView {
    let model = model();
    let actions = actions();
    view! {
        <Show when=move || model.notice.get().is_some()>
            <div class="notice" role="alert">
                <span>{move || model.notice.get()}</span>
                <button class="link-button" on:click=move |_| actions.run(Command::DismissNotice)>
                    "Dismiss"
                </button>
            </div>
        </Show>
    }
}
