#![recursion_limit = "256"]
//! The browser entry point: cargo-leptos builds this crate to wasm, and the
//! server-rendered page calls `hydrate()` to attach Confab's UI to the HTML it sent.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
