//! The client frame decoder on arbitrary text: it must never panic, and a frame
//! it accepts must survive a round trip unchanged.
#![no_main]

use protocol::ClientEnvelope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(envelope) = ClientEnvelope::parse(text) {
        let again = serde_json::to_string(&envelope).expect("a decoded frame encodes");
        assert_eq!(ClientEnvelope::parse(&again).as_ref(), Ok(&envelope));
    }
});
