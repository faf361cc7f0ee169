//! Text nobody vouches for — an upload's file name, a search text, a
//! webhook's JSON body — against a real store and engine (see
//! `server::untrusted_text::exercise` for what must hold).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use server::domain::Caller;
use server::state::AppState;

struct Harness {
    runtime: tokio::runtime::Runtime,
    state: AppState,
    secret: String,
    caller: Caller,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("confab-fuzz-text-{}", std::process::id()));
        let config = server::gateway::exercise_config(&dir);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let state = runtime
            .block_on(server::build(config))
            .expect("server state");
        let (secret, caller) = runtime.block_on(server::untrusted_text::prepare(&state));
        Harness {
            runtime,
            state,
            secret,
            caller,
        }
    })
}

fuzz_target!(|input: &[u8]| {
    let h = harness();
    h.runtime.block_on(server::untrusted_text::exercise(
        &h.state, &h.secret, &h.caller, input,
    ));
});
