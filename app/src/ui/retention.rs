//! Retention and legal holds in the admin console's Records tab
//! (docs/PROTOCOL.md, "Retention"): how long the instance and each room
//! keep messages, and the holds that keep everything of a room or a person.

use leptos::prelude::*;

use super::admin::{admin, utc};
use super::{actions, model};
use crate::chat::AdminCommand;
use crate::protocol::{HoldKind, LegalHold, RoomRetention};

/// "Keeping messages": the instance's period, the rooms with their own,
/// and a form to give a room one.
#[component]
pub fn Retention() -> impl IntoView {
    let model = model();
    let actions = actions();
    let room = RwSignal::new(String::new());
    let days = RwSignal::new("365".to_string());
    let settings = move || {
        model
            .admin
            .with(|v| v.as_ref().and_then(|v| v.retention.clone()))
    };
    let set = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = room.get_untracked().trim().to_string();
        if name.is_empty() {
            return;
        }
        let days = days.get_untracked().trim().parse().ok();
        actions.run(admin(AdminCommand::SetRetention { room: name, days }));
    };
    view! {
        <section class="records" aria-labelledby="records-retention">
            <h3 id="records-retention">"Keeping messages"</h3>
            <p>
                {move || match settings().and_then(|s| s.retention_days) {
                    Some(days) => format!(
                        "This instance keeps messages for {days} days (--retention-days); \
                         older ones are deleted, with their files, unless a hold keeps them."
                    ),
                    None => "This instance keeps messages forever (no --retention-days).".to_string(),
                }}
            </p>
            <ul class="retention-rooms">
                {move || settings().map(|s| s.rooms).unwrap_or_default().into_iter()
                    .map(|room| view! { <RoomPeriod room/> }).collect_view()}
            </ul>
            <form class="retention-form" on:submit=set>
                <label for="retention-room">"Room"</label>
                <input id="retention-room" required placeholder="room id"
                    prop:value=move || room.get()
                    on:input=move |ev| room.set(event_target_value(&ev))/>
                <label for="retention-days">"Keeps messages for (days; empty: as the instance)"</label>
                <input id="retention-days" type="number" min="1" max="36500"
                    prop:value=move || days.get()
                    on:input=move |ev| days.set(event_target_value(&ev))/>
                <button type="submit" class="primary">"Set the room's period"</button>
            </form>
        </section>
    }
}

/// A room with a period of its own, a cut log or a hold.
#[component]
fn RoomPeriod(room: RoomRetention) -> impl IntoView {
    let actions = actions();
    let period = match room.retention_days {
        Some(days) => format!("keeps {days} days"),
        None => "keeps as the instance does".to_string(),
    };
    let cut = if room.kept_after > 0 {
        format!(", history kept from entry {}", room.kept_after + 1)
    } else {
        String::new()
    };
    let held = if room.held { ", on legal hold" } else { "" };
    let own = room.retention_days.is_some();
    let id = room.room.clone();
    let label = format!("Use the instance's period for {}", room.name);
    view! {
        <li>
            <span>{format!("#{}: {period}{cut}{held}", room.name)}</span>
            {own.then(|| view! {
                <button class="link-button" aria-label=label.clone()
                    on:click=move |_| actions.run(admin(AdminCommand::SetRetention { room: id.clone(), days: None }))>
                    "Use the instance's period"
                </button>
            })}
        </li>
    }
}

/// "Legal holds": what is held, why, and a form to place one.
#[component]
pub fn Holds() -> impl IntoView {
    let model = model();
    let actions = actions();
    let kind = RwSignal::new(HoldKind::User);
    let target = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let holds = move || {
        model
            .admin
            .with(|v| v.as_ref().map(|v| v.holds.clone()).unwrap_or_default())
    };
    let place = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (who, why) = (target.get_untracked(), reason.get_untracked());
        if who.trim().is_empty() || why.trim().is_empty() {
            return;
        }
        actions.run(admin(AdminCommand::PlaceHold {
            kind: kind.get_untracked(),
            target: who.trim().to_string(),
            reason: why.trim().to_string(),
        }));
        target.set(String::new());
        reason.set(String::new());
    };
    view! {
        <section class="records" aria-labelledby="records-holds">
            <h3 id="records-holds">"Legal holds"</h3>
            <p>
                "Nothing of a held room or person is deleted by retention. What people delete "
                "themselves goes from the room but its original stays for exports."
            </p>
            <ul class="holds">
                {move || holds().into_iter().map(|hold| view! { <HoldItem hold/> }).collect_view()}
            </ul>
            <form class="hold-form" on:submit=place>
                <label for="hold-kind">"Hold on"</label>
                <select id="hold-kind" on:change=move |ev| {
                    kind.set(HoldKind::parse(&event_target_value(&ev)).unwrap_or(HoldKind::User))
                }>
                    <option value="user" selected=true>"a person"</option>
                    <option value="room">"a room"</option>
                </select>
                <label for="hold-target">"Name (person) or id (room)"</label>
                <input id="hold-target" required
                    prop:value=move || target.get()
                    on:input=move |ev| target.set(event_target_value(&ev))/>
                <label for="hold-reason">"Reason"</label>
                <input id="hold-reason" required maxlength="500"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))/>
                <button type="submit" class="primary">"Place the hold"</button>
            </form>
        </section>
    }
}

#[component]
fn HoldItem(hold: LegalHold) -> impl IntoView {
    let actions = actions();
    let what = match hold.kind {
        HoldKind::Room => format!("#{}", hold.name),
        HoldKind::User => hold.name.clone(),
    };
    let label = format!("Release the hold on {what}");
    let (kind, target) = (hold.kind, hold.target.clone());
    view! {
        <li>
            <span>{format!("{what}: {} (by {}, {} UTC)", hold.reason, hold.by.name, utc(hold.placed_ts))}</span>
            <button class="link-button" aria-label=label
                on:click=move |_| actions.run(admin(AdminCommand::ReleaseHold { kind, target: target.clone() }))>
                "Release"
            </button>
        </li>
    }
}
