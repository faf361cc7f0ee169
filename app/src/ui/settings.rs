//! The settings panel: the user's profile (`profile_form`), personal access tokens (made with a name, read-only or
//! one room, an optional expiry, for oneself or a bot; the secret shown once;
//! listed and revoked), bots (made and deleted), and the account's sign-ins
//! through the company's OpenID provider when the server has one: linked
//! (with the password given again), listed with when each was linked, and
//! unlinked.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use uuid::Uuid;

use super::{actions, model};
use crate::chat::model::SettingsView;
use crate::chat::Command;
use crate::protocol::{CreateToken, TokenInfo};

#[component]
pub fn SettingsPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    // The panel and its forms are made once, when it opens: the lists are
    // read again after every change (and while one types, the first time),
    // and that must not clear what is being typed.
    let open = Memo::new(move |_| model.settings.with(Option::is_some));
    let view = Signal::derive(move || model.settings.get().unwrap_or_default());
    move || {
        open.get().then(|| {
            view! {
                <aside class="settings" aria-label="Settings">
                    <header class="members-head">
                        <h2>"Settings"</h2>
                        <button
                            class="link-button"
                            aria-label="Close settings"
                            on:click=move |_| actions.run(Command::ShowSettings(false))
                        >
                            "×"
                        </button>
                    </header>
                    {move || view.get().error.map(|e| view! { <p class="notice" role="alert">{e}</p> })}
                    <super::profile_form::ProfileForm/>
                    {move || view! { <Secret view=view.get()/> }}
                    <TokenForm view/>
                    {move || view! { <TokenList view=view.get()/> }}
                    <Bots view/>
                    <LinkAccount view/>
                    <super::records::YourData/>
                </aside>
            }
        })
    }
}

/// The token just made: its secret, this once.
#[component]
fn Secret(view: SettingsView) -> impl IntoView {
    let actions = actions();
    view.created.map(|created| {
        view! {
            <section class="secret" aria-label="New token">
                <p>
                    {format!("Your new token “{}”. Copy it now: it will not be shown again.", created.info.name)}
                </p>
                <input class="token-secret" readonly aria-label="Token secret" prop:value=created.token/>
                <button class="link-button" on:click=move |_| actions.run(Command::DismissSecret)>
                    "Done"
                </button>
            </section>
        }
    })
}

#[component]
fn TokenForm(view: Signal<SettingsView>) -> impl IntoView {
    let actions = actions();
    let name = RwSignal::new(String::new());
    let read_only = RwSignal::new(false);
    let room = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let bot = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = |s: RwSignal<String>| {
            Some(s.get_untracked().trim().to_string()).filter(|s| !s.is_empty())
        };
        actions.run(Command::CreateToken(CreateToken {
            name: name.get_untracked().trim().to_string(),
            read_only: read_only.get_untracked(),
            room: text(room),
            expires_in_days: text(days).and_then(|d| d.parse().ok()),
            bot: text(bot),
        }));
        // A fresh form for the next token (the panel itself stays).
        name.set(String::new());
        read_only.set(false);
        room.set(String::new());
        days.set(String::new());
        bot.set(String::new());
    };
    view! {
        <form class="token-form" on:submit=submit>
            <h3>"New personal access token"</h3>
            <label for="token-name">"Token name"</label>
            <input id="token-name" required maxlength="64"
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))/>
            <label class="check">
                <input type="checkbox" prop:checked=move || read_only.get()
                    on:change=move |ev| read_only.set(event_target_checked(&ev))/>
                "Read-only"
            </label>
            <label for="token-room">"Only this room (optional)"</label>
            <input id="token-room" placeholder="room id"
                prop:value=move || room.get()
                on:input=move |ev| room.set(event_target_value(&ev))/>
            <label for="token-days">"Expires after days (optional)"</label>
            <input id="token-days" type="number" min="1" max="3650"
                prop:value=move || days.get()
                on:input=move |ev| days.set(event_target_value(&ev))/>
            <label for="token-for">"For"</label>
            <select id="token-for" prop:value=move || bot.get()
                on:change=move |ev| bot.set(event_target_value(&ev))>
                <option value="">"Me"</option>
                {move || view.get().bots.into_iter().map(|b| {
                    view! { <option value=b.name.clone()>{format!("Bot {}", b.name)}</option> }
                }).collect_view()}
            </select>
            <button type="submit">"Create token"</button>
        </form>
    }
}

#[component]
fn TokenList(view: SettingsView) -> impl IntoView {
    let actions = actions();
    let empty = view.tokens.is_empty() && !view.loading;
    view! {
        <section aria-label="Tokens">
            <h3>"Tokens"</h3>
            {empty.then(|| view! { <p class="empty">"No tokens."</p> })}
            <ul class="tokens">
                {view.tokens.into_iter().map(|t| token_row(t, move |id| actions.run(Command::RevokeToken(id)))).collect_view()}
            </ul>
        </section>
    }
}

fn token_row(token: TokenInfo, revoke: impl Fn(Uuid) + 'static) -> impl IntoView {
    let mut scope = vec![if token.read_only {
        "read-only"
    } else {
        "read and write"
    }
    .to_string()];
    if let Some(room) = &token.room {
        scope.push(format!("#{room} only"));
    }
    if let Some(expires) = token.expires_ts {
        scope.push(format!("expires {}", expires.date()));
    }
    let used = token
        .last_used_ts
        .map(|t| format!("last used {}", t.date()))
        .unwrap_or_else(|| "never used".into());
    let id = token.id;
    let label = format!("Revoke {}", token.name);
    view! {
        <li class="token">
            <span class="token-name">{token.name}</span>
            <code>{format!("{}…", token.prefix)}</code>
            <span class="meta">{format!("{} · {} · {used}", token.user.name, scope.join(" · "))}</span>
            <button class="link-button" aria-label=label on:click=move |_| revoke(id)>"Revoke"</button>
        </li>
    }
}

#[component]
fn Bots(view: Signal<SettingsView>) -> impl IntoView {
    let actions = actions();
    let name = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        actions.run(Command::CreateBot(name.get_untracked().trim().to_string()));
        name.set(String::new());
    };
    view! {
        <section aria-label="Bots">
            <h3>"Bots"</h3>
            <ul class="bots">
                {move || view.get().bots.into_iter().map(|bot| {
                    let label = format!("Delete bot {}", bot.name);
                    let name = bot.name.clone();
                    view! {
                        <li>
                            {bot.name}
                            <button class="link-button" aria-label=label
                                on:click=move |_| actions.run(Command::DeleteBot(name.clone()))>"Delete"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="bot-form" on:submit=submit>
                <label for="bot-name">"New bot's name"</label>
                <input id="bot-name" required maxlength="32" pattern="[A-Za-z0-9_.\\-]+"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))/>
                <button type="submit">"Create bot"</button>
            </form>
        </section>
    }
}

/// The identities that sign this account in; linking another goes to the
/// provider and comes back linked.
#[component]
fn LinkAccount(view: Signal<SettingsView>) -> impl IntoView {
    let model = model();
    let actions = actions();
    let password = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        actions.run(Command::LinkSso(password.get_untracked()));
        password.set(String::new());
    };
    move || {
        model.providers.get().oidc.map(|oidc| {
            view! {
                <section aria-label="Single sign-on">
                    <h3>"Single sign-on"</h3>
                    <ul class="identities">
                        {move || view.get().identities.into_iter().map(|identity| {
                            let label = format!("Unlink {} at {}", identity.subject, identity.issuer);
                            let when = identity.linked_ts.date().to_string();
                            let which = crate::protocol::UnlinkRequest {
                                issuer: identity.issuer.clone(),
                                subject: identity.subject.clone(),
                            };
                            view! {
                                <li>
                                    {format!("{} at {} · linked {when}", identity.subject, identity.issuer)}
                                    <button class="link-button" aria-label=label
                                        on:click=move |_| actions.run(Command::UnlinkIdentity(which.clone()))>
                                        "Unlink"
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <form class="link-form" on:submit=submit>
                        <label for="link-password">"Your password, to link another sign-in"</label>
                        <input id="link-password" type="password" required minlength="8"
                            autocomplete="current-password"
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))/>
                        <button type="submit">{format!("Link my account to {}", oidc.name)}</button>
                    </form>
                </section>
            }
        })
    }
}
