//! The sign-in / sign-up form.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{actions, model};
use crate::chat::Command;
use crate::protocol::SignupPolicy;

#[component]
pub fn SignIn(reason: Option<String>) -> impl IntoView {
    let model = model();
    let actions = actions();
    let register = RwSignal::new(false);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let invite = RwSignal::new(String::new());
    // Opened from an invite link: signing up, with its code.
    Effect::new(move |_| {
        if let Some(code) = crate::chat::invite_in_address() {
            invite.set(code);
            register.set(true);
        }
    });
    let policy = move || model.providers.with(|p| p.signup);
    let may_register = move || policy() != SignupPolicy::Sso;
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        actions.run(Command::SignIn {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
            register: register.get_untracked(),
            invite: Some(invite.get_untracked().trim().to_string()).filter(|c| !c.is_empty()),
        });
    };
    let heading = move || {
        if register.get() {
            "Create your account"
        } else {
            "Sign in to Confab"
        }
    };
    view! {
        <main class="auth">
            <form class="auth-card" on:submit=submit>
                <p class="brand">"Confab"</p>
                <h1>{heading}</h1>
                {reason.map(|r| view! { <p class="notice" role="status">{r}</p> })}
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    autocomplete="username"
                    required
                    maxlength="32"
                    pattern="[A-Za-z0-9_.\\-]+"
                    title="Letters, digits, '_', '.', '-'"
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    required
                    minlength="8"
                    autocomplete=move || if register.get() { "new-password" } else { "current-password" }
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <Show when=move || register.get()>
                    <label for="invite">
                        {move || if policy() == SignupPolicy::Invite {
                            "Invite code (from your invite link)"
                        } else {
                            "Invite code (if you were given one)"
                        }}
                    </label>
                    <input
                        id="invite"
                        name="invite"
                        autocomplete="off"
                        prop:value=move || invite.get()
                        on:input=move |ev| invite.set(event_target_value(&ev))
                    />
                </Show>
                <Show when=move || model.notice.get().is_some()>
                    <p class="error" role="alert">{move || model.notice.get()}</p>
                </Show>
                <button type="submit" class="primary" disabled=move || model.busy.get()>
                    {move || if register.get() { "Create account" } else { "Sign in" }}
                </button>
                <Show when=move || may_register() || register.get()>
                    <button
                        type="button"
                        class="link-button"
                        on:click=move |_| {
                            model.notice.set(None);
                            register.update(|r| *r = !*r);
                        }
                    >
                        {move || {
                            if register.get() {
                                "Have an account? Sign in"
                            } else {
                                "New here? Create an account"
                            }
                        }}
                    </button>
                </Show>
                {move || model.providers.get().oidc.map(|oidc| view! {
                    <a class="sso button" rel="external" href=oidc.start>{format!("Sign in with {}", oidc.name)}</a>
                })}
            </form>
        </main>
    }
}
