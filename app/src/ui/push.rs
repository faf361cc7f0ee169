//! Pushes beyond the tab, in the sidebar: turning them on or off for this
//! browser, and the user's other subscribed devices, each removable.

use leptos::prelude::*;

use super::{actions, model};
use crate::chat::{local_time, Command};

/// A device's name, from what its browser called itself.
fn device_name(agent: Option<&str>) -> String {
    let Some(agent) = agent else {
        return "A browser".into();
    };
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map_or("A browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| agent.contains(mark))
    .map(|(_, name)| name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_string(),
    }
}

/// "Push to this device", and the devices list.
#[component]
pub fn PushControl() -> impl IntoView {
    let model = model();
    let actions = actions();
    let here = move || model.push.with(|p| p.here.clone());
    let status = move || match (model.push.with(|p| p.supported), here().is_some()) {
        (false, _) => "Pushes are not available in this browser",
        (true, true) => "Pushes to this browser: on",
        (true, false) => "Pushes to this browser: off",
    };
    view! {
        <section class="push" aria-label="Pushes to your devices">
            <p class="dnd-status" aria-live="polite">{status}</p>
            {move || model.push.with(|p| p.supported).then(|| {
                let busy = move || model.push.with(|p| p.busy);
                if here().is_some() {
                    view! {
                        <button class="link-button" disabled=busy
                            on:click=move |_| actions.run(Command::DisablePush)>
                            "Turn off pushes here"
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button class="link-button" disabled=busy
                            on:click=move |_| actions.run(Command::EnablePush)>
                            "Turn on pushes here"
                        </button>
                    }.into_any()
                }
            })}
            {move || {
                let devices = model.push.with(|p| p.devices.clone());
                (!devices.is_empty()).then(|| view! {
                    <details class="push-devices">
                        <summary>{format!("Devices with pushes ({})", devices.len())}</summary>
                        <ul>
                            {devices.into_iter().map(|device| {
                                let this = here().as_deref() == Some(device.endpoint.as_str());
                                let name = device_name(device.agent.as_deref());
                                let label = if this { format!("{name} (this browser)") } else { name };
                                let since = format!("since {}", local_time(device.created));
                                let endpoint = device.endpoint.clone();
                                let remove = format!("Remove {label}");
                                view! {
                                    <li>
                                        <span>{label}</span>" "
                                        <span class="hint">{since}</span>" "
                                        <button class="link-button" aria-label=remove
                                            on:click=move |_| actions.run(Command::RemovePushDevice(endpoint.clone()))>
                                            "Remove"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </details>
                })
            }}
            <super::email::EmailControl/>
        </section>
    }
}
