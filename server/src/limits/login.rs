//! Login throttling: failed logins are counted per username and per client
//! address in a fixed window; past the limit, logins for that name or from that
//! address are refused (429) until the window ends. A successful login clears the
//! name's count.
//!
//! One instance counts in memory; with Redis the counts live there (INCR with an
//! expiry), so the limits hold however logins spread over instances.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use crate::broker::redis_wire::Keys;

/// Failed logins allowed per username in a window.
pub const PER_USER: u64 = 5;
/// Failed logins allowed per client address in a window.
pub const PER_ADDRESS: u64 = 20;
/// How long failures are remembered.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failures under a key, within [`WINDOW`].
#[async_trait]
pub trait FailureCounter: Send + Sync + 'static {
    /// Failures under `key` in the current window.
    async fn count(&self, key: &str) -> u64;
    /// Records one more failure under `key`.
    async fn fail(&self, key: &str);
    /// Forgets `key`'s failures.
    async fn clear(&self, key: &str);
}

pub struct LoginThrottle {
    counter: Box<dyn FailureCounter>,
}

impl LoginThrottle {
    pub fn in_memory() -> Self {
        LoginThrottle {
            counter: Box::new(MemoryCounter::default()),
        }
    }

    pub fn in_redis(commands: ConnectionManager, keys: Keys) -> Self {
        LoginThrottle {
            counter: Box::new(RedisCounter { commands, keys }),
        }
    }

    fn keys(username: &str, address: &str) -> (String, String) {
        (
            format!("user:{}", username.to_lowercase()),
            format!("addr:{address}"),
        )
    }

    /// Whether a login for `username` from `address` may be tried now.
    pub async fn allowed(&self, username: &str, address: &str) -> bool {
        let (user, addr) = Self::keys(username, address);
        self.counter.count(&user).await < PER_USER && self.counter.count(&addr).await < PER_ADDRESS
    }

    pub async fn failed(&self, username: &str, address: &str) {
        let (user, addr) = Self::keys(username, address);
        self.counter.fail(&user).await;
        self.counter.fail(&addr).await;
    }

    pub async fn succeeded(&self, username: &str) {
        let (user, _) = Self::keys(username, "");
        self.counter.clear(&user).await;
    }
}

#[derive(Default)]
struct MemoryCounter {
    /// key → (failures, when the window started)
    failures: Mutex<HashMap<String, (u64, Instant)>>,
}

#[async_trait]
impl FailureCounter for MemoryCounter {
    async fn count(&self, key: &str) -> u64 {
        let mut failures = self.failures.lock().unwrap();
        match failures.get(key) {
            Some((n, since)) if since.elapsed() < WINDOW => *n,
            Some(_) => {
                failures.remove(key);
                0
            }
            None => 0,
        }
    }

    async fn fail(&self, key: &str) {
        let mut failures = self.failures.lock().unwrap();
        // Keep the table bounded: drop expired windows now and then.
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        let entry = failures
            .entry(key.to_string())
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    async fn clear(&self, key: &str) {
        self.failures.lock().unwrap().remove(key);
    }
}

struct RedisCounter {
    commands: ConnectionManager,
    keys: Keys,
}

#[async_trait]
impl FailureCounter for RedisCounter {
    async fn count(&self, key: &str) -> u64 {
        let mut conn = self.commands.clone();
        // Redis down: fail open rather than lock everyone out; the per-instance
        // WebSocket and HTTP limits still apply.
        conn.get::<_, Option<u64>>(self.keys.login(key))
            .await
            .ok()
            .flatten()
            .unwrap_or(0)
    }

    async fn fail(&self, key: &str) {
        let mut conn = self.commands.clone();
        let key = self.keys.login(key);
        let _: redis::RedisResult<()> = redis::pipe()
            .incr(&key, 1)
            .ignore()
            .cmd("EXPIRE")
            .arg(&key)
            .arg(WINDOW.as_secs())
            .arg("NX")
            .ignore()
            .query_async(&mut conn)
            .await;
    }

    async fn clear(&self, key: &str) {
        let mut conn = self.commands.clone();
        let _: redis::RedisResult<()> = conn.del(self.keys.login(key)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn names_and_addresses_are_limited_separately() {
        let t = LoginThrottle::in_memory();
        for _ in 0..PER_USER {
            assert!(t.allowed("Alice", "1.1.1.1").await);
            t.failed("alice", "1.1.1.1").await;
        }
        assert!(
            !t.allowed("ALICE", "2.2.2.2").await,
            "the name is locked, any address, any case"
        );
        assert!(t.allowed("bob", "1.1.1.1").await, "the address is not, yet");
        t.succeeded("alice").await;
        assert!(t.allowed("alice", "2.2.2.2").await);
        for i in 0..PER_ADDRESS {
            t.failed(&format!("user{i}"), "3.3.3.3").await;
        }
        assert!(
            !t.allowed("carol", "3.3.3.3").await,
            "the address is locked for every name"
        );
    }
}
