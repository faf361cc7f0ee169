//! "Browse rooms": the public rooms of the server, found by name or topic,
//! with how many members each has; one a click joins (or opens, if the user
//! is in it already). The sidebar lists only the user's own rooms.

use leptos::prelude::*;

use super::{actions, model};
use crate::chat::Command;
use crate::protocol::DirectoryRoom;

#[component]
pub fn BrowsePanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    let open = Memo::new(move |_| model.browse.with(Option::is_some));
    move || {
        open.get().then(|| {
            let text = RwSignal::new(model.browse.with_untracked(|v| {
                v.as_ref().map(|v| v.text.clone()).unwrap_or_default()
            }));
            let view = move || model.browse.with(|v| v.clone().unwrap_or_default());
            view! {
                <aside class="settings browse-panel" aria-label="Browse rooms">
                    <header class="members-head">
                        <h2>"Browse rooms"</h2>
                        <button class="link-button" aria-label="Close browse rooms"
                            on:click=move |_| actions.run(Command::BrowseRooms(None))>
                            "×"
                        </button>
                    </header>
                    <label for="browse-find">"Find rooms by name or topic"</label>
                    <input id="browse-find" type="search" maxlength="64" autocomplete="off"
                        prop:value=move || text.get()
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            text.set(value.clone());
                            actions.run(Command::BrowseRooms(Some(value)));
                        }/>
                    {move || view().error.map(|e| view! { <p class="notice" role="alert">{e}</p> })}
                    <ul class="people-list" aria-busy=move || view().loading.to_string()>
                        {move || view().items.into_iter().map(|room| view! { <RoomItem room/> }).collect_view()}
                    </ul>
                    {move || {
                        let view = view();
                        (!view.loading && view.items.is_empty()).then(|| view! {
                            <p class="search-status">"No public room matches."</p>
                        })
                    }}
                </aside>
            }
        })
    }
}

#[component]
fn RoomItem(room: DirectoryRoom) -> impl IntoView {
    let actions = actions();
    let count = match room.member_count {
        1 => "1 member".to_string(),
        n => format!("{n} members"),
    };
    let (verb, label) = if room.joined {
        ("Open", format!("Open #{}", room.name))
    } else {
        ("Join", format!("Join #{}", room.name))
    };
    let id = room.id.clone();
    view! {
        <li class="person-item room-item">
            <span class="room-name">{format!("# {}", room.name)}</span>
            <span class="person-detail">{count}</span>
            <button class="link-button" aria-label=label
                on:click=move |_| {
                    actions.run(Command::OpenRoom(id.clone()));
                    actions.run(Command::BrowseRooms(None));
                }>
                {verb}
            </button>
            {(!room.topic.is_empty()).then(|| view! { <p class="room-topic">{room.topic.clone()}</p> })}
        </li>
    }
}
