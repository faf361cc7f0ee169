//! People in the UI: a person's avatar and name wherever they appear (the
//! display name shown, the username on hover, a click opens their card),
//! the profile card (title, local time, status, a button to message them)
//! and the people directory. Profiles come from the model's `people`, kept
//! current by `user_updated`; the card is a dialog that Escape closes.

use leptos::ev::KeyboardEvent;
use leptos::html::Button;
use leptos::prelude::*;
use uuid::Uuid;

use super::{actions, model};
use crate::chat::{local_time, zones, Command, Session};
use crate::protocol::{Profile, Status};

/// What a status says ("📅 In a meeting · until 15:00"), if it has not
/// ended by `now_ms`.
pub fn status_text(status: &Status, now_ms: f64) -> Option<String> {
    let until_ms = status
        .until
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as f64);
    if until_ms.is_some_and(|until| until <= now_ms) {
        return None;
    }
    let mut text = [status.emoji.as_deref(), Some(status.text.as_str())]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if let (Some(until), Some(until_ms)) = (status.until, until_ms) {
        let far = until_ms - now_ms > 20.0 * 3600.0 * 1000.0;
        let when = if far {
            format!("{} {}", until.date(), local_time(until))
        } else {
            local_time(until)
        };
        text.push_str(&format!(" · until {when}"));
    }
    Some(text)
}

/// A person's picture: their small (or large) avatar, else their initial.
#[component]
pub fn Avatar(id: Uuid, name: String, #[prop(optional)] large: bool) -> impl IntoView {
    let model = model();
    let url = move || {
        model.people.with(|people| {
            let p = people.get(&id)?;
            if large {
                p.avatar_url.clone()
            } else {
                p.avatar_small_url.clone()
            }
        })
    };
    let initial: String = name.chars().take(1).flat_map(char::to_uppercase).collect();
    let side = if large { "128" } else { "32" };
    move || {
        match url() {
        Some(src) => view! {
            <img class="avatar" class:large=large src=src alt="" width=side height=side/>
        }
        .into_any(),
        None => view! {
            <span class="avatar initials" class:large=large aria-hidden="true">{initial.clone()}</span>
        }
        .into_any(),
    }
    }
}

/// A person as a name to click: avatar and display name, the username on
/// hover; a click opens their card.
#[component]
pub fn PersonName(id: Uuid, name: String) -> impl IntoView {
    let actions = actions();
    view! {
        <button
            type="button"
            class="person"
            title=format!("@{name}")
            on:click=move |_| actions.run(Command::OpenCard(Some(id)))
        >
            <Avatar id name=name.clone()/>
            <span class="person-name"><ShownName id name=name.clone()/></span>
        </button>
    }
}

/// A person's display name as plain text (inside something clickable of
/// its own, like a search result); the username until the profile is had.
#[component]
pub fn ShownName(id: Uuid, name: String) -> impl IntoView {
    let model = model();
    actions().run(Command::WantProfile(id));
    move || {
        model
            .people
            .with(|p| p.get(&id).map(|p| p.shown_name().to_string()))
            .unwrap_or_else(|| name.clone())
    }
}

/// The card of the person `model.card` names, over the page.
#[component]
pub fn ProfileCard() -> impl IntoView {
    let model = model();
    let actions = actions();
    let close = Callback::new(move |_| actions.run(Command::OpenCard(None)));
    move || {
        model.card.get().map(|id| {
            // Drawn again only when this person's profile changes.
            let profile = Memo::new(move |_| model.people.with(|p| p.get(&id).cloned()));
            move || profile.get().map(|profile| view! { <Card profile close/> })
        })
    }
}

#[component]
fn Card(profile: Profile, close: Callback<()>) -> impl IntoView {
    let model = model();
    let actions = actions();
    let close_button = NodeRef::<Button>::new();
    // Focus moves into the dialog when it opens.
    Effect::new(move |_| {
        if let Some(button) = close_button.get() {
            let _ = button.focus();
        }
    });
    let me = match model.session.get_untracked() {
        Session::SignedIn(user) => user.id,
        _ => Uuid::nil(),
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            close.run(());
        }
    };
    let name = profile.name.clone();
    let zone = profile.timezone.clone();
    let local = move || {
        model.now.track();
        zone.as_deref().and_then(zones::time_in)
    };
    let status = profile.status.clone();
    let status_line = move || {
        let now = model.now.get();
        status.as_ref().and_then(|s| status_text(s, now))
    };
    let can_message = profile.id != me && !profile.deactivated;
    let message = {
        let name = name.clone();
        move |_| {
            actions.run(Command::OpenDirect(vec![name.clone()]));
            close.run(());
        }
    };
    view! {
        <div class="card-backdrop" on:click=move |_| close.run(())>
            <section
                class="profile-card"
                role="dialog"
                aria-modal="true"
                aria-labelledby="card-name"
                on:click=|ev| ev.stop_propagation()
                on:keydown=on_keydown
            >
                <button class="link-button card-close" node_ref=close_button aria-label="Close the profile" on:click=move |_| close.run(())>
                    "×"
                </button>
                <Avatar id=profile.id name=name.clone() large=true/>
                <h2 id="card-name">{profile.shown_name().to_string()}</h2>
                <p class="card-username">{format!("@{name}")}
                    {profile.bot.then(|| view! { <span class="badge">"bot"</span> })}
                    {profile.deactivated.then(|| view! { <span class="badge">"deactivated"</span> })}
                </p>
                {profile.title.clone().map(|t| view! { <p class="card-title">{t}</p> })}
                {move || status_line().map(|s| view! { <p class="card-status">{s}</p> })}
                {move || local().map(|time| view! {
                    <p class="card-time">{format!("Local time {time}")}</p>
                })}
                {can_message.then(|| view! {
                    <button class="primary" on:click=message>"Message"</button>
                })}
            </section>
        </div>
    }
}

/// The people directory: find anyone by name, see their card, message them.
#[component]
pub fn DirectoryPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    let open = Memo::new(move |_| model.directory.with(Option::is_some));
    move || {
        open.get().then(|| {
            let text = RwSignal::new(model.directory.with_untracked(|v| {
                v.as_ref().map(|v| v.text.clone()).unwrap_or_default()
            }));
            let results = move || model.directory.with(|v| v.clone().unwrap_or_default());
            view! {
                <aside class="settings people-panel" aria-label="People">
                    <header class="members-head">
                        <h2>"People"</h2>
                        <button class="link-button" aria-label="Close people"
                            on:click=move |_| actions.run(Command::FindPeople(None))>
                            "×"
                        </button>
                    </header>
                    <label for="people-find">"Find people by name"</label>
                    <input id="people-find" type="search" maxlength="64" autocomplete="off"
                        prop:value=move || text.get()
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            text.set(value.clone());
                            actions.run(Command::FindPeople(Some(value)));
                        }/>
                    {move || results().error.map(|e| view! { <p class="notice" role="alert">{e}</p> })}
                    <ul class="people-list" aria-busy=move || results().loading.to_string()>
                        {move || results().items.into_iter().map(|p| view! { <PersonItem profile=p/> }).collect_view()}
                    </ul>
                    {move || {
                        let view = results();
                        (!view.loading && view.items.is_empty()).then(|| view! {
                            <p class="search-status">"Nobody by that name."</p>
                        })
                    }}
                </aside>
            }
        })
    }
}

#[component]
fn PersonItem(profile: Profile) -> impl IntoView {
    let actions = actions();
    let name = profile.name.clone();
    let detail = [Some(format!("@{name}")), profile.title.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let message_to = name.clone();
    view! {
        <li class="person-item">
            <PersonName id=profile.id name=name.clone()/>
            <span class="person-detail">{detail}</span>
            {(!profile.deactivated).then(|| view! {
                <button class="link-button" aria-label=format!("Message {name}")
                    on:click=move |_| {
                        actions.run(Command::OpenDirect(vec![message_to.clone()]));
                        actions.run(Command::FindPeople(None));
                    }>
                    "Message"
                </button>
            })}
        </li>
    }
}
