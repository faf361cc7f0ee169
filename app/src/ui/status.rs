//! The connection state ("Reconnecting in 4 s… Retry now") and notices.

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
            }}
        </div>
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
