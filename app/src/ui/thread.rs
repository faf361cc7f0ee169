//! The thread beside the room: its root, its replies (those loaded over HTTP
//! and those the room's timeline holds, the live state winning), and a box to
//! reply in. Escape or the close button closes it.

use std::collections::BTreeMap;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::message_row::{MessageRow, Row};
use super::{actions, model};
use crate::chat::{Command, Session};

#[component]
pub fn ThreadPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    // The reply box's text is the thread's draft (kept by the server).
    let draft = move || {
        model
            .thread
            .get()
            .and_then(|key| model.thread_drafts.with(|d| d.get(&key).cloned()))
            .unwrap_or_default()
    };
    let set_draft = move |text: String| {
        if let Some(key) = model.thread.get_untracked() {
            model.thread_drafts.update(|d| {
                if text.is_empty() {
                    d.remove(&key);
                } else {
                    d.insert(key, text);
                }
            });
        }
    };
    let me = move || match model.session.get() {
        Session::SignedIn(user) => user,
        _ => crate::protocol::UserRef {
            id: uuid::Uuid::nil(),
            name: String::new(),
        },
    };
    let rows = move || {
        let (room, root) = model.thread.get()?;
        let me = me();
        let optimistic = model.optimistic.get();
        let loaded = model.thread_replies.get();
        model.timelines.with(|timelines| {
            let timeline = timelines.get(&room)?;
            // The root as the room's timeline holds it, else as the thread
            // was read (an old thread opened from the Threads view).
            let root_message = timeline
                .message(root)
                .or_else(|| loaded.iter().find(|m| m.id == root))?;
            let mut replies: BTreeMap<u64, &crate::protocol::Message> = loaded
                .iter()
                .filter(|m| m.id != root)
                .map(|m| (m.seq, m))
                .collect();
            for m in timeline
                .messages
                .values()
                .filter(|m| m.thread == Some(root))
            {
                replies.insert(m.seq, m);
            }
            let moderates = model.standing() >= Some(crate::protocol::RoomRole::Moderator);
            let row = |m| Row::of(m, true, me.id, &optimistic).moderated_by_reader(moderates);
            let mut rows = vec![row(root_message)];
            rows.extend(replies.values().map(|m| row(m)));
            Some(rows)
        })
    };
    let send = move || {
        let body = untrack(draft);
        if let Some((_, root)) = model.thread.get_untracked() {
            if !body.trim().is_empty() {
                // The runtime clears the draft, here and on the server.
                actions.run(Command::Reply { root, body });
            }
        }
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" if !ev.shift_key() && !ev.is_composing() => {
            ev.prevent_default();
            send();
        }
        "Escape" => actions.run(Command::OpenThread(None)),
        _ => {}
    };
    move || {
        rows().map(|rows| {
            let name = me().name;
            view! {
                <aside class="thread" aria-label="Thread">
                    <header>
                        <button class="link-button phone-only" on:click=move |_| actions.run(Command::OpenThread(None))>"‹ Back"</button>
                        <h2>"Thread"</h2>
                        <FollowButton/>
                        <button class="link-button wide-only" aria-label="Close the thread" on:click=move |_| actions.run(Command::OpenThread(None))>"Close"</button>
                    </header>
                    <ol class="message-list">
                        {rows.into_iter().map(|row| view! { <MessageRow row=row me=name.clone() in_thread=true/> }).collect_view()}
                    </ol>
                    <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
                        <label for="thread-input" class="visually-hidden">"Reply in the thread"</label>
                        <textarea
                            id="thread-input"
                            rows="1"
                            placeholder="Reply…"
                            prop:value=draft
                            on:input=move |ev| {
                                set_draft(event_target_value(&ev));
                                actions.run(Command::ThreadTyping);
                            }
                            on:keydown=on_keydown
                        ></textarea>
                        <button type="submit" class="primary">"Reply"</button>
                    </form>
                </aside>
            }
        })
    }
}

/// Follows or unfollows the open thread.
#[component]
fn FollowButton() -> impl IntoView {
    let model = model();
    let actions = actions();
    move || {
        let (room, root) = model.thread.get()?;
        let following = model.following.with(|f| f.contains_key(&root));
        Some(view! {
            <button
                class="link-button"
                aria-pressed=following.to_string()
                title="Followed threads notify you of their replies and are listed in Threads"
                on:click=move |_| actions.run(Command::Follow { room: room.clone(), root, on: !following })
            >
                "Follow"
            </button>
        })
    }
}
