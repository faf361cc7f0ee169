//! The open room's pinned messages, beside it: who wrote each and when, its
//! text, a button that opens the room at it and one that unpins it.

use leptos::prelude::*;

use super::people::ShownName;
use super::{actions, model};
use crate::chat::{local_time, Command};
use crate::protocol::Message;

#[component]
pub fn PinsPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    let pins = move || {
        let room = model.current.get()?;
        model.pins.with(|p| {
            p.as_ref()
                .filter(|(r, _)| *r == room)
                .map(|(_, list)| list.clone())
        })
    };
    move || {
        pins().map(|list| {
            let count = list.len();
            view! {
                <aside class="settings pins-panel" aria-label="Pinned messages">
                    <header class="members-head">
                        <h2>{format!("Pinned ({count})")}</h2>
                        <button class="link-button" aria-label="Close the pinned messages"
                            on:click=move |_| actions.run(Command::ShowPins(false))>
                            "×"
                        </button>
                    </header>
                    {(count == 0).then(|| view! {
                        <p class="search-status">"Nothing is pinned here yet: “Pin” is in a message's actions."</p>
                    })}
                    <ul class="pins">
                        {list.into_iter().map(|m| view! { <PinItem message=m/> }).collect_view()}
                    </ul>
                </aside>
            }
        })
    }
}

#[component]
fn PinItem(message: Message) -> impl IntoView {
    let actions = actions();
    let (room, seq, id) = (message.room.clone(), message.seq, message.id);
    view! {
        <li class="pin-item">
            <p class="pin-meta">
                <ShownName id=message.author.id name=message.author.name.clone()/>
                {format!(" · {}", local_time(message.ts))}
            </p>
            <p class="pin-body">{message.body.clone()}</p>
            <button class="link-button" on:click=move |_| {
                actions.run(Command::OpenAt { room: room.clone(), seq, id });
                actions.run(Command::ShowPins(false));
            }>"Open"</button>
            <button class="link-button" on:click=move |_| actions.run(Command::Pin { id, on: false })>"Unpin"</button>
        </li>
    }
}
