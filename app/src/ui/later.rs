//! What the server holds for later, in the UI: "Remind me" in a message's
//! actions, "Schedule" beside the composer (send the draft at a chosen
//! time), and the Later view: scheduled messages (cancel them) and
//! reminders (cancel, or open and dismiss those that fired).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use uuid::Uuid;

use super::{actions, model};
use crate::chat::{from_local_input, local_day, local_time, now, tomorrow_at, Command};
use crate::protocol::{Reminder, ScheduledMessage};

fn when(at: time::OffsetDateTime) -> String {
    format!("{} {}", local_day(at), local_time(at))
}

/// "Remind me" about message `id`: a select of when.
#[component]
pub fn RemindSelect(id: Uuid) -> impl IntoView {
    let actions = actions();
    view! {
        <select class="remind-select" aria-label="Remind me about this" on:change=move |ev| {
            let choice = event_target_value(&ev);
            let at = match choice.as_str() {
                "20m" => Some(now() + time::Duration::minutes(20)),
                "1h" => Some(now() + time::Duration::hours(1)),
                "3h" => Some(now() + time::Duration::hours(3)),
                "tomorrow" => Some(tomorrow_at(9)),
                _ => None,
            };
            if let Some(at) = at {
                actions.run(Command::Remind { message: id, at });
            }
        }>
            <option value="" selected=true>"Remind me…"</option>
            <option value="20m">"in 20 minutes"</option>
            <option value="1h">"in 1 hour"</option>
            <option value="3h">"in 3 hours"</option>
            <option value="tomorrow">"tomorrow at 9:00"</option>
        </select>
    }
}

/// "Schedule" beside the composer: sends the draft at a chosen time.
#[component]
pub fn ScheduleButton() -> impl IntoView {
    let actions = actions();
    let open = RwSignal::new(false);
    let at = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(at) = from_local_input(&at.get_untracked()) {
            actions.run(Command::Schedule(at));
            open.set(false);
        }
    };
    view! {
        <div class="schedule">
            <button type="button" class="link-button" aria-expanded=move || open.get().to_string()
                on:click=move |_| {
                    if at.get_untracked().is_empty() {
                        let soon = tomorrow_at(9);
                        at.set(crate::chat::local_input_value(soon));
                    }
                    open.update(|o| *o = !*o);
                }>
                "Schedule"
            </button>
            {move || open.get().then(|| view! {
                <form class="schedule-panel" aria-label="Schedule the message" on:submit=submit>
                    <label for="schedule-at">"Send at"</label>
                    <input id="schedule-at" type="datetime-local" required=true
                        prop:value=move || at.get() on:input=move |ev| at.set(event_target_value(&ev))/>
                    <button type="submit" class="primary">"Schedule send"</button>
                </form>
            })}
        </div>
    }
}

#[component]
pub fn LaterPanel() -> impl IntoView {
    let model = model();
    let actions = actions();
    move || {
        model.later.get().map(|view| {
            view! {
                <aside class="settings later-panel" aria-label="Later">
                    <header class="members-head">
                        <h2>"Later"</h2>
                        <button class="link-button" aria-label="Close later"
                            on:click=move |_| actions.run(Command::ShowLater(false))>"×"</button>
                    </header>
                    <h3>"Scheduled messages"</h3>
                    {view.scheduled.is_empty().then(|| view! {
                        <p class="search-status">"None: “Schedule” beside the message box sends one later."</p>
                    })}
                    <ul class="pins">
                        {view.scheduled.into_iter().map(|s| view! { <ScheduledItem item=s/> }).collect_view()}
                    </ul>
                    <h3>"Reminders"</h3>
                    {view.reminders.is_empty().then(|| view! {
                        <p class="search-status">"None: “Remind me…” is in a message's actions."</p>
                    })}
                    <ul class="pins">
                        {view.reminders.into_iter().map(|r| view! { <ReminderItem item=r/> }).collect_view()}
                    </ul>
                </aside>
            }
        })
    }
}

#[component]
fn ScheduledItem(item: ScheduledMessage) -> impl IntoView {
    let model = model();
    let actions = actions();
    let id = item.id;
    let meta = match &item.failed {
        Some(why) => format!("{} · not sent: {why}", model.room_label(&item.room)),
        None => format!("{} · {}", model.room_label(&item.room), when(item.at)),
    };
    view! {
        <li class="pin-item">
            <p class="pin-meta">{meta}</p>
            <p class="pin-body">{item.body.clone()}</p>
            <button class="link-button" on:click=move |_| actions.run(Command::CancelLater(id))>
                {if item.failed.is_some() { "Forget" } else { "Cancel" }}
            </button>
        </li>
    }
}

#[component]
fn ReminderItem(item: Reminder) -> impl IntoView {
    let model = model();
    let actions = actions();
    let (id, room) = (item.id, item.room.clone());
    let about = if item.note.is_empty() {
        "A message".to_string()
    } else {
        item.note.clone()
    };
    let state = if item.fired { "due" } else { "at" };
    view! {
        <li class="pin-item" class:unread=item.fired>
            <p class="pin-meta">{format!("{} · {state} {}", model.room_label(&item.room), when(item.at))}</p>
            <p class="pin-body">{about}</p>
            <button class="link-button" on:click=move |_| {
                actions.run(Command::OpenRoom(room.clone()));
                actions.run(Command::ShowLater(false));
            }>"Open the room"</button>
            <button class="link-button" on:click=move |_| actions.run(Command::CancelLater(id))>
                {if item.fired { "Dismiss" } else { "Cancel" }}
            </button>
        </li>
    }
}
