//! Limits on what clients may do, and how fast.
//!
//! - [`TokenBucket`]: the rate arithmetic, per connection.
//! - [`LoginThrottle`]: failed logins per name and per address.
//! - [`SignupThrottle`]: sign-ups per client network and in total.
//! - [`window`]: the windowed counts both throttles keep.
//! - [`UserLimits`]: connections and messages per user, however the user's
//!   connections spread over instances (counted in Redis when it is configured).

mod bucket;
mod login;
mod signup;
mod user;
mod user_redis;
pub mod window;

pub use bucket::TokenBucket;
pub use login::LoginThrottle;
pub use signup::{network_of, SignupLimits, SignupRefusal, SignupThrottle};
pub use user::{ConnectionSlot, MemoryUserLimits, UserLimitConfig, UserLimits};
pub use user_redis::{hidden_field, RedisUserLimits};
