//! The components. Each reads the [`ChatModel`] from context and issues
//! [`Command`]s through [`Actions`]; none talks to the network itself.

mod admin;
mod attention;
mod body;
mod browse;
mod cards;
mod composer;
mod email;
mod emoji;
mod followed;
mod groups;
mod later;
mod link_preview;
mod members;
mod message_row;
mod messages;
mod people;
mod pins;
mod profile_form;
mod push;
mod records;
mod retention;
mod room_admin;
mod room_bar;
mod search;
mod settings;
mod shortcuts;
mod sidebar;
mod sign_in;
mod status;
mod thread;

use leptos::prelude::*;

use crate::chat::{Actions, AdminCommand, ChatModel, Command, Link, Session};

pub fn model() -> ChatModel {
    expect_context::<ChatModel>()
}

pub fn actions() -> Actions {
    expect_context::<Actions>()
}

/// `/`: the sign-in form or the chat, depending on the session.
#[component]
pub fn Home() -> impl IntoView {
    let model = model();
    move || match model.session.get() {
        Session::Loading => view! {
            <main class="splash" aria-busy="true">
                <h1 class="brand">"Confab"</h1>
                <p>"Loading…"</p>
            </main>
        }
        .into_any(),
        Session::SignedOut { reason } => view! { <sign_in::SignIn reason/> }.into_any(),
        Session::SignedIn(user) => view! { <Chat name=user.name/> }.into_any(),
    }
}

/// The signed-in layout: rooms on the side, the open room in the middle.
#[component]
fn Chat(name: String) -> impl IntoView {
    let model = model();
    let actions = actions();
    // Files are being dragged over the room.
    let dropping = RwSignal::new(false);
    let room_title = move || model.current_label();
    // Shown offline: the message box gives way to a note (see `OfflineCopy`).
    let offline = Memo::new(move |_| matches!(model.link.get(), Link::Offline { .. }));
    view! {
        // On a phone (style/main.css) the room list, the room, search and a
        // thread each fill the screen; `phone_list` says whether the list
        // is on top of the room, and back (this button, the browser's) goes
        // down one view (chat::browser::phone).
        <div class="chat" class:show-list=move || model.phone_list.get()>
            <header class="topbar">
                <button
                    class="nav-toggle"
                    aria-controls="rooms-nav"
                    on:click=move |_| model.phone_list.set(true)
                >
                    "‹ Rooms"
                </button>
                <span class="brand">"Confab"</span>
                <h1 class="room-title">
                    <span class="title-room">{room_title}</span>
                    <span class="title-list">"Rooms"</span>
                </h1>
                <search::SearchBox/>
                <status::LinkStatus/>
                <span class="whoami">{name}</span>
                <button
                    class="link-button menu"
                    aria-expanded=move || model.directory.with(Option::is_some).to_string()
                    on:click=move |_| actions.run(Command::FindPeople(model.directory.with_untracked(Option::is_none).then(String::new)))
                >
                    "People"
                </button>
                {move || model.is_admin().then(|| view! {
                    <button
                        class="link-button menu"
                        aria-expanded=move || model.admin.with(Option::is_some).to_string()
                        on:click=move |_| {
                            let open = model.admin.with_untracked(Option::is_none);
                            actions.run(Command::Admin(AdminCommand::Show(open)))
                        }
                    >
                        "Admin"
                    </button>
                })}
                <button
                    class="link-button menu"
                    aria-expanded=move || model.settings.with(Option::is_some).to_string()
                    on:click=move |_| actions.run(Command::ShowSettings(model.settings.with_untracked(Option::is_none)))
                >
                    "Settings"
                </button>
                <button class="link-button menu" on:click=move |_| actions.run(Command::SignOut)>
                    "Sign out"
                </button>
            </header>
            <sidebar::Sidebar on_pick=move || model.phone_list.set(false)/>
            <main
                class="room"
                id="main"
                class:dropping=move || dropping.get()
                on:dragover=move |ev| { ev.prevent_default(); dropping.set(true); }
                on:dragleave=move |_| dropping.set(false)
                on:drop=move |ev| {
                    ev.prevent_default();
                    dropping.set(false);
                    let files = crate::chat::carried_files(Some(ev.as_ref()));
                    if !files.is_empty() {
                        actions.run(Command::Upload(files));
                    }
                }
            >
                <room_bar::RoomBar/>
                <status::NewRelease/>
                <status::Notice/>
                <messages::Messages/>
                <messages::TypingLine/>
                <room_admin::ArchivedBanner/>
                {move || {
                    let archived = model.current_room().is_some_and(|r| r.archived);
                    match (archived, offline.get()) {
                        (true, _) => None,
                        (false, true) => Some(view! { <status::OfflineCopy/> }.into_any()),
                        (false, false) => Some(
                            view! { <attention::BroadConfirmBar/><composer::Composer/> }.into_any(),
                        ),
                    }
                }}
            </main>
            <thread::ThreadPanel/>
            <members::MembersPanel/>
            <pins::PinsPanel/>
            <followed::ThreadsPanel/>
            <followed::SavedPanel/>
            <groups::GroupsPanel/>
            <later::LaterPanel/>
            <search::SearchPanel/>
            <settings::SettingsPanel/>
            <people::DirectoryPanel/>
            <browse::BrowsePanel/>
            <admin::AdminConsole/>
            <people::ProfileCard/>
            <shortcuts::Shortcuts/>
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="splash">
            <h1>"Not found"</h1>
            <p><a href="/">"Back to Confab"</a></p>
        </main>
    }
}
