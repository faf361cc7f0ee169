//! The gateway's handling of decoded frames: each input is a few text frames
//! (one per line) sent by one connection to a real engine and SQLite store (see
//! `server::gateway::exercise` for what is checked).
#![no_main]

use std::sync::OnceLock;

use clap::Parser;
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
        let config = server::config::Config::parse_from([
            "confab",
            "--data-dir",
            dir.to_str().unwrap(),
            "--rate-per-sec",
            "1000000",
            "--rate-burst",
            "1000000",
            "--user-rate-per-sec",
            "1000000",
            "--user-rate-burst",
            "1000000",
        ]);
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
