//! The user's own profile, at the top of the settings panel: picture
//! (uploaded, or removed), display name, title, time zone (the browser's
//! zones, the browser's own offered first) and status with when it clears.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::people::Avatar;
use super::{actions, model};
use crate::chat::{picked_files, zones, Command, Session};
use crate::protocol::{ProfileUpdate, Status};

/// When a status clears, as the form offers it: (label, minutes; 0: never).
const CLEARS_AFTER: [(&str, i64); 5] = [
    ("Don't clear", 0),
    ("30 minutes", 30),
    ("1 hour", 60),
    ("4 hours", 240),
    ("1 day", 1440),
];

/// The text of a field, `None` when left empty.
fn given(signal: RwSignal<String>) -> Option<String> {
    Some(signal.get_untracked().trim().to_string()).filter(|s| !s.is_empty())
}

#[component]
pub fn ProfileForm() -> impl IntoView {
    let model = model();
    let actions = actions();
    let Session::SignedIn(me) = model.session.get_untracked() else {
        return None;
    };
    let profile = model
        .people
        .with_untracked(|p| p.get(&me.id).cloned())
        .unwrap_or_default();
    let display = RwSignal::new(profile.display_name.clone().unwrap_or_default());
    let title = RwSignal::new(profile.title.clone().unwrap_or_default());
    let zone = RwSignal::new(profile.timezone.clone().unwrap_or_default());
    let status = profile.status.clone();
    let status_text = RwSignal::new(status.as_ref().map(|s| s.text.clone()).unwrap_or_default());
    let emoji = RwSignal::new(
        status
            .as_ref()
            .and_then(|s| s.emoji.clone())
            .unwrap_or_default(),
    );
    let clears = RwSignal::new("0".to_string());
    let mut choices = zones::all();
    if let Some(own) = zones::own() {
        choices.retain(|z| *z != own);
        choices.insert(0, own);
    }
    let has_avatar = move || {
        model
            .people
            .with(|p| p.get(&me.id).is_some_and(|p| p.avatar_url.is_some()))
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let minutes: i64 = clears.get_untracked().parse().unwrap_or(0);
        let until = (minutes > 0).then(|| crate::chat::now() + time::Duration::minutes(minutes));
        let status = (given(status_text).is_some() || given(emoji).is_some()).then(|| Status {
            text: given(status_text).unwrap_or_default(),
            emoji: given(emoji),
            until,
        });
        actions.run(Command::SaveProfile(ProfileUpdate {
            display_name: Some(given(display)),
            title: Some(given(title)),
            timezone: Some(given(zone)),
            status: Some(status),
        }));
    };
    let name = me.name.clone();
    Some(view! {
        <section class="profile-form" aria-label="Your profile">
            <h3>"Your profile"</h3>
            <div class="avatar-row">
                <Avatar id=me.id name=name large=true/>
                <label class="button-like">
                    "Change picture"
                    <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" class="visually-hidden"
                        on:change=move |ev| {
                            if let Some(file) = picked_files(&ev).into_iter().next() {
                                actions.run(Command::SetAvatar(file));
                            }
                        }/>
                </label>
                {move || has_avatar().then(|| view! {
                    <button type="button" class="link-button" on:click=move |_| actions.run(Command::RemoveAvatar)>
                        "Remove picture"
                    </button>
                })}
            </div>
            <form on:submit=submit>
                <label for="profile-display">"Display name"</label>
                <input id="profile-display" maxlength="64" placeholder=me.name.clone()
                    prop:value=move || display.get()
                    on:input=move |ev| display.set(event_target_value(&ev))/>
                <label for="profile-title">"Title"</label>
                <input id="profile-title" maxlength="100"
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))/>
                <label for="profile-zone">"Time zone"</label>
                <select id="profile-zone" prop:value=move || zone.get()
                    on:change=move |ev| zone.set(event_target_value(&ev))>
                    <option value="">"Not set"</option>
                    {choices.into_iter().map(|z| {
                        let selected = z == zone.get_untracked();
                        view! { <option value=z.clone() selected=selected>{z.clone()}</option> }
                    }).collect_view()}
                </select>
                <label for="profile-emoji">"Status emoji"</label>
                <input id="profile-emoji" maxlength="8" class="emoji-input"
                    prop:value=move || emoji.get()
                    on:input=move |ev| emoji.set(event_target_value(&ev))/>
                <label for="profile-status">"Status"</label>
                <input id="profile-status" maxlength="100" placeholder="In a meeting"
                    prop:value=move || status_text.get()
                    on:input=move |ev| status_text.set(event_target_value(&ev))/>
                <label for="profile-clears">"Clear status after"</label>
                <select id="profile-clears" prop:value=move || clears.get()
                    on:change=move |ev| clears.set(event_target_value(&ev))>
                    {CLEARS_AFTER.iter().map(|(label, minutes)| view! {
                        <option value=minutes.to_string()>{*label}</option>
                    }).collect_view()}
                </select>
                <button class="primary" type="submit">"Save profile"</button>
            </form>
        </section>
    })
}
