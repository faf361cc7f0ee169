//! Records in the admin console (docs/PROTOCOL.md, "Records"): importing a
//! Slack export, with its progress, and exporting everything the instance
//! holds. A person's own export is in Settings.

use leptos::prelude::*;

use super::{actions, model};
use crate::chat::{picked_files, AdminCommand, Command, PickedFile};
use crate::protocol::{ImportJob, ImportState};

/// The admin console's "Records" tab.
#[component]
pub fn RecordsTab() -> impl IntoView {
    view! {
        <ImportSlack/>
        <ImportedFromSlack/>
        <super::retention::Retention/>
        <super::retention::Holds/>
        <section class="records" aria-labelledby="records-export">
            <h3 id="records-export">"Export everything"</h3>
            <p>
                "One zip of all Confab holds: people, rooms and their members, every room's "
                "messages with their replies, edits and reactions, and the files. The "
                "download starts at once and grows as it is written; a large instance takes "
                "a while. Each export is recorded in the audit log."
            </p>
            <a class="button-link" href="/api/admin/export" download="">"Download the export"</a>
        </section>
    }
}

/// "Import from Slack": pick the export, import it, watch it go.
#[component]
fn ImportSlack() -> impl IntoView {
    let model = model();
    let actions = actions();
    let file = StoredValue::new_local(None::<PickedFile>);
    let chosen = RwSignal::new(false);
    let job = move || {
        model
            .admin
            .with(|v| v.as_ref().and_then(|v| v.import.clone()))
    };
    let uploading = move || {
        model
            .admin
            .with(|v| v.as_ref().is_some_and(|v| v.uploading))
    };
    let running = move || job().is_some_and(|j| j.state == ImportState::Running);
    let start = move |_| {
        if let Some(picked) = file.try_update_value(Option::take).flatten() {
            chosen.set(false);
            actions.run(Command::Admin(AdminCommand::ImportSlack(picked)));
        }
    };
    view! {
        <section class="records" aria-labelledby="records-import">
            <h3 id="records-import">"Import from Slack"</h3>
            <p>
                "A Slack workspace export (the zip of Slack's \"Export data\"): its people become "
                "accounts they claim, its channels and direct messages new rooms with their "
                "history. Importing the same export again adds nothing."
            </p>
            <label for="slack-export">"Slack export (.zip)"</label>
            <input id="slack-export" type="file" accept=".zip,application/zip"
                on:change=move |ev| {
                    let picked = picked_files(&ev).into_iter().next();
                    chosen.set(picked.is_some());
                    file.set_value(picked);
                }/>
            <button class="primary" disabled=move || !chosen.get() || uploading() || running()
                on:click=start>
                "Import"
            </button>
            {move || uploading().then(|| view! { <p role="status">"Uploading the export…"</p> })}
            {move || job().map(|job| view! { <ImportProgress job/> })}
        </section>
    }
}

/// What the Slack import made of each person (with whether they claimed
/// their account, and a claim link for those who have not) and each
/// conversation. Shown once something was imported.
#[component]
fn ImportedFromSlack() -> impl IntoView {
    let model = model();
    let mapping = move || {
        model
            .admin
            .with(|v| v.as_ref().and_then(|v| v.mapping.clone()))
            .filter(|m| !m.people.is_empty() || !m.rooms.is_empty())
    };
    move || {
        mapping().map(|mapping| {
            let unclaimed = mapping.people.iter().filter(|p| !p.claimed && !p.disabled).count();
            view! {
                <section class="records" aria-labelledby="records-mapping">
                    <h3 id="records-mapping">"Imported from Slack"</h3>
                    <p>{format!(
                        "{} people ({unclaimed} yet to claim their account) and {} conversations.",
                        mapping.people.len(),
                        mapping.rooms.len()
                    )}</p>
                    <table class="import-mapping">
                        <caption>"People"</caption>
                        <thead><tr><th scope="col">"Slack"</th><th scope="col">"Account"</th><th scope="col">"Claimed"</th></tr></thead>
                        <tbody>
                            {mapping.people.into_iter().map(|person| {
                                let state = if person.disabled {
                                    "deactivated"
                                } else if person.claimed {
                                    "yes"
                                } else {
                                    "not yet"
                                };
                                let claim = (!person.claimed && !person.disabled).then(|| {
                                    view! { <ClaimLink name=person.user.name.clone()/> }
                                });
                                view! {
                                    <tr>
                                        <td>{person.source_id}</td>
                                        <td>{person.user.name}</td>
                                        <td>{state}{claim}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <table class="import-mapping">
                        <caption>"Conversations"</caption>
                        <thead><tr><th scope="col">"Slack"</th><th scope="col">"Room"</th></tr></thead>
                        <tbody>
                            {mapping.rooms.into_iter().map(|room| view! {
                                <tr><td>{room.source_id}</td><td>{format!("#{}", room.name)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        })
    }
}

/// How far an import is, and what it did.
#[component]
fn ImportProgress(job: ImportJob) -> impl IntoView {
    let said = match job.state {
        ImportState::Running if job.total == 0 => "Reading the export…".to_string(),
        ImportState::Running => format!(
            "Importing {} ({} of {} conversations)",
            job.current,
            job.done + 1,
            job.total
        ),
        ImportState::Done => {
            let count = |what: &str| {
                job.report
                    .as_ref()
                    .and_then(|r| r[what].as_u64())
                    .unwrap_or(0)
            };
            format!(
                "Imported {} people, {} rooms, {} messages ({} replies), {} reactions, {} files.",
                count("users"),
                count("rooms"),
                count("messages"),
                count("replies"),
                count("reactions"),
                count("files")
            )
        }
        ImportState::Failed => format!(
            "The import failed: {}",
            job.error.clone().unwrap_or_default()
        ),
    };
    let skipped: Vec<String> = job
        .report
        .as_ref()
        .and_then(|r| r["skipped"].as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    view! {
        <div class="import-progress">
            <progress max=job.total.max(1) value=job.done aria-label="Import progress"></progress>
            <p role="status">{said}</p>
            {(!skipped.is_empty()).then(|| view! {
                <p>"Skipped, unreadable:"</p>
                <ul class="skipped">{skipped.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}

/// Settings' "Your data": the person's own export.
#[component]
pub fn YourData() -> impl IntoView {
    view! {
        <section class="records" aria-labelledby="your-data">
            <h3 id="your-data">"Your data"</h3>
            <p>"Your account, the rooms you are in, the messages you wrote and your files, as one zip."</p>
            <a class="button-link" href="/api/users/me/export" download="">"Download my data"</a>
        </section>
    }
}

/// For an imported account (no password yet): makes the link its person
/// claims it with, and shows it to pass on.
#[component]
pub fn ClaimLink(name: String) -> impl IntoView {
    let model = model();
    let actions = actions();
    let made = {
        let name = name.clone();
        move || {
            model.admin.with(|v| {
                v.as_ref()
                    .and_then(|v| v.claim.clone())
                    .filter(|(who, _)| *who == name)
                    .map(|(_, url)| url)
            })
        }
    };
    let id = format!("claim-{name}");
    let ask = name.clone();
    view! {
        <div class="claim">
            <p>{format!("{name} was imported and has no password yet.")}</p>
            <button class="link-button"
                on:click=move |_| actions.run(Command::Admin(AdminCommand::ClaimLink(ask.clone())))>
                {format!("Make a claim link for {name}")}
            </button>
            {move || made().map(|url| view! {
                <label for=id.clone()>{format!("Claim link for {name} (one sign-up, a week)")}</label>
                <input id=id.clone() readonly value=url/>
            })}
        </div>
    }
}
