//! E-mail for what was missed, in the sidebar: the address, after how long
//! an unread direct message or mention is mailed, and whether mails are on.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{actions, model};
use crate::chat::Command;
use crate::protocol::EmailSettings;

/// The delays offered, in minutes.
const DELAYS: [u32; 5] = [5, 15, 30, 60, 240];

#[component]
pub fn EmailControl() -> impl IntoView {
    let model = model();
    let actions = actions();
    let address = RwSignal::new(String::new());
    let minutes = RwSignal::new(15u32);
    let on = RwSignal::new(true);
    Effect::new(move |_| {
        if let Some(settings) = model.email.get() {
            address.set(settings.email.unwrap_or_default());
            minutes.set((settings.delay_secs / 60).max(1));
            on.set(settings.on);
        }
    });
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let email = address.get_untracked().trim().to_string();
        actions.run(Command::SetEmail(EmailSettings {
            email: (!email.is_empty()).then_some(email),
            delay_secs: minutes.get_untracked() * 60,
            on: on.get_untracked(),
        }));
    };
    move || {
        model.email.with(Option::is_some).then(|| view! {
            <details class="email-settings">
                <summary>"E-mail me what I miss"</summary>
                <form on:submit=save>
                    <label>"Address "
                        <input type="email" autocomplete="email" prop:value=move || address.get()
                            on:input=move |ev| address.set(event_target_value(&ev))/>
                    </label>
                    <label>"After "
                        <select on:change=move |ev| {
                            if let Ok(m) = event_target_value(&ev).parse() {
                                minutes.set(m);
                            }
                        }>
                            {DELAYS.into_iter().map(|m| view! {
                                <option value=m.to_string() selected=move || minutes.get() == m>
                                    {format!("{m} minutes unread")}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || on.get()
                            on:change=move |ev| on.set(event_target_checked(&ev))/>
                        " Send these mails"
                    </label>
                    <p class="hint">"Direct messages and mentions still unread then, in one mail."</p>
                    <button type="submit">"Save e-mail settings"</button>
                </form>
            </details>
        })
    }
}
