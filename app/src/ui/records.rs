//! Records in the admin console (docs/PROTOCOL.md, "Records"): exporting
//! everything the instance holds. A person's own export is in Settings.

use leptos::prelude::*;

/// The admin console's "Records" tab.
#[component]
pub fn RecordsTab() -> impl IntoView {
    view! {
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
