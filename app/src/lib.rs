//! Confab's browser app (Leptos) and the wire protocol it shares with the server.
//!
//! - [`protocol`]: every frame and HTTP body of the contract, as serde types.
//! - [`chat`]: the client's state and its rules (gap-free timelines, backoff), and
//!   in the browser the runtime that speaks the protocol.
//! - [`ui`]: the components.
//!
//! The server renders [`shell`]; the `frontend` crate hydrates [`App`] in the browser.

// Leptos' view types nest deeply; release builds need the headroom.
#![recursion_limit = "256"]

pub mod chat;
pub use protocol;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::StaticSegment;

/// The HTML document the server sends for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icon-192.png"/>
                <meta name="theme-color" content="#3b5bdb"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let model = chat::ChatModel::new();
    let actions = chat::start(model);
    provide_context(model);
    provide_context(actions);
    view! {
        <Stylesheet id="leptos" href="/pkg/confab.css"/>
        <Title text="Confab"/>
        <Router>
            <Routes fallback=|| view! { <ui::NotFound/> }>
                <Route path=StaticSegment("") view=ui::Home/>
            </Routes>
        </Router>
    }
}

/// The page's Content Security Policy: scripts only from this origin or carrying
/// this response's nonce (Leptos' hydration script does), wasm allowed to compile,
/// no framing, no plugins. An injected inline script has no nonce and does not run.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use leptos_axum::ResponseOptions;
    let (Some(response), Some(nonce)) =
        (use_context::<ResponseOptions>(), leptos::nonce::use_nonce())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
