//! Avatar thumbnails kept in memory on this instance: a room's authors'
//! pictures are asked for by every reader at once, and each is a few
//! kilobytes. Keyed by digest (the bytes never change under one), bounded
//! in bytes ([`MAX_CACHED_BYTES`]: past it, it starts over), and each kept at
//! most [`KEPT_FOR`], so a picture its owner removed on another instance
//! stops being served here within that time (this instance forgets every
//! picture at once when one of its users changes theirs).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// Most bytes of thumbnails held.
pub const MAX_CACHED_BYTES: usize = 16 * 1024 * 1024;
/// Longest a thumbnail is served from memory without asking the store.
pub const KEPT_FOR: Duration = Duration::from_secs(600);

#[derive(Default)]
pub struct AvatarCache(Mutex<Held>);

#[derive(Default)]
struct Held {
    bytes: usize,
    by_digest: HashMap<String, (Bytes, Instant)>,
}

impl AvatarCache {
    /// The thumbnail `digest` names, if held and fresh.
    pub fn get(&self, digest: &str) -> Option<Bytes> {
        let held = self.0.lock().unwrap();
        held.by_digest
            .get(digest)
            .filter(|(_, at)| at.elapsed() < KEPT_FOR)
            .map(|(bytes, _)| bytes.clone())
    }

    pub fn put(&self, digest: &str, bytes: Bytes) {
        if bytes.len() > MAX_CACHED_BYTES {
            return;
        }
        let mut held = self.0.lock().unwrap();
        if held.bytes + bytes.len() > MAX_CACHED_BYTES {
            *held = Held::default();
        }
        held.bytes += bytes.len();
        if let Some((old, _)) = held
            .by_digest
            .insert(digest.to_string(), (bytes, Instant::now()))
        {
            held.bytes -= old.len();
        }
    }

    /// Forgets every thumbnail (one was replaced or removed).
    pub fn forget_all(&self) {
        *self.0.lock().unwrap() = Held::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_fits_and_starts_over_past_its_bound() {
        let cache = AvatarCache::default();
        cache.put("a", Bytes::from(vec![1; 10]));
        assert_eq!(cache.get("a").map(|b| b.len()), Some(10));
        cache.put("big", Bytes::from(vec![2; MAX_CACHED_BYTES - 5]));
        assert!(cache.get("a").is_none(), "started over");
        assert!(cache.get("big").is_some());
        cache.forget_all();
        assert!(cache.get("big").is_none());
        cache.put("huge", Bytes::from(vec![3; MAX_CACHED_BYTES + 1]));
        assert!(cache.get("huge").is_none(), "too big to hold");
    }
}
