//! What a room's owners (and admins) do from its bar: rename it in place,
//! archive and unarchive it; and the banner that says a room is archived.

use leptos::prelude::*;

use super::{actions, model};
use crate::chat::{Command, RoomCommand};
use crate::protocol::RoomRole;

/// "Rename" and "Archive"/"Unarchive", for the open room's owners.
#[component]
pub fn OwnerActions() -> impl IntoView {
    let model = model();
    let actions = actions();
    let renaming = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let owns = move || model.standing() == Some(RoomRole::Owner);
    let archived = move || model.current_room().is_some_and(|r| r.archived);
    let rename = move || {
        let name = draft.get_untracked().trim().to_lowercase();
        if !name.is_empty() {
            actions.run(Command::Room(RoomCommand::Rename(name)));
        }
        renaming.set(false);
    };
    move || {
        owns().then(|| {
            if renaming.get() {
                view! {
                    <form class="rename-form" on:submit=move |ev| { ev.prevent_default(); rename(); }>
                        <label class="visually-hidden" for="rename-input">"New name"</label>
                        <input
                            id="rename-input"
                            maxlength="32"
                            pattern="[a-z0-9][a-z0-9_\\-]*"
                            title="Lowercase letters, digits, '_', '-'"
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Escape" { renaming.set(false) }
                        />
                        <button type="submit">"Rename"</button>
                        <button type="button" on:click=move |_| renaming.set(false)>"Cancel"</button>
                    </form>
                }
                .into_any()
            } else {
                let is_archived = archived();
                // An archived room keeps its name until unarchived.
                view! {
                    {(!is_archived).then(|| view! {
                        <button class="link-button" on:click=move |_| {
                            draft.set(model.current_room().map(|r| r.name).unwrap_or_default());
                            renaming.set(true);
                        }>"Rename"</button>
                    })}
                    <button class="link-button" on:click=move |_| {
                        actions.run(Command::Room(RoomCommand::Archive(!is_archived)))
                    }>{if is_archived { "Unarchive" } else { "Archive" }}</button>
                }
                .into_any()
            }
        })
    }
}

/// Says the open room is archived (read-only), above its messages.
#[component]
pub fn ArchivedBanner() -> impl IntoView {
    let model = model();
    move || {
        model.current_room().filter(|r| r.archived).map(|_| {
            view! {
                <p class="archived-banner" role="status">
                    "This room is archived: it is read-only. Its owners can unarchive it."
                </p>
            }
        })
    }
}
