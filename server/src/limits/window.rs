//! Counting events under a key in a fixed window, for the throttles (failed
//! logins, sign-ups). One instance counts in memory; with Redis the counts
//! live there (INCR with an expiry), so a limit holds however requests spread
//! over instances.
//!
//! Memory is bounded: the in-memory table holds at most [`MAX_KEYS`] keys
//! (about 10 MiB); when it is full, expired windows go first, then an
//! arbitrary tenth of the rest (that key's count starts again — a throttle
//! fails open rather than refusing everyone).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::broker::redis_target::RedisCommands;
use async_trait::async_trait;
use redis::AsyncCommands;

use crate::broker::redis_health::RedisHealth;
use crate::broker::redis_wire::Keys;

/// Most keys one in-memory counter keeps.
pub const MAX_KEYS: usize = 100_000;

/// Counts events under a key within a window that starts with its first event.
#[async_trait]
pub trait WindowCounter: Send + Sync + 'static {
    /// Events under `key` in the current window.
    async fn count(&self, key: &str) -> u64;
    /// Counts one more event under `key`; answers the count with it.
    async fn add(&self, key: &str) -> u64;
    /// Forgets `key`'s events.
    async fn clear(&self, key: &str);
}

/// A [`WindowCounter`] in this instance's memory.
pub struct MemoryCounter {
    window: Duration,
    /// key → (events, when the window started)
    entries: Mutex<HashMap<String, (u64, Instant)>>,
}

impl MemoryCounter {
    pub fn new(window: Duration) -> Self {
        MemoryCounter {
            window,
            entries: Mutex::default(),
        }
    }
}

#[async_trait]
impl WindowCounter for MemoryCounter {
    async fn count(&self, key: &str) -> u64 {
        let mut entries = self.entries.lock().unwrap();
        match entries.get(key) {
            Some((n, since)) if since.elapsed() < self.window => *n,
            Some(_) => {
                entries.remove(key);
                0
            }
            None => 0,
        }
    }

    async fn add(&self, key: &str) -> u64 {
        let mut entries = self.entries.lock().unwrap();
        if entries.len() >= MAX_KEYS && !entries.contains_key(key) {
            entries.retain(|_, (_, since)| since.elapsed() < self.window);
            if entries.len() >= MAX_KEYS {
                let evict: Vec<String> = entries.keys().take(MAX_KEYS / 10).cloned().collect();
                for k in evict {
                    entries.remove(&k);
                }
            }
        }
        let entry = entries
            .entry(key.to_string())
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
        entry.0
    }

    async fn clear(&self, key: &str) {
        self.entries.lock().unwrap().remove(key);
    }
}

/// A [`WindowCounter`] in Redis, shared by every instance: `kind` names the
/// throttle in the keys (see [`Keys::throttle`]). While Redis does not
/// answer ([`RedisHealth`]) it counts in this instance's memory instead, so a
/// throttle still holds per instance and nobody waits for Redis.
pub struct RedisCounter {
    commands: RedisCommands,
    health: Arc<RedisHealth>,
    keys: Keys,
    kind: &'static str,
    window: Duration,
    local: MemoryCounter,
}

/// How long a count may wait for Redis before it is made locally.
const COUNT_TIMEOUT: Duration = Duration::from_millis(500);

impl RedisCounter {
    pub fn new(
        commands: RedisCommands,
        health: Arc<RedisHealth>,
        keys: Keys,
        kind: &'static str,
        window: Duration,
    ) -> Self {
        RedisCounter {
            commands,
            health,
            keys,
            kind,
            window,
            local: MemoryCounter::new(window),
        }
    }
}

#[async_trait]
impl WindowCounter for RedisCounter {
    async fn count(&self, key: &str) -> u64 {
        let mut conn = self.commands.clone();
        let counted = self.health.run(
            COUNT_TIMEOUT,
            conn.get::<_, Option<u64>>(self.keys.throttle(self.kind, key)),
        );
        match counted.await {
            Ok(n) => n.unwrap_or(0),
            Err(_) => self.local.count(key).await,
        }
    }

    async fn add(&self, key: &str) -> u64 {
        let mut conn = self.commands.clone();
        let redis_key = self.keys.throttle(self.kind, key);
        let mut pipe = redis::pipe();
        pipe.incr(&redis_key, 1)
            .cmd("EXPIRE")
            .arg(&redis_key)
            .arg(self.window.as_secs().max(1))
            .arg("NX")
            .ignore();
        let counted = self
            .health
            .run(COUNT_TIMEOUT, pipe.query_async::<(u64,)>(&mut conn));
        match counted.await {
            Ok((n,)) => n,
            Err(_) => self.local.add(key).await,
        }
    }

    async fn clear(&self, key: &str) {
        self.local.clear(key).await;
        let mut conn = self.commands.clone();
        let cleared = conn.del::<_, ()>(self.keys.throttle(self.kind, key));
        let _ = self.health.run(COUNT_TIMEOUT, cleared).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_in_a_window_and_stays_bounded() {
        let c = MemoryCounter::new(Duration::from_millis(50));
        assert_eq!(c.add("a").await, 1);
        assert_eq!(c.add("a").await, 2);
        assert_eq!(c.count("a").await, 2);
        assert_eq!(c.count("b").await, 0);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(c.count("a").await, 0, "the window ended");
        assert_eq!(c.add("a").await, 1);
        c.clear("a").await;
        assert_eq!(c.count("a").await, 0);

        let c = MemoryCounter::new(Duration::from_secs(60));
        for i in 0..MAX_KEYS + 10 {
            c.add(&format!("k{i}")).await;
        }
        assert!(c.entries.lock().unwrap().len() <= MAX_KEYS);
    }
}
