//! The Groups panel: every user group with its members (`@name` mentions
//! them), a form that makes one, and for a group's maker (or an admin)
//! changing its members and deleting it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{actions, model};
use crate::chat::{Command, GroupCommand};
use crate::protocol::{CreateGroup, GroupUpdate, UserGroup};

/// Names typed into one box: separated by commas or spaces, `@` dropped.
fn names(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(|n| n.trim_start_matches('@').to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

#[component]
pub fn GroupsPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    let name = RwSignal::new(String::new());
    let members = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        actions.run(Command::Groups(GroupCommand::Create(CreateGroup {
            name: name.get_untracked().trim().to_string(),
            members: names(&members.get_untracked()),
            description: description.get_untracked().trim().to_string(),
        })));
        name.set(String::new());
        members.set(String::new());
        description.set(String::new());
    };
    move || {
        model.groups_open.get().then(|| {
            view! {
                <aside class="settings groups-panel" aria-label="Groups">
                    <header class="members-head">
                        <h2>"Groups"</h2>
                        <button class="link-button" aria-label="Close the groups"
                            on:click=move |_| actions.run(Command::Groups(GroupCommand::Show(false)))>"×"</button>
                    </header>
                    <p class="search-status">"“@name” of a group mentions its members who can read the room."</p>
                    <ul class="pins">
                        {move || model.groups.get().into_iter().map(|g| view! { <GroupItem group=g/> }).collect_view()}
                    </ul>
                    <form class="group-form" on:submit=create>
                        <h3>"New group"</h3>
                        <label for="group-name">"Group name"</label>
                        <input id="group-name" required=true maxlength="32" pattern="[A-Za-z0-9_.\\-]+"
                            title="Letters, digits, '_', '.', '-'"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                        <label for="group-members">"Members (usernames)"</label>
                        <input id="group-members" placeholder="alice, bob"
                            prop:value=move || members.get() on:input=move |ev| members.set(event_target_value(&ev))/>
                        <label for="group-description">"Description"</label>
                        <input id="group-description" maxlength="250"
                            prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
                        <button type="submit">"Create group"</button>
                    </form>
                </aside>
            }
        })
    }
}

#[component]
fn GroupItem(group: UserGroup) -> impl IntoView {
    let model = model();
    let actions = actions();
    let id = group.id;
    let may_change = model.is_admin() || model.me().is_some_and(|me| me.id == group.created_by.id);
    let listed: Vec<String> = group.members.iter().map(|m| m.name.clone()).collect();
    let editing = RwSignal::new(false);
    let edited = RwSignal::new(listed.join(", "));
    let count = listed.len();
    let field = format!("group-edit-{id}");
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        actions.run(Command::Groups(GroupCommand::Update {
            id,
            change: GroupUpdate {
                members: Some(names(&edited.get_untracked())),
                ..GroupUpdate::default()
            },
        }));
        editing.set(false);
    };
    view! {
        <li class="pin-item group-item">
            <p class="pin-meta">
                <strong>{format!("@{}", group.name)}</strong>
                {format!(" · {count} {}", if count == 1 { "member" } else { "members" })}
            </p>
            {(!group.description.is_empty()).then(|| view! { <p class="pin-body">{group.description.clone()}</p> })}
            <p class="pin-body">{listed.join(", ")}</p>
            {may_change.then(|| view! {
                <button class="link-button" aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)>"Change members"</button>
                <button class="link-button" on:click=move |_| actions.run(Command::Groups(GroupCommand::Delete(id)))>
                    "Delete"
                </button>
            })}
            {
                let field = field.clone();
                move || editing.get().then(|| view! {
                    <form on:submit=save>
                        <label for=field.clone()>{format!("Members of @{}", group.name)}</label>
                        <input id=field.clone() prop:value=move || edited.get()
                            on:input=move |ev| edited.set(event_target_value(&ev))/>
                        <button type="submit">"Save"</button>
                    </form>
                })
            }
        </li>
    }
}
