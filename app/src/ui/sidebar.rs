//! The room list (bold with badges where something is unread, rooms with news
//! first), the forms that create a room or open a direct room, and who is
//! online.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{actions, model};
use crate::chat::{unread, Command, GroupCommand, RoomOrder};
use crate::protocol::{RoomInfo, RoomKind};

#[component]
pub fn Sidebar(on_pick: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let model = model();
    let actions = actions();
    let new_name = RwSignal::new(String::new());
    let private = RwSignal::new(false);
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked().trim().to_lowercase();
        if !name.is_empty() {
            actions.run(Command::CreateRoom {
                name,
                private: private.get_untracked(),
            });
            new_name.set(String::new());
            on_pick();
        }
    };
    let direct_user = RwSignal::new(String::new());
    let open_direct = move |ev: SubmitEvent| {
        ev.prevent_default();
        let users: Vec<String> = direct_user
            .get_untracked()
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(|u| u.trim_start_matches('@').to_string())
            .filter(|u| !u.is_empty())
            .collect();
        if !users.is_empty() {
            actions.run(Command::OpenDirect(users));
            direct_user.set(String::new());
            on_pick();
        }
    };
    let listed = move |direct: bool| {
        model.recent.with(|recent| {
            model.rooms.with(|rooms| {
                unread::sorted(
                    rooms
                        .iter()
                        .filter(|r| (r.kind == RoomKind::Direct) == direct),
                    recent,
                    model.room_order.get(),
                )
            })
        })
    };
    let online = move || {
        let room = model.current.get()?;
        let mut users: Vec<crate::protocol::UserRef> = model
            .online
            .with(|o| o.get(&room).map(|u| u.values().cloned().collect()))?;
        users.sort_by_key(|u| u.name.to_lowercase());
        Some(users)
    };
    // The count is everyone's; in a big room the list names only the people
    // the page asked about (docs/PROTOCOL.md, presence by interest).
    let online_heading = move || {
        let count = model
            .current
            .get()
            .and_then(|room| model.online_count.with(|counts| counts.get(&room).copied()));
        match count {
            Some(count) => format!("Online ({count})"),
            None => "Online".to_string(),
        }
    };
    let threads_label = move || match model.thread_unread.get() {
        0 => "Threads".to_string(),
        n => format!("Threads, {n} unread"),
    };
    view! {
        <nav class="sidebar" id="rooms-nav" aria-label="Rooms">
            <div class="views" role="group" aria-label="Your views">
                <button class="link-button"
                    aria-expanded=move || model.threads.with(Option::is_some).to_string()
                    aria-label=threads_label
                    on:click=move |_| {
                        actions.run(Command::ShowThreads(model.threads.with_untracked(Option::is_none)));
                        on_pick();
                    }>
                    "Threads"
                    {move || (model.thread_unread.get() > 0).then(|| view! {
                        <span class="badge" aria-hidden="true">{model.thread_unread.get()}</span>
                    })}
                </button>
                <button class="link-button"
                    aria-expanded=move || model.saved.with(Option::is_some).to_string()
                    on:click=move |_| {
                        actions.run(Command::ShowSaved(model.saved.with_untracked(Option::is_none)));
                        on_pick();
                    }>
                    "Saved"
                </button>
                <button class="link-button"
                    aria-expanded=move || model.groups_open.get().to_string()
                    on:click=move |_| {
                        actions.run(Command::Groups(GroupCommand::Show(!model.groups_open.get_untracked())));
                        on_pick();
                    }>
                    "Groups"
                </button>
                <button class="link-button"
                    aria-expanded=move || model.later.with(Option::is_some).to_string()
                    aria-label=move || match model.reminders_due.get() {
                        0 => "Later".to_string(),
                        n => format!("Later, {n} reminders due"),
                    }
                    on:click=move |_| {
                        actions.run(Command::ShowLater(model.later.with_untracked(Option::is_none)));
                        on_pick();
                    }>
                    "Later"
                    {move || (model.reminders_due.get() > 0).then(|| view! {
                        <span class="badge" aria-hidden="true">{model.reminders_due.get()}</span>
                    })}
                </button>
            </div>
            <super::attention::DndControl/>
            <super::push::PushControl/>
            <h2>"Rooms"</h2>
            <div class="room-order" role="group" aria-label="Order rooms by">
                {[(RoomOrder::Recent, "Recent"), (RoomOrder::Alphabetical, "A–Z")].into_iter().map(|(order, label)| view! {
                    <button class="link-button"
                        aria-pressed=move || (model.room_order.get() == order).to_string()
                        on:click=move |_| actions.run(Command::OrderRooms(order))>
                        {label}
                    </button>
                }).collect_view()}
            </div>
            <button class="link-button browse-rooms"
                aria-expanded=move || model.browse.with(Option::is_some).to_string()
                on:click=move |_| {
                    actions.run(Command::BrowseRooms(model.browse.with_untracked(Option::is_none).then(String::new)));
                    on_pick();
                }>
                "Browse rooms"
            </button>
            <ul class="rooms">
                <For
                    each=move || listed(false)
                    key=|room| room.clone()
                    children=move |room| {
                        let lock = (room.kind != RoomKind::Public).then_some(" (private)");
                        let label = format!("# {}{}", room.name, lock.unwrap_or(""));
                        view! { <RoomLink room label on_pick/> }
                    }
                />
            </ul>
            <form class="new-room" on:submit=create>
                <label for="new-room-name">"New room"</label>
                <div class="row">
                    <input
                        id="new-room-name"
                        placeholder="e.g. design-team"
                        maxlength="32"
                        pattern="[a-z0-9][a-z0-9_\\-]*"
                        title="Lowercase letters, digits, '_', '-'"
                        prop:value=move || new_name.get()
                        on:input=move |ev| new_name.set(event_target_value(&ev))
                    />
                    <button type="submit">"Create"</button>
                </div>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || private.get()
                        on:change=move |ev| private.set(event_target_checked(&ev))
                    />
                    " Private (members only)"
                </label>
            </form>
            <h2>"Direct messages"</h2>
            <ul class="rooms">
                <For
                    // The others' display names, as their profiles come.
                    each=move || {
                        listed(true).into_iter().map(|room| {
                            let shown: Vec<String> =
                                room.name.split(", ").map(|name| model.shown_for_name(name)).collect();
                            (room, format!("@ {}", shown.join(", ")))
                        }).collect::<Vec<_>>()
                    }
                    key=|pair| pair.clone()
                    children=move |(room, label)| view! { <RoomLink room label on_pick/> }
                />
            </ul>
            <form class="new-room" on:submit=open_direct>
                <label for="direct-user">"Message someone"</label>
                <div class="row">
                    <input
                        id="direct-user"
                        placeholder="username, or several for a group"
                        maxlength="300"
                        prop:value=move || direct_user.get()
                        on:input=move |ev| direct_user.set(event_target_value(&ev))
                    />
                    <button type="submit">"Open"</button>
                </div>
            </form>
            <h2>{online_heading}</h2>
            <ul class="online" aria-live="polite">
                {move || {
                    online()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|u| view! { <li><super::people::ShownName id=u.id name=u.name/></li> })
                        .collect_view()
                }}
            </ul>
        </nav>
    }
}

/// One entry of the room list: a link that opens the room, bold when
/// something is unread, with a badge: mentions in a room, every unread
/// message in a direct room.
#[component]
fn RoomLink(
    room: RoomInfo,
    label: String,
    on_pick: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let model = model();
    let actions = actions();
    let id = room.id.clone();
    let current = {
        let id = id.clone();
        move || model.current.get().as_deref() == Some(id.as_str())
    };
    let badge = unread::attention(&room);
    let described = match (badge, room.kind) {
        (0, _) if unread::bold(&room) => format!("{label}, unread messages"),
        (0, _) => label.clone(),
        (n, RoomKind::Direct) => format!("{label}, {n} unread"),
        (n, _) => format!("{label}, {n} mentions"),
    };
    view! {
        <li>
            <a
                href=format!("#{id}")
                class="room-link"
                class:current=current.clone()
                class:unread=unread::bold(&room)
                class:muted=room.muted
                aria-current=move || current().then_some("page")
                aria-label=described
                on:click=move |ev| {
                    ev.prevent_default();
                    actions.run(Command::OpenRoom(id.clone()));
                    on_pick();
                }
            >
                <span class="room-name">{label}</span>
                {(!room.member).then_some(view! { <span class="join-hint">" · join"</span> })}
                {room.muted.then_some(view! { <span class="mute-mark" aria-hidden="true">" (muted)"</span> })}
                {(badge > 0).then(|| view! { <span class="badge" aria-hidden="true">{badge}</span> })}
            </a>
        </li>
    }
}
