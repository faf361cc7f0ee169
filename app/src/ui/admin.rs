//! The admin console (admins only): users (find, deactivate, reactivate,
//! promote, demote, see their bots and tokens), invite links, the sign-up
//! policy, and the audit log (filtered, paged, exported as JSON lines).
//! Four tabs in one panel, each usable by keyboard.

use leptos::prelude::*;

use super::people::PersonName;
use super::{actions, model};
use crate::chat::{AdminCommand, AdminTab, AuditFilter, Command};
use crate::protocol::{AuditEntry, CreateInvite, InviteInfo, Profile, SignupPolicy};

pub(super) fn admin(command: AdminCommand) -> Command {
    Command::Admin(command)
}

#[component]
pub fn AdminConsole() -> impl IntoView {
    let model = model();
    let actions = actions();
    let open = Memo::new(move |_| model.admin.with(Option::is_some));
    let tab = Memo::new(move |_| {
        model
            .admin
            .with(|v| v.as_ref().map(|v| v.tab).unwrap_or_default())
    });
    let tabs = [
        (AdminTab::Users, "Users"),
        (AdminTab::Invites, "Invites"),
        (AdminTab::SignUp, "Sign-up"),
        (AdminTab::Audit, "Audit log"),
        (AdminTab::Records, "Records"),
    ];
    move || {
        open.get().then(|| {
            let error = move || {
                model
                    .admin
                    .with(|v| v.as_ref().and_then(|v| v.error.clone()))
            };
            let said = move || {
                model
                    .admin
                    .with(|v| v.as_ref().and_then(|v| v.said.clone()))
            };
            view! {
                <aside class="settings admin-console" aria-label="Admin console">
                    <header class="members-head">
                        <h2>"Admin console"</h2>
                        <button class="link-button" aria-label="Close the admin console"
                            on:click=move |_| actions.run(admin(AdminCommand::Show(false)))>
                            "×"
                        </button>
                    </header>
                    <div class="tabs" role="tablist" aria-label="Admin console">
                        {tabs.into_iter().map(|(which, label)| view! {
                            <button role="tab" id=format!("admin-tab-{label}")
                                aria-selected=move || (tab.get() == which).to_string()
                                aria-controls="admin-tab-panel"
                                on:click=move |_| actions.run(admin(AdminCommand::Tab(which)))>
                                {label}
                            </button>
                        }).collect_view()}
                    </div>
                    <p class="visually-hidden" role="status">{said}</p>
                    {move || error().map(|e| view! { <p class="notice" role="alert">{e}</p> })}
                    <div id="admin-tab-panel" role="tabpanel">
                        {move || match tab.get() {
                            AdminTab::Users => view! { <UsersTab/> }.into_any(),
                            AdminTab::Invites => view! { <InvitesTab/> }.into_any(),
                            AdminTab::SignUp => view! { <SignUpTab/> }.into_any(),
                            AdminTab::Audit => view! { <AuditTab/> }.into_any(),
                            AdminTab::Records => view! { <super::records::RecordsTab/> }.into_any(),
                        }}
                    </div>
                </aside>
            }
        })
    }
}

#[component]
fn UsersTab() -> impl IntoView {
    let model = model();
    let actions = actions();
    let text = RwSignal::new(
        model
            .admin
            .with_untracked(|v| v.as_ref().map(|v| v.users.text.clone()).unwrap_or_default()),
    );
    let users = move || {
        model
            .admin
            .with(|v| v.as_ref().map(|v| v.users.clone()).unwrap_or_default())
    };
    view! {
        <label for="admin-find">"Find users by name"</label>
        <input id="admin-find" type="search" maxlength="64" autocomplete="off"
            prop:value=move || text.get()
            on:input=move |ev| {
                let value = event_target_value(&ev);
                text.set(value.clone());
                actions.run(admin(AdminCommand::FindUsers(value)));
            }/>
        <ul class="people-list admin-users" aria-busy=move || users().loading.to_string()>
            {move || users().items.into_iter().map(|p| view! { <UserItem profile=p/> }).collect_view()}
        </ul>
        <UserDetail/>
    }
}

#[component]
fn UserItem(profile: Profile) -> impl IntoView {
    let actions = actions();
    let model = model();
    let me = model.me().map(|u| u.id);
    let itself = me == Some(profile.id);
    let name = profile.name.clone();
    let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
    let deactivated = profile.deactivated;
    let is_admin = profile.admin;
    view! {
        <li class="person-item">
            <PersonName id=profile.id name=name.clone()/>
            <span class="person-detail">
                {format!("@{name}")}
                {is_admin.then(|| view! { <span class="badge">"admin"</span> })}
                {profile.bot.then(|| view! { <span class="badge">"bot"</span> })}
                {deactivated.then(|| view! { <span class="badge">"deactivated"</span> })}
            </span>
            <span class="admin-actions">
                {(!itself && !profile.bot).then(|| view! {
                    <button class="link-button"
                        aria-label=format!("{} {name}", if deactivated { "Reactivate" } else { "Deactivate" })
                        on:click=move |_| actions.run(admin(AdminCommand::SetDisabled { user: n1.clone(), disabled: !deactivated }))>
                        {if deactivated { "Reactivate" } else { "Deactivate" }}
                    </button>
                    <button class="link-button"
                        aria-label=format!("{} {name}", if is_admin { "Remove admin rights of" } else { "Make admin" })
                        on:click=move |_| actions.run(admin(AdminCommand::SetAdmin { user: n2.clone(), admin: !is_admin }))>
                        {if is_admin { "Remove admin" } else { "Make admin" }}
                    </button>
                })}
                <button class="link-button" aria-label=format!("Bots & tokens of {name}")
                    on:click=move |_| actions.run(admin(AdminCommand::OpenUser(Some(n3.clone()))))>
                    "Bots & tokens"
                </button>
            </span>
        </li>
    }
}

/// The bots and tokens of the user opened.
#[component]
fn UserDetail() -> impl IntoView {
    let model = model();
    let actions = actions();
    move || {
        model.admin.with(|v| v.as_ref().and_then(|v| v.user.clone())).map(|view| {
            let name = view.user.name.clone();
            view! {
                <section class="admin-user" aria-label=format!("Bots & tokens of {name}")>
                    <h3>{format!("{name}'s bots and tokens")}</h3>
                    <button class="link-button" on:click=move |_| actions.run(admin(AdminCommand::OpenUser(None)))>"Hide"</button>
                    {view.claimable.then(|| view! { <super::records::ClaimLink name=name.clone()/> })}
                    <h4>"Bots"</h4>
                    {if view.bots.is_empty() {
                        view! { <p>"None."</p> }.into_any()
                    } else {
                        view! { <ul>{view.bots.iter().map(|b| view! { <li>{format!("@{}", b.name)}</li> }).collect_view()}</ul> }.into_any()
                    }}
                    <h4>"Tokens"</h4>
                    {if view.tokens.is_empty() {
                        view! { <p>"None."</p> }.into_any()
                    } else {
                        view! {
                            <ul>
                                {view.tokens.iter().map(|t| {
                                    let scope = match (&t.room, t.read_only) {
                                        (Some(room), true) => format!("#{room}, read-only"),
                                        (Some(room), false) => format!("#{room}"),
                                        (None, true) => "every room, read-only".into(),
                                        (None, false) => "every room".into(),
                                    };
                                    view! { <li>{format!("{} ({}…) for @{}: {scope}", t.name, t.prefix, t.user.name)}</li> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
        })
    }
}

#[component]
fn InvitesTab() -> impl IntoView {
    let model = model();
    let actions = actions();
    let hours = RwSignal::new("168".to_string());
    let uses = RwSignal::new("1".to_string());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateInvite {
            expires_in_hours: hours.get_untracked().parse().ok(),
            max_uses: uses.get_untracked().parse().ok(),
        };
        actions.run(admin(AdminCommand::CreateInvite(request)));
    };
    let invites = move || {
        model
            .admin
            .with(|v| v.as_ref().map(|v| v.invites.clone()).unwrap_or_default())
    };
    view! {
        <form class="invite-form" on:submit=create>
            <label for="invite-hours">"Lasts"</label>
            <select id="invite-hours" on:change=move |ev| hours.set(event_target_value(&ev))>
                <option value="24">"1 day"</option>
                <option value="168" selected=true>"7 days"</option>
                <option value="720">"30 days"</option>
                <option value="2160">"90 days"</option>
            </select>
            <label for="invite-uses">"Sign-ups"</label>
            <input id="invite-uses" type="number" min="1" max="1000"
                prop:value=move || uses.get()
                on:input=move |ev| uses.set(event_target_value(&ev))/>
            <button type="submit" class="primary">"Make an invite link"</button>
        </form>
        <ul class="invites">
            {move || invites().into_iter().map(|invite| view! { <InviteItem invite/> }).collect_view()}
        </ul>
    }
}

#[component]
fn InviteItem(invite: InviteInfo) -> impl IntoView {
    let actions = actions();
    let link = format!("{}{}", origin(), invite.url);
    let expired = invite.expires_ts.is_some_and(|t| t < crate::chat::now());
    let state = if invite.revoked {
        "revoked"
    } else if invite.uses >= invite.max_uses {
        "used up"
    } else if expired {
        "expired"
    } else {
        "active"
    };
    let live = state == "active";
    let expires = invite
        .expires_ts
        .map(|t| format!(", until {}", utc(t)))
        .unwrap_or_default();
    let code = invite.code.clone();
    let field = format!("invite-{}", invite.code);
    view! {
        <li class="invite-item" class:inactive=!live>
            <label for=field.clone()>{format!("Invite ({state}): {} of {} sign-ups{expires}", invite.uses, invite.max_uses)}</label>
            <input id=field readonly=true value=link/>
            {live.then(|| view! {
                <button class="link-button" aria-label="Revoke this invite"
                    on:click=move |_| actions.run(admin(AdminCommand::RevokeInvite(code.clone())))>
                    "Revoke"
                </button>
            })}
        </li>
    }
}

/// The page's origin (`https://chat.example.com`), for links to share.
fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

#[component]
fn SignUpTab() -> impl IntoView {
    let model = model();
    let actions = actions();
    let current = move || model.admin.with(|v| v.as_ref().and_then(|v| v.signup));
    let choices = [
        (SignupPolicy::Open, "Open: anyone can create an account"),
        (
            SignupPolicy::Invite,
            "Invite only: an invite link is needed",
        ),
        (
            SignupPolicy::Sso,
            "Single sign-on only: no password sign-up",
        ),
    ];
    view! {
        <fieldset class="signup-policy">
            <legend>"Who can create an account"</legend>
            {choices.into_iter().map(|(policy, label)| {
                let id = format!("signup-{}", policy.as_str());
                let target = id.clone();
                view! {
                    <label class="check" for=target>
                        <input type="radio" name="signup-policy" id=id
                            prop:checked=move || current() == Some(policy)
                            on:change=move |_| actions.run(admin(AdminCommand::SetSignup(policy)))/>
                        {format!(" {label}")}
                    </label>
                }
            }).collect_view()}
        </fieldset>
        <p class="hint">"Every server of this Confab follows the change at once."</p>
    }
}

#[component]
fn AuditTab() -> impl IntoView {
    let model = model();
    let actions = actions();
    let initial = model
        .admin
        .with_untracked(|v| v.as_ref().map(|v| v.filter.clone()).unwrap_or_default());
    let actor = RwSignal::new(initial.actor);
    let action = RwSignal::new(initial.action);
    let from = RwSignal::new(initial.from);
    let to = RwSignal::new(initial.to);
    let filter = move || AuditFilter {
        actor: actor.get_untracked(),
        action: action.get_untracked(),
        from: from.get_untracked(),
        to: to.get_untracked(),
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        actions.run(admin(AdminCommand::Audit(filter())));
    };
    let entries = move || {
        model
            .admin
            .with(|v| v.as_ref().map(|v| v.audit.clone()).unwrap_or_default())
    };
    let more = move || {
        model
            .admin
            .with(|v| v.as_ref().is_some_and(|v| v.audit_more))
    };
    let export = move || {
        let shown = model
            .admin
            .with(|v| v.as_ref().map(|v| v.filter.query()).unwrap_or_default());
        format!("/api/admin/audit/export?{shown}")
    };
    let input = |id: &'static str,
                 label: &'static str,
                 kind: &'static str,
                 value: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <form class="audit-filter" on:submit=apply>
            {input("audit-actor", "Who (username)", "search", actor)}
            <div class="field">
            <label for="audit-action">"What"</label>
            <select id="audit-action" on:change=move |ev| action.set(event_target_value(&ev))>
                <option value="">"Everything"</option>
                <option value="user.">"Accounts (user.…)"</option>
                <option value="auth.">"Sign-ins (auth.…)"</option>
                <option value="room.">"Rooms (room.…)"</option>
                <option value="member.">"Members and roles (member.…)"</option>
                <option value="token.">"Tokens (token.…)"</option>
                <option value="bot.">"Bots (bot.…)"</option>
                <option value="webhook.">"Webhooks (webhook.…)"</option>
                <option value="invite.">"Invites (invite.…)"</option>
                <option value="signup.">"Sign-up policy (signup.…)"</option>
                <option value="audit.">"Audit exports (audit.…)"</option>
            </select>
            </div>
            {input("audit-from", "From (UTC date)", "date", from)}
            {input("audit-to", "To (UTC date)", "date", to)}
            <button type="submit" class="primary">"Show"</button>
            <a class="link-button" href=export download="confab-audit.jsonl">"Export JSON lines"</a>
        </form>
        <div class="audit-scroll" tabindex="0" role="region" aria-label="Audit entries">
            <table class="audit">
                <caption class="visually-hidden">"Audit log, newest first"</caption>
                <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"To what"</th><th scope="col">"Detail"</th></tr></thead>
                <tbody>
                    {move || entries().into_iter().map(|e| view! { <AuditRow entry=e/> }).collect_view()}
                </tbody>
            </table>
        </div>
        {move || more().then(|| view! {
            <button class="link-button" on:click=move |_| actions.run(admin(AdminCommand::AuditOlder))>"Older entries"</button>
        })}
    }
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let who = entry
        .actor
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "(unknown)".into());
    let detail = match &entry.detail {
        serde_json::Value::Object(map) if map.is_empty() => String::new(),
        other => other.to_string(),
    };
    view! {
        <tr>
            <td>{utc(entry.ts)}</td>
            <td>{who}</td>
            <td>{entry.action.clone()}</td>
            <td>{entry.target.clone()}</td>
            <td class="audit-detail">{detail}</td>
        </tr>
    }
}

/// A moment in UTC, as an audit shows it: `2026-12-04 09:15:02`.
pub(super) fn utc(ts: time::OffsetDateTime) -> String {
    let ts = ts.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02}:{:02}",
        ts.date(),
        ts.hour(),
        ts.minute(),
        ts.second()
    )
}
