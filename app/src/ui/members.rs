//! The open room's members beside it: who is online, each one's role, and
//! for the room's moderators and owners the controls the server allows
//! them (`domain::access`): "Add people" (searched in the directory),
//! removing members, and for owners setting roles.

use leptos::prelude::*;

use super::people::PersonName;
use super::{actions, model};
use crate::chat::{Command, RoomCommand};
use crate::protocol::{Member, Profile, RoomRole};

fn role_words(role: RoomRole) -> &'static str {
    match role {
        RoomRole::Owner => "owner",
        RoomRole::Moderator => "moderator",
        RoomRole::Member => "member",
    }
}

#[component]
pub fn MembersPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    let members = move || {
        let room = model.current.get()?;
        model.members.with(|m| {
            m.as_ref()
                .filter(|(r, _)| *r == room)
                .map(|(_, list)| list.clone())
        })
    };
    let standing = move || model.standing();
    let archived = move || model.current_room().is_some_and(|r| r.archived);
    move || {
        members().map(|list| {
            let online = list.iter().filter(|m| m.online).count();
            let moderates = standing() >= Some(RoomRole::Moderator) && !archived();
            view! {
                <aside class="members" aria-label="Members">
                    <header class="members-head">
                        <h2>{format!("Members ({}, {online} online)", list.len())}</h2>
                        <button
                            class="link-button"
                            aria-label="Close the member list"
                            on:click=move |_| actions.run(Command::ShowMembers(false))
                        >
                            "×"
                        </button>
                    </header>
                    {moderates.then(|| view! { <AddPeople/> })}
                    <ul>
                        {list
                            .into_iter()
                            .map(|m| view! { <MemberItem member=m standing=standing()/> })
                            .collect_view()}
                    </ul>
                </aside>
            }
        })
    }
}

/// One member: name, online, role; what the reader may change of them.
#[component]
fn MemberItem(member: Member, standing: Option<RoomRole>) -> impl IntoView {
    let actions = actions();
    let model = model();
    let me = model.me().map(|u| u.id);
    let state = if member.online { "online" } else { "offline" };
    let itself = me == Some(member.id);
    // Moderators remove members; owners anyone (the server keeps the last owner).
    let removable = !itself
        && match member.role {
            RoomRole::Member => standing >= Some(RoomRole::Moderator),
            _ => standing == Some(RoomRole::Owner),
        };
    let owns = standing == Some(RoomRole::Owner);
    let name = member.name.clone();
    let remove_name = member.name.clone();
    let select_id = format!("role-{}", member.id);
    view! {
        <li class="member" class:online=member.online>
            <span class="dot" aria-hidden="true"></span>
            <PersonName id=member.id name=member.name.clone()/>
            <span class="visually-hidden">{format!(", {state}")}</span>
            {(member.role != RoomRole::Member && !owns).then(|| view! {
                <span class="badge">{role_words(member.role)}</span>
            })}
            {owns.then(|| {
                let user = name.clone();
                view! {
                    <label class="visually-hidden" for=select_id.clone()>{format!("Role of {name}")}</label>
                    <select id=select_id class="role-select"
                        on:change=move |ev| {
                            let role = match event_target_value(&ev).as_str() {
                                "owner" => RoomRole::Owner,
                                "moderator" => RoomRole::Moderator,
                                _ => RoomRole::Member,
                            };
                            actions.run(Command::Room(RoomCommand::SetRole { user: user.clone(), role }));
                        }>
                        {[RoomRole::Member, RoomRole::Moderator, RoomRole::Owner].into_iter().map(|role| view! {
                            <option value=role_words(role) selected=member.role == role>{role_words(role)}</option>
                        }).collect_view()}
                    </select>
                }
            })}
            {removable.then(|| view! {
                <button class="link-button" aria-label=format!("Remove {remove_name} from the room")
                    on:click=move |_| actions.run(Command::Room(RoomCommand::RemoveMember(remove_name.clone())))>
                    "Remove"
                </button>
            })}
        </li>
    }
}

/// "Add people": the directory, searched as one types; a click adds.
#[component]
fn AddPeople() -> impl IntoView {
    let model = model();
    let actions = actions();
    let text = RwSignal::new(String::new());
    let found = move || model.adding.with(|v| v.clone().unwrap_or_default());
    let members = move || {
        model.members.with(|m| {
            m.as_ref()
                .map(|(_, list)| list.iter().map(|m| m.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    view! {
        <div class="add-people">
            <label for="add-people-find">"Add people"</label>
            <input id="add-people-find" type="search" maxlength="64" autocomplete="off"
                placeholder="Find by name"
                prop:value=move || text.get()
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    text.set(value.clone());
                    let search = (!value.trim().is_empty()).then_some(value);
                    actions.run(Command::Room(RoomCommand::FindToAdd(search)));
                }/>
            <ul class="people-list" aria-busy=move || found().loading.to_string()>
                {move || {
                    let inside = members();
                    found()
                        .items
                        .into_iter()
                        .filter(|p: &Profile| !p.deactivated && !inside.contains(&p.id))
                        .map(|p| {
                            let name = p.name.clone();
                            view! {
                                <li class="person-item">
                                    <PersonName id=p.id name=p.name.clone()/>
                                    <button class="link-button" aria-label=format!("Add {name} to the room")
                                        on:click=move |_| {
                                            actions.run(Command::Room(RoomCommand::AddMember(name.clone())));
                                            actions.run(Command::Room(RoomCommand::FindToAdd(None)));
                                            text.set(String::new());
                                        }>
                                        "Add"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
