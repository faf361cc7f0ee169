//! The chat client: state the UI renders ([`model`]), the rules that keep a room's
//! messages gap-free and duplicate-free ([`timeline`]), the read state of every
//! room ([`unread`]), and, in the browser, the
//! runtime that talks to the server ([`browser`]).

pub mod backoff;
#[cfg(feature = "hydrate")]
mod browser;
mod clock;
mod commands;
pub mod markdown;
pub mod model;
pub mod timeline;
pub mod unread;
mod views;
pub mod zones;

pub use model::{
    Actions, AdminCommand, AdminTab, AuditFilter, BroadConfirm, ChatModel, Command, GroupCommand,
    LaterView, Link, Notifications, RoomCommand, RoomOrder, Session,
};

pub use clock::{from_local_input, local_day, local_input_value, tomorrow_at};

/// A file the user picked, dropped or pasted (only browsers have them).
#[cfg(feature = "hydrate")]
pub type PickedFile = web_sys::File;
#[cfg(not(feature = "hydrate"))]
pub type PickedFile = ();

/// The files an `<input type="file">` holds after a `change`.
pub fn picked_files(ev: &leptos::ev::Event) -> Vec<PickedFile> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let files = input.as_ref().and_then(|i| i.files());
        let list = files.map(|f| file_list(&f)).unwrap_or_default();
        if let Some(input) = input {
            // Picking the same file again is a new pick.
            input.set_value("");
        }
        list
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        Vec::new()
    }
}

/// The files a drop or a paste carries (none for text).
pub fn carried_files(data: Option<&leptos::ev::Event>) -> Vec<PickedFile> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(ev) = data else {
            return Vec::new();
        };
        let transfer = if let Some(drag) = ev.dyn_ref::<web_sys::DragEvent>() {
            drag.data_transfer()
        } else if let Some(paste) = ev.dyn_ref::<web_sys::ClipboardEvent>() {
            paste.clipboard_data()
        } else {
            None
        };
        transfer
            .and_then(|t| t.files())
            .map(|f| file_list(&f))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = data;
        Vec::new()
    }
}

#[cfg(feature = "hydrate")]
fn file_list(files: &web_sys::FileList) -> Vec<web_sys::File> {
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}

/// A size in bytes as people read it ("3.2 MB").
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1000.0;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    if size < 10.0 {
        format!("{size:.1} {}", UNITS[unit])
    } else {
        format!("{size:.0} {}", UNITS[unit])
    }
}

/// Starts the client for this page. In the browser this checks the session and
/// opens the socket; during server rendering no command is ever issued (commands
/// come from browser events), so the server's `Actions` do nothing.
pub fn start(model: ChatModel) -> Actions {
    #[cfg(feature = "hydrate")]
    {
        browser::start(model)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = model;
        Actions::new(|_| {})
    }
}

/// The time now, by the browser's clock (the server's, rendering).
/// The invite code an invite link carries (`/?invite=CODE`), if the page
/// was opened from one.
pub fn invite_in_address() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let search = web_sys::window()?.location().search().ok()?;
        search
            .trim_start_matches('?')
            .split('&')
            .find_map(|pair| pair.strip_prefix("invite="))
            .filter(|code| !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(str::to_string)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

pub fn now() -> time::OffsetDateTime {
    #[cfg(feature = "hydrate")]
    {
        let ms = js_sys::Date::now() as i128;
        time::OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        time::OffsetDateTime::now_utc()
    }
}

/// A message time as the reader's clock shows it ("14:05").
pub fn local_time(ts: time::OffsetDateTime) -> String {
    #[cfg(feature = "hydrate")]
    {
        let ms = (ts.unix_timestamp_nanos() / 1_000_000) as f64;
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
        format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        format!("{:02}:{:02}", ts.hour(), ts.minute())
    }
}

/// Scrolls the element with this DOM id into the middle of its scroller;
/// false if there is no such element (or no browser).
pub fn scroll_to_middle(id: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
        else {
            return false;
        };
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        element.scroll_into_view_with_scroll_into_view_options(&options);
        true
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        false
    }
}
