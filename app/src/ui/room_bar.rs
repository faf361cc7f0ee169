//! The bar above the open room: its topic (which members edit in place), its
//! member list, muting it, leaving it, turning browser notifications on,
//! and for its owners renaming and archiving it; below it, the banner of an
//! archived room.

use leptos::prelude::*;

use super::{actions, model};
use crate::chat::{Command, Notifications};
use crate::protocol::RoomKind;

#[component]
pub fn RoomBar() -> impl IntoView {
    let model = model();
    let actions = actions();
    let info = move || {
        let room = model.current.get()?;
        model
            .rooms
            .with(|rooms| rooms.iter().find(|r| r.id == room).cloned())
    };
    let showing = move || model.members.with(Option::is_some);
    let showing_pins = move || model.pins.with(Option::is_some);
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let topic = move || info().map(|r| r.topic).unwrap_or_default();
    let member = move || info().is_some_and(|r| r.member && !r.archived);
    let save = move || {
        actions.run(Command::SetTopic(draft.get_untracked()));
        editing.set(false);
    };
    view! {
        <div class="room-bar">
            {move || {
                if editing.get() {
                    view! {
                        <form class="topic-form" on:submit=move |ev| {
                            ev.prevent_default();
                            save();
                        }>
                            <label class="visually-hidden" for="topic-input">"Topic"</label>
                            <input
                                id="topic-input"
                                maxlength="250"
                                prop:value=move || draft.get()
                                on:input=move |ev| draft.set(event_target_value(&ev))
                                on:keydown=move |ev| {
                                    if ev.key() == "Escape" {
                                        editing.set(false);
                                    }
                                }
                            />
                            <button type="submit">"Save"</button>
                        </form>
                    }
                    .into_any()
                } else {
                    view! {
                        <p class="topic">
                            {move || {
                                let t = topic();
                                if t.is_empty() { "No topic".to_string() } else { t }
                            }}
                        </p>
                        {move || member().then(|| view! {
                            <button class="link-button" on:click=move |_| {
                                draft.set(topic());
                                editing.set(true);
                            }>"Edit topic"</button>
                        })}
                    }
                    .into_any()
                }
            }}
        <div class="room-actions" role="toolbar" aria-label="Room">
            <button
                class="link-button"
                aria-pressed=move || showing().to_string()
                on:click=move |_| actions.run(Command::ShowMembers(!showing()))
            >
                "Members"
            </button>
            <button
                class="link-button"
                aria-pressed=move || showing_pins().to_string()
                on:click=move |_| actions.run(Command::ShowPins(!showing_pins()))
            >
                "Pinned"
            </button>
            {move || {
                info()
                    .filter(|r| r.member)
                    .map(|room| {
                        let id = room.id.clone();
                        let mute_label = if room.muted { "Unmute" } else { "Mute" };
                        let leave = (room.kind != RoomKind::Direct)
                            .then(|| {
                                let id = room.id.clone();
                                view! {
                                    <button
                                        class="link-button"
                                        on:click=move |_| actions.run(Command::Leave(id.clone()))
                                    >
                                        "Leave"
                                    </button>
                                }
                            });
                        view! {
                            <button
                                class="link-button"
                                aria-pressed=room.muted.to_string()
                                on:click=move |_| actions.run(Command::ToggleMute(id.clone()))
                            >
                                {mute_label}
                            </button>
                            {leave}
                            <super::attention::LevelSelect/>
                            <super::room_admin::OwnerActions/>
                        }
                    })
            }}
            {move || {
                (model.notifications.get() == Notifications::Ask)
                    .then(|| {
                        view! {
                            <button
                                class="link-button"
                                on:click=move |_| actions.run(Command::EnableNotifications)
                            >
                                "Enable notifications"
                            </button>
                        }
                    })
            }}
        </div>
        </div>
    }
}
