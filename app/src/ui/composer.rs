//! The message box: Enter sends, Shift+Enter starts a new line. What is typed
//! lives in the model's drafts (one per room), so it outlives this component:
//! switching rooms or signing in again keeps it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::{actions, model};
use crate::chat::Command;

/// Longest message, as the server enforces it by default.
const MAX_CHARS: usize = 4000;

#[component]
pub fn Composer() -> impl IntoView {
    let model = model();
    let actions = actions();
    let send = move || {
        let body = model.drafts.with_untracked(|drafts| {
            model
                .current
                .get_untracked()
                .and_then(|room| drafts.get(&room).cloned())
                .unwrap_or_default()
        });
        if !body.trim().is_empty() {
            actions.run(Command::Send(body));
            model.set_draft(String::new());
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let label = move || {
        model
            .current
            .get()
            .map(|room| format!("Message {}", model.room_label(&room)))
            .unwrap_or_else(|| "Message".into())
    };
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <label for="composer-input" class="visually-hidden">{label}</label>
            <textarea
                id="composer-input"
                rows="1"
                maxlength=MAX_CHARS.to_string()
                placeholder=label
                prop:value=move || model.draft()
                on:input=move |ev| {
                    model.set_draft(event_target_value(&ev));
                    actions.run(Command::Typing);
                }
                on:keydown=on_keydown
            ></textarea>
            <button type="submit" class="primary">"Send"</button>
        </form>
    }
}
