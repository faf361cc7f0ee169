//! Attention controls: which of the open room's messages notify (the room
//! bar's select), do-not-disturb (a pause and quiet hours, in the sidebar),
//! and the confirmation a message mentioning everyone in a big room waits
//! for (above the composer).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{actions, model};
use crate::chat::{local_time, now, Command};
use crate::protocol::{DndRequest, DndSchedule, NotificationLevel};

/// The open room's notification level, as a select (members only).
#[component]
pub fn LevelSelect() -> impl IntoView {
    let model = model();
    let actions = actions();
    move || {
        let room = model.current_room().filter(|r| r.member)?;
        let id = room.id.clone();
        let level = room.notifications;
        let options = [
            (NotificationLevel::All, "All messages"),
            (NotificationLevel::Mentions, "Mentions and followed threads"),
            (NotificationLevel::None, "Nothing"),
        ];
        Some(view! {
            <label class="level-select">
                <span>"Notify me about"</span>
                <select on:change=move |ev| {
                    let level = match event_target_value(&ev).as_str() {
                        "all" => NotificationLevel::All,
                        "none" => NotificationLevel::None,
                        _ => NotificationLevel::Mentions,
                    };
                    actions.run(Command::SetLevel { room: id.clone(), level });
                }>
                    {options.into_iter().map(|(value, label)| view! {
                        <option value=value.as_str() selected=value == level>{label}</option>
                    }).collect_view()}
                </select>
            </label>
        })
    }
}

/// Pauses of a few lengths, in minutes.
const PAUSES: [(i64, &str); 5] = [
    (30, "30 minutes"),
    (60, "1 hour"),
    (120, "2 hours"),
    (480, "8 hours"),
    (1440, "24 hours"),
];

/// Do-not-disturb: whether it holds now and until when, a pause, resuming,
/// and daily quiet hours.
#[component]
pub fn DndControl() -> impl IntoView {
    let model = model();
    let actions = actions();
    let status = move || {
        model.now.track();
        let dnd = model.dnd.get();
        let now = now();
        match (dnd.quiet_at(now), dnd.quiet_until) {
            (true, Some(until)) => format!("Notifications paused until {}", local_time(until)),
            _ => "Notifications on".to_string(),
        }
    };
    let paused = move || model.dnd.with(|d| d.until.is_some());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    Effect::new(move |_| {
        let schedule = model.dnd.with(|d| d.schedule.clone());
        start.set(
            schedule
                .as_ref()
                .map(|s| s.start.clone())
                .unwrap_or_else(|| "22:00".into()),
        );
        end.set(schedule.map(|s| s.end).unwrap_or_else(|| "08:00".into()));
    });
    let save_hours = move |ev: SubmitEvent| {
        ev.prevent_default();
        actions.run(Command::SetDnd(DndRequest {
            until: None,
            schedule: Some(Some(DndSchedule {
                start: start.get_untracked(),
                end: end.get_untracked(),
            })),
        }));
    };
    let pause = move |minutes: i64| {
        let until = now() + time::Duration::minutes(minutes);
        actions.run(Command::SetDnd(DndRequest::pause_until(until)));
    };
    view! {
        <section class="dnd" aria-label="Do not disturb">
            <p class="dnd-status" aria-live="polite">{status}</p>
            <label class="level-select">
                <span>"Pause notifications"</span>
                <select on:change=move |ev| {
                    if let Ok(minutes) = event_target_value(&ev).parse::<i64>() {
                        pause(minutes);
                    }
                }>
                    <option value="" selected=true>"Choose…"</option>
                    {PAUSES.into_iter().map(|(minutes, label)| view! {
                        <option value=minutes.to_string()>{label}</option>
                    }).collect_view()}
                </select>
            </label>
            {move || paused().then(|| view! {
                <button class="link-button" on:click=move |_| actions.run(Command::SetDnd(DndRequest {
                    until: Some(None),
                    schedule: None,
                }))>"Resume notifications"</button>
            })}
            <details class="quiet-hours">
                <summary>"Quiet hours"</summary>
                <form on:submit=save_hours>
                    <label>"From "
                        <input type="time" required=true prop:value=move || start.get()
                            on:input=move |ev| start.set(event_target_value(&ev))/>
                    </label>
                    <label>" to "
                        <input type="time" required=true prop:value=move || end.get()
                            on:input=move |ev| end.set(event_target_value(&ev))/>
                    </label>
                    <p class="hint">"Every day, in your profile's time zone."</p>
                    <button type="submit">"Save quiet hours"</button>
                    {move || model.dnd.with(|d| d.schedule.is_some()).then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| actions.run(Command::SetDnd(DndRequest {
                            until: None,
                            schedule: Some(None),
                        }))>"No quiet hours"</button>
                    })}
                </form>
            </details>
        </section>
    }
}

/// The confirmation a mention of everyone in a big room waits for.
#[component]
pub fn BroadConfirmBar() -> impl IntoView {
    let model = model();
    let actions = actions();
    move || {
        let held = model.confirm_broad.get()?;
        let label = model.room_label(&held.room);
        let text = format!(
            "This notifies all {} members of {label}. Send it to everyone?",
            held.members
        );
        Some(view! {
            <div class="broad-confirm" role="alertdialog" aria-label="Notify everyone?" aria-describedby="broad-confirm-text">
                <p id="broad-confirm-text">{text}</p>
                <button class="primary" on:click=move |_| actions.run(Command::ConfirmBroad(true))>"Send to everyone"</button>
                <button on:click=move |_| actions.run(Command::ConfirmBroad(false))>"Cancel"</button>
            </div>
        })
    }
}
