//! The fuzzers' corpora (`fuzz/corpus/`), replayed as regression tests: every
//! input the fuzzers kept, or that once found a bug, runs through the same
//! checks as under libFuzzer (see `server::gateway::exercise`), without
//! libFuzzer.

use std::path::PathBuf;

use protocol::ClientEnvelope;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no corpus in {}", dir.display());
    inputs
}

#[test]
fn the_frame_decoder_corpus_round_trips() {
    for (path, bytes) in corpus("frame_decoder") {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue; // the target only sees UTF-8, like a text frame
        };
        if let Ok(envelope) = ClientEnvelope::parse(text) {
            let again = serde_json::to_string(&envelope).unwrap();
            assert_eq!(
                ClientEnvelope::parse(&again).as_ref(),
                Ok(&envelope),
                "{}",
                path.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_corpus_runs_clean() {
    let dir = tempfile::tempdir().unwrap();
    let config = server::gateway::exercise_config(dir.path());
    let state = server::build(config).await.unwrap();
    let inputs = corpus("gateway_frames");
    for (_, bytes) in &inputs {
        server::gateway::exercise(&state, bytes).await;
    }
    // The seeds alone store messages; the checks above ran against real data.
    let stored = state.store.room("general").await.unwrap().unwrap().last_seq;
    assert!(stored > 0, "{} inputs stored nothing", inputs.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_untrusted_text_corpus_runs_clean() {
    let dir = tempfile::tempdir().unwrap();
    let config = server::gateway::exercise_config(dir.path());
    let state = server::build(config).await.unwrap();
    let (secret, caller) = server::untrusted_text::prepare(&state).await;
    let inputs = corpus("untrusted_text");
    for (_, bytes) in &inputs {
        server::untrusted_text::exercise(&state, &secret, &caller, bytes).await;
    }
    // The webhook bodies among the seeds were stored: the posts ran for real.
    let stored = state.store.room("general").await.unwrap().unwrap().last_seq;
    assert!(stored > 0, "{} inputs posted nothing", inputs.len());
}
