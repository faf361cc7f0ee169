//! The gateway's handling of decoded frames: each input is a few text frames
//! (one per line) sent by one connection to a real engine and SQLite store (see
//! `server::gateway::exercise` for what is checked).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use server::state::AppState;

struct Harness {
    runtime: tokio::runtime::Runtime,
    state: AppState,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("confab-fuzz-{}", std::process::id()));
        let config = server::gateway::exercise_config(&dir);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let state = runtime
            .block_on(server::build(config))
            .expect("server state");
        Harness { runtime, state }
    })
}

fuzz_target!(|input: &[u8]| {
    let harness = harness();
    harness
        .runtime
        .block_on(server::gateway::exercise(&harness.state, input));
});
