//! The components. Each reads the [`ChatModel`] from context and issues
//! [`Command`]s through [`Actions`]; none talks to the network itself.

mod admin;
mod attention;
mod body;
mod browse;
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

use crate::chat::{Actions, AdminCommand, ChatModel, Command, Session};

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
    let nav_open = RwSignal::new(false);
    // Files are being dragged over the room.
    let dropping = RwSignal::new(false);
    let room_title = move || model.current_label();
    view! {
        <div class="chat" class:nav-open=move || nav_open.get()>
            <header class="topbar">
                <button
                    class="nav-toggle"
                    aria-controls="rooms-nav"
                    aria-expanded=move || nav_open.get().to_string()
                    on:click=move |_| nav_open.update(|open| *open = !*open)
                >
                    "Rooms"
                </button>
                <span class="brand">"Confab"</span>
                <h1 class="room-title">{room_title}</h1>
                <search::SearchBox/>
                <status::LinkStatus/>
                <span class="whoami">{name}</span>
                <button
                    class="link-button"
                    aria-expanded=move || model.directory.with(Option::is_some).to_string()
                    on:click=move |_| actions.run(Command::FindPeople(model.directory.with_untracked(Option::is_none).then(String::new)))
                >
                    "People"
                </button>
                {move || model.is_admin().then(|| view! {
                    <button
                        class="link-button"
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
                    class="link-button"
                    aria-expanded=move || model.settings.with(Option::is_some).to_string()
                    on:click=move |_| actions.run(Command::ShowSettings(model.settings.with_untracked(Option::is_none)))
                >
                    "Settings"
                </button>
                <button class="link-button" on:click=move |_| actions.run(Command::SignOut)>
                    "Sign out"
                </button>
            </header>
            <sidebar::Sidebar on_pick=move || nav_open.set(false)/>
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
                <status::Notice/>
                <messages::Messages/>
                <messages::TypingLine/>
                <room_admin::ArchivedBanner/>
                {move || {
                    let archived = model.current_room().is_some_and(|r| r.archived);
                    (!archived).then(|| view! { <attention::BroadConfirmBar/><composer::Composer/> })
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
