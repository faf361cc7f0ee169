//! Login throttling: failed logins are counted per username and per client
//! address (an IPv6 address by its /64) in a fixed window; past the limit, logins for that name or from that
//! address are refused (429) until the window ends. A successful login clears the
//! name's count.
//!
//! Counted in memory or in Redis ([`super::window`]), so the limits hold
//! however logins spread over instances.

use std::sync::Arc;
use std::time::Duration;

use crate::broker::redis_target::RedisCommands;

use super::window::{MemoryCounter, RedisCounter, WindowCounter};
use crate::broker::redis_health::RedisHealth;
use crate::broker::redis_wire::Keys;

/// Failed logins allowed per username in a window.
pub const PER_USER: u64 = 5;
/// Failed logins allowed per client address in a window.
pub const PER_ADDRESS: u64 = 20;
/// How long failures are remembered.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

pub struct LoginThrottle {
    counter: Box<dyn WindowCounter>,
}

impl LoginThrottle {
    pub fn in_memory() -> Self {
        LoginThrottle {
            counter: Box::new(MemoryCounter::new(WINDOW)),
        }
    }

    pub fn in_redis(commands: RedisCommands, health: Arc<RedisHealth>, keys: Keys) -> Self {
        LoginThrottle {
            counter: Box::new(RedisCounter::new(commands, health, keys, "login", WINDOW)),
        }
    }

    fn keys(username: &str, address: &str) -> (String, String) {
        (
            format!("user:{}", username.to_lowercase()),
            format!("addr:{}", super::network_of(address)),
        )
    }

    /// Whether a login for `username` from `address` may be tried now.
    pub async fn allowed(&self, username: &str, address: &str) -> bool {
        let (user, addr) = Self::keys(username, address);
        self.counter.count(&user).await < PER_USER && self.counter.count(&addr).await < PER_ADDRESS
    }

    pub async fn failed(&self, username: &str, address: &str) {
        let (user, addr) = Self::keys(username, address);
        self.counter.add(&user).await;
        self.counter.add(&addr).await;
    }

    pub async fn succeeded(&self, username: &str) {
        let (user, _) = Self::keys(username, "");
        self.counter.clear(&user).await;
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
