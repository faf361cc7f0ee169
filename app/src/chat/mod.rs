//! The chat client: state the UI renders ([`model`]), the rules that keep a room's
//! messages gap-free and duplicate-free ([`timeline`]), the read state of every
//! room ([`unread`]), and, in the browser, the
//! runtime that talks to the server ([`browser`]).

pub mod backoff;
#[cfg(feature = "hydrate")]
mod browser;
pub mod markdown;
pub mod model;
pub mod timeline;
pub mod unread;

pub use model::{Actions, ChatModel, Command, Link, Notifications, Session};

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
