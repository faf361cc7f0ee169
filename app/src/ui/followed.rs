//! The Threads view (threads the user follows, newest activity first, with
//! their unread replies) and the Saved view (messages the user saved): each
//! item opens its room at the message; a thread opens beside it.

use leptos::prelude::*;

use super::people::ShownName;
use super::{actions, model};
use crate::chat::{local_time, Command};
use crate::protocol::{FollowedThread, Message, SavedItem};

#[component]
pub fn ThreadsPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    move || {
        model.threads.get().map(|threads| {
            let count = threads.len();
            view! {
                <aside class="settings threads-panel" aria-label="Followed threads">
                    <header class="members-head">
                        <h2>"Threads"</h2>
                        <button class="link-button" aria-label="Close the threads"
                            on:click=move |_| actions.run(Command::ShowThreads(false))>"×"</button>
                    </header>
                    {(count == 0).then(|| view! {
                        <p class="search-status">"No threads yet: you follow a thread when you reply or are mentioned in it, or with “Follow” in a thread."</p>
                    })}
                    <ul class="pins">
                        {threads.into_iter().map(|t| view! { <ThreadItem thread=t/> }).collect_view()}
                    </ul>
                </aside>
            }
        })
    }
}

#[component]
fn ThreadItem(thread: FollowedThread) -> impl IntoView {
    let model = model();
    let actions = actions();
    let root = thread.root.clone();
    let (room, seq, id) = (root.room.clone(), root.seq, root.id);
    let label = model.room_label(&room);
    let replies = match root.reply_count {
        1 => "1 reply".to_string(),
        n => format!("{n} replies"),
    };
    let unread = thread.unread;
    let has_unread = unread > 0;
    view! {
        <li class="pin-item" class:unread=has_unread>
            <p class="pin-meta">
                {format!("{label} · ")}
                <ShownName id=root.author.id name=root.author.name.clone()/>
                {format!(" · {replies}")}
                {(unread > 0).then(|| view! { <span class="badge">{format!("{unread} new")}</span> })}
            </p>
            <p class="pin-body">{root.body.clone()}</p>
            <button class="link-button" aria-label=format!("Open the thread in {label}") on:click=move |_| {
                actions.run(Command::OpenAt { room: room.clone(), seq, id });
                actions.run(Command::OpenThread(Some(id)));
                actions.run(Command::ShowThreads(false));
            }>"Open the thread"</button>
            <button class="link-button" on:click={
                let room = root.room.clone();
                move |_| actions.run(Command::Follow { room: room.clone(), root: id, on: false })
            }>"Unfollow"</button>
        </li>
    }
}

#[component]
pub fn SavedPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    move || {
        model.saved.get().map(|saved| {
            let count = saved.len();
            view! {
                <aside class="settings saved-panel" aria-label="Saved messages">
                    <header class="members-head">
                        <h2>{format!("Saved ({count})")}</h2>
                        <button class="link-button" aria-label="Close the saved messages"
                            on:click=move |_| actions.run(Command::ShowSaved(false))>"×"</button>
                    </header>
                    {(count == 0).then(|| view! {
                        <p class="search-status">"Nothing saved yet: “Save” is in a message's actions."</p>
                    })}
                    <ul class="pins">
                        {saved.into_iter().map(|item| view! { <SavedEntry item=item/> }).collect_view()}
                    </ul>
                </aside>
            }
        })
    }
}

#[component]
fn SavedEntry(item: SavedItem) -> impl IntoView {
    let model = model();
    let actions = actions();
    let Message {
        room,
        seq,
        id,
        thread,
        ..
    } = item.message.clone();
    let label = model.room_label(&room);
    let body = if item.message.deleted {
        "This message was deleted.".to_string()
    } else {
        item.message.body.clone()
    };
    view! {
        <li class="pin-item">
            <p class="pin-meta">
                {format!("{label} · ")}
                <ShownName id=item.message.author.id name=item.message.author.name.clone()/>
                {format!(" · {}", local_time(item.message.ts))}
            </p>
            <p class="pin-body">{body}</p>
            <button class="link-button" on:click=move |_| {
                match thread {
                    // A reply: its thread, beside its root.
                    Some(root) => {
                        actions.run(Command::OpenAt { room: room.clone(), seq, id: root });
                        actions.run(Command::OpenThread(Some(root)));
                    }
                    None => actions.run(Command::OpenAt { room: room.clone(), seq, id }),
                }
                actions.run(Command::ShowSaved(false));
            }>"Open"</button>
            <button class="link-button" on:click=move |_| actions.run(Command::Save { id, on: false })>"Unsave"</button>
        </li>
    }
}
