//! Sign-up throttling: every registration that gets as far as hashing its
//! password is counted per client network and in total, in a fixed window;
//! past either limit, registering answers 429 until the window ends. Free
//! accounts would otherwise make every per-user limit meaningless, and each
//! costs a password hash.
//!
//! A client network is its IPv4 address, or the /64 its IPv6 address is in
//! (one subscriber usually holds a whole /64). Counted in memory or in Redis
//! ([`super::window`]), like failed logins.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::broker::redis_target::RedisCommands;

use super::window::{MemoryCounter, RedisCounter, WindowCounter};
use crate::broker::redis_health::RedisHealth;
use crate::broker::redis_wire::Keys;

/// The window sign-ups are counted in.
pub const WINDOW: Duration = Duration::from_secs(3600);

/// How many sign-ups a window allows.
#[derive(Clone, Copy, Debug)]
pub struct SignupLimits {
    /// From one client network.
    pub per_network: u64,
    /// From everyone together.
    pub total: u64,
}

/// Why a sign-up was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SignupRefusal {
    Network,
    Total,
}

pub struct SignupThrottle {
    counter: Box<dyn WindowCounter>,
    limits: SignupLimits,
}

impl SignupThrottle {
    pub fn in_memory(limits: SignupLimits) -> Self {
        SignupThrottle {
            counter: Box::new(MemoryCounter::new(WINDOW)),
            limits,
        }
    }

    pub fn in_redis(
        commands: RedisCommands,
        health: Arc<RedisHealth>,
        keys: Keys,
        limits: SignupLimits,
    ) -> Self {
        SignupThrottle {
            counter: Box::new(RedisCounter::new(commands, health, keys, "signup", WINDOW)),
            limits,
        }
    }

    /// Counts a sign-up from `address`; `Err` if it is over a limit (and
    /// then it must not go ahead). A refused attempt still counts against
    /// its network, so hammering does not reopen it.
    pub async fn take(&self, address: &str) -> Result<(), SignupRefusal> {
        let network = format!("net:{}", network_of(address));
        if self.counter.add(&network).await > self.limits.per_network {
            return Err(SignupRefusal::Network);
        }
        if self.counter.add("all").await > self.limits.total {
            return Err(SignupRefusal::Total);
        }
        Ok(())
    }
}

/// The network a client address counts under: an IPv4 address itself (an
/// IPv4-mapped IPv6 address as IPv4), an IPv6 address's /64. Anything that
/// does not parse counts as itself.
pub fn network_of(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => address.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_ipv4_addresses_and_ipv6_slash_64s() {
        assert_eq!(network_of("127.0.0.9"), "127.0.0.9");
        assert_eq!(network_of("::ffff:10.1.2.3"), "10.1.2.3");
        assert_eq!(
            network_of("2001:db8:1:2:aaaa::1"),
            network_of("2001:db8:1:2:bbbb:cccc:dddd:eeee")
        );
        assert_eq!(network_of("2001:db8:1:2::5"), "2001:db8:1:2::/64");
        assert_ne!(network_of("2001:db8:1:3::1"), network_of("2001:db8:1:2::1"));
    }

    #[tokio::test]
    async fn limits_hold_per_network_and_in_total() {
        let t = SignupThrottle::in_memory(SignupLimits {
            per_network: 2,
            total: 5,
        });
        assert!(t.take("10.0.0.1").await.is_ok());
        assert!(t.take("10.0.0.1").await.is_ok());
        assert_eq!(t.take("10.0.0.1").await, Err(SignupRefusal::Network));
        assert!(t.take("2001:db8::1").await.is_ok());
        assert!(t.take("2001:db8::2").await.is_ok());
        assert_eq!(
            t.take("2001:db8::3").await,
            Err(SignupRefusal::Network),
            "same /64"
        );
        assert!(t.take("10.0.0.2").await.is_ok());
        assert_eq!(t.take("10.0.0.3").await, Err(SignupRefusal::Total));
    }
}
